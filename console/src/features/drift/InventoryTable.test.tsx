import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { DriftKind, Severity } from "@/api/model";
import { finding } from "@/test/fixtures";
import { renderApp, withLayout } from "@/test/render";
import { InventoryTable } from "./InventoryTable";

const rows = [
  finding({ id: "a1", severity: Severity.CRITICAL }),
  finding({
    id: "b2",
    kind: DriftKind.UNMANAGED,
    severity: Severity.LOW,
    resource: { provider: "google", type: "google_storage_bucket", id: "tmp-export", account: "acme-prod", region: "", address: "" },
  }),
];

function setup(over: Partial<Parameters<typeof InventoryTable>[0]> = {}) {
  const props = {
    rows,
    total: 250,
    sort: { field: "severity" as const, desc: true },
    onSort: vi.fn(),
    hasMore: true,
    loadingMore: false,
    onLoadMore: vi.fn(),
    ...over,
  };
  const r = renderApp(<InventoryTable {...props} />, {
    extraRoutes: [{ path: "/findings/:id", element: <p>detail page</p> }],
  });
  return { ...r, props };
}

describe("InventoryTable", () => {
  let undo: () => void;
  beforeAll(() => {
    undo = withLayout();
  });
  afterAll(() => undo());

  it("renders one row per finding with what a person scans for", () => {
    setup();
    const table = screen.getByRole("table", { name: "Drift findings" });
    expect(table).toHaveAttribute("aria-rowcount", "251");
    const r1 = screen.getAllByRole("row")[1]!;
    expect(within(r1).getByText("Critical")).toBeInTheDocument();
    expect(within(r1).getByText("Modified")).toBeInTheDocument();
    expect(within(r1).getByRole("link", { name: "aws_instance.web_a1" })).toHaveAttribute("href", "/findings/a1");
    expect(within(r1).getByText("us-east-1")).toBeInTheDocument();
    const r2 = screen.getAllByRole("row")[2]!;
    // No Terraform address: the cloud id names it; no region: a dash.
    expect(within(r2).getByRole("link", { name: "tmp-export" })).toBeInTheDocument();
    expect(within(r2).getByText("Unmanaged")).toBeInTheDocument();
    expect(within(r2).getByText("—")).toBeInTheDocument();
    expect(screen.getByText("Showing 2 of 250 findings")).toBeInTheDocument();
  });

  it("sorts by clicking a header and reports the sort to assistive tech", async () => {
    const user = userEvent.setup();
    const { props } = setup();
    expect(screen.getByRole("columnheader", { name: /Severity/ })).toHaveAttribute("aria-sort", "descending");
    expect(screen.getByRole("columnheader", { name: /Last seen/ })).toHaveAttribute("aria-sort", "none");
    expect(screen.getByRole("columnheader", { name: "Status" })).not.toHaveAttribute("aria-sort");
    await user.click(screen.getByRole("button", { name: /Last seen/ }));
    expect(props.onSort).toHaveBeenCalledWith("last_seen");
    await user.click(screen.getByRole("button", { name: /Resource/ }));
    expect(props.onSort).toHaveBeenCalledWith("resource_id");
  });

  it("asks for the next page when the end of the loaded rows is in view", () => {
    const { props } = setup();
    expect(props.onLoadMore).toHaveBeenCalled();
  });

  it("renders only the rows in view of a long list", () => {
    const many = Array.from({ length: 5000 }, (_, i) => finding({ id: String(i) }));
    setup({ rows: many, total: 100000, hasMore: true });
    const rendered = screen.getAllByRole("row").length - 1;
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(60);
  });

  it("does not ask while a page is loading or when there is none", () => {
    const a = setup({ loadingMore: true });
    expect(a.props.onLoadMore).not.toHaveBeenCalled();
    expect(screen.getByText("Loading more findings…")).toBeInTheDocument();
    a.unmount();
    const b = setup({ hasMore: false });
    expect(b.props.onLoadMore).not.toHaveBeenCalled();
  });

  it("opens the finding when a row is clicked", async () => {
    const user = userEvent.setup();
    const { router } = setup();
    await user.click(within(screen.getAllByRole("row")[2]!).getByText("acme-prod"));
    expect(router.state.location.pathname).toBe("/findings/b2");
  });
});

describe("InventoryTable on a narrow list", () => {
  let undo: () => void;
  beforeAll(() => {
    undo = withLayout(700, 800);
  });
  afterAll(() => undo());

  it("shows two-line rows with the three columns that matter", () => {
    setup();
    const headers = screen.getAllByRole("columnheader").map((h) => h.textContent?.replace(/[▼▲↕]/g, "").trim());
    expect(headers).toEqual(["Severity", "Resource", "Last seen"]);
    const r2 = screen.getAllByRole("row")[2]!;
    expect(within(r2).getByRole("link", { name: "tmp-export" })).toBeInTheDocument();
    expect(within(r2).getByText(/unmanaged · google_storage_bucket · acme-prod/)).toBeInTheDocument();
  });
});
