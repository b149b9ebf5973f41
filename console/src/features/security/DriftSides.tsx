import { Link } from "react-router";
import { kindName } from "@/api/model";
import type { EvidenceView, SecurityDriftView, SecuritySideView } from "@/api/securityModel";
import { DiffView } from "@/features/drift/DiffView";
import { SideStatusBadge } from "./badges";
import { EvidenceList } from "./EvidenceList";

/** driftHeadline says in a sentence what the drift did to the check. */
export function driftHeadline(d: Pick<SecurityDriftView, "kind" | "checkId" | "state" | "live">): string {
  const state = (d.state?.status ?? "").toUpperCase();
  const live = (d.live?.status ?? "").toUpperCase();
  const kind = kindName(d.kind);
  if (state === "PASS" && live === "FAIL") return `This ${kind === "unspecified" ? "" : kind + " "}drift made ${d.checkId} fail: it passes as Terraform declares the resource and fails on the live cloud.`;
  if ((state === "ABSENT" || state === "") && live === "FAIL") return `This resource is not in Terraform state and fails ${d.checkId} on the live cloud.`;
  if (state === "FAIL" && live === "FAIL") return `${d.checkId} fails both as Terraform declares the resource and on the live cloud; the drift changed how.`;
  return `${d.checkId}: ${state || "unknown"} in Terraform state, ${live || "unknown"} on the live cloud.`;
}

function Side({ title, side, id }: { title: string; side: SecuritySideView | null; id: string }) {
  const evidence: EvidenceView[] = side?.evidence ?? [];
  return (
    <section aria-labelledby={id} className="flex min-w-0 flex-col gap-2 rounded-md border border-border p-3">
      <div className="flex items-center gap-2">
        <h3 id={id} className="text-sm font-semibold">
          {title}
        </h3>
        <SideStatusBadge status={side?.status || "ABSENT"} />
      </div>
      {side?.message ? <p className="text-sm">{side.message}</p> : <p className="text-sm text-muted-foreground">No message.</p>}
      {evidence.length > 0 && <EvidenceList evidence={evidence} label={`Evidence, ${title}`} />}
    </section>
  );
}

/**
 * DriftSides shows a security-weakening drift: the check's verdict on the
 * Terraform state beside its verdict on the live cloud, the attributes
 * that differ, and the drift finding it comes from.
 */
export function DriftSides({ drift }: { drift: SecurityDriftView }) {
  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm font-medium">{driftHeadline(drift)}</p>
      <div className="grid gap-3 md:grid-cols-2 [&>*]:min-w-0">
        <Side title="Terraform state" side={drift.state} id="drift-side-state" />
        <Side title="Live cloud" side={drift.live} id="drift-side-live" />
      </div>
      {drift.changes.length > 0 && (
        <div>
          <h3 className="mb-2 text-sm font-semibold">Attribute differences</h3>
          <DiffView changes={drift.changes} />
        </div>
      )}
      {drift.findingId && (
        <Link to={`/findings/${encodeURIComponent(drift.findingId)}`} className="text-sm text-primary hover:underline">
          Open the drift finding
        </Link>
      )}
    </div>
  );
}
