// A fake SecurityService for the Security screen's tests: findings held in
// memory, filtered by severity/status/framework, paged by offset tokens, with
// facets; compliance, mutelist and policies as given.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { Severity } from "@/gen/driftmgr/v1/common_pb";
import {
  GetComplianceResponseSchema,
  SecurityFindingSchema,
  SecurityService,
  SecurityStatus,
  type ListSecurityFindingsRequest,
  type SecurityFinding,
} from "@/gen/driftmgr/v1/security_pb";
import { mockClients } from "./render";
import { whoAmI } from "./tenancy";

export type FindingInit = MessageInitShape<typeof SecurityFindingSchema>;
export type ComplianceInit = MessageInitShape<typeof GetComplianceResponseSchema>;

/** secFinding is a failing open-SSH check on an AWS security group, with what is overridden. */
export function secFinding(over: FindingInit & { id: string }): SecurityFinding {
  return create(SecurityFindingSchema, {
    agentId: "agt-1",
    checkId: "DM-AWS-EC2-001",
    title: "Security group allows SSH from the internet",
    severity: Severity.HIGH,
    status: SecurityStatus.FAIL,
    resource: {
      provider: "aws",
      type: "aws_security_group",
      id: "sg-" + over.id,
      account: "123456789012",
      region: "us-east-1",
      address: "aws_security_group.web_" + over.id,
    },
    message: "ingress allows 0.0.0.0/0 to port 22",
    evidence: [{ path: "ingress[0].cidr_blocks", valueJson: '["0.0.0.0/0"]' }],
    controls: [
      { framework: "CIS AWS Foundations v3.0", control: "5.2" },
      { framework: "AWS Foundational Security Best Practices", control: "EC2.13" },
    ],
    remediation: "Limit SSH to known addresses or use Session Manager.",
    terraform: 'resource "aws_security_group" "web" {\n  ingress {\n    cidr_blocks = ["10.0.0.0/8"]\n  }\n}',
    category: "check",
    source: "live",
    firstSeen: { seconds: 1795600000n },
    lastSeen: { seconds: 1795690000n },
    ...over,
  } as FindingInit);
}

export const compliance: ComplianceInit = {
  riskScore: 37,
  passed: 120n,
  failed: 9n,
  muted: 2n,
  agents: 2n,
  frameworks: [
    {
      framework: "CIS AWS Foundations v3.0",
      score: 0.75,
      passed: 27n,
      failed: 9n,
      muted: 1n,
      controlsPassing: 10n,
      controlsFailing: 2n,
      controls: [
        {
          control: "5.2",
          title: "Ensure no security groups allow ingress from 0.0.0.0/0 to remote server administration ports",
          status: SecurityStatus.FAIL,
          checkIds: ["DM-AWS-EC2-001"],
          passed: 4n,
          failed: 2n,
          muted: 1n,
          findingIds: ["a1", "a2"],
        },
        { control: "1.4", title: "Ensure no root user access key exists", status: SecurityStatus.PASS, checkIds: ["DM-AWS-IAM-001"], passed: 1n },
      ],
    },
    { framework: "AWS Foundational Security Best Practices", score: 0.9, passed: 90n, failed: 10n, controlsPassing: 30n, controlsFailing: 3n },
  ],
};

interface Options {
  findings?: SecurityFinding[];
  compliance?: ComplianceInit | ConnectError;
  mutelist?: string;
  listError?: ConnectError;
  putMutelist?: (yaml: string) => number;
  /** The caller's role as WhoAmI says (admin by default). */
  role?: string;
}

/** securityServer answers SecurityService from memory and records what it was asked. */
export function securityServer(o: Options = {}) {
  const requests: ListSecurityFindingsRequest[] = [];
  const calls = { getCompliance: 0, getMutelist: 0, putMutelist: [] as string[], getFinding: [] as string[] };
  let mutelist = o.mutelist ?? "mutelist: []\n";
  const all = o.findings ?? [];
  const clients = mockClients((router) => {
    whoAmI(router, { role: o.role ?? "admin" });
    router.service(SecurityService, {
      listSecurityFindings: (req) => {
        requests.push(req);
        if (o.listError) throw o.listError;
        const fl = req.filter;
        const rows = all.filter(
          (f) =>
            (!fl?.severity.length || fl.severity.includes(f.severity)) &&
            (!fl?.status.length || fl.status.includes(f.status)) &&
            (!fl?.framework.length || f.controls.some((c) => fl.framework.includes(c.framework))),
        );
        const start = req.pageToken ? Number(req.pageToken) : 0;
        const end = Math.min(rows.length, start + (req.pageSize || 100));
        const facets = req.facets.map((field) => {
          const m = new Map<string, number>();
          const add = (v: string) => m.set(v, (m.get(v) ?? 0) + 1);
          for (const f of rows) {
            if (field === "severity") add("SEVERITY_" + Severity[f.severity]);
            else if (field === "status") add("SECURITY_STATUS_" + SecurityStatus[f.status]);
            else if (field === "framework") new Set(f.controls.map((c) => c.framework)).forEach(add);
            else if (field === "category") add(f.category);
            else if (field === "check_id") add(f.checkId);
            else if (field === "provider") add(f.resource?.provider ?? "");
          }
          return { field, values: [...m].map(([value, n]) => ({ value, count: BigInt(n) })) };
        });
        return {
          findings: rows.slice(start, end),
          totalSize: BigInt(rows.length),
          nextPageToken: end < rows.length ? String(end) : "",
          facets,
        };
      },
      getSecurityFinding: (req) => {
        calls.getFinding.push(req.id);
        const f = all.find((x) => x.id === req.id);
        if (!f) throw new ConnectError("security finding " + req.id + " not found", Code.NotFound);
        return { finding: f };
      },
      getCompliance: () => {
        calls.getCompliance++;
        if (o.compliance instanceof ConnectError) throw o.compliance;
        return o.compliance ?? compliance;
      },
      getMutelist: () => {
        calls.getMutelist++;
        return { yaml: mutelist, updatedBy: "key:adm1", updatedAt: { seconds: 1795600000n }, expired: [] };
      },
      putMutelist: (req) => {
        calls.putMutelist.push(req.yaml);
        const entries = o.putMutelist ? o.putMutelist(req.yaml) : 0;
        mutelist = req.yaml;
        return { entries };
      },
      listPolicies: () => ({
        revision: 3n,
        policies: [
          {
            name: "require_owner_tag.rego",
            source: "package driftmgr.require_owner_tag\n",
            checkIds: ["ORG-TAG-001"],
            updatedBy: "key:adm1",
            updatedAt: { seconds: 1795600000n },
          },
        ],
      }),
    });
  });
  return { clients, requests, calls };
}
