import { describe, expect, it, vi } from "vitest";
import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { FilterSidebar } from "./FilterSidebar";
import { emptyFilters } from "./filters";
import type { FacetView } from "@/api/model";

const facets: FacetView[] = [
  {
    field: "provider",
    values: [
      { value: "aws", count: 40 },
      { value: "google", count: 2 },
    ],
  },
  {
    field: "severity",
    values: [
      { value: "SEVERITY_LOW", count: 6 },
      { value: "SEVERITY_CRITICAL", count: 3 },
    ],
  },
  {
    field: "region",
    values: [
      { value: "us-east-1", count: 3 },
      { value: "", count: 2 },
    ],
  },
  {
    field: "type",
    values: Array.from({ length: 12 }, (_, i) => ({ value: `aws_type_${String(i).padStart(2, "0")}`, count: 100 - i })),
  },
];

describe("FilterSidebar", () => {
  it("lists facet values with their counts", () => {
    render(<FilterSidebar filters={emptyFilters()} facets={facets} onChange={() => {}} />);
    const provider = screen.getByRole("group", { name: "Provider" });
    expect(within(provider).getByRole("checkbox", { name: "aws" })).not.toBeChecked();
    expect(within(provider).getByLabelText("40 findings")).toHaveTextContent("40");
    // Enum facets read as words, in severity order.
    const sev = screen.getByRole("group", { name: "Severity" });
    expect(
      within(sev)
        .getAllByRole("checkbox")
        .map((c) => c.getAttribute("id")?.replace(/^.*facet-/, "")),
    ).toEqual(["severity-critical", "severity-low"]);
    expect(within(screen.getByRole("group", { name: "Region" })).getByRole("checkbox", { name: "(global)" })).toBeInTheDocument();
  });

  it("toggles a value", async () => {
    const onChange = vi.fn();
    const user = userEvent.setup();
    render(<FilterSidebar filters={emptyFilters()} facets={facets} onChange={onChange} />);
    await user.click(screen.getByRole("checkbox", { name: "Critical" }));
    expect(onChange).toHaveBeenCalledWith(expect.objectContaining({ severity: ["critical"] }));
  });

  it("keeps selected values listed and offers to clear them", async () => {
    const onChange = vi.fn();
    const user = userEvent.setup();
    const f = { ...emptyFilters(), provider: ["azurerm"], sort: { field: "type" as const, desc: false } };
    render(<FilterSidebar filters={f} facets={facets} onChange={onChange} />);
    expect(screen.getByRole("checkbox", { name: "azurerm" })).toBeChecked();
    expect(screen.getByRole("heading", { name: "Filters (1)" })).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Clear all" }));
    expect(onChange).toHaveBeenCalledWith({ ...emptyFilters(), sort: { field: "type", desc: false } });
  });

  it("reaches values past the first eight through a combobox", async () => {
    const onChange = vi.fn();
    const user = userEvent.setup();
    render(<FilterSidebar filters={emptyFilters()} facets={facets} onChange={onChange} />);
    const types = screen.getByRole("group", { name: "Resource type" });
    expect(within(types).getAllByRole("checkbox")).toHaveLength(8);
    const box = within(types).getByRole("combobox", { name: "Add a resource type filter" });
    await user.type(box, "type_11");
    expect(within(types).getByRole("option", { name: "aws_type_11 (89)" })).toBeInTheDocument();
    await user.keyboard("{Enter}");
    expect(onChange).toHaveBeenCalledWith(expect.objectContaining({ type: ["aws_type_11"] }));
  });

  it("searches after a pause in typing", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const onChange = vi.fn();
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    render(<FilterSidebar filters={emptyFilters()} facets={facets} onChange={onChange} />);
    await user.type(screen.getByRole("searchbox", { name: "Search" }), "web");
    expect(onChange).not.toHaveBeenCalled();
    await act(async () => {
      vi.advanceTimersByTime(350);
    });
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(onChange).toHaveBeenCalledWith(expect.objectContaining({ text: "web" }));
    vi.useRealTimers();
  });
});
