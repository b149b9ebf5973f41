import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { SecurityStatus } from "@/gen/driftmgr/v1/security_pb";
import { toSecurityFinding } from "@/api/securityModel";
import { renderApp, withLayout } from "@/test/render";
import { secFinding } from "@/test/security";
import { checkLine, SecurityTable } from "./SecurityTable";

const rows = [
  toSecurityFinding(secFinding({ id: "a1" })),
  toSecurityFinding(
    secFinding({
      id: "b2",
      status: SecurityStatus.MUTED,
      category: "secret",
      title: "AWS access key in user data",
      controls: [],
      resource: { provider: "aws", type: "aws_instance", id: "i-0b2", account: "111", region: "" },
    }),
  ),
];

function setup(width: number) {
  const undo = withLayout(width, 800);
  const props = { rows, total: 2, sort: { field: "severity" as const, desc: true }, onSort: vi.fn(), hasMore: false, loadingMore: false, onLoadMore: vi.fn() };
  const r = renderApp(<SecurityTable {...props} />, {
    route: "/security?severity=high",
    path: "/security",
    extraRoutes: [{ path: "/security/findings/:id", element: <p>detail page</p> }],
  });
  return { ...r, props, undo };
}

describe("SecurityTable", () => {
  let t: ReturnType<typeof setup>;
  beforeEach(() => {
    t = setup(1280);
  });
  afterEach(() => t.undo());

  it("shows each finding's severity, verdict, check, resource and frameworks, and sorts by header", async () => {
    const user = userEvent.setup();
    const [, r1, r2] = screen.getAllByRole("row");
    expect(within(r1!).getByText("High")).toBeInTheDocument();
    expect(within(r1!).getByText("Fail")).toBeInTheDocument();
    expect(within(r1!).getByText("aws_security_group · us-east-1")).toBeInTheDocument();
    expect(within(r1!).getByText("CIS AWS Foundations v3.0 +1")).toBeInTheDocument();
    // No address: type.id names it; no framework: a dash; the category leads the title.
    expect(within(r2!).getByRole("link", { name: "aws_instance.i-0b2" })).toBeInTheDocument();
    expect(within(r2!).getByText("Muted")).toBeInTheDocument();
    expect(within(r2!).getByText("Secret · AWS access key in user data")).toBeInTheDocument();
    expect(within(r2!).getByText("—")).toBeInTheDocument();
    expect(checkLine({ ...rows[0]!, category: "drift", title: "Drift weakened security: SSH open" })).toBe("Drift weakened security: SSH open");
    expect(checkLine({ ...rows[0]!, category: "policy", title: "Owner tag missing" })).toBe("Policy · Owner tag missing");
    expect(screen.getByRole("columnheader", { name: /Severity/ })).toHaveAttribute("aria-sort", "descending");
    expect(screen.getByRole("columnheader", { name: "Frameworks" })).not.toHaveAttribute("aria-sort");
    await user.click(screen.getByRole("button", { name: /Check/ }));
    expect(t.props.onSort).toHaveBeenCalledWith("check_id");
  });

  it("opens a finding on a row click, remembering the list's URL for the way back", async () => {
    const user = userEvent.setup();
    await user.click(within(screen.getAllByRole("row")[2]!).getByText("111"));
    expect(t.router.state.location.pathname).toBe("/security/findings/b2");
    expect(t.router.state.location.state).toEqual({ from: "/security?severity=high" });
  });
});

describe("SecurityTable on a narrow list", () => {
  it("shows two-line rows with the verdict and frameworks under the resource", () => {
    const t = setup(700);
    try {
      const headers = screen.getAllByRole("columnheader").map((h) => h.textContent?.replace(/[▼▲↕]/g, "").trim());
      expect(headers).toEqual(["Severity", "Finding", "Last seen"]);
      const r1 = screen.getAllByRole("row")[1]!;
      expect(within(r1).getByText(/Fail · CIS AWS Foundations v3.0, AWS Foundational Security Best Practices · 123456789012/)).toBeInTheDocument();
    } finally {
      t.undo();
    }
  });
});
