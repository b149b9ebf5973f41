import { Link } from "react-router";
import { useGetComplianceQuery } from "@/api/securityApi";
import type { FrameworkPostureView } from "@/api/securityModel";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { KpiCard } from "@/features/overview/KpiCard";
import { count } from "@/lib/format";
import { findingsLink } from "./filters";
import { formatRisk, scorePercent } from "./posture";
import { errMessage, unavailable, unavailableText } from "./errors";
import { ScoreRadial } from "./ScoreRadial";

function FrameworkCard({ f }: { f: FrameworkPostureView }) {
  const pct = scorePercent(f);
  const controls = f.controlsPassing + f.controlsFailing;
  return (
    <Card role="group" aria-label={f.framework} className="flex min-w-0 flex-col">
      <CardHeader>
        <CardTitle className="line-clamp-2 leading-tight" title={f.framework}>
          {f.framework}
        </CardTitle>
      </CardHeader>
      <CardContent className="flex items-center gap-3">
        <ScoreRadial percent={pct} label="Score" />
        <dl className="grid min-w-0 grid-cols-[auto_1fr] gap-x-2 text-xs">
          <dt className="text-muted-foreground">Passed</dt>
          <dd className="tabular-nums">{count(f.passed)}</dd>
          <dt className="text-muted-foreground">Failed</dt>
          <dd className="tabular-nums">{count(f.failed)}</dd>
          <dt className="text-muted-foreground">Muted</dt>
          <dd className="tabular-nums">{count(f.muted)}</dd>
          <dt className="text-muted-foreground">Controls</dt>
          <dd className="tabular-nums">{controls > 0 ? `${count(f.controlsFailing)} of ${count(controls)} failing` : "—"}</dd>
        </dl>
      </CardContent>
      <div className="mt-auto flex flex-wrap gap-x-3 gap-y-1 px-4 pb-3 text-xs">
        <Link to={`/security/compliance?framework=${encodeURIComponent(f.framework)}`} className="text-primary hover:underline">
          Report{" "}
          <span className="sr-only">for {f.framework}</span>
        </Link>
        {f.failed > 0 && (
          <Link to={findingsLink({ framework: [f.framework], status: ["fail"] })} className="text-primary hover:underline">
            Failing findings{" "}
            <span className="sr-only">of {f.framework}</span>
          </Link>
        )}
      </div>
    </Card>
  );
}

/**
 * PostureHeader is the security posture over every agent's latest scan:
 * the risk score, verdict counts, and one card per framework with its score.
 */
export function PostureHeader() {
  const q = useGetComplianceQuery();
  if (q.isError) {
    return unavailable(q.error) ? (
      <ErrorState title="Security posture is not available" message={unavailableText} />
    ) : (
      <ErrorState title="The security posture could not be loaded" message={errMessage(q.error)} onRetry={() => void q.refetch()} />
    );
  }
  const c = q.data;
  const n = (v: number | undefined) => (c ? count(v ?? 0) : null);
  return (
    <section aria-labelledby="posture-heading" className="flex flex-col gap-3">
      <h2 id="posture-heading" className="sr-only">
        Posture
      </h2>
      <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
        <KpiCard
          label="Risk score"
          value={c ? formatRisk(c.riskScore) : null}
          hint="Unmuted failures weighted by severity: critical 10, high 5, medium 2, low 1"
          tone={c ? (c.riskScore > 0 ? "danger" : "good") : "default"}
        />
        <KpiCard label="Failing" value={n(c?.failed)} to={findingsLink({ status: ["fail"] })} tone={c && c.failed > 0 ? "danger" : "default"} />
        <KpiCard label="Muted" value={n(c?.muted)} to={findingsLink({ status: ["muted"] })} hint="Accepted by the mutelist" />
        <KpiCard
          label="Passing"
          value={n(c?.passed)}
          tone={c && c.passed > 0 ? "good" : "default"}
          hint={c ? `Verdicts of the latest scans of ${count(c.agents)} agent${c.agents === 1 ? "" : "s"}` : undefined}
        />
      </div>
      {q.isLoading ? (
        <div className="grid gap-3 sm:grid-cols-2 xl:grid-cols-4" role="status" aria-label="Loading frameworks">
          {[0, 1, 2, 3].map((i) => (
            <Skeleton key={i} className="h-40" />
          ))}
        </div>
      ) : c && c.frameworks.length === 0 ? (
        <EmptyState title={c.agents === 0 ? "No security scans yet" : "No framework has verdicts yet"}>
          {c.agents === 0
            ? "Agents send security verdicts with their scans; the posture shows here after the first one."
            : "The latest scans judged no check that maps to a compliance framework."}
        </EmptyState>
      ) : (
        <div className="grid gap-3 sm:grid-cols-2 xl:grid-cols-4">
          {c?.frameworks.map((f) => <FrameworkCard key={f.framework} f={f} />)}
        </div>
      )}
    </section>
  );
}
