import type { AuditEventView } from "@/api/adminModel";
import { Badge } from "@/components/ui/badge";
import { CopyButton } from "@/components/ui/copy-button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { dateTime } from "@/lib/format";

/** prettyArgs indents the stored arguments for reading; text that is not JSON is shown as stored. */
export function prettyArgs(json: string): string {
  if (!json.trim()) return "{}";
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

function Field({ label, children, mono = false }: { label: string; children: React.ReactNode; mono?: boolean }) {
  return (
    <div className="flex flex-col gap-0.5">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className={mono ? "break-all font-mono text-xs" : "text-sm"}>{children}</dd>
    </div>
  );
}

/** OutcomeBadge shows "ok" in green and a failure's code in red. */
export function OutcomeBadge({ outcome }: { outcome: string }) {
  return outcome === "ok" ? <Badge variant="success">ok</Badge> : <Badge variant="critical">{outcome || "unknown"}</Badge>;
}

/**
 * AuditEntry is one entry in a drawer: who, what, when, from where, the
 * arguments (secrets already redacted by the controller before storing)
 * and the hashes that chain it to the entry before.
 */
export function AuditEntry({ entry, onClose }: { entry: AuditEventView | null; onClose: () => void }) {
  return (
    <Dialog open={entry !== null} onOpenChange={(o) => !o && onClose()}>
      {entry && (
        <DialogContent side="right" className="flex w-[min(40rem,95vw)] flex-col gap-4">
          <DialogHeader className="pr-6">
            <DialogTitle>Audit entry #{entry.seq}</DialogTitle>
            <DialogDescription>
              <span className="break-all font-mono text-xs">{entry.action}</span>
            </DialogDescription>
          </DialogHeader>
          <dl className="grid grid-cols-1 gap-3 sm:grid-cols-2">
            <Field label="Time">
              <time dateTime={entry.timeExact}>{dateTime(entry.time)}</time>
              <div className="font-mono text-xs text-muted-foreground">{entry.timeExact}</div>
            </Field>
            <Field label="Outcome">
              <OutcomeBadge outcome={entry.outcome} />
              {entry.error && <p className="mt-1 break-words text-xs">{entry.error}</p>}
            </Field>
            <Field label="Actor">
              <span className="font-medium">{entry.actor.kind}</span>
              {entry.actor.id && (
                <>
                  {" "}
                  <span className="break-all font-mono text-xs">{entry.actor.id}</span>
                </>
              )}
              {entry.actor.name && <div className="text-xs text-muted-foreground">{entry.actor.name}</div>}
            </Field>
            <Field label="Tenant" mono>
              {entry.tenant || "—"}
            </Field>
            <Field label="Remote address" mono>
              {entry.remote || "—"}
            </Field>
            <Field label="Request ID" mono>
              {entry.requestId ? (
                <span className="flex items-center gap-2">
                  {entry.requestId}
                  <CopyButton text={entry.requestId} what="request ID" className="h-7 px-2">
                    Copy <span className="sr-only">request ID</span>
                  </CopyButton>
                </span>
              ) : (
                "—"
              )}
            </Field>
          </dl>
          <section className="flex flex-col gap-1">
            <h3 id="audit-args" className="text-sm font-semibold">
              Arguments
            </h3>
            <p className="text-xs text-muted-foreground">As recorded; secrets were redacted by the controller before storing.</p>
            <pre tabIndex={0} aria-labelledby="audit-args" className="max-h-72 overflow-auto rounded bg-muted p-3 font-mono text-xs">
              {prettyArgs(entry.argsJson)}
            </pre>
          </section>
          <section className="flex flex-col gap-2">
            <h3 id="audit-chain" className="text-sm font-semibold">
              Chain
            </h3>
            <dl className="flex flex-col gap-2">
              <Field label="Previous entry's hash" mono>
                {entry.prevHash || "none: the first entry"}
              </Field>
              <Field label="This entry's hash" mono>
                {entry.hash}
              </Field>
            </dl>
            <CopyButton text={entry.hash} what="hash" className="self-start">
              Copy hash
            </CopyButton>
          </section>
        </DialogContent>
      )}
    </Dialog>
  );
}
