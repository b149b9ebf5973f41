import { Link } from "react-router";
import { useFindingsSummaryQuery, useListAgentsQuery, useListScansQuery } from "@/api/api";
import { FindingStatus, capitalize } from "@/api/model";
import { useAppSelector } from "@/app/hooks";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Loading } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { ago, count } from "@/lib/format";
import { HBarChart, TrendChart } from "./Charts";
import { KpiCard } from "./KpiCard";
import { countsFromFacets, coverage, facetCounts, latestPerAgent, trend } from "./kpis";

const openFilter = { status: [FindingStatus.OPEN] };
const ackFilter = { status: [FindingStatus.ACKNOWLEDGED] };

function errText(e: unknown): string {
  return (e as { message?: string } | undefined)?.message ?? "Unknown error";
}

/** Overview is the landing screen: how much drift, where, and whether the agents are healthy. */
export default function Overview() {
  const live = useAppSelector((s) => s.live.counts);
  const activity = useAppSelector((s) => s.live.activity);
  const open = useFindingsSummaryQuery({ filter: openFilter, facets: ["kind", "severity", "type", "provider"] });
  const acked = useFindingsSummaryQuery({ filter: ackFilter, facets: [] });
  const scans = useListScansQuery({ pageSize: 200 });
  const agents = useListAgentsQuery();

  const facets = open.data?.facets ?? [];
  const counts = live ?? (open.data ? countsFromFacets(facets, open.data.totalSize, acked.data?.totalSize ?? 0) : null);
  const latest = latestPerAgent(scans.data ?? []);
  const cov = coverage(latest);
  const points = trend(scans.data ?? []);
  const types = [...facetCounts(facets, "type").entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([name, value]) => ({ name, value }));
  const sev = facetCounts(facets, "severity");
  const bySeverity = ["critical", "high", "medium", "low", "info"].map((s) => ({ name: capitalize(s), value: sev.get(s) ?? 0 }));
  const n = (v: number | undefined) => (counts ? count(v ?? 0) : null);

  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-xl font-semibold">Overview</h1>
      {open.isError && (
        <ErrorState title="Findings could not be loaded" message={errText(open.error)} onRetry={() => void open.refetch()} />
      )}
      <section aria-label="Key figures" className="grid grid-cols-2 gap-3 md:grid-cols-4 xl:grid-cols-7">
        <KpiCard
          label="Open findings"
          value={n(counts?.open)}
          to="/inventory?status=open"
          tone={counts && counts.open > 0 ? "warn" : "good"}
        />
        <KpiCard
          label="Critical"
          value={n(counts?.critical)}
          to="/inventory?severity=critical&status=open"
          tone={counts?.critical ? "danger" : "default"}
        />
        <KpiCard label="High" value={n(counts?.high)} to="/inventory?severity=high&status=open" />
        <KpiCard label="Modified" value={n(counts?.modified)} to="/inventory?kind=modified&status=open" />
        <KpiCard label="Missing" value={n(counts?.missing)} to="/inventory?kind=missing&status=open" />
        <KpiCard label="Unmanaged" value={n(counts?.unmanaged)} to="/inventory?kind=unmanaged&status=open" />
        <KpiCard
          label="IaC coverage"
          value={scans.isLoading ? null : cov === null ? "—" : `${cov.toFixed(1)}%`}
          hint={latest.length ? `latest scan of ${latest.length} agent${latest.length === 1 ? "" : "s"}` : "no scans yet"}
          tone={cov !== null && cov >= 90 ? "good" : "default"}
        />
      </section>

      <div className="grid gap-4 xl:grid-cols-2 [&>*]:min-w-0">
        <Card>
          <CardHeader>
            <CardTitle>Drift over time</CardTitle>
            <CardDescription>Findings per scan, from the latest {points.length} scans</CardDescription>
          </CardHeader>
          <CardContent>
            {scans.isLoading ? (
              <Loading label="Loading scans" rows={4} />
            ) : scans.isError ? (
              <ErrorState title="Scans could not be loaded" message={errText(scans.error)} onRetry={() => void scans.refetch()} />
            ) : points.length === 0 ? (
              <EmptyState title="No scans yet">Agents report here after their first scan.</EmptyState>
            ) : (
              <figure aria-label="Line chart of modified, missing and unmanaged findings per scan">
                <TrendChart data={points} />
              </figure>
            )}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Top drifted resource types</CardTitle>
            <CardDescription>Open findings by Terraform type</CardDescription>
          </CardHeader>
          <CardContent>
            {open.isLoading ? (
              <Loading label="Loading resource types" rows={4} />
            ) : types.length === 0 ? (
              <EmptyState title="No open drift" />
            ) : (
              <figure aria-label="Bar chart of open findings by resource type">
                <HBarChart data={types} />
                <figcaption className="sr-only">{types.map((t) => `${t.name}: ${t.value}`).join(", ")}</figcaption>
              </figure>
            )}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Open findings by severity</CardTitle>
          </CardHeader>
          <CardContent>
            {open.isLoading ? (
              <Loading label="Loading severities" rows={3} />
            ) : (
              <figure aria-label="Bar chart of open findings by severity">
                <HBarChart data={bySeverity} color="#dc2626" />
                <figcaption className="sr-only">{bySeverity.map((t) => `${t.name}: ${t.value}`).join(", ")}</figcaption>
              </figure>
            )}
          </CardContent>
        </Card>
        <div className="grid gap-4 md:grid-cols-2 [&>*]:min-w-0">
          <Card>
            <CardHeader>
              <CardTitle>Agents</CardTitle>
              <CardDescription>
                <Link to="/cluster" className="text-primary hover:underline">
                  Agents and cluster health
                </Link>
              </CardDescription>
            </CardHeader>
            <CardContent>
              {agents.isLoading ? (
                <Loading label="Loading agents" rows={2} />
              ) : agents.isError ? (
                <ErrorState title="Agents could not be loaded" message={errText(agents.error)} />
              ) : (agents.data ?? []).length === 0 ? (
                <EmptyState title="No agents enrolled" />
              ) : (
                <ul className="flex flex-col gap-2">
                  {(agents.data ?? []).map((a) => (
                    <li key={a.id} className="flex items-center gap-2 text-sm">
                      <Badge variant={a.connected ? "success" : "muted"}>{a.connected ? "Connected" : "Disconnected"}</Badge>
                      <span className="truncate">{a.name || a.id}</span>
                      <span className="ml-auto text-xs text-muted-foreground">outbox {count(a.outboxDepth)}</span>
                    </li>
                  ))}
                </ul>
              )}
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Activity</CardTitle>
              <CardDescription>Live from the controller</CardDescription>
            </CardHeader>
            <CardContent>
              {activity.length === 0 ? (
                <p className="text-sm text-muted-foreground">Nothing yet: changes appear here as they happen.</p>
              ) : (
                <ol className="flex max-h-56 flex-col gap-1 overflow-y-auto text-sm" aria-label="Recent activity">
                  {activity.slice(0, 20).map((a, i) => (
                    <li key={a.at + i} className="flex min-w-0 gap-2">
                      <span className="shrink-0 text-xs text-muted-foreground">{ago(a.at)}</span>
                      <span className="truncate">{a.text}</span>
                    </li>
                  ))}
                </ol>
              )}
            </CardContent>
          </Card>
        </div>
      </div>
    </div>
  );
}
