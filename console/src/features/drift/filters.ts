// The inventory's filters and sort, and their URL form: every view of the
// inventory is a link (`/inventory?provider=aws&severity=high&sort=-last_seen`).
import type { FilterArgs } from "@/api/api";
import { kindNames, severityNames, statusNames } from "@/api/model";

export const facetFields = ["provider", "account", "region", "type", "kind", "severity", "status"] as const;
export type FacetField = (typeof facetFields)[number];

export const sortFields = ["severity", "last_seen", "first_seen", "type", "kind", "resource_id", "account", "region"] as const;
export type SortField = (typeof sortFields)[number];

export const timeRanges = ["", "1h", "24h", "7d", "30d", "custom"] as const;
export type TimeRange = (typeof timeRanges)[number];

export interface Sort {
  field: SortField;
  desc: boolean;
}

export interface InventoryFilters {
  provider: string[];
  account: string[];
  region: string[];
  type: string[];
  /** URL names: missing, unmanaged, modified. */
  kind: string[];
  /** URL names: critical, high, medium, low, info. */
  severity: string[];
  /** URL names: open, acknowledged, resolved. */
  status: string[];
  text: string;
  /** Findings last seen within this range; "custom" uses since/until. */
  range: TimeRange;
  since: string;
  until: string;
  sort: Sort;
}

export const defaultSort: Sort = { field: "severity", desc: true };

export function emptyFilters(): InventoryFilters {
  return {
    provider: [],
    account: [],
    region: [],
    type: [],
    kind: [],
    severity: [],
    status: [],
    text: "",
    range: "",
    since: "",
    until: "",
    sort: { ...defaultSort },
  };
}

const enumTables: Partial<Record<FacetField, Record<string, number>>> = {
  kind: kindNames,
  severity: severityNames,
  status: statusNames,
};

function parseSort(v: string | null): Sort {
  if (!v) return { ...defaultSort };
  const desc = v.startsWith("-");
  const field = (desc ? v.slice(1) : v) as SortField;
  return sortFields.includes(field) ? { field, desc } : { ...defaultSort };
}

function validDate(v: string | null): string {
  return v && !Number.isNaN(Date.parse(v)) ? v : "";
}

/** parseFilters reads filters from a URL query; unknown values are dropped. */
export function parseFilters(q: URLSearchParams): InventoryFilters {
  const f = emptyFilters();
  for (const field of facetFields) {
    const seen = new Set<string>();
    for (const v of q.getAll(field)) {
      const table = enumTables[field];
      if (table && !(v in table)) continue;
      seen.add(v);
    }
    f[field] = [...seen];
  }
  f.text = q.get("q") ?? "";
  const r = q.get("range") ?? "";
  f.range = (timeRanges as readonly string[]).includes(r) ? (r as TimeRange) : "";
  if (f.range === "custom") {
    f.since = validDate(q.get("since"));
    f.until = validDate(q.get("until"));
  }
  f.sort = parseSort(q.get("sort"));
  return f;
}

/**
 * serializeFilters writes filters as a URL query: defaults are left out
 * and values keep a stable order, so equal views have equal links.
 */
export function serializeFilters(f: InventoryFilters): URLSearchParams {
  const q = new URLSearchParams();
  for (const field of facetFields) {
    for (const v of [...f[field]].sort()) q.append(field, v);
  }
  if (f.text.trim()) q.set("q", f.text.trim());
  if (f.range) q.set("range", f.range);
  if (f.range === "custom") {
    if (f.since) q.set("since", f.since);
    if (f.until) q.set("until", f.until);
  }
  if (f.sort.field !== defaultSort.field || f.sort.desc !== defaultSort.desc) {
    q.set("sort", (f.sort.desc ? "-" : "") + f.sort.field);
  }
  return q;
}

const rangeMillis: Record<string, number> = {
  "1h": 3600e3,
  "24h": 24 * 3600e3,
  "7d": 7 * 24 * 3600e3,
  "30d": 30 * 24 * 3600e3,
};

/** toFilterArgs is the API's filter for the inventory's filters at time now. */
export function toFilterArgs(f: InventoryFilters, now: number): FilterArgs {
  const a: FilterArgs = {};
  if (f.provider.length) a.provider = f.provider;
  if (f.account.length) a.account = f.account;
  if (f.region.length) a.region = f.region;
  if (f.type.length) a.type = f.type;
  if (f.kind.length) a.kind = f.kind.map((k) => kindNames[k]!);
  if (f.severity.length) a.severity = f.severity.map((k) => severityNames[k]!);
  if (f.status.length) a.status = f.status.map((k) => statusNames[k]!);
  if (f.text.trim()) a.text = f.text.trim();
  const span = rangeMillis[f.range];
  if (span) {
    // Rounded to the minute so the cache key (and the request) is stable
    // while the user looks at the page.
    a.since = new Date(Math.floor((now - span) / 60e3) * 60e3).toISOString();
  } else if (f.range === "custom") {
    if (f.since) a.since = new Date(f.since).toISOString();
    if (f.until) a.until = new Date(f.until).toISOString();
  }
  return a;
}

export function orderBy(s: Sort): string {
  return s.field + (s.desc ? " desc" : "");
}

/** toggleValue adds or removes one value of a facet. */
export function toggleValue(f: InventoryFilters, field: FacetField, value: string): InventoryFilters {
  const cur = f[field];
  const next = cur.includes(value) ? cur.filter((v) => v !== value) : [...cur, value];
  return { ...f, [field]: next };
}

/** nextSort is the sort after clicking a column header: the same column flips, a new one starts descending. */
export function nextSort(s: Sort, field: SortField): Sort {
  if (s.field === field) return { field, desc: !s.desc };
  return { field, desc: field === "severity" || field === "last_seen" || field === "first_seen" };
}

export function activeFilterCount(f: InventoryFilters): number {
  return facetFields.reduce((n, k) => n + f[k].length, 0) + (f.text.trim() ? 1 : 0) + (f.range ? 1 : 0);
}
