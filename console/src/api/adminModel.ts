// View models of the admin screens (users, service accounts, API keys,
// roles, the audit log): plain, JSON-safe copies of the API's messages.
import type { APIKey, ListRolesResponse, ServiceAccount, User } from "@/gen/driftmgr/v1/tenancy_pb";
import type { AuditEvent, VerifyAuditResponse } from "@/gen/driftmgr/v1/audit_pb";
import { iso } from "./model";

export interface UserView {
  id: string;
  tenant: string;
  username: string;
  displayName: string;
  email: string;
  role: string;
  /** "local" (password) or "oidc" (federated). */
  source: string;
  issuer: string;
  subject: string;
  disabled: boolean;
  createdAt: string | null;
  lastLoginAt: string | null;
  passwordChangedAt: string | null;
  createdBy: string;
}

export function toUser(u: User): UserView {
  return {
    id: u.id,
    tenant: u.tenant,
    username: u.username,
    displayName: u.displayName,
    email: u.email,
    role: u.role,
    source: u.source,
    issuer: u.issuer,
    subject: u.subject,
    disabled: u.disabled,
    createdAt: iso(u.createdAt),
    lastLoginAt: iso(u.lastLoginAt),
    passwordChangedAt: iso(u.passwordChangedAt),
    createdBy: u.createdBy,
  };
}

export interface ServiceAccountView {
  id: string;
  tenant: string;
  description: string;
  role: string;
  createdAt: string | null;
  createdBy: string;
}

export function toServiceAccount(s: ServiceAccount): ServiceAccountView {
  return { id: s.id, tenant: s.tenant, description: s.description, role: s.role, createdAt: iso(s.createdAt), createdBy: s.createdBy };
}

export interface APIKeyView {
  id: string;
  tenant: string;
  userId: string;
  serviceAccountId: string;
  role: string;
  description: string;
  createdAt: string | null;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revoked: boolean;
  revokedAt: string | null;
  createdBy: string;
}

export function toAPIKey(k: APIKey): APIKeyView {
  return {
    id: k.id,
    tenant: k.tenant,
    userId: k.userId,
    serviceAccountId: k.serviceAccountId,
    role: k.role,
    description: k.description,
    createdAt: iso(k.createdAt),
    expiresAt: iso(k.expiresAt),
    lastUsedAt: iso(k.lastUsedAt),
    revoked: k.revoked,
    revokedAt: iso(k.revokedAt),
    createdBy: k.createdBy,
  };
}

/** keyState is what a key can do now: active, revoked or expired (at the given time). */
export function keyState(k: APIKeyView, now: number = Date.now()): "active" | "revoked" | "expired" {
  if (k.revoked) return "revoked";
  if (k.expiresAt && Date.parse(k.expiresAt) <= now) return "expired";
  return "active";
}

export interface RoleView {
  name: string;
  description: string;
  actions: string[];
  /** The platform owner, whose actions hold in every tenant. */
  platform: boolean;
}

export interface RolesView {
  /** From the least to the most privileged. */
  roles: RoleView[];
  actions: { name: string; description: string }[];
}

export function toRoles(r: ListRolesResponse): RolesView {
  return {
    roles: r.roles.map((x) => ({ name: x.name, description: x.description, actions: [...x.actions], platform: x.platform })),
    actions: r.actions.map((a) => ({ name: a.name, description: a.description })),
  };
}

export interface AuditEventView {
  tenant: string;
  /** A uint64, kept as its decimal text. */
  seq: string;
  /** ISO time to the millisecond, for display. */
  time: string | null;
  /** The exact time to the nanosecond, as the hash covers it (RFC 3339). */
  timeExact: string;
  actor: { kind: string; id: string; name: string };
  action: string;
  argsJson: string;
  remote: string;
  requestId: string;
  outcome: string;
  error: string;
  prevHash: string;
  hash: string;
}

/** rfc3339Nano writes a Timestamp with all its nanoseconds, as Go's time.RFC3339Nano does (trailing zeros dropped). */
export function rfc3339Nano(t: { seconds: bigint; nanos: number } | undefined): string {
  if (!t) return "0001-01-01T00:00:00Z";
  const base = new Date(Number(t.seconds) * 1000).toISOString().slice(0, 19);
  const frac = t.nanos ? "." + String(t.nanos).padStart(9, "0").replace(/0+$/, "") : "";
  return `${base}${frac}Z`;
}

export function toAuditEvent(e: AuditEvent): AuditEventView {
  return {
    tenant: e.tenant,
    seq: e.seq.toString(),
    time: iso(e.time),
    timeExact: rfc3339Nano(e.time),
    actor: { kind: e.actor?.kind ?? "", id: e.actor?.id ?? "", name: e.actor?.name ?? "" },
    action: e.action,
    argsJson: e.argsJson,
    remote: e.remote,
    requestId: e.requestId,
    outcome: e.outcome,
    error: e.error,
    prevHash: e.prevHash,
    hash: e.hash,
  };
}

export interface VerifyView {
  headSeq: string;
  headHash: string;
  /** Empty when the chain is intact; else where it breaks. */
  error: string;
  entries: string;
}

export function toVerify(v: VerifyAuditResponse): VerifyView {
  return { headSeq: v.headSeq.toString(), headHash: v.headHash, error: v.error, entries: v.entries.toString() };
}

/**
 * auditLine is an entry as one line of `driftmgr ctl audit export`
 * (controller/audit WriteJSONL), so `driftmgr ctl audit verify FILE` checks
 * a file the console downloaded: every field, the time to the nanosecond,
 * and the arguments exactly as stored (their canonical form is what the
 * hash covers, so they are never re-encoded here).
 */
export function auditLine(e: AuditEvent): string {
  let args = e.argsJson.trim() === "" ? "{}" : e.argsJson;
  try {
    JSON.parse(args);
    // A raw line break in valid JSON is only ever space between tokens: one line per entry.
    args = args.replace(/[\r\n]+/g, " ");
  } catch {
    // Not JSON (only a damaged entry): kept as a string, as the controller does.
    args = JSON.stringify(args);
  }
  const s = JSON.stringify;
  return (
    `{"tenant":${s(e.tenant)},"seq":${e.seq.toString()},"time":${s(rfc3339Nano(e.time))},` +
    `"actor":{"kind":${s(e.actor?.kind ?? "")},"id":${s(e.actor?.id ?? "")},"name":${s(e.actor?.name ?? "")}},` +
    `"action":${s(e.action)},"args":${args},"remote":${s(e.remote)},"request_id":${s(e.requestId)},` +
    `"outcome":${s(e.outcome)},"error":${s(e.error)},"prev_hash":${s(e.prevHash)},"hash":${s(e.hash)}}`
  );
}
