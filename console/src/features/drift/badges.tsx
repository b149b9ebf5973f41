import { Badge } from "@/components/ui/badge";
import { DriftKind, FindingStatus, Severity, capitalize, kindName, severityName, statusName } from "@/api/model";

const sevVariant = {
  [Severity.CRITICAL]: "critical",
  [Severity.HIGH]: "high",
  [Severity.MEDIUM]: "medium",
  [Severity.LOW]: "low",
  [Severity.INFO]: "info",
  [Severity.UNSPECIFIED]: "muted",
} as const;

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <Badge variant={sevVariant[severity]}>{capitalize(severityName(severity))}</Badge>;
}

export function KindBadge({ kind }: { kind: DriftKind }) {
  return <Badge variant="outline">{capitalize(kindName(kind))}</Badge>;
}

export function StatusBadge({ status }: { status: FindingStatus }) {
  const v = status === FindingStatus.OPEN ? "default" : status === FindingStatus.RESOLVED ? "success" : "muted";
  return <Badge variant={v}>{capitalize(statusName(status))}</Badge>;
}
