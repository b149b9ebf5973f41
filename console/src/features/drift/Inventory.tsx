import { useCallback, useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { allFacets, useListFindingsInfiniteQuery } from "@/api/api";
import { useAppSelector } from "@/app/hooks";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogTitle } from "@/components/ui/dialog";
import { Loading } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { count } from "@/lib/format";
import { FilterSidebar } from "./FilterSidebar";
import { InventoryTable } from "./InventoryTable";
import { Presets } from "./Presets";
import {
  activeFilterCount,
  nextSort,
  orderBy,
  parseFilters,
  serializeFilters,
  toFilterArgs,
  type InventoryFilters,
  type SortField,
} from "./filters";

/** Inventory is the drift inventory: filtered, sorted and paged by the server, scrolled virtually. */
export default function Inventory() {
  const [params, setParams] = useSearchParams();
  const query = params.toString();
  const filters = useMemo(() => parseFilters(new URLSearchParams(query)), [query]);
  const pageSize = useAppSelector((s) => s.settings.pageSize);
  // The time window is fixed when the filters change, not at every render.
  const now = useMemo(() => Date.now(), [query]); // eslint-disable-line react-hooks/exhaustive-deps
  const arg = useMemo(
    () => ({ filter: toFilterArgs(filters, now), orderBy: orderBy(filters.sort), pageSize, facets: allFacets }),
    [filters, now, pageSize],
  );
  const q = useListFindingsInfiniteQuery(arg);
  const [sheetOpen, setSheetOpen] = useState(false);

  const setFilters = useCallback((f: InventoryFilters) => setParams(serializeFilters(f), { replace: false }), [setParams]);
  const onSort = useCallback((field: SortField) => setFilters({ ...filters, sort: nextSort(filters.sort, field) }), [filters, setFilters]);
  const onLoadMore = useCallback(() => {
    void q.fetchNextPage();
  }, [q.fetchNextPage]); // eslint-disable-line react-hooks/exhaustive-deps

  const pages = q.data?.pages ?? [];
  const rows = useMemo(() => pages.flatMap((p) => p.findings), [pages]);
  const first = pages[0];
  const total = first?.totalSize ?? 0;
  const facets = first?.facets ?? [];
  const nActive = activeFilterCount(filters);

  const sidebar = <FilterSidebar filters={filters} facets={facets} onChange={setFilters} loading={q.isFetching && !q.isFetchingNextPage} />;

  let body: React.ReactNode;
  if (q.isLoading) body = <Loading label="Loading findings" rows={10} />;
  else if (q.isError && rows.length === 0)
    body = (
      <ErrorState
        title="The findings could not be loaded"
        message={(q.error as { message?: string } | undefined)?.message ?? "Unknown error"}
        onRetry={() => void q.refetch()}
      />
    );
  else if (rows.length === 0)
    body = (
      <EmptyState title={nActive > 0 ? "No findings match these filters" : "No drift found"}>
        {nActive > 0 ? "Clear some filters to see more." : "Every scanned resource matches its Terraform state."}
      </EmptyState>
    );
  else
    body = (
      <InventoryTable
        rows={rows}
        total={total}
        sort={filters.sort}
        onSort={onSort}
        hasMore={q.hasNextPage}
        loadingMore={q.isFetchingNextPage}
        onLoadMore={onLoadMore}
      />
    );

  return (
    <div className="flex h-[calc(100vh-5.5rem)] flex-col gap-3 md:h-[calc(100vh-6.5rem)]">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">Drift inventory</h1>
        <span className="text-sm text-muted-foreground" aria-live="polite">
          {first ? `${count(total)} finding${total === 1 ? "" : "s"}` : ""}
        </span>
        <Button variant="outline" size="sm" className="xl:hidden" onClick={() => setSheetOpen(true)}>
          Filters{nActive > 0 ? ` (${nActive})` : ""}
        </Button>
        <div className="ml-auto">
          <Presets query={query} />
        </div>
      </div>
      <div className="flex min-h-0 flex-1 gap-4">
        <aside aria-label="Filters" className="hidden w-60 shrink-0 overflow-y-auto pr-1 xl:block">
          {sidebar}
        </aside>
        <section aria-label="Findings" className="min-h-0 min-w-0 flex-1">
          {body}
        </section>
      </div>
      <Dialog open={sheetOpen} onOpenChange={setSheetOpen}>
        <DialogContent side="left" className="pt-10" aria-describedby="filters-sheet-desc">
          <DialogTitle className="sr-only">Filters</DialogTitle>
          <DialogDescription id="filters-sheet-desc" className="sr-only">
            Narrow the inventory; the list updates as you choose.
          </DialogDescription>
          {sidebar}
        </DialogContent>
      </Dialog>
    </div>
  );
}
