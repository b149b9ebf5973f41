import { useEffect, useRef, useState } from "react";
import { useVerifyAuditMutation } from "@/api/adminApi";
import type { VerifyView } from "@/api/adminModel";
import { toApiError } from "@/api/transport";
import { useClients } from "@/app/clients";
import { useAppDispatch, useAppSelector } from "@/app/hooks";
import { refusedNotice, signedOut } from "@/features/auth/authSlice";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { toast } from "@/components/ui/toast";
import { useMe } from "@/features/auth/permissions";
import { download } from "@/lib/download";
import { count } from "@/lib/format";
import { errText } from "./errors";
import { exportAudit, exportFilename } from "./auditExport";

/** VerifyResult says whether the stored chain is intact, and its head (the hash to keep elsewhere), or where it breaks. */
function VerifyResult({ v }: { v: VerifyView }) {
  if (v.error) {
    return (
      <div role="alert" className="flex flex-col gap-1 rounded-lg border border-destructive/70 p-3 text-sm">
        <p className="font-semibold text-destructive">The chain is broken</p>
        <p className="break-words font-mono text-xs">{v.error}</p>
        <p className="text-xs text-muted-foreground">
          An entry was changed or removed after it was written. Compare with an export kept elsewhere (driftmgr ctl audit verify FILE).
        </p>
      </div>
    );
  }
  return (
    <div className="flex flex-col gap-1 rounded-lg border border-emerald-700/60 p-3 text-sm">
      <p className="font-semibold text-emerald-800 dark:text-emerald-300">
        Chain intact: {count(Number(v.entries))} entr{v.entries === "1" ? "y" : "ies"}, head #{v.headSeq}
      </p>
      <p className="break-all font-mono text-xs" aria-label="Head hash">
        {v.headHash || "—"}
      </p>
      <div className="flex flex-wrap items-center gap-2">
        {v.headHash && (
          <CopyButton text={v.headHash} what="head hash" className="h-7 px-2">
            Copy head hash
          </CopyButton>
        )}
        <span className="text-xs text-muted-foreground">Keep the head hash outside DriftMgr: a rewritten history cannot reproduce it.</span>
      </div>
    </div>
  );
}

/** AuditChain verifies the stored hash chain and exports the whole log as JSON lines. */
export function AuditChain() {
  const clients = useClients();
  const dispatch = useAppDispatch();
  const kind = useAppSelector((s) => s.auth.credential?.kind);
  const me = useMe();
  const [verify, vstate] = useVerifyAuditMutation();
  const [exporting, setExporting] = useState<number | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);

  const runExport = async () => {
    const ctl = new AbortController();
    abort.current = ctl;
    setExporting(0);
    setExportError(null);
    try {
      const r = await exportAudit(clients, setExporting, ctl.signal);
      download(r.blob, exportFilename(me.data?.tenant ?? ""));
      toast({
        title: `Exported ${count(r.entries)} audit entr${r.entries === 1 ? "y" : "ies"}`,
        description: r.entries ? `Up to #${r.lastSeq}. Check it offline with: driftmgr ctl audit verify FILE` : undefined,
      });
    } catch (e) {
      if (!ctl.signal.aborted) {
        const err = toApiError(e);
        if (err.unauthenticated) dispatch(signedOut(refusedNotice(kind)));
        setExportError(err.message);
      }
    } finally {
      if (!ctl.signal.aborted) setExporting(null);
    }
  };

  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center gap-2">
        <Button variant="outline" size="sm" onClick={() => void verify()} disabled={vstate.isLoading}>
          {vstate.isLoading ? "Verifying…" : "Verify chain"}
        </Button>
        <Button variant="outline" size="sm" onClick={() => void runExport()} disabled={exporting !== null}>
          {exporting !== null ? "Exporting…" : "Export JSONL"}
        </Button>
        <span role="status" aria-live="polite" className="text-xs text-muted-foreground">
          {exporting !== null ? `${count(exporting)} entries read` : ""}
        </span>
      </div>
      <div aria-live="polite">
        {vstate.isError && (
          <p role="alert" className="text-sm text-destructive">
            The chain could not be verified: {errText(vstate.error)}
          </p>
        )}
        {vstate.data && !vstate.isLoading && <VerifyResult v={vstate.data} />}
      </div>
      {exportError && (
        <p role="alert" className="text-sm text-destructive">
          The export failed: {exportError}
        </p>
      )}
    </div>
  );
}
