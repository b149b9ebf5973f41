import { useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { useListAuditEventsInfiniteQuery } from "@/api/adminApi";
import type { AuditEventView } from "@/api/adminModel";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Loading } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { Actions } from "@/features/auth/permissions";
import { ago, count, dateTime } from "@/lib/format";
import { AuditChain } from "./AuditChain";
import { AuditEntry, OutcomeBadge } from "./AuditEntry";
import { AuditFilters } from "./AuditFilters";
import { procedureParts, ranges, readFilter, toQuery, writeFilter } from "./auditFilters";
import { errText } from "./errors";
import { RequireAction } from "./RequireAction";

export const AUDIT_PAGE_SIZE = 50;

function ActionCell({ action }: { action: string }) {
  const p = procedureParts(action);
  return (
    <span className="font-mono text-xs" title={action}>
      {p ? (
        <>
          <span className="text-muted-foreground">{p.service}/</span>
          {p.method}
        </>
      ) : (
        action
      )}
    </span>
  );
}

function Row({ e, onOpen }: { e: AuditEventView; onOpen: () => void }) {
  return (
    <TableRow className="cursor-pointer" onClick={onOpen}>
      <TableCell className="whitespace-nowrap text-xs tabular-nums text-muted-foreground">{e.seq}</TableCell>
      <TableCell className="whitespace-nowrap text-xs">
        {e.time ? (
          <time dateTime={e.time} title={dateTime(e.time)}>
            {ago(e.time)}
          </time>
        ) : (
          "—"
        )}
      </TableCell>
      <TableCell className="text-xs">
        <span className="font-medium">{e.actor.kind}</span>
        {e.actor.id && (
          <>
            {" "}
            <span className="font-mono">{e.actor.id}</span>
          </>
        )}
        {e.actor.name && <div className="text-muted-foreground">{e.actor.name}</div>}
      </TableCell>
      <TableCell>
        <ActionCell action={e.action} />
      </TableCell>
      <TableCell>
        <OutcomeBadge outcome={e.outcome} />
      </TableCell>
      <TableCell className="font-mono text-xs">{e.remote || "—"}</TableCell>
      <TableCell>
        <Button
          variant="link"
          size="sm"
          className="h-auto p-0"
          onClick={(ev) => {
            ev.stopPropagation();
            onOpen();
          }}
        >
          Details <span className="sr-only">of entry {e.seq}</span>
        </Button>
      </TableCell>
    </TableRow>
  );
}

function Screen() {
  const [params, setParams] = useSearchParams();
  const filter = useMemo(() => readFilter(params), [params]);
  // A relative range counts back from when it was applied (or
  // refreshed), so the request, and the cache entry, hold still meanwhile.
  const search = params.toString();
  const [refreshes, setRefreshes] = useState(0);
  // Both deps are the point: a new filter or a refresh takes a new "now".
  const appliedAt = useMemo(() => Date.now(), [search, refreshes]);
  const query = useMemo(() => toQuery(filter, appliedAt, AUDIT_PAGE_SIZE), [filter, appliedAt]);
  const relative = (ranges.find((r) => r.value === filter.range)?.seconds ?? 0) > 0;
  const q = useListAuditEventsInfiniteQuery(query);
  const [open, setOpen] = useState<AuditEventView | null>(null);
  const events = useMemo(() => q.data?.pages.flatMap((p) => p.events) ?? [], [q.data]);
  const filtered = search !== "";

  let body: React.ReactNode;
  if (q.isLoading) body = <Loading label="Loading the audit log" rows={8} />;
  else if (q.isError)
    body = <ErrorState title="The audit log could not be read" message={errText(q.error)} onRetry={() => void q.refetch()} />;
  else if (events.length === 0)
    body = (
      <EmptyState title={filtered ? "No entries match these filters" : "The audit log is empty"}>
        {filtered ? "Widen the time range or clear a filter." : "Calls to the controller appear here as they are made."}
      </EmptyState>
    );
  else
    body = (
      <Card className="overflow-hidden">
        <Table>
          <TableCaption className="sr-only">Audit entries, newest first</TableCaption>
          <TableHeader className="bg-muted">
            <TableRow>
              <TableHead scope="col">#</TableHead>
              <TableHead scope="col">Time</TableHead>
              <TableHead scope="col">Actor</TableHead>
              <TableHead scope="col">Action</TableHead>
              <TableHead scope="col">Outcome</TableHead>
              <TableHead scope="col">Remote</TableHead>
              <TableHead scope="col">
                <span className="sr-only">Details</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {events.map((e) => (
              <Row key={e.seq} e={e} onOpen={() => setOpen(e)} />
            ))}
          </TableBody>
        </Table>
      </Card>
    );

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-start gap-3">
        <div className="min-w-0 flex-1">
          <h1 className="text-xl font-semibold">Audit log</h1>
          <p className="text-sm text-muted-foreground">
            Every call to the controller: who, what, when, from where and how it ended. Each entry holds the hash of the one before, so a
            rewritten history shows.
          </p>
        </div>
      </div>
      <AuditChain />
      <Card>
        <CardContent className="pt-4">
          <AuditFilters value={filter} onApply={(f) => setParams(writeFilter(f))} />
        </CardContent>
      </Card>
      <div className="flex flex-wrap items-center gap-2">
        <p className="text-sm text-muted-foreground" aria-live="polite">
          {q.data
            ? `${count(events.length)} entr${events.length === 1 ? "y" : "ies"} shown, newest first${q.hasNextPage ? "; older ones follow" : ""}`
            : ""}
        </p>
        <Button
          variant="outline"
          size="sm"
          className="ml-auto"
          disabled={q.isFetching}
          onClick={() => {
            // A relative range moves on to now (a new request); otherwise ask again.
            if (relative) setRefreshes((n) => n + 1);
            else void q.refetch();
          }}
        >
          {q.isFetching && !q.isFetchingNextPage ? "Refreshing…" : "Refresh"}
        </Button>
      </div>
      {body}
      {q.hasNextPage && (
        <Button variant="outline" className="self-center" disabled={q.isFetchingNextPage} onClick={() => void q.fetchNextPage()}>
          {q.isFetchingNextPage ? "Loading…" : "Load older entries"}
        </Button>
      )}
      <AuditEntry entry={open} onClose={() => setOpen(null)} />
    </div>
  );
}

/** AuditLog reads the tenant's audit log (admins): filtered, newest first, each entry's detail, the chain's check and an export. */
export default function AuditLog() {
  return (
    <RequireAction action={Actions.auditRead} what="The audit log">
      <Screen />
    </RequireAction>
  );
}
