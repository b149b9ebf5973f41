import type { EvidenceView } from "@/api/securityModel";
import { prettyJson } from "./posture";

/** EvidenceList shows the attributes that decided a verdict, values pretty-printed. */
export function EvidenceList({ evidence, label }: { evidence: EvidenceView[]; label: string }) {
  return (
    <dl aria-label={label} className="flex flex-col gap-2">
      {evidence.map((e, i) => (
        <div key={i} className="min-w-0">
          <dt className="font-mono text-xs font-semibold">
            {e.path || "(whole resource)"}
            {e.resource && <span className="font-sans font-normal text-muted-foreground"> on {e.resource}</span>}
          </dt>
          <dd>
            {e.valueJson ? (
              <pre tabIndex={0} className="mt-1 max-h-64 overflow-auto rounded bg-muted px-2 py-1 font-mono text-xs">{prettyJson(e.valueJson)}</pre>
            ) : (
              <span className="text-xs text-muted-foreground">no value</span>
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}
