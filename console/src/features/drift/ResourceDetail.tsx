import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import { useAcknowledgeFindingMutation, useGetFindingQuery } from "@/api/api";
import { DriftKind, FindingStatus } from "@/api/model";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Label, Textarea } from "@/components/ui/input";
import { Loading } from "@/components/ui/skeleton";
import { ErrorState } from "@/components/ui/states";
import { toast } from "@/components/ui/toast";
import { KindBadge, SeverityBadge, StatusBadge } from "./badges";
import { DiffView } from "./DiffView";
import { driftignoreLines } from "./driftignore";
import { Timeline } from "./Timeline";

async function copy(text: string, what: string) {
  try {
    await navigator.clipboard.writeText(text);
    toast({ title: `${what} copied` });
  } catch {
    toast({ title: "Copy failed: select the text and copy it", variant: "error" });
  }
}

function Field({ label, value }: { label: string; value: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="truncate font-mono text-xs" title={value}>
        {value || "—"}
      </dd>
    </div>
  );
}

/** ResourceDetail shows one finding: what differs, its history, and what to do about it. */
export default function ResourceDetail() {
  const { id = "" } = useParams();
  const q = useGetFindingQuery(id);
  const [ack, ackState] = useAcknowledgeFindingMutation();
  const [ackOpen, setAckOpen] = useState(false);
  const [ignoreOpen, setIgnoreOpen] = useState(false);
  const [note, setNote] = useState("");

  if (q.isLoading) return <Loading label="Loading the finding" rows={6} />;
  if (q.isError || !q.data) {
    const err = q.error as { code?: string; message?: string } | undefined;
    return (
      <div className="flex flex-col gap-3">
        <Link to="/inventory" className="text-sm text-primary hover:underline">
          ← Drift inventory
        </Link>
        <ErrorState
          title={err?.code === "NotFound" ? "This finding does not exist" : "The finding could not be loaded"}
          message={err?.message ?? "Unknown error"}
          onRetry={err?.code === "NotFound" ? undefined : () => void q.refetch()}
        />
      </div>
    );
  }
  const f = q.data;
  const lines = driftignoreLines(f).join("\n");
  const submitAck = async (e: FormEvent) => {
    e.preventDefault();
    const r = await ack({ id: f.id, note: note.trim() });
    if ("error" in r) {
      toast({ title: "Acknowledge failed", description: (r.error as { message?: string }).message, variant: "error" });
      return;
    }
    toast({ title: "Finding acknowledged" });
    setAckOpen(false);
    setNote("");
  };

  return (
    <div className="flex flex-col gap-4">
      <Link to="/inventory" className="text-sm text-primary hover:underline">
        ← Drift inventory
      </Link>
      <div className="flex flex-wrap items-start gap-3">
        <div className="min-w-0 flex-1">
          <h1 className="break-all font-mono text-lg font-semibold">{f.resource.address || `${f.resource.type}.${f.resource.id}`}</h1>
          <p className="break-all text-sm text-muted-foreground">{f.resource.id}</p>
          <div className="mt-2 flex flex-wrap gap-2">
            <SeverityBadge severity={f.severity} />
            <KindBadge kind={f.kind} />
            <StatusBadge status={f.status} />
          </div>
        </div>
        <div className="flex flex-wrap gap-2">
          <Button onClick={() => setAckOpen(true)} disabled={f.status !== FindingStatus.OPEN}>
            {f.status === FindingStatus.ACKNOWLEDGED ? "Acknowledged" : "Acknowledge"}
          </Button>
          <Button variant="outline" onClick={() => copy(lines, ".driftignore rule")}>
            Copy as .driftignore
          </Button>
          <Button variant="outline" onClick={() => setIgnoreOpen(true)}>
            Ignore…
          </Button>
        </div>
      </div>

      <Card>
        <CardContent className="pt-4">
          <dl className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-6">
            <Field label="Provider" value={f.resource.provider} />
            <Field label="Type" value={f.resource.type} />
            <Field label="Account" value={f.resource.account} />
            <Field label="Region" value={f.resource.region} />
            <Field label="Origin" value={f.origin} />
            <Field label="Agent" value={f.agentId} />
          </dl>
        </CardContent>
      </Card>

      <div className="grid gap-4 xl:grid-cols-[1fr_18rem] [&>*]:min-w-0">
        <Card>
          <CardHeader>
            <CardTitle>Attribute differences</CardTitle>
          </CardHeader>
          <CardContent>
            <DiffView changes={f.changes} />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Timeline</CardTitle>
          </CardHeader>
          <CardContent>
            <Timeline finding={f} />
          </CardContent>
        </Card>
      </div>

      <Dialog open={ackOpen} onOpenChange={setAckOpen}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>Acknowledge this finding</DialogTitle>
            <DialogDescription>It stays listed as acknowledged until the drift is resolved. Say why, for the team.</DialogDescription>
          </DialogHeader>
          <form onSubmit={submitAck} className="flex flex-col gap-2">
            <Label htmlFor="ack-note">Note</Label>
            <Textarea
              id="ack-note"
              value={note}
              onChange={(e) => setNote(e.target.value)}
              placeholder="e.g. accepted: resized during the incident, Terraform PR follows"
            />
            <DialogFooter>
              <Button type="submit" disabled={ackState.isLoading}>
                {ackState.isLoading ? "Acknowledging…" : "Acknowledge"}
              </Button>
            </DialogFooter>
          </form>
        </DialogContent>
      </Dialog>

      <Dialog open={ignoreOpen} onOpenChange={setIgnoreOpen}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>Ignore this drift</DialogTitle>
            <DialogDescription>
              Add these lines to the <code>.driftignore</code> next to your Terraform code (or the agent's configured one). The next scan
              stops reporting {f.changes.length > 0 && f.kind === DriftKind.MODIFIED ? "these attributes" : "this resource"}.
            </DialogDescription>
          </DialogHeader>
          <pre className="overflow-x-auto rounded-md bg-muted p-3 font-mono text-xs" aria-label=".driftignore lines">
            {lines}
          </pre>
          <DialogFooter>
            <Button
              onClick={() => {
                void copy(lines, ".driftignore rule");
                setIgnoreOpen(false);
              }}
            >
              Copy and close
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </div>
  );
}
