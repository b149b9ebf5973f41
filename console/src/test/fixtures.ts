import { DriftKind, FindingStatus, Severity, type FindingView } from "@/api/model";

export function finding(over: Partial<FindingView> & { id: string }): FindingView {
  return {
    agentId: "agt-1",
    kind: DriftKind.MODIFIED,
    severity: Severity.HIGH,
    status: FindingStatus.OPEN,
    resource: {
      provider: "aws",
      type: "aws_instance",
      id: "i-" + over.id,
      account: "123456789012",
      region: "us-east-1",
      address: "aws_instance.web_" + over.id,
    },
    changes: [{ path: "instance_type", stateJson: '"t3.micro"', liveJson: '"m5.large"' }],
    firstSeen: "2026-11-20T10:00:00Z",
    lastSeen: "2026-11-26T10:00:00Z",
    resolvedAt: null,
    acknowledgedBy: "",
    ackNote: "",
    origin: "s3://state/prod.tfstate",
    revision: "7",
    scanId: "scn-1",
    ...over,
  };
}
