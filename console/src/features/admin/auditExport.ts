// Export of the whole audit log as JSON lines, read from ExportAudit's
// server stream through the Connect-ES client, in the format of
// `driftmgr ctl audit export`, so `driftmgr ctl audit verify FILE` checks
// the downloaded file offline.
import { auditClient } from "@/api/adminApi";
import { auditLine } from "@/api/adminModel";
import type { Clients } from "@/api/transport";

export interface ExportResult {
  blob: Blob;
  entries: number;
  /** The last entry's sequence and hash: the head the export ends at. */
  lastSeq: string;
  lastHash: string;
}

/** exportAudit streams the log, oldest first, reporting the count as batches arrive. */
export async function exportAudit(clients: Clients, onProgress: (entries: number) => void, signal?: AbortSignal): Promise<ExportResult> {
  const lines: string[] = [];
  let lastSeq = "";
  let lastHash = "";
  for await (const batch of auditClient(clients).exportAudit({}, { signal })) {
    for (const e of batch.events) {
      lines.push(auditLine(e) + "\n");
      lastSeq = e.seq.toString();
      lastHash = e.hash;
    }
    onProgress(lines.length);
  }
  return { blob: new Blob(lines, { type: "application/x-ndjson" }), entries: lines.length, lastSeq, lastHash };
}

/** exportFilename names a download by tenant and time: driftmgr-audit-acme-20260501T101500Z.jsonl. */
export function exportFilename(tenant: string, now: Date = new Date()): string {
  const t = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const safe = (tenant || "tenant").replace(/[^a-zA-Z0-9_-]/g, "_");
  return `driftmgr-audit-${safe}-${t}.jsonl`;
}
