import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { useGetComplianceQuery, useGetSecurityFindingQuery } from "@/api/securityApi";
import { SecurityStatus, type ControlPostureView, type FrameworkPostureView } from "@/api/securityModel";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Label } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Loading } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { count } from "@/lib/format";
import { SecurityStatusBadge } from "./badges";
import { errMessage, unavailable, unavailableText } from "./errors";
import { findingsLink } from "./filters";
import { formatPercent, scorePercent, withDriftChecks } from "./posture";
import { ScoreRadial } from "./ScoreRadial";
import { resourceName } from "./SecurityTable";

const statusOptions = [
  { value: "all", label: "All controls" },
  { value: "fail", label: "Failing" },
  { value: "muted", label: "Muted" },
  { value: "pass", label: "Passing" },
];
const statusOf: Record<string, SecurityStatus> = { fail: SecurityStatus.FAIL, muted: SecurityStatus.MUTED, pass: SecurityStatus.PASS };

/** EvidenceLink names a failing finding by its resource once it has loaded (asked only when the list opens). */
function EvidenceLink({ id }: { id: string }) {
  const q = useGetSecurityFindingQuery(id);
  const to = `/security/findings/${encodeURIComponent(id)}`;
  if (q.data) {
    return (
      <Link to={to} className="text-primary hover:underline">
        <span className="font-mono text-xs">{resourceName(q.data)}</span>{" "}
        <span className="text-xs text-muted-foreground">— {q.data.checkId}</span>
      </Link>
    );
  }
  return (
    <Link to={to} className="font-mono text-xs text-primary hover:underline" aria-busy={q.isLoading}>
      {q.isError ? `Finding ${id}` : id}
    </Link>
  );
}

function ControlRow({ c, framework }: { c: ControlPostureView; framework: string }) {
  const [open, setOpen] = useState(false);
  const evidenceId = `evidence-${framework}-${c.control}`.replace(/[^\w-]/g, "_");
  return (
    <>
      <TableRow>
        <TableCell className="align-top">
          <p className="font-mono text-xs font-semibold">{c.control}</p>
          {c.title && <p className="text-xs text-muted-foreground">{c.title}</p>}
        </TableCell>
        <TableCell className="align-top">
          <SecurityStatusBadge status={c.status} />
        </TableCell>
        <TableCell className="align-top">
          <ul className="flex flex-col">
            {c.checkIds.map((id) => (
              <li key={id}>
                <Link
                  to={findingsLink({ check_id: withDriftChecks([id]) })}
                  className="font-mono text-xs text-primary hover:underline"
                  title={`Findings of ${id} and of drift that weakened it`}
                >
                  {id}
                </Link>
              </li>
            ))}
          </ul>
        </TableCell>
        <TableCell className="text-right align-top tabular-nums">{count(c.passed)}</TableCell>
        <TableCell className="text-right align-top tabular-nums">{count(c.failed)}</TableCell>
        <TableCell className="text-right align-top tabular-nums">{count(c.muted)}</TableCell>
        <TableCell className="align-top">
          {c.findingIds.length > 0 ? (
            <Button variant="link" size="sm" className="h-auto p-0" aria-expanded={open} aria-controls={evidenceId} onClick={() => setOpen((o) => !o)}>
              {open ? "Hide" : "Show"} {c.findingIds.length} failing{" "}
              <span className="sr-only">findings of control {c.control}</span>
            </Button>
          ) : (
            <span className="text-xs text-muted-foreground">—</span>
          )}
        </TableCell>
      </TableRow>
      {c.findingIds.length > 0 && (
        <tr id={evidenceId} hidden={!open} className="border-b border-border bg-muted/40">
          <td colSpan={7} className="px-3 py-2">
            {open && (
              <div className="flex flex-col gap-1">
                <ul className="flex flex-col gap-1" aria-label={`Failing findings of control ${c.control}`}>
                  {c.findingIds.map((id) => (
                    <li key={id}>
                      <EvidenceLink id={id} />
                    </li>
                  ))}
                </ul>
                <p className="text-xs text-muted-foreground">
                  {c.failed > c.findingIds.length && `The first ${count(c.findingIds.length)} of ${count(c.failed)} failures. `}
                  <Link
                    to={findingsLink({ check_id: withDriftChecks(c.checkIds), framework: [framework], status: ["fail"] })}
                    className="text-primary hover:underline"
                  >
                    List every failing finding of these checks
                  </Link>
                </p>
              </div>
            )}
          </td>
        </tr>
      )}
    </>
  );
}

function Summary({ f }: { f: FrameworkPostureView }) {
  const pct = scorePercent(f);
  const controls = f.controlsPassing + f.controlsFailing;
  return (
    <Card>
      <CardContent className="flex flex-wrap items-center gap-6 pt-4">
        <ScoreRadial percent={pct} size={112} label={`${f.framework} score`} />
        <dl className="grid grid-cols-2 gap-x-6 gap-y-2 text-sm sm:grid-cols-5">
          <div>
            <dt className="text-xs text-muted-foreground">Score</dt>
            <dd className="text-lg font-semibold tabular-nums">{formatPercent(pct)}</dd>
          </div>
          <div>
            <dt className="text-xs text-muted-foreground">Passed</dt>
            <dd className="text-lg font-semibold tabular-nums">{count(f.passed)}</dd>
          </div>
          <div>
            <dt className="text-xs text-muted-foreground">Failed</dt>
            <dd className="text-lg font-semibold tabular-nums">{count(f.failed)}</dd>
          </div>
          <div>
            <dt className="text-xs text-muted-foreground">Muted</dt>
            <dd className="text-lg font-semibold tabular-nums">{count(f.muted)}</dd>
          </div>
          <div>
            <dt className="text-xs text-muted-foreground">Controls failing</dt>
            <dd className="text-lg font-semibold tabular-nums">{controls > 0 ? `${count(f.controlsFailing)} of ${count(controls)}` : "—"}</dd>
          </div>
        </dl>
        <p className="basis-full text-xs text-muted-foreground">Score = passed ÷ (passed + failed) over the latest scan of every agent; muted failures count in neither.</p>
      </CardContent>
    </Card>
  );
}

/** Compliance is the report of one framework: its score and every control with its verdicts and failing findings. */
export default function Compliance() {
  const [params, setParams] = useSearchParams();
  const q = useGetComplianceQuery();
  const frameworks = q.data?.frameworks ?? [];
  const selected = params.get("framework") ?? frameworks[0]?.framework ?? "";
  const status = statusOf[params.get("status") ?? ""] !== undefined ? params.get("status")! : "all";
  const fw = frameworks.find((f) => f.framework === selected);
  const set = (k: string, v: string) => {
    const n = new URLSearchParams(params);
    if (v) n.set(k, v);
    else n.delete(k);
    setParams(n);
  };

  let body: React.ReactNode;
  if (q.isLoading) body = <Loading label="Loading the compliance report" rows={8} />;
  else if (q.isError)
    body = unavailable(q.error) ? (
      <ErrorState title="Compliance is not available" message={unavailableText} />
    ) : (
      <ErrorState title="The compliance report could not be loaded" message={errMessage(q.error)} onRetry={() => void q.refetch()} />
    );
  else if (frameworks.length === 0)
    body = (
      <EmptyState title="No framework has verdicts yet">
        Agents send security verdicts with their scans; frameworks show here once a check that maps to one has run.
      </EmptyState>
    );
  else if (!fw)
    body = (
      <EmptyState title={`No verdicts for ${selected}`}>
        <Link to="/security/compliance" className="text-primary hover:underline">
          Show {frameworks[0]!.framework}
        </Link>
      </EmptyState>
    );
  else {
    const controls = status === "all" ? fw.controls : fw.controls.filter((c) => c.status === statusOf[status]);
    body = (
      <div className="flex flex-col gap-4">
        <Summary f={fw} />
        {controls.length === 0 ? (
          <EmptyState title="No control has this status" />
        ) : (
          <Card className="overflow-hidden">
            <Table>
              <TableCaption className="sr-only">Controls of {fw.framework}</TableCaption>
              <TableHeader className="bg-muted">
                <TableRow>
                  <TableHead scope="col">Control</TableHead>
                  <TableHead scope="col">Status</TableHead>
                  <TableHead scope="col">Checks</TableHead>
                  <TableHead scope="col" className="text-right">
                    Passed
                  </TableHead>
                  <TableHead scope="col" className="text-right">
                    Failed
                  </TableHead>
                  <TableHead scope="col" className="text-right">
                    Muted
                  </TableHead>
                  <TableHead scope="col">Evidence</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {controls.map((c) => (
                  <ControlRow key={c.control} c={c} framework={fw.framework} />
                ))}
              </TableBody>
            </Table>
          </Card>
        )}
      </div>
    );
  }

  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-xl font-semibold">Compliance</h1>
      <div className="flex flex-wrap items-end gap-4">
        <div className="flex w-full max-w-md flex-col gap-1">
          <Label htmlFor="compliance-framework">Framework</Label>
          <Select
            id="compliance-framework"
            label="Framework"
            className="[&>span]:truncate [&>span]:text-left"
            value={fw ? fw.framework : ""}
            options={frameworks.map((f) => ({ value: f.framework, label: `${f.framework} — ${formatPercent(scorePercent(f))}` }))}
            onValueChange={(v) => set("framework", v)}
          />
        </div>
        <div className="flex w-48 flex-col gap-1">
          <Label htmlFor="compliance-status">Show</Label>
          <Select id="compliance-status" label="Show" value={status} options={statusOptions} onValueChange={(v) => set("status", v === "all" ? "" : v)} />
        </div>
      </div>
      {body}
    </div>
  );
}
