// View models of SecurityService's messages: plain and JSON-safe, as the
// store keeps them (see model.ts for why).
import type {
  ControlPosture,
  Evidence,
  FrameworkPosture,
  GetComplianceResponse,
  GetMutelistResponse,
  Policy,
  SecurityFinding,
  SecuritySide,
} from "@/gen/driftmgr/v1/security_pb";
import { SecurityStatus } from "@/gen/driftmgr/v1/security_pb";
import { iso, severityName, type ChangeView, type DriftKind, type FacetView, type ResourceView, type Severity } from "./model";

export { SecurityStatus };

export interface EvidenceView {
  /** Another resource than the subject (type.id), when one was looked at. */
  resource: string;
  path: string;
  valueJson: string;
}

export interface SecuritySideView {
  /** PASS, FAIL or ABSENT. */
  status: string;
  message: string;
  evidence: EvidenceView[];
}

export interface SecurityDriftView {
  kind: DriftKind;
  checkId: string;
  /** The drift finding (FindingsService) of the same resource. */
  findingId: string;
  state: SecuritySideView | null;
  live: SecuritySideView | null;
  changes: ChangeView[];
}

export interface MuteView {
  reason: string;
  owner: string;
  expires: string | null;
  /** 1-based line of the entry in the tenant's mutelist; 0 if unknown. */
  line: number;
}

export interface ControlRefView {
  framework: string;
  control: string;
}

export interface SecurityFindingView {
  id: string;
  agentId: string;
  checkId: string;
  title: string;
  severity: Severity;
  status: SecurityStatus;
  resource: ResourceView;
  message: string;
  evidence: EvidenceView[];
  locationPath: string;
  locationLine: number;
  controls: ControlRefView[];
  remediation: string;
  terraform: string;
  drift: SecurityDriftView | null;
  mute: MuteView | null;
  firstSeen: string | null;
  lastSeen: string | null;
  scanId: string;
  revision: string;
  /** check, secret, drift or policy. */
  category: string;
  /** live or state. */
  source: string;
}

export interface SecurityFindingsPage {
  findings: SecurityFindingView[];
  nextPageToken: string;
  totalSize: number;
  facets: FacetView[];
  revision: string;
}

export interface ControlPostureView {
  control: string;
  title: string;
  status: SecurityStatus;
  checkIds: string[];
  passed: number;
  failed: number;
  muted: number;
  /** Up to 20 failing findings: the evidence. */
  findingIds: string[];
}

export interface FrameworkPostureView {
  framework: string;
  /** As the API sends it; see scorePercent for the percentage shown. */
  score: number;
  passed: number;
  failed: number;
  muted: number;
  controlsPassing: number;
  controlsFailing: number;
  controls: ControlPostureView[];
}

export interface ComplianceView {
  frameworks: FrameworkPostureView[];
  riskScore: number;
  passed: number;
  failed: number;
  muted: number;
  /** Agents whose latest scan carried a security tally. */
  agents: number;
  revision: string;
}

export interface MutelistView {
  yaml: string;
  updatedAt: string | null;
  updatedBy: string;
  /** Entries past their expiry: they mute nothing. */
  expired: string[];
}

export interface PolicyView {
  name: string;
  source: string;
  updatedAt: string | null;
  updatedBy: string;
  checkIds: string[];
}

function toEvidence(e: Evidence): EvidenceView {
  return { resource: e.resource, path: e.path, valueJson: e.valueJson };
}

function toSide(s: SecuritySide | undefined): SecuritySideView | null {
  if (!s) return null;
  return { status: s.status, message: s.message, evidence: s.evidence.map(toEvidence) };
}

export function toSecurityFinding(f: SecurityFinding): SecurityFindingView {
  const r = f.resource;
  const d = f.drift;
  const m = f.mute;
  return {
    id: f.id,
    agentId: f.agentId,
    checkId: f.checkId,
    title: f.title,
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
    message: f.message,
    evidence: f.evidence.map(toEvidence),
    locationPath: f.locationPath,
    locationLine: f.locationLine,
    controls: f.controls.map((c) => ({ framework: c.framework, control: c.control })),
    remediation: f.remediation,
    terraform: f.terraform,
    drift: d
      ? {
          kind: d.kind,
          checkId: d.checkId,
          findingId: d.findingId,
          state: toSide(d.state),
          live: toSide(d.live),
          changes: d.changes.map((c) => ({ path: c.path, stateJson: c.stateJson, liveJson: c.liveJson })),
        }
      : null,
    mute: m ? { reason: m.reason, owner: m.owner, expires: iso(m.expires), line: m.line } : null,
    firstSeen: iso(f.firstSeen),
    lastSeen: iso(f.lastSeen),
    scanId: f.scanId,
    revision: f.revision.toString(),
    category: f.category,
    source: f.source,
  };
}

function toControl(c: ControlPosture): ControlPostureView {
  return {
    control: c.control,
    title: c.title,
    status: c.status,
    checkIds: [...c.checkIds],
    passed: Number(c.passed),
    failed: Number(c.failed),
    muted: Number(c.muted),
    findingIds: [...c.findingIds],
  };
}

function toFramework(f: FrameworkPosture): FrameworkPostureView {
  return {
    framework: f.framework,
    score: f.score,
    passed: Number(f.passed),
    failed: Number(f.failed),
    muted: Number(f.muted),
    controlsPassing: Number(f.controlsPassing),
    controlsFailing: Number(f.controlsFailing),
    controls: f.controls.map(toControl),
  };
}

export function toCompliance(r: GetComplianceResponse): ComplianceView {
  return {
    frameworks: r.frameworks.map(toFramework),
    riskScore: r.riskScore,
    passed: Number(r.passed),
    failed: Number(r.failed),
    muted: Number(r.muted),
    agents: Number(r.agents),
    revision: r.revision.toString(),
  };
}

export function toMutelist(r: GetMutelistResponse): MutelistView {
  return { yaml: r.yaml, updatedAt: iso(r.updatedAt), updatedBy: r.updatedBy, expired: [...r.expired] };
}

export function toPolicy(p: Policy): PolicyView {
  return { name: p.name, source: p.source, updatedAt: iso(p.updatedAt), updatedBy: p.updatedBy, checkIds: [...p.checkIds] };
}

// Labels and URL names of the verdicts a listing can hold (passes are not
// stored as findings, only counted).

export const securityStatusNames: Record<string, SecurityStatus> = {
  fail: SecurityStatus.FAIL,
  muted: SecurityStatus.MUTED,
};

export function securityStatusName(s: SecurityStatus): string {
  switch (s) {
    case SecurityStatus.PASS:
      return "pass";
    case SecurityStatus.FAIL:
      return "fail";
    case SecurityStatus.MUTED:
      return "muted";
  }
  return "unspecified";
}

/**
 * securityFacetValueName turns a facet value as the server spells it
 * (SEVERITY_HIGH, SECURITY_STATUS_FAIL, or the enum's number) into the
 * URL name (high, fail); other fields pass through.
 */
export function securityFacetValueName(field: string, value: string): string {
  if (field === "severity") {
    if (/^\d+$/.test(value)) return severityName(Number(value) as Severity);
    return value.replace(/^SEVERITY_/, "").toLowerCase();
  }
  if (field === "status") {
    if (/^\d+$/.test(value)) return securityStatusName(Number(value) as SecurityStatus);
    return value.replace(/^SECURITY_STATUS_/, "").toLowerCase();
  }
  return value;
}
