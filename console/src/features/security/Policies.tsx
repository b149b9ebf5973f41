import { useState } from "react";
import { Link } from "react-router";
import { useListPoliciesQuery } from "@/api/securityApi";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Loading } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { ago, dateTime } from "@/lib/format";
import type { PolicyView } from "@/api/securityModel";
import { errMessage, unavailable, unavailableText } from "./errors";
import { findingsLink } from "./filters";

function PolicyRow({ p, index }: { p: PolicyView; index: number }) {
  const [open, setOpen] = useState(false);
  const sourceId = `policy-source-${index}`;
  return (
    <>
      <TableRow>
        <TableCell className="align-top font-mono text-xs font-semibold">{p.name}</TableCell>
        <TableCell className="align-top">
          {p.checkIds.length === 0 ? (
            <span className="text-xs text-muted-foreground">none declared</span>
          ) : (
            <ul className="flex flex-col">
              {p.checkIds.map((id) => (
                <li key={id}>
                  <Link to={findingsLink({ check_id: [id] })} className="font-mono text-xs text-primary hover:underline">
                    {id}
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </TableCell>
        <TableCell className="align-top text-xs">
          {p.updatedAt ? (
            <time dateTime={p.updatedAt} title={dateTime(p.updatedAt)}>
              {ago(p.updatedAt)}
            </time>
          ) : (
            "—"
          )}
          {p.updatedBy && <p className="font-mono text-muted-foreground">{p.updatedBy}</p>}
        </TableCell>
        <TableCell className="align-top">
          <Button variant="link" size="sm" className="h-auto p-0" aria-expanded={open} aria-controls={sourceId} onClick={() => setOpen((o) => !o)}>
            {open ? "Hide source" : "Show source"}{" "}
            <span className="sr-only">of {p.name}</span>
          </Button>
        </TableCell>
      </TableRow>
      <tr id={sourceId} hidden={!open} className="border-b border-border">
        <td colSpan={4} className="px-3 py-2">
          {open && (
            <pre tabIndex={0} aria-label={`Source of ${p.name}`} className="max-h-96 overflow-auto rounded bg-muted p-3 font-mono text-xs">
              {p.source}
            </pre>
          )}
        </td>
      </tr>
    </>
  );
}

/** Policies lists the tenant's Rego policies, which its agents evaluate with the built-in checks. */
export default function Policies() {
  const q = useListPoliciesQuery();
  let body: React.ReactNode;
  if (q.isLoading) body = <Loading label="Loading policies" rows={4} />;
  else if (q.isError)
    body = unavailable(q.error) ? (
      <ErrorState title="Policies are not available" message={unavailableText} />
    ) : (
      <ErrorState title="The policies could not be loaded" message={errMessage(q.error)} onRetry={() => void q.refetch()} />
    );
  else if (!q.data || q.data.policies.length === 0)
    body = (
      <EmptyState title="No custom policies">
        An admin adds Rego modules through the API (<code className="font-mono">PUT /api/v1/security/policies/NAME</code>); agents fetch them
        before their next scan.
      </EmptyState>
    );
  else
    body = (
      <Card className="overflow-hidden">
        <Table>
          <TableCaption className="sr-only">Rego policies</TableCaption>
          <TableHeader className="bg-muted">
            <TableRow>
              <TableHead scope="col">Policy</TableHead>
              <TableHead scope="col">Checks</TableHead>
              <TableHead scope="col">Updated</TableHead>
              <TableHead scope="col">Source</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {q.data.policies.map((p, i) => (
              <PolicyRow key={p.name} p={p} index={i} />
            ))}
          </TableBody>
        </Table>
      </Card>
    );
  return (
    <div className="flex flex-col gap-4">
      <div>
        <h1 className="text-xl font-semibold">Policies</h1>
        <p className="text-sm text-muted-foreground">The tenant's Rego modules; agents evaluate them beside the built-in checks.</p>
      </div>
      {body}
    </div>
  );
}
