import { FindingStatus, type FindingView } from "@/api/model";
import { ago, dateTime } from "@/lib/format";

export interface TimelineEvent {
  at: string | null;
  title: string;
  detail?: string;
}

/** timelineOf lists what happened to a finding, oldest first. */
export function timelineOf(f: FindingView): TimelineEvent[] {
  const ev: TimelineEvent[] = [];
  if (f.firstSeen) ev.push({ at: f.firstSeen, title: "First detected" });
  if (f.lastSeen && f.lastSeen !== f.firstSeen)
    ev.push({ at: f.lastSeen, title: "Last seen drifted", detail: f.scanId ? `scan ${f.scanId}` : undefined });
  if (f.acknowledgedBy || f.status === FindingStatus.ACKNOWLEDGED) {
    // The API keeps who acknowledged and why, not when.
    ev.push({ at: null, title: `Acknowledged${f.acknowledgedBy ? " by " + f.acknowledgedBy : ""}`, detail: f.ackNote || undefined });
  }
  if (f.resolvedAt) ev.push({ at: f.resolvedAt, title: "Resolved", detail: "No longer drifted in a later scan" });
  return ev;
}

export function Timeline({ finding }: { finding: FindingView }) {
  const ev = timelineOf(finding);
  return (
    <ol className="relative ml-2 border-l border-border" aria-label="Timeline">
      {ev.map((e, i) => (
        <li key={i} className="mb-4 ml-4">
          <span aria-hidden="true" className="absolute -left-1.5 mt-1.5 h-3 w-3 rounded-full border border-background bg-primary" />
          <p className="text-sm font-medium">{e.title}</p>
          {e.at && (
            <time dateTime={e.at} className="text-xs text-muted-foreground" title={dateTime(e.at)}>
              {dateTime(e.at)} ({ago(e.at)})
            </time>
          )}
          {e.detail && <p className="text-xs text-muted-foreground">{e.detail}</p>}
        </li>
      ))}
    </ol>
  );
}
