import type { CountsView, FacetView, ScanView } from "@/api/model";
import { facetValueName } from "@/api/model";

/** facetCounts maps a facet's values (URL names) to their counts. */
export function facetCounts(facets: FacetView[], field: string): Map<string, number> {
  const m = new Map<string, number>();
  facets.find((f) => f.field === field)?.values.forEach((v) => m.set(facetValueName(field, v.value), v.count));
  return m;
}

/** countsFromFacets derives the headline counts from an open-findings listing, until the stream sends its own. */
export function countsFromFacets(facets: FacetView[], total: number, acknowledged: number): CountsView {
  const kind = facetCounts(facets, "kind");
  const sev = facetCounts(facets, "severity");
  return {
    open: total,
    missing: kind.get("missing") ?? 0,
    unmanaged: kind.get("unmanaged") ?? 0,
    modified: kind.get("modified") ?? 0,
    critical: sev.get("critical") ?? 0,
    high: sev.get("high") ?? 0,
    acknowledged,
  };
}

/** latestPerAgent keeps each agent's newest scan. Scans arrive newest first. */
export function latestPerAgent(scans: ScanView[]): ScanView[] {
  const seen = new Map<string, ScanView>();
  for (const s of scans) {
    const cur = seen.get(s.agentId);
    if (!cur || (s.finishedAt ?? "") > (cur.finishedAt ?? "")) seen.set(s.agentId, s);
  }
  return [...seen.values()];
}

/** coverage is the share of resources under IaC over the agents' latest scans, in percent. */
export function coverage(latest: ScanView[]): number | null {
  const total = latest.reduce((n, s) => n + s.managed + s.unmanaged, 0);
  if (total === 0) return latest.length ? latest.reduce((n, s) => n + s.coverage, 0) / latest.length : null;
  return (100 * latest.reduce((n, s) => n + s.managed, 0)) / total;
}

export interface TrendPoint {
  at: number;
  label: string;
  modified: number;
  missing: number;
  unmanaged: number;
  coverage: number;
}

/** trend turns scans into chart points, oldest first. */
export function trend(scans: ScanView[]): TrendPoint[] {
  return scans
    .filter((s) => s.finishedAt)
    .map((s) => {
      const at = Date.parse(s.finishedAt!);
      return {
        at,
        label: new Date(at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }),
        modified: s.modified,
        missing: s.missing,
        unmanaged: s.unmanaged,
        coverage: Math.round(s.coverage * 10) / 10,
      };
    })
    .sort((a, b) => a.at - b.at);
}
