// View models: what the store keeps of the API's messages. Protobuf-ES
// messages carry bigints and Timestamp objects, which Redux must not hold
// (not serializable); these are plain, JSON-safe and smaller.
import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import type { Facet, Finding, Scan } from "@/gen/driftmgr/v1/common_pb";
import { DriftKind, FindingStatus, Severity } from "@/gen/driftmgr/v1/common_pb";
import type { Agent, GetHealthResponse, Member } from "@/gen/driftmgr/v1/cluster_pb";
import type { FindingCounts } from "@/gen/driftmgr/v1/events_pb";
import type { WhoAmIResponse } from "@/gen/driftmgr/v1/tenancy_pb";

export { DriftKind, FindingStatus, Severity };

export interface ResourceView {
  provider: string;
  type: string;
  id: string;
  account: string;
  region: string;
  address: string;
}

export interface ChangeView {
  path: string;
  stateJson: string;
  liveJson: string;
}

export interface FindingView {
  id: string;
  agentId: string;
  kind: DriftKind;
  severity: Severity;
  status: FindingStatus;
  resource: ResourceView;
  changes: ChangeView[];
  firstSeen: string | null;
  lastSeen: string | null;
  resolvedAt: string | null;
  acknowledgedBy: string;
  ackNote: string;
  origin: string;
  revision: string;
  scanId: string;
}

export interface FacetView {
  field: string;
  values: { value: string; count: number }[];
}

export interface FindingsPage {
  findings: FindingView[];
  nextPageToken: string;
  totalSize: number;
  facets: FacetView[];
  revision: string;
}

export interface ScanView {
  id: string;
  agentId: string;
  startedAt: string | null;
  finishedAt: string | null;
  total: number;
  managed: number;
  unmanaged: number;
  missing: number;
  modified: number;
  coverage: number;
  error: string;
  trigger: string;
  skips: number;
}

export interface AgentView {
  id: string;
  name: string;
  hostname: string;
  version: string;
  connected: boolean;
  revoked: boolean;
  lastSeen: string | null;
  enrolledAt: string | null;
  ackedSeq: string;
  outboxDepth: number;
  bootEpoch: string;
}

export interface MemberView {
  name: string;
  raftAddress: string;
  apiAddress: string;
  status: string;
  leader: boolean;
  voter: boolean;
}

export interface HealthView {
  node: string;
  raftState: string;
  leader: string;
  appliedIndex: string;
  commitIndex: string;
  lastLogIndex: string;
  term: string;
  agentsConnected: number;
  ready: boolean;
}

export interface CountsView {
  open: number;
  missing: number;
  unmanaged: number;
  modified: number;
  critical: number;
  high: number;
  acknowledged: number;
}

/** WhoAmIView is the caller: who, in which tenant, with which role and actions. */
export interface WhoAmIView {
  /** What audit entries name, e.g. "key:abcd" or "user:usr-1". */
  principal: string;
  tenant: string;
  homeTenant: string;
  role: string;
  actions: string[];
  userId: string;
  serviceAccountId: string;
  apiKeyId: string;
}

export function toWhoAmI(w: WhoAmIResponse): WhoAmIView {
  return {
    principal: w.principal,
    tenant: w.tenant,
    homeTenant: w.homeTenant,
    role: w.role,
    actions: [...w.actions],
    userId: w.userId,
    serviceAccountId: w.serviceAccountId,
    apiKeyId: w.apiKeyId,
  };
}

export function iso(t: Timestamp | undefined): string | null {
  return t ? timestampDate(t).toISOString() : null;
}

export function toFinding(f: Finding): FindingView {
  const r = f.resource;
  return {
    id: f.id,
    agentId: f.agentId,
    kind: f.kind,
    severity: f.severity,
    status: f.status,
    resource: {
      provider: r?.provider ?? "",
      type: r?.type ?? "",
      id: r?.id ?? "",
      account: r?.account ?? "",
      region: r?.region ?? "",
      address: r?.address ?? "",
    },
    changes: f.changes.map((c) => ({ path: c.path, stateJson: c.stateJson, liveJson: c.liveJson })),
    firstSeen: iso(f.firstSeen),
    lastSeen: iso(f.lastSeen),
    resolvedAt: iso(f.resolvedAt),
    acknowledgedBy: f.acknowledgedBy,
    ackNote: f.ackNote,
    origin: f.origin,
    revision: f.revision.toString(),
    scanId: f.scanId,
  };
}

export function toFacet(f: Facet): FacetView {
  return { field: f.field, values: f.values.map((v) => ({ value: v.value, count: Number(v.count) })) };
}

export function toScan(s: Scan): ScanView {
  const m = s.summary;
  return {
    id: s.id,
    agentId: s.agentId,
    startedAt: iso(s.startedAt),
    finishedAt: iso(s.finishedAt),
    total: Number(m?.total ?? 0n),
    managed: Number(m?.managed ?? 0n),
    unmanaged: Number(m?.unmanaged ?? 0n),
    missing: Number(m?.missing ?? 0n),
    modified: Number(m?.modified ?? 0n),
    coverage: m?.coverage ?? 0,
    error: s.error,
    trigger: s.trigger,
    skips: s.skips.length,
  };
}

export function toAgent(a: Agent): AgentView {
  return {
    id: a.id,
    name: a.name,
    hostname: a.hostname,
    version: a.version,
    connected: a.connected,
    revoked: a.revoked,
    lastSeen: iso(a.lastSeen),
    enrolledAt: iso(a.enrolledAt),
    ackedSeq: a.ackedSeq.toString(),
    outboxDepth: Number(a.outboxDepth),
    bootEpoch: a.bootEpoch.toString(),
  };
}

export function toMember(m: Member): MemberView {
  return {
    name: m.name,
    raftAddress: m.raftAddress,
    apiAddress: m.apiAddress,
    status: m.status,
    leader: m.leader,
    voter: m.voter,
  };
}

export function toHealth(h: GetHealthResponse): HealthView {
  return {
    node: h.node,
    raftState: h.raftState,
    leader: h.leader,
    appliedIndex: h.appliedIndex.toString(),
    commitIndex: h.commitIndex.toString(),
    lastLogIndex: h.lastLogIndex.toString(),
    term: h.term.toString(),
    agentsConnected: h.agentsConnected,
    ready: h.ready,
  };
}

export function toCounts(c: FindingCounts): CountsView {
  return {
    open: Number(c.open),
    missing: Number(c.missing),
    unmanaged: Number(c.unmanaged),
    modified: Number(c.modified),
    critical: Number(c.critical),
    high: Number(c.high),
    acknowledged: Number(c.acknowledged),
  };
}

// Labels and URL names of the enums.

export const kindNames: Record<string, DriftKind> = {
  missing: DriftKind.MISSING,
  unmanaged: DriftKind.UNMANAGED,
  modified: DriftKind.MODIFIED,
};
export const severityNames: Record<string, Severity> = {
  critical: Severity.CRITICAL,
  high: Severity.HIGH,
  medium: Severity.MEDIUM,
  low: Severity.LOW,
  info: Severity.INFO,
};
export const statusNames: Record<string, FindingStatus> = {
  open: FindingStatus.OPEN,
  acknowledged: FindingStatus.ACKNOWLEDGED,
  resolved: FindingStatus.RESOLVED,
};

function nameOf<T>(table: Record<string, T>, v: T): string {
  for (const [k, x] of Object.entries(table)) if (x === v) return k;
  return "unspecified";
}
export const kindName = (k: DriftKind) => nameOf(kindNames, k);
export const severityName = (s: Severity) => nameOf(severityNames, s);
export const statusName = (s: FindingStatus) => nameOf(statusNames, s);

/**
 * facetValueName turns a facet value as the server spells it (the enum's
 * proto name, e.g. SEVERITY_HIGH, or its number) into the URL name (high).
 */
export function facetValueName(field: string, value: string): string {
  const prefix: Record<string, string> = { kind: "DRIFT_KIND_", severity: "SEVERITY_", status: "FINDING_STATUS_" };
  const p = prefix[field];
  if (!p) return value;
  if (/^\d+$/.test(value)) {
    const n = Number(value);
    if (field === "kind") return kindName(n as DriftKind);
    if (field === "severity") return severityName(n as Severity);
    return statusName(n as FindingStatus);
  }
  return value.startsWith(p) ? value.slice(p.length).toLowerCase() : value.toLowerCase();
}

export function capitalize(s: string): string {
  return s ? s[0]!.toUpperCase() + s.slice(1) : s;
}
