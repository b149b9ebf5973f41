import { useEffect, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { useGetMutelistQuery, usePutMutelistMutation } from "@/api/securityApi";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Label } from "@/components/ui/input";
import { Loading } from "@/components/ui/skeleton";
import { ErrorState } from "@/components/ui/states";
import { toast } from "@/components/ui/toast";
import { ago, count, dateTime } from "@/lib/format";
import { cn } from "@/lib/utils";
import { errMessage, unavailable, unavailableText, type CallError } from "./errors";
import { errorLine, lineRange } from "./mutelist";
import { Actions, useCan } from "@/features/auth/permissions";

interface SaveError {
  code: string;
  message: string;
  line: number | null;
}

// The gutter and the text area share these, so line numbers stay beside their lines.
const lineClass = "font-mono text-xs leading-5";

/**
 * Mutelist shows the tenant's mutelist (the YAML `driftmgr security scan
 * --mutelist` reads) and lets an admin replace it. A list the controller
 * refuses keeps the edit, and the line and reason show beside it.
 */
export default function Mutelist() {
  const q = useGetMutelistQuery();
  const [put, putState] = usePutMutelistMutation();
  // Only admins may change it; others read it (the controller refuses their saves anyway).
  const canEdit = useCan(Actions.securityManage);
  const [params] = useSearchParams();
  // The edit, and the server's text it started from; null while unedited.
  const [draft, setDraft] = useState<{ text: string; base: string } | null>(null);
  const [saveError, setSaveError] = useState<SaveError | null>(null);
  // What was just saved, shown until the refetched list arrives.
  const [saved, setSaved] = useState<string | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const server = q.data?.yaml ?? "";
  const text = draft?.text ?? saved ?? server;
  useEffect(() => setSaved(null), [server]);
  const dirty = draft !== null && draft.text !== server;
  const changedUnderneath = draft !== null && q.data !== undefined && draft.base !== server;
  const lines = text.split("\n").length;

  const goToLine = (n: number) => {
    const el = area.current;
    if (!el) return;
    const [start, end] = lineRange(el.value, n);
    el.focus();
    el.setSelectionRange(start, end);
    // Bring the line into view: the text area does not scroll to a selection it was given.
    const lh = parseFloat(getComputedStyle(el).lineHeight) || 20;
    el.scrollTop = Math.max(0, (n - 3) * lh);
    if (gutter.current) gutter.current.scrollTop = el.scrollTop;
  };

  // A mute's "Mutelist line N" link lands on its entry.
  const wanted = Number(params.get("line") ?? 0);
  const landed = useRef(false);
  useEffect(() => {
    if (landed.current || !q.data || !(wanted > 0)) return;
    landed.current = true;
    goToLine(wanted);
  }, [q.data, wanted]);

  const save = async () => {
    if (!canEdit || !dirty || putState.isLoading) return;
    const r = await put(text);
    if ("error" in r) {
      const e = r.error as CallError;
      const message = e.message ?? "Unknown error";
      setSaveError({ code: e.code ?? "Unknown", message, line: e.code === "InvalidArgument" ? errorLine(message) : null });
      return;
    }
    setSaveError(null);
    setSaved(text);
    setDraft(null);
    toast({ title: `Mutelist saved: ${count(r.data)} entr${r.data === 1 ? "y" : "ies"}` });
  };

  if (q.isLoading) return <Loading label="Loading the mutelist" rows={8} />;
  if (q.isError) {
    return (
      <div className="flex flex-col gap-4">
        <h1 className="text-xl font-semibold">Mutelist</h1>
        {unavailable(q.error) ? (
          <ErrorState title="The mutelist is not available" message={unavailableText} />
        ) : (
          <ErrorState title="The mutelist could not be loaded" message={errMessage(q.error)} onRetry={() => void q.refetch()} />
        )}
      </div>
    );
  }
  const m = q.data!;
  const errorId = "mutelist-error";

  return (
    <div className="flex flex-col gap-4">
      <div>
        <h1 className="text-xl font-semibold">Mutelist</h1>
        <p className="text-sm text-muted-foreground">
          Accepted failures: a matching failing check shows as Muted and leaves the scores. Changes apply to stored findings at once,
          without a rescan.
        </p>
        {!canEdit && (
          <p className="mt-1 text-sm text-muted-foreground" id="mutelist-readonly">
            Read-only: changing the mutelist needs an admin.
          </p>
        )}
      </div>
      <div className="grid gap-4 xl:grid-cols-[1fr_22rem] [&>*]:min-w-0">
        <Card>
          <CardHeader className="flex-row items-center gap-2">
            <Label htmlFor="mutelist-yaml" className="text-sm font-semibold">
              Mutelist YAML
            </Label>
            <span className="ml-auto text-xs text-muted-foreground" aria-live="polite">
              {dirty ? "Unsaved changes" : ""}
            </span>
          </CardHeader>
          <CardContent className="flex flex-col gap-3">
            <div className="flex max-h-[65vh] min-h-80 overflow-hidden rounded-md border border-input focus-within:outline-2 focus-within:outline-ring">
              <div
                ref={gutter}
                aria-hidden="true"
                className={cn(lineClass, "select-none overflow-hidden bg-muted px-2 py-2 text-right text-muted-foreground")}
              >
                {Array.from({ length: lines }, (_, i) => (
                  <div key={i} className={cn(saveError?.line === i + 1 && "bg-removed font-semibold text-foreground")}>
                    {i + 1}
                  </div>
                ))}
              </div>
              <textarea
                id="mutelist-yaml"
                ref={area}
                value={text}
                readOnly={!canEdit}
                spellCheck={false}
                wrap="off"
                aria-invalid={saveError !== null && saveError.code === "InvalidArgument"}
                aria-describedby={saveError ? errorId : canEdit ? "mutelist-help" : "mutelist-readonly"}
                className={cn(lineClass, "min-h-80 flex-1 resize-none overflow-auto bg-background px-3 py-2 outline-none")}
                onChange={(e) => setDraft({ text: e.target.value, base: draft?.base ?? server })}
                onScroll={(e) => {
                  if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
                }}
                onKeyDown={(e) => {
                  if ((e.ctrlKey || e.metaKey) && e.key === "s") {
                    e.preventDefault();
                    void save();
                  }
                }}
              />
            </div>
            {canEdit && (
              <div className="flex flex-wrap items-center gap-2">
                <Button onClick={() => void save()} disabled={!dirty || putState.isLoading}>
                  {putState.isLoading ? "Saving…" : "Save"}
                </Button>
                <Button
                  variant="outline"
                  disabled={draft === null}
                  onClick={() => {
                    setDraft(null);
                    setSaveError(null);
                  }}
                >
                  Discard changes
                </Button>
                <span id="mutelist-help" className="text-xs text-muted-foreground">
                  Ctrl+S (⌘S on a Mac) saves.
                </span>
              </div>
            )}
          </CardContent>
        </Card>

        <div className="flex flex-col gap-4 [&>*]:min-w-0">
          {saveError && (
            <div id={errorId} role="alert" className="flex flex-col gap-2 rounded-lg border border-destructive/60 p-4">
              <p className="font-medium text-destructive">
                {saveError.code === "PermissionDenied"
                  ? "Only an admin can change the mutelist"
                  : saveError.code === "InvalidArgument"
                    ? saveError.line
                      ? `The mutelist was refused: line ${saveError.line}`
                      : "The mutelist was refused"
                    : "The mutelist could not be saved"}
              </p>
              <p className="whitespace-pre-line break-words font-mono text-xs">{saveError.message}</p>
              {saveError.line && (
                <Button variant="outline" size="sm" className="self-start" onClick={() => goToLine(saveError.line!)}>
                  Go to line {saveError.line}
                </Button>
              )}
              <p className="text-xs text-muted-foreground">Your edit is kept; nothing was saved.</p>
            </div>
          )}
          {changedUnderneath && (
            <div role="status" className="rounded-lg border border-amber-600/60 p-4 text-sm">
              The mutelist changed on the controller while you edited{m.updatedBy ? ` (by ${m.updatedBy})` : ""}. Saving replaces that
              version; discard your changes to see it.
            </div>
          )}
          <Card>
            <CardHeader>
              <CardTitle>Last change</CardTitle>
            </CardHeader>
            <CardContent className="text-sm">
              {m.updatedAt ? (
                <p>
                  <time dateTime={m.updatedAt} title={dateTime(m.updatedAt)}>
                    {ago(m.updatedAt)}
                  </time>
                  {m.updatedBy && (
                    <>
                      {" "}
                      by <span className="font-mono text-xs">{m.updatedBy}</span>
                    </>
                  )}
                </p>
              ) : (
                <p className="text-muted-foreground">Never changed: the tenant has no mutelist.</p>
              )}
            </CardContent>
          </Card>
          {m.expired.length > 0 && (
            <Card>
              <CardHeader>
                <CardTitle>Expired entries</CardTitle>
                <CardDescription>Past their expiry, these mute nothing: their failures count again.</CardDescription>
              </CardHeader>
              <CardContent>
                <ul className="flex flex-col gap-1 font-mono text-xs" aria-label="Expired entries">
                  {m.expired.map((e) => (
                    <li key={e}>{e}</li>
                  ))}
                </ul>
              </CardContent>
            </Card>
          )}
          <Card>
            <CardHeader>
              <CardTitle>Format</CardTitle>
              <CardDescription>Each entry needs check, resource, reason and owner; patterns take * as a wildcard.</CardDescription>
            </CardHeader>
            <CardContent>
              <pre tabIndex={0} aria-label="An example entry" className="overflow-x-auto rounded bg-muted p-2 font-mono text-xs">{`mutelist:
  - check: DM-AWS-EC2-001
    resource: aws_security_group.sg-bastion*
    reason: bastion, source limited by NACL
    owner: platform-team
    expires: 2026-12-31`}</pre>
            </CardContent>
          </Card>
        </div>
      </div>
    </div>
  );
}
