import { describe, expect, it } from "vitest";
import { screen, within } from "@testing-library/react";
import { renderApp } from "@/test/render";
import { KpiCard } from "./KpiCard";
import { countsFromFacets, coverage, latestPerAgent, trend } from "./kpis";
import type { ScanView } from "@/api/model";

describe("KpiCard", () => {
  it("shows a skeleton until its value arrives", () => {
    renderApp(<KpiCard label="Open findings" value={null} />);
    const card = screen.getByRole("group", { name: "Open findings" });
    expect(within(card).queryByText(/\d/)).not.toBeInTheDocument();
    expect(card.querySelector(".animate-pulse")).not.toBeNull();
  });

  it("shows the value and links to what it counts", () => {
    renderApp(<KpiCard label="Critical" value="3" to="/inventory?severity=critical" hint="open" tone="danger" />);
    const card = screen.getByRole("group", { name: "Critical" });
    expect(within(card).getByText("3")).toHaveClass("text-red-700");
    expect(within(card).getByRole("link")).toHaveAttribute("href", "/inventory?severity=critical");
    expect(within(card).getByText("open")).toBeInTheDocument();
  });
});

function scan(id: string, agentId: string, finishedAt: string, managed: number, unmanaged: number): ScanView {
  return {
    id,
    agentId,
    startedAt: finishedAt,
    finishedAt,
    total: managed + unmanaged,
    managed,
    unmanaged,
    missing: 1,
    modified: 2,
    coverage: (100 * managed) / (managed + unmanaged),
    error: "",
    trigger: "schedule",
    skips: 0,
  };
}

describe("overview figures", () => {
  it("derives counts from facets until the stream sends its own", () => {
    const c = countsFromFacets(
      [
        {
          field: "kind",
          values: [
            { value: "DRIFT_KIND_MODIFIED", count: 6 },
            { value: "DRIFT_KIND_MISSING", count: 3 },
          ],
        },
        { field: "severity", values: [{ value: "SEVERITY_CRITICAL", count: 3 }] },
      ],
      12,
      2,
    );
    expect(c).toEqual({ open: 12, modified: 6, missing: 3, unmanaged: 0, critical: 3, high: 0, acknowledged: 2 });
  });

  it("computes coverage over each agent's latest scan", () => {
    const scans = [
      scan("s3", "a", "2026-11-26T10:02:00Z", 50, 3),
      scan("s2", "b", "2026-11-26T10:01:00Z", 10, 10),
      scan("s1", "a", "2026-11-26T10:00:00Z", 1, 99),
    ];
    const latest = latestPerAgent(scans);
    expect(latest.map((s) => s.id).sort()).toEqual(["s2", "s3"]);
    expect(coverage(latest)).toBeCloseTo((100 * 60) / 73, 5);
    expect(coverage([])).toBeNull();
  });

  it("orders the trend oldest first", () => {
    const t = trend([scan("s2", "a", "2026-11-26T10:01:00Z", 1, 1), scan("s1", "a", "2026-11-26T10:00:00Z", 1, 1)]);
    expect(t.map((p) => p.at)).toEqual([Date.parse("2026-11-26T10:00:00Z"), Date.parse("2026-11-26T10:01:00Z")]);
    expect(t[0]).toMatchObject({ modified: 2, missing: 1, unmanaged: 1, coverage: 50 });
  });
});
