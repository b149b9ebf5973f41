// The audit log's filter: read from and written to the URL (so a link
// shares a view), and mapped to ListAuditEvents' request fields.
import type { AuditQuery } from "@/api/adminApi";

export const ranges = [
  { value: "", label: "Any time", seconds: 0 },
  { value: "1h", label: "Last hour", seconds: 3600 },
  { value: "24h", label: "Last 24 hours", seconds: 86400 },
  { value: "7d", label: "Last 7 days", seconds: 7 * 86400 },
  { value: "30d", label: "Last 30 days", seconds: 30 * 86400 },
  { value: "custom", label: "Between two times", seconds: 0 },
] as const;

/** actorKinds are AuditActor.kind's values (audit.proto). */
export const actorKinds = ["user", "key", "agent", "controller", "anonymous"];

/** outcomeCodes are the Connect codes a failed call's outcome may be (snake case, as the log writes them). */
export const outcomeCodes = [
  "permission_denied",
  "unauthenticated",
  "invalid_argument",
  "not_found",
  "already_exists",
  "failed_precondition",
  "resource_exhausted",
  "unavailable",
  "deadline_exceeded",
  "canceled",
  "aborted",
  "out_of_range",
  "unimplemented",
  "internal",
  "data_loss",
  "unknown",
];

export interface AuditFilter {
  /** One of ranges' values. */
  range: string;
  /** datetime-local values (local time), used when range is "custom". */
  since: string;
  until: string;
  actorKind: string;
  actor: string;
  action: string;
  /** "", "ok", "failed" or one of outcomeCodes. */
  outcome: string;
}

export const noFilter: AuditFilter = { range: "", since: "", until: "", actorKind: "", actor: "", action: "", outcome: "" };

const keys: Record<keyof AuditFilter, string> = {
  range: "range",
  since: "since",
  until: "until",
  actorKind: "actor_kind",
  actor: "actor",
  action: "action",
  outcome: "outcome",
};

export function readFilter(p: URLSearchParams): AuditFilter {
  const f = { ...noFilter };
  for (const [k, name] of Object.entries(keys) as [keyof AuditFilter, string][]) f[k] = p.get(name) ?? "";
  if (!ranges.some((r) => r.value === f.range)) f.range = "";
  if (f.range !== "custom") {
    f.since = "";
    f.until = "";
  }
  return f;
}

export function writeFilter(f: AuditFilter): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, name] of Object.entries(keys) as [keyof AuditFilter, string][]) {
    const v = f[k].trim();
    if (!v) continue;
    if ((k === "since" || k === "until") && f.range !== "custom") continue;
    p.set(name, v);
  }
  return p;
}

/** localTime reads a datetime-local value as the browser's local time; null when empty or not a time. */
function localTime(v: string): Date | null {
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** filterProblem says what is wrong with a custom range, or null. */
export function filterProblem(f: AuditFilter): string | null {
  if (f.range !== "custom") return null;
  const s = localTime(f.since);
  const u = localTime(f.until);
  if (!s && !u) return "Give a start, an end or both.";
  if (s && u && s >= u) return "The start must come before the end.";
  return null;
}

/** toQuery is the request for a filter: a relative range counts back from now. */
export function toQuery(f: AuditFilter, now: number, pageSize: number): AuditQuery {
  const q: AuditQuery = { pageSize };
  const r = ranges.find((x) => x.value === f.range);
  if (r && r.seconds > 0) q.since = new Date(now - r.seconds * 1000).toISOString();
  if (f.range === "custom") {
    const s = localTime(f.since);
    const u = localTime(f.until);
    if (s) q.since = s.toISOString();
    if (u) q.until = u.toISOString();
  }
  if (f.actorKind.trim()) q.actorKind = f.actorKind.trim();
  if (f.actor.trim()) q.actorId = f.actor.trim();
  if (f.action.trim()) q.actionPrefix = f.action.trim();
  if (f.outcome.trim()) q.outcome = f.outcome.trim();
  return q;
}

/** procedureParts splits "/driftmgr.v1.TenancyService/ListUsers" into its service's short name and method; a REST route stays whole. */
export function procedureParts(action: string): { service: string; method: string } | null {
  const m = /^\/(?:[\w.]+\.)?(\w+)\/(\w+)$/.exec(action);
  return m ? { service: m[1] ?? "", method: m[2] ?? "" } : null;
}
