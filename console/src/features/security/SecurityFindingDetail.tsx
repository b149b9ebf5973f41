import { Link, useLocation, useParams } from "react-router";
import { useGetSecurityFindingQuery } from "@/api/securityApi";
import { SecurityStatus, type SecurityFindingView } from "@/api/securityModel";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { Loading } from "@/components/ui/skeleton";
import { ErrorState } from "@/components/ui/states";
import { ago, dateTime } from "@/lib/format";
import { CategoryBadge, SecurityStatusBadge, SeverityBadge } from "./badges";
import { DriftSides } from "./DriftSides";
import { errMessage, unavailable, unavailableText, type CallError } from "./errors";
import { EvidenceList } from "./EvidenceList";
import { findingsLink } from "./filters";
import { controlsByFramework } from "./posture";
import { resourceName } from "./SecurityTable";

function Field({ label, value, title }: { label: string; value: string; title?: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="truncate font-mono text-xs" title={title ?? value}>
        {value || "—"}
      </dd>
    </div>
  );
}

const sourceText: Record<string, string> = {
  live: "Judged on the live cloud",
  state: "Judged on the Terraform state",
};

function Mute({ f }: { f: SecurityFindingView }) {
  const m = f.mute;
  if (!m) return null;
  const expired = m.expires !== null && Date.parse(m.expires) <= Date.now();
  return (
    <Card>
      <CardHeader>
        <CardTitle>Muted</CardTitle>
        <CardDescription>The tenant's mutelist accepts this failure; it does not count against the scores.</CardDescription>
      </CardHeader>
      <CardContent>
        <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
          <dt className="text-muted-foreground">Reason</dt>
          <dd>{m.reason || "—"}</dd>
          <dt className="text-muted-foreground">Owner</dt>
          <dd>{m.owner || "—"}</dd>
          <dt className="text-muted-foreground">Expires</dt>
          <dd>
            {m.expires ? (
              <time dateTime={m.expires} title={dateTime(m.expires)}>
                {dateTime(m.expires)} ({ago(m.expires)}){expired ? " — expired" : ""}
              </time>
            ) : (
              "never"
            )}
          </dd>
          <dt className="text-muted-foreground">Entry</dt>
          <dd>
            {m.line > 0 ? (
              <Link to={`/security/mutelist?line=${m.line}`} className="text-primary hover:underline">
                Mutelist line {m.line}
              </Link>
            ) : (
              <Link to="/security/mutelist" className="text-primary hover:underline">
                Mutelist
              </Link>
            )}
          </dd>
        </dl>
      </CardContent>
    </Card>
  );
}

/** SecurityFindingDetail shows one failing check: why it fails, what it breaks, and the fix. */
export default function SecurityFindingDetail() {
  const { id = "" } = useParams();
  const location = useLocation();
  const back = (location.state as { from?: string } | null)?.from ?? "/security";
  const q = useGetSecurityFindingQuery(id);
  const backLink = (
    <Link to={back} className="text-sm text-primary hover:underline">
      ← Security findings
    </Link>
  );

  if (q.isLoading) return <Loading label="Loading the security finding" rows={6} />;
  if (q.isError || !q.data) {
    const err = q.error as CallError | undefined;
    return (
      <div className="flex flex-col gap-3">
        {backLink}
        <ErrorState
          title={err?.code === "NotFound" ? "This security finding does not exist" : "The security finding could not be loaded"}
          message={unavailable(err) ? unavailableText : err?.code === "NotFound" ? "It may have been resolved by a later scan." : errMessage(err)}
          onRetry={err?.code === "NotFound" || unavailable(err) ? undefined : () => void q.refetch()}
        />
      </div>
    );
  }
  const f = q.data;
  const byFramework = controlsByFramework(f.controls);

  return (
    <div className="flex flex-col gap-4">
      {backLink}
      <div className="min-w-0">
        <h1 className="text-lg font-semibold">{f.title || f.checkId}</h1>
        <p className="mt-1 break-all text-sm text-muted-foreground">
          <Link to={findingsLink({ check_id: [f.checkId] })} className="font-mono text-primary hover:underline" title="Every finding of this check">
            {f.checkId}
          </Link>{" "}
          on <span className="font-mono text-foreground">{resourceName(f)}</span>
        </p>
        <div className="mt-2 flex flex-wrap items-center gap-2">
          <SeverityBadge severity={f.severity} />
          <SecurityStatusBadge status={f.status} />
          <CategoryBadge category={f.category} />
          {sourceText[f.source] && <span className="text-xs text-muted-foreground">{sourceText[f.source]}</span>}
        </div>
      </div>

      <Card>
        <CardContent className="pt-4">
          <dl className="grid grid-cols-2 gap-3 md:grid-cols-4 xl:grid-cols-8">
            <Field label="Provider" value={f.resource.provider} />
            <Field label="Type" value={f.resource.type} />
            <Field label="Resource id" value={f.resource.id} />
            <Field label="Account" value={f.resource.account} />
            <Field label="Region" value={f.resource.region} />
            <Field label="Agent" value={f.agentId} />
            <Field label="First seen" value={f.firstSeen ? ago(f.firstSeen) : ""} title={dateTime(f.firstSeen)} />
            <Field label="Last seen" value={f.lastSeen ? ago(f.lastSeen) : ""} title={dateTime(f.lastSeen)} />
          </dl>
        </CardContent>
      </Card>

      <div className="grid gap-4 xl:grid-cols-[1fr_22rem] [&>*]:min-w-0">
        <div className="flex flex-col gap-4 [&>*]:min-w-0">
          <Card>
            <CardHeader>
              <CardTitle>What fails</CardTitle>
            </CardHeader>
            <CardContent className="flex flex-col gap-3">
              <p className="text-sm">{f.message || "The check gave no message."}</p>
              {f.locationPath && (
                <div className="rounded-md border border-border p-3 text-sm" role="group" aria-label="Location">
                  <p>
                    Found at <code className="font-mono text-xs">{f.locationPath}</code>
                    {f.locationLine > 0 && (
                      <>
                        , line <span className="tabular-nums">{f.locationLine}</span>
                      </>
                    )}
                  </p>
                  {f.category === "secret" && (
                    <p className="mt-1 text-xs text-muted-foreground">Secrets are reported by location only: the value is never sent or stored.</p>
                  )}
                </div>
              )}
              {f.evidence.length > 0 ? (
                <div>
                  <h3 className="mb-2 text-sm font-semibold">Evidence</h3>
                  <EvidenceList evidence={f.evidence} label="Evidence" />
                </div>
              ) : (
                !f.locationPath && <p className="text-xs text-muted-foreground">No attribute evidence was recorded.</p>
              )}
            </CardContent>
          </Card>

          {f.drift && (
            <Card>
              <CardHeader>
                <CardTitle>Weakened by drift</CardTitle>
                <CardDescription>The live resource no longer matches Terraform, and the difference fails this check.</CardDescription>
              </CardHeader>
              <CardContent>
                <DriftSides drift={f.drift} />
              </CardContent>
            </Card>
          )}

          <Card>
            <CardHeader>
              <CardTitle>Remediation</CardTitle>
            </CardHeader>
            <CardContent className="flex flex-col gap-3">
              <p className="whitespace-pre-line text-sm">{f.remediation || "No remediation is given for this check."}</p>
              {f.terraform && (
                <div>
                  <div className="mb-1 flex items-center gap-2">
                    <h3 className="text-sm font-semibold">Terraform fix</h3>
                    <CopyButton text={f.terraform} what="Terraform fix" className="ml-auto" />
                  </div>
                  <pre tabIndex={0} aria-label="Terraform fix" className="max-h-96 overflow-auto whitespace-pre-wrap break-words rounded-md bg-muted p-3 font-mono text-xs">
                    {f.terraform}
                  </pre>
                </div>
              )}
            </CardContent>
          </Card>
        </div>

        <div className="flex flex-col gap-4 [&>*]:min-w-0">
          {f.status === SecurityStatus.MUTED && <Mute f={f} />}
          <Card>
            <CardHeader>
              <CardTitle>Compliance controls</CardTitle>
              <CardDescription>What this failure counts against.</CardDescription>
            </CardHeader>
            <CardContent>
              {byFramework.length === 0 ? (
                <p className="text-sm text-muted-foreground">The check maps to no framework.</p>
              ) : (
                <ul className="flex flex-col gap-2">
                  {byFramework.map(([fw, controls]) => (
                    <li key={fw} className="text-sm">
                      <Link to={`/security/compliance?framework=${encodeURIComponent(fw)}`} className="font-medium text-primary hover:underline">
                        {fw}
                      </Link>
                      <p className="font-mono text-xs text-muted-foreground">{controls.join(", ")}</p>
                    </li>
                  ))}
                </ul>
              )}
            </CardContent>
          </Card>
        </div>
      </div>
    </div>
  );
}
