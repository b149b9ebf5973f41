import { memo, useCallback, useEffect, useRef } from "react";
import { Link, useNavigate } from "react-router";
import { useVirtualizer } from "@tanstack/react-virtual";
import { FindingStatus, kindName, statusName, type FindingView } from "@/api/model";
import { ago, count } from "@/lib/format";
import { useCompact } from "@/lib/useCompact";
import { cn } from "@/lib/utils";
import { KindBadge, SeverityBadge, StatusBadge } from "./badges";
import type { Sort, SortField } from "./filters";

interface Column {
  key: string;
  label: string;
  sort?: SortField;
}

const columns: Column[] = [
  { key: "severity", label: "Severity", sort: "severity" },
  { key: "kind", label: "Kind", sort: "kind" },
  { key: "type", label: "Type", sort: "type" },
  { key: "resource", label: "Resource", sort: "resource_id" },
  { key: "account", label: "Account", sort: "account" },
  { key: "region", label: "Region", sort: "region" },
  { key: "status", label: "Status" },
  { key: "last_seen", label: "Last seen", sort: "last_seen" },
];

const grid = "grid grid-cols-[5.5rem_6.25rem_minmax(8rem,1fr)_minmax(10rem,2fr)_minmax(6rem,1fr)_6.5rem_7rem_6.5rem] items-center gap-1.5";
export const rowHeight = 44;

// Phones get two-line rows with the columns that matter most.
const compactColumns = columns.filter((c) => c.key === "severity" || c.key === "resource" || c.key === "last_seen");
const compactGrid = "grid grid-cols-[5.5rem_minmax(0,1fr)_auto] items-center gap-2";
const compactRowHeight = 60;
// Below this width the eight columns do not fit: rows go two-line.
const compactBelowPx = 960;

interface RowProps {
  f: FindingView;
  index: number;
  start: number;
  compact: boolean;
  height: number;
  onOpen: (id: string) => void;
}

/** Row is one finding; memoized so scrolling re-renders only rows that move in or out. */
const Row = memo(function Row({ f, index, start, compact, height, onOpen }: RowProps) {
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
            <Link to={`/findings/${f.id}`} className="block truncate font-mono text-xs text-primary hover:underline" title={f.resource.id}>
              {f.resource.address || f.resource.id}
            </Link>
            <p className="truncate text-xs text-muted-foreground">
              {f.status !== FindingStatus.OPEN && `${statusName(f.status)} · `}
              {kindName(f.kind)} · {f.resource.type} · {f.resource.account}
              {f.resource.region ? ` · ${f.resource.region}` : ""}
            </p>
          </div>
          <div role="cell" className="text-xs text-muted-foreground" title={f.lastSeen ?? ""}>
            {ago(f.lastSeen)}
          </div>
        </>
      ) : (
        <>
          <div role="cell">
            <KindBadge kind={f.kind} />
          </div>
          <div role="cell" className="truncate font-mono text-xs" title={f.resource.type}>
            {f.resource.type}
          </div>
          <div role="cell" className="min-w-0 truncate">
            <Link to={`/findings/${f.id}`} className="font-mono text-xs text-primary hover:underline" title={f.resource.id}>
              {f.resource.address || f.resource.id}
            </Link>
          </div>
          <div role="cell" className="truncate text-xs" title={f.resource.account}>
            {f.resource.account}
          </div>
          <div role="cell" className="truncate text-xs">
            {f.resource.region || "—"}
          </div>
          <div role="cell">
            <StatusBadge status={f.status} />
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
  rows: FindingView[];
  total: number;
  sort: Sort;
  onSort: (field: SortField) => void;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
}

/**
 * InventoryTable lists findings with virtual scrolling: only the rows in
 * view are in the DOM, and nearing the end asks for the next page.
 */
export function InventoryTable({ rows, total, sort, onSort, hasMore, loadingMore, onLoadMore }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const navigate = useNavigate();
  const compact = useCompact(scrollRef, compactBelowPx);
  const height = compact ? compactRowHeight : rowHeight;
  const cols = compact ? compactColumns : columns;
  const v = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => height,
    overscan: 12,
    // Let React batch the rows' re-render instead of rendering inside
    // every scroll event: fast scrolling then stays off long tasks.
    useFlushSync: false,
  });
  useEffect(() => v.measure(), [height, v]);
  const items = v.getVirtualItems();
  const open = useCallback((id: string) => navigate(`/findings/${id}`), [navigate]);
  // The browser tests time the first meaningful paint of the inventory by this mark.
  const marked = useRef(false);
  useEffect(() => {
    if (!marked.current && rows.length > 0) {
      marked.current = true;
      performance.mark?.("driftmgr:inventory-rows");
    }
  }, [rows.length]);
  const last = items[items.length - 1];
  useEffect(() => {
    if (last && last.index >= rows.length - 25 && hasMore && !loadingMore) onLoadMore();
  }, [last, rows.length, hasMore, loadingMore, onLoadMore]);

  return (
    <div ref={scrollRef} className="h-full min-h-64 overflow-auto rounded-md border border-border" data-testid="inventory-scroll">
      <div role="table" aria-label="Drift findings" aria-rowcount={total + 1} className={cn("text-sm", !compact && "min-w-[60rem]")}>
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
            return <Row key={f.id} f={f} index={it.index} start={it.start} compact={compact} height={height} onOpen={open} />;
          })}
        </div>
      </div>
      <p className="sticky left-0 px-3 py-2 text-xs text-muted-foreground" role="status" aria-live="polite">
        {loadingMore ? "Loading more findings…" : `Showing ${count(rows.length)} of ${count(total)} findings`}
      </p>
    </div>
  );
}
