import { memo, useCallback, useEffect, useRef } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { useVirtualizer } from "@tanstack/react-virtual";
import { capitalize } from "@/api/model";
import { securityStatusName, type SecurityFindingView } from "@/api/securityModel";
import { ago, count } from "@/lib/format";
import { useCompact } from "@/lib/useCompact";
import { cn } from "@/lib/utils";
import { categoryLabel, SecurityStatusBadge, SeverityBadge } from "./badges";
import type { SecuritySort, SecuritySortField } from "./filters";
import { frameworksOf } from "./posture";

interface Column {
  key: string;
  label: string;
  sort?: SecuritySortField;
}

const columns: Column[] = [
  { key: "severity", label: "Severity", sort: "severity" },
  { key: "status", label: "Status" },
  { key: "check", label: "Check", sort: "check_id" },
  { key: "resource", label: "Resource", sort: "resource_id" },
  { key: "frameworks", label: "Frameworks" },
  { key: "account", label: "Account", sort: "account" },
  { key: "last_seen", label: "Last seen", sort: "last_seen" },
];

// The region goes under the resource: seven columns fit beside the filter column on a laptop.
const grid =
  "grid grid-cols-[5.5rem_4.5rem_minmax(9rem,1.5fr)_minmax(9rem,1.5fr)_minmax(7rem,1fr)_minmax(5rem,0.8fr)_6.5rem] items-center gap-1.5";
const rowHeight = 52;

const compactColumns: Column[] = [
  { key: "severity", label: "Severity", sort: "severity" },
  { key: "finding", label: "Finding", sort: "resource_id" },
  { key: "last_seen", label: "Last seen", sort: "last_seen" },
];
const compactGrid = "grid grid-cols-[5.5rem_minmax(0,1fr)_auto] items-center gap-2";
const compactRowHeight = 64;
// Below this width the seven columns do not fit: rows go two-line.
const compactBelowPx = 800;

/** resourceName is how a finding's resource is named in a list: its Terraform address, else type.id. */
export function resourceName(f: SecurityFindingView): string {
  return f.resource.address || (f.resource.type ? `${f.resource.type}.${f.resource.id}` : f.resource.id);
}

/** checkLine is the title, led by the category unless it is a plain check or the title already says it. */
export function checkLine(f: SecurityFindingView): string {
  const title = f.title || f.message;
  const label = categoryLabel[f.category] ?? f.category;
  if (!f.category || f.category === "check" || title.toLowerCase().startsWith(label.toLowerCase())) return title;
  return `${label} · ${title}`;
}

interface RowProps {
  f: SecurityFindingView;
  index: number;
  start: number;
  compact: boolean;
  height: number;
  /** The list's URL, kept so the finding's back link returns to the same view. */
  from: string;
  onOpen: (id: string) => void;
}

const Row = memo(function Row({ f, index, start, compact, height, from, onOpen }: RowProps) {
  const frameworks = frameworksOf(f);
  const link = `/security/findings/${encodeURIComponent(f.id)}`;
  const name = resourceName(f);
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      data-index={index}
      className={cn(
        compact ? compactGrid : grid,
        "absolute left-0 top-0 w-full cursor-pointer border-b border-border px-3 hover:bg-muted/60",
      )}
      style={{ height, transform: `translateY(${start}px)`, contain: "strict" }}
      onClick={(e) => {
        if ((e.target as HTMLElement).closest("a")) return;
        onOpen(f.id);
      }}
    >
      <div role="cell">
        <SeverityBadge severity={f.severity} />
      </div>
      {compact ? (
        <>
          <div role="cell" className="min-w-0">
            <Link to={link} state={{ from }} className="block truncate font-mono text-xs text-primary hover:underline" title={f.resource.id}>
              {name}
            </Link>
            <p className="truncate text-xs">
              <span className="font-mono">{f.checkId}</span> · {f.title}
            </p>
            <p className="truncate text-xs text-muted-foreground">
              {capitalize(securityStatusName(f.status))}
              {frameworks.length > 0 && ` · ${frameworks.join(", ")}`}
              {f.resource.account && ` · ${f.resource.account}`}
            </p>
          </div>
          <div role="cell" className="text-xs text-muted-foreground" title={f.lastSeen ?? ""}>
            {ago(f.lastSeen)}
          </div>
        </>
      ) : (
        <>
          <div role="cell">
            <SecurityStatusBadge status={f.status} />
          </div>
          <div role="cell" className="min-w-0">
            <p className="truncate font-mono text-xs" title={f.checkId}>
              {f.checkId}
            </p>
            <p className="truncate text-xs text-muted-foreground" title={f.title || f.message}>
              {checkLine(f)}
            </p>
          </div>
          <div role="cell" className="min-w-0">
            <Link to={link} state={{ from }} className="block truncate font-mono text-xs text-primary hover:underline" title={f.resource.id}>
              {name}
            </Link>
            <p className="truncate text-xs text-muted-foreground">
              {f.resource.type}
              {f.resource.region && ` · ${f.resource.region}`}
            </p>
          </div>
          <div role="cell" className="min-w-0 truncate text-xs" title={frameworks.join("\n")}>
            {frameworks.length === 0 ? "—" : frameworks.length === 1 ? frameworks[0] : `${frameworks[0]} +${frameworks.length - 1}`}
          </div>
          <div role="cell" className="truncate text-xs" title={f.resource.account}>
            {f.resource.account || "—"}
          </div>
          <div role="cell" className="text-xs text-muted-foreground" title={f.lastSeen ?? ""}>
            {ago(f.lastSeen)}
          </div>
        </>
      )}
    </div>
  );
});

interface Props {
  rows: SecurityFindingView[];
  total: number;
  sort: SecuritySort;
  onSort: (field: SecuritySortField) => void;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
}

/**
 * SecurityTable lists security findings with virtual scrolling, as the
 * drift inventory does: the rows in view are in the DOM, and nearing the
 * end of the loaded ones asks for the next page.
 */
export function SecurityTable({ rows, total, sort, onSort, hasMore, loadingMore, onLoadMore }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const navigate = useNavigate();
  const location = useLocation();
  const from = location.pathname + location.search;
  const compact = useCompact(scrollRef, compactBelowPx);
  const height = compact ? compactRowHeight : rowHeight;
  const cols = compact ? compactColumns : columns;
  const v = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => height,
    overscan: 12,
    useFlushSync: false,
  });
  useEffect(() => v.measure(), [height, v]);
  const items = v.getVirtualItems();
  const open = useCallback((id: string) => navigate(`/security/findings/${encodeURIComponent(id)}`, { state: { from } }), [navigate, from]);
  const last = items[items.length - 1];
  useEffect(() => {
    if (last && last.index >= rows.length - 25 && hasMore && !loadingMore) onLoadMore();
  }, [last, rows.length, hasMore, loadingMore, onLoadMore]);

  return (
    <div ref={scrollRef} className="h-full min-h-64 overflow-auto rounded-md border border-border" data-testid="security-scroll">
      <div role="table" aria-label="Security findings" aria-rowcount={total + 1} className={cn("text-sm", !compact && "min-w-[50rem]")}>
        <div role="rowgroup" className="sticky top-0 z-10 border-b border-border bg-muted">
          <div role="row" aria-rowindex={1} className={cn(compact ? compactGrid : grid, "h-10 px-3")}>
            {cols.map((c) => {
              const active = c.sort && sort.field === c.sort;
              const ariaSort = active ? (sort.desc ? "descending" : "ascending") : c.sort ? "none" : undefined;
              return (
                <div role="columnheader" aria-sort={ariaSort} key={c.key} className="text-xs font-medium text-muted-foreground">
                  {c.sort ? (
                    <button
                      type="button"
                      className="inline-flex items-center gap-1 rounded hover:text-foreground focus-visible:outline-2 focus-visible:outline-ring"
                      onClick={() => onSort(c.sort!)}
                    >
                      {c.label}
                      <span aria-hidden="true">{active ? (sort.desc ? "▼" : "▲") : "↕"}</span>
                    </button>
                  ) : (
                    c.label
                  )}
                </div>
              );
            })}
          </div>
        </div>
        <div role="rowgroup" className="relative" style={{ height: v.getTotalSize() }}>
          {items.map((it) => {
            const f = rows[it.index]!;
            return <Row key={f.id} f={f} index={it.index} start={it.start} compact={compact} height={height} from={from} onOpen={open} />;
          })}
        </div>
      </div>
      <p className="sticky left-0 px-3 py-2 text-xs text-muted-foreground" role="status" aria-live="polite">
        {loadingMore ? "Loading more findings…" : `Showing ${count(rows.length)} of ${count(total)} findings`}
      </p>
    </div>
  );
}
