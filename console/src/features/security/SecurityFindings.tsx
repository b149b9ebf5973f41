import { useCallback, useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { useListSecurityFindingsInfiniteQuery } from "@/api/securityApi";
import { useAppSelector } from "@/app/hooks";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogTitle } from "@/components/ui/dialog";
import { Loading } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { count } from "@/lib/format";
import { errMessage, unavailable, unavailableText } from "./errors";
import {
  activeSecurityFilterCount,
  nextSecuritySort,
  parseSecurityFilters,
  securityFacetFields,
  securityOrderBy,
  serializeSecurityFilters,
  toSecurityFilterArgs,
  type SecurityFilters,
  type SecuritySortField,
} from "./filters";
import { PostureHeader } from "./PostureHeader";
import { SecurityFilterSidebar } from "./SecurityFilterSidebar";
import { SecurityTable } from "./SecurityTable";

const facets = [...securityFacetFields];

/** SecurityFindings is the Security screen: the posture, then the failing checks, filtered and paged by the server. */
export default function SecurityFindings() {
  const [params, setParams] = useSearchParams();
  const query = params.toString();
  const filters = useMemo(() => parseSecurityFilters(new URLSearchParams(query)), [query]);
  const pageSize = useAppSelector((s) => s.settings.pageSize);
  const arg = useMemo(
    () => ({ filter: toSecurityFilterArgs(filters), orderBy: securityOrderBy(filters.sort), pageSize, facets }),
    [filters, pageSize],
  );
  const q = useListSecurityFindingsInfiniteQuery(arg);
  const [sheetOpen, setSheetOpen] = useState(false);

  const setFilters = useCallback((f: SecurityFilters) => setParams(serializeSecurityFilters(f)), [setParams]);
  const onSort = useCallback(
    (field: SecuritySortField) => setFilters({ ...filters, sort: nextSecuritySort(filters.sort, field) }),
    [filters, setFilters],
  );
  const onLoadMore = useCallback(() => {
    void q.fetchNextPage();
  }, [q.fetchNextPage]); // eslint-disable-line react-hooks/exhaustive-deps

  const pages = q.data?.pages ?? [];
  const rows = useMemo(() => pages.flatMap((p) => p.findings), [pages]);
  const first = pages[0];
  const total = first?.totalSize ?? 0;
  const nActive = activeSecurityFilterCount(filters);

  const sidebar = (
    <SecurityFilterSidebar filters={filters} facets={first?.facets ?? []} onChange={setFilters} loading={q.isFetching && !q.isFetchingNextPage} />
  );

  let body: React.ReactNode;
  if (q.isLoading) body = <Loading label="Loading security findings" rows={10} />;
  else if (q.isError && rows.length === 0)
    body = unavailable(q.error) ? (
      <ErrorState title="Security findings are not available" message={unavailableText} />
    ) : (
      <ErrorState title="The security findings could not be loaded" message={errMessage(q.error)} onRetry={() => void q.refetch()} />
    );
  else if (rows.length === 0)
    body = (
      <EmptyState title={nActive > 0 ? "No security findings match these filters" : "No failing checks"}>
        {nActive > 0 ? "Clear some filters to see more." : "Every check passed in the agents' latest scans, or no scan has reported yet."}
      </EmptyState>
    );
  else
    body = (
      <SecurityTable
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
    <div className="flex flex-col gap-4">
      <h1 className="text-xl font-semibold">Security</h1>
      <PostureHeader />
      <div className="flex flex-wrap items-center gap-3">
        <h2 className="text-lg font-semibold">Findings</h2>
        <span className="text-sm text-muted-foreground" aria-live="polite">
          {first ? `${count(total)} finding${total === 1 ? "" : "s"}` : ""}
        </span>
        <Button variant="outline" size="sm" className="xl:hidden" onClick={() => setSheetOpen(true)}>
          Filters{nActive > 0 ? ` (${nActive})` : ""}
        </Button>
      </div>
      <div className="flex h-[calc(100vh-9rem)] min-h-[28rem] gap-4">
        <aside aria-label="Filters" className="hidden w-60 shrink-0 overflow-y-auto pr-1 xl:block">
          {sidebar}
        </aside>
        <section aria-label="Security findings" className="min-h-0 min-w-0 flex-1">
          {body}
        </section>
      </div>
      <Dialog open={sheetOpen} onOpenChange={setSheetOpen}>
        <DialogContent side="left" className="pt-10" aria-describedby="security-filters-desc">
          <DialogTitle className="sr-only">Filters</DialogTitle>
          <DialogDescription id="security-filters-desc" className="sr-only">
            Narrow the security findings; the list updates as you choose.
          </DialogDescription>
          {sidebar}
        </DialogContent>
      </Dialog>
    </div>
  );
}
