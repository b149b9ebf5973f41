// The security findings' filters and sort, and their URL form: every view
// is a link (`/security?severity=critical&framework=CIS+AWS+Foundations+v3.0&sort=-last_seen`).
import type { SecurityFilterArgs } from "@/api/securityApi";
import { severityNames } from "@/api/model";
import { securityStatusNames } from "@/api/securityModel";

/** Facet fields, in the sidebar's order; each is also its URL parameter. */
export const securityFacetFields = ["severity", "status", "framework", "category", "check_id", "provider", "account", "region", "type"] as const;
export type SecurityFacetField = (typeof securityFacetFields)[number];

export const securitySortFields = ["severity", "last_seen", "first_seen", "check_id", "type", "resource_id", "account", "region"] as const;
export type SecuritySortField = (typeof securitySortFields)[number];

/** The categories a finding can have, in the order the sidebar lists them. */
export const securityCategories = ["check", "secret", "drift", "policy"];

export interface SecuritySort {
  field: SecuritySortField;
  desc: boolean;
}

export type SecurityFilters = Record<SecurityFacetField, string[]> & {
  text: string;
  sort: SecuritySort;
};

export const defaultSecuritySort: SecuritySort = { field: "severity", desc: true };

export function emptySecurityFilters(): SecurityFilters {
  return {
    severity: [],
    status: [],
    framework: [],
    category: [],
    check_id: [],
    provider: [],
    account: [],
    region: [],
    type: [],
    text: "",
    sort: { ...defaultSecuritySort },
  };
}

const enumTables: Partial<Record<SecurityFacetField, Record<string, number>>> = {
  severity: severityNames,
  status: securityStatusNames,
};

function parseSort(v: string | null): SecuritySort {
  if (!v) return { ...defaultSecuritySort };
  const desc = v.startsWith("-");
  const field = (desc ? v.slice(1) : v) as SecuritySortField;
  return securitySortFields.includes(field) ? { field, desc } : { ...defaultSecuritySort };
}

/** parseSecurityFilters reads filters from a URL query; unknown enum values and sorts are dropped. */
export function parseSecurityFilters(q: URLSearchParams): SecurityFilters {
  const f = emptySecurityFilters();
  for (const field of securityFacetFields) {
    const table = enumTables[field];
    const seen = new Set<string>();
    for (const v of q.getAll(field)) {
      if (table && !(v in table)) continue;
      seen.add(v);
    }
    f[field] = [...seen];
  }
  f.text = q.get("q") ?? "";
  f.sort = parseSort(q.get("sort"));
  return f;
}

/**
 * serializeSecurityFilters writes filters as a URL query: defaults are
 * left out and values keep a stable order, so equal views have equal links.
 */
export function serializeSecurityFilters(f: SecurityFilters): URLSearchParams {
  const q = new URLSearchParams();
  for (const field of securityFacetFields) {
    for (const v of [...f[field]].sort()) q.append(field, v);
  }
  if (f.text.trim()) q.set("q", f.text.trim());
  if (f.sort.field !== defaultSecuritySort.field || f.sort.desc !== defaultSecuritySort.desc) {
    q.set("sort", (f.sort.desc ? "-" : "") + f.sort.field);
  }
  return q;
}

/** toSecurityFilterArgs is the API's filter for the screen's filters. */
export function toSecurityFilterArgs(f: SecurityFilters): SecurityFilterArgs {
  const a: SecurityFilterArgs = {};
  if (f.provider.length) a.provider = f.provider;
  if (f.account.length) a.account = f.account;
  if (f.region.length) a.region = f.region;
  if (f.type.length) a.type = f.type;
  if (f.check_id.length) a.checkId = f.check_id;
  if (f.framework.length) a.framework = f.framework;
  if (f.category.length) a.category = f.category;
  if (f.severity.length) a.severity = f.severity.map((k) => severityNames[k]!);
  if (f.status.length) a.status = f.status.map((k) => securityStatusNames[k]!);
  if (f.text.trim()) a.text = f.text.trim();
  return a;
}

export function securityOrderBy(s: SecuritySort): string {
  return s.field + (s.desc ? " desc" : "");
}

/** nextSecuritySort is the sort after clicking a column header: the same column flips, a new one starts at its natural order. */
export function nextSecuritySort(s: SecuritySort, field: SecuritySortField): SecuritySort {
  if (s.field === field) return { field, desc: !s.desc };
  return { field, desc: field === "severity" || field === "last_seen" || field === "first_seen" };
}

/** toggleSecurityValue adds or removes one value of a facet. */
export function toggleSecurityValue(f: SecurityFilters, field: SecurityFacetField, value: string): SecurityFilters {
  const cur = f[field];
  const next = cur.includes(value) ? cur.filter((v) => v !== value) : [...cur, value];
  return { ...f, [field]: next };
}

export function activeSecurityFilterCount(f: SecurityFilters): number {
  return securityFacetFields.reduce((n, k) => n + f[k].length, 0) + (f.text.trim() ? 1 : 0);
}

/** findingsLink is the URL of the findings list narrowed to the given facet values. */
export function findingsLink(values: Partial<Record<SecurityFacetField, string[]>>): string {
  const q = serializeSecurityFilters({ ...emptySecurityFilters(), ...values }).toString();
  return "/security" + (q ? "?" + q : "");
}
