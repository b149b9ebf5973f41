import { useEffect, useState, type FormEvent } from "react";
import { FindingsService } from "@/gen/driftmgr/v1/query_pb";
import { AgentsService, ClusterService } from "@/gen/driftmgr/v1/cluster_pb";
import { EventsService } from "@/gen/driftmgr/v1/events_pb";
import { SecurityService } from "@/gen/driftmgr/v1/security_pb";
import { TenancyService } from "@/gen/driftmgr/v1/tenancy_pb";
import { AuditService } from "@/gen/driftmgr/v1/audit_pb";
import { AgentService } from "@/gen/driftmgr/v1/agent_pb";
import { Button } from "@/components/ui/button";
import { Input, Label } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { actorKinds, filterProblem, noFilter, outcomeCodes, ranges, type AuditFilter } from "./auditFilters";

// Radix Select has no empty value: this one stands for "any".
const any = "any";

/** The API's services, offered as action prefixes, and the console's sign-in and sign-out (console.sign_in.password, console.sign_out). */
const services = [
  ...[FindingsService, SecurityService, AgentsService, ClusterService, EventsService, TenancyService, AuditService, AgentService].map(
    (s) => `/${s.typeName}/`,
  ),
  "console.sign_in",
  "console.sign_out",
];

/**
 * AuditFilters edits the log's filter: the time range, who acted, what
 * they called and how it ended. Apply puts it in the URL; the list follows.
 */
export function AuditFilters({ value, onApply }: { value: AuditFilter; onApply: (f: AuditFilter) => void }) {
  const [draft, setDraft] = useState(value);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => setDraft(value), [value]);
  const set = (k: keyof AuditFilter, v: string) => setDraft((d) => ({ ...d, [k]: v === any ? "" : v }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const p = filterProblem(draft);
    setProblem(p);
    if (!p) onApply(draft);
  };
  return (
    <form onSubmit={submit} aria-label="Audit log filters" className="flex flex-col gap-3" noValidate>
      <div className="grid gap-3 sm:grid-cols-2 xl:grid-cols-5">
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="audit-range">Time</Label>
          <Select
            id="audit-range"
            label="Time"
            value={draft.range || any}
            onValueChange={(v) => set("range", v)}
            options={ranges.map((r) => ({ value: r.value || any, label: r.label }))}
          />
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="audit-actor-kind">Actor kind</Label>
          <Select
            id="audit-actor-kind"
            label="Actor kind"
            value={draft.actorKind || any}
            onValueChange={(v) => set("actorKind", v)}
            options={[{ value: any, label: "Any" }, ...actorKinds.map((k) => ({ value: k, label: k }))]}
          />
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="audit-actor">Actor ID</Label>
          <Input
            id="audit-actor"
            spellCheck={false}
            value={draft.actor}
            onChange={(e) => set("actor", e.target.value)}
            placeholder="usr-…, key id, agent id"
          />
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="audit-action">Action starts with</Label>
          <Input
            id="audit-action"
            spellCheck={false}
            list="audit-services"
            value={draft.action}
            onChange={(e) => set("action", e.target.value)}
            placeholder="/driftmgr.v1.TenancyService/"
          />
          <datalist id="audit-services">
            {services.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="audit-outcome">Outcome</Label>
          <Select
            id="audit-outcome"
            label="Outcome"
            value={draft.outcome || any}
            onValueChange={(v) => set("outcome", v)}
            options={[
              { value: any, label: "Any" },
              { value: "ok", label: "OK" },
              { value: "failed", label: "Failed (any code)" },
              ...outcomeCodes.map((c) => ({ value: c, label: c })),
            ]}
          />
        </div>
      </div>
      {draft.range === "custom" && (
        <div className="grid gap-3 sm:grid-cols-2 xl:grid-cols-5">
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="audit-since">From</Label>
            <Input id="audit-since" type="datetime-local" step={1} value={draft.since} onChange={(e) => set("since", e.target.value)} />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="audit-until">Until</Label>
            <Input id="audit-until" type="datetime-local" step={1} value={draft.until} onChange={(e) => set("until", e.target.value)} />
          </div>
          <p className="self-end text-xs text-muted-foreground sm:col-span-2 xl:col-span-3">Times are in your browser's time zone.</p>
        </div>
      )}
      {problem && (
        <p role="alert" className="text-sm text-destructive">
          {problem}
        </p>
      )}
      <div className="flex gap-2">
        <Button type="submit" size="sm">
          Apply filters
        </Button>
        <Button
          variant="outline"
          size="sm"
          onClick={() => {
            setProblem(null);
            setDraft(noFilter);
            onApply(noFilter);
          }}
        >
          Clear
        </Button>
      </div>
    </form>
  );
}
