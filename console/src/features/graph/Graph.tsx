import { useEffect, useMemo, useRef, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useFindingsSummaryQuery } from "@/api/api";
import { Severity } from "@/api/model";
import { Card, CardContent } from "@/components/ui/card";
import { Loading } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { count } from "@/lib/format";
import { parseFilters, toFilterArgs } from "@/features/drift/filters";
import { buildGraph, maxNodes } from "./graphData";
import { radius, type Position } from "./layout";

const fill: Record<string, string> = {
  account: "#4338ca",
  region: "#0891b2",
  type: "#64748b",
};
const sevFill: Partial<Record<Severity, string>> = {
  [Severity.CRITICAL]: "#b91c1c",
  [Severity.HIGH]: "#ea580c",
  [Severity.MEDIUM]: "#f59e0b",
  [Severity.LOW]: "#38bdf8",
  [Severity.INFO]: "#94a3b8",
};

/** Graph draws findings grouped by account, region and type, laid out by d3-force in a Web Worker. */
export default function Graph() {
  const [params] = useSearchParams();
  const query = params.toString();
  const filters = useMemo(() => parseFilters(new URLSearchParams(query)), [query]);
  const filter = useMemo(() => toFilterArgs(filters, Date.now()), [filters]);
  const q = useFindingsSummaryQuery({ filter, facets: [], pageSize: maxNodes });
  const graph = useMemo(() => buildGraph(q.data?.findings ?? []), [q.data]);
  const [pos, setPos] = useState<Map<string, Position> | null>(null);
  const seq = useRef(0);
  const navigate = useNavigate();

  useEffect(() => {
    if (graph.nodes.length === 0) return;
    const w = new Worker(new URL("./layout.worker.ts", import.meta.url), { type: "module" });
    const my = ++seq.current;
    w.onmessage = (e: MessageEvent<{ seq: number; positions: Position[] }>) => {
      if (e.data.seq === seq.current) setPos(new Map(e.data.positions.map((p) => [p.id, p])));
      w.terminate();
    };
    w.postMessage({ seq: my, nodes: graph.nodes.map((n) => ({ id: n.id, kind: n.kind })), links: graph.links });
    return () => w.terminate();
  }, [graph]);

  const total = q.data?.totalSize ?? 0;
  const shownFindings = graph.nodes.filter((n) => n.kind === "finding").length;
  let body: React.ReactNode;
  if (q.isLoading) body = <Loading label="Loading findings for the graph" rows={6} />;
  else if (q.isError)
    body = (
      <ErrorState
        title="The graph could not be loaded"
        message={(q.error as { message?: string }).message ?? ""}
        onRetry={() => void q.refetch()}
      />
    );
  else if (graph.nodes.length === 0) body = <EmptyState title="No findings to draw" />;
  else if (!pos) body = <Loading label="Laying out the graph" rows={6} />;
  else {
    let minX = Infinity,
      minY = Infinity,
      maxX = -Infinity,
      maxY = -Infinity;
    pos.forEach((p) => {
      minX = Math.min(minX, p.x);
      minY = Math.min(minY, p.y);
      maxX = Math.max(maxX, p.x);
      maxY = Math.max(maxY, p.y);
    });
    const pad = 30;
    const vb = `${minX - pad} ${minY - pad} ${maxX - minX + 2 * pad} ${maxY - minY + 2 * pad}`;
    body = (
      <svg
        viewBox={vb}
        role="group"
        aria-label={`Graph of ${shownFindings} findings grouped by account, region and type`}
        className="h-[70vh] w-full"
      >
        <g stroke="var(--border)" strokeWidth={1}>
          {graph.links.map((l, i) => {
            const a = pos.get(l.source);
            const b = pos.get(l.target);
            return a && b ? <line key={i} x1={a.x} y1={a.y} x2={b.x} y2={b.y} /> : null;
          })}
        </g>
        {graph.nodes.map((n) => {
          const p = pos.get(n.id);
          if (!p) return null;
          const r = radius[n.kind] ?? 5;
          if (n.kind === "finding") {
            return (
              <a
                key={n.id}
                href={`/findings/${n.findingId}`}
                aria-label={`Finding ${n.label}`}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(`/findings/${n.findingId}`);
                }}
                className="focus-visible:outline-2"
              >
                <circle cx={p.x} cy={p.y} r={r} fill={sevFill[n.severity ?? Severity.INFO] ?? "#94a3b8"} stroke="var(--background)" />
                <title>{n.label}</title>
              </a>
            );
          }
          return (
            <g key={n.id}>
              <circle cx={p.x} cy={p.y} r={r} fill={fill[n.kind]} opacity={0.9}>
                <title>{`${n.kind}: ${n.label} (${n.weight} finding${n.weight === 1 ? "" : "s"})`}</title>
              </circle>
              {n.kind !== "type" && (
                <text x={p.x} y={p.y - r - 4} textAnchor="middle" fontSize={10} fill="var(--foreground)">
                  {n.label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    );
  }
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-baseline gap-3">
        <h1 className="text-xl font-semibold">Resource graph</h1>
        <Link className="text-sm text-primary hover:underline" to={`/inventory${query ? "?" + query : ""}`}>
          Same filters in the inventory
        </Link>
      </div>
      {(graph.omitted > 0 || total > shownFindings) && q.data && (
        <p
          role="note"
          className="rounded-md border border-amber-500/50 bg-amber-50 p-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200"
        >
          Showing {count(shownFindings)} of {count(total)} findings: the graph is capped at {maxNodes} nodes. Filter the inventory to narrow
          it.
        </p>
      )}
      <Card>
        <CardContent className="pt-4">{body}</CardContent>
      </Card>
      <ul className="flex flex-wrap gap-4 text-xs text-muted-foreground" aria-label="Legend">
        <li>
          <span className="mr-1 inline-block h-3 w-3 rounded-full bg-[#4338ca]" aria-hidden="true" />
          Account
        </li>
        <li>
          <span className="mr-1 inline-block h-3 w-3 rounded-full bg-[#0891b2]" aria-hidden="true" />
          Region
        </li>
        <li>
          <span className="mr-1 inline-block h-3 w-3 rounded-full bg-[#64748b]" aria-hidden="true" />
          Resource type
        </li>
        <li>
          <span className="mr-1 inline-block h-3 w-3 rounded-full bg-[#b91c1c]" aria-hidden="true" />
          Finding (colored by severity)
        </li>
      </ul>
    </div>
  );
}
