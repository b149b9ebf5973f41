// The live connection: EventsService.Watch as a server stream. Counts go
// to the live slice, changes invalidate RTK Query tags so open views
// refetch in place, and a dropped stream reconnects with backoff.
import { api } from "@/api/api";
import { toCounts } from "@/api/model";
import { toApiError, type Clients } from "@/api/transport";
import { refusedNotice, signedOut } from "@/features/auth/authSlice";
import type { AppDispatch } from "@/app/store";
import { activityAdded, countsReceived, streamConnecting, streamOffline, streamOnline } from "./liveSlice";
import { timestampDate } from "@bufbuild/protobuf/wkt";

type Tag = NonNullable<Parameters<typeof api.util.invalidateTags>[0][number]>;

export interface WatchOptions {
  /** First retry delay; doubles up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Changes within this window are refetched together. */
  invalidateEveryMs?: number;
  random?: () => number;
  /** Shown at sign-in when the controller refuses the credential (it names a key or a session). */
  refusedNotice?: string;
}

/** backoffDelay is the wait before retry n (0-based): exponential with jitter, capped. */
export function backoffDelay(n: number, base: number, max: number, random: () => number = Math.random): number {
  const d = Math.min(max, base * 2 ** n);
  return Math.round(d / 2 + (random() * d) / 2);
}

/** startWatch runs until the returned stop function is called. */
export function startWatch(clients: Clients, dispatch: AppDispatch, opts: WatchOptions = {}): () => void {
  const base = opts.baseDelayMs ?? 1000;
  const max = opts.maxDelayMs ?? 30_000;
  const every = opts.invalidateEveryMs ?? 1000;
  const ctl = new AbortController();
  // Tags to invalidate at the next flush, keyed "type/id": a burst of
  // changes (a scan's findings, then its security verdicts) refetches once.
  let pending = new Map<string, Tag>();
  let flushTimer: ReturnType<typeof setTimeout> | null = null;

  const flush = () => {
    flushTimer = null;
    const tags = [...pending.values()];
    pending = new Map();
    dispatch(api.util.invalidateTags(tags));
  };
  const later = (...tags: Tag[]) => {
    for (const t of tags) pending.set(typeof t === "string" ? t : `${t.type}/${t.id}`, t);
    if (!flushTimer) flushTimer = setTimeout(flush, every);
  };

  const run = async () => {
    let attempt = 0;
    let missed = false;
    while (!ctl.signal.aborted) {
      dispatch(streamConnecting());
      try {
        for await (const ev of clients.events.watch({}, { signal: ctl.signal })) {
          dispatch(streamOnline());
          attempt = 0;
          if (missed) {
            // Events were lost while the stream was down: refresh what is open.
            missed = false;
            dispatch(
              api.util.invalidateTags([
                { type: "Finding", id: "LIST" },
                { type: "Scan", id: "LIST" },
                { type: "Agent", id: "LIST" },
                { type: "Cluster", id: "HEALTH" },
                { type: "Cluster", id: "MEMBERS" },
                "SecurityFinding",
                "Compliance",
                "Mutelist",
                "Policy",
              ]),
            );
          }
          const at = ev.at ? timestampDate(ev.at).toISOString() : new Date().toISOString();
          const e = ev.event;
          switch (e.case) {
            case "counts":
              dispatch(countsReceived({ counts: toCounts(e.value), revision: ev.revision.toString() }));
              break;
            case "findingsChanged": {
              later({ type: "Finding", id: "LIST" }, ...e.value.ids.map((id) => ({ type: "Finding" as const, id })));
              const n = e.value.ids.length;
              dispatch(activityAdded({ at, kind: "findings", text: `${n} finding${n === 1 ? "" : "s"} changed` }));
              break;
            }
            case "agentStatus":
              dispatch(
                api.util.invalidateTags([
                  { type: "Agent", id: "LIST" },
                  { type: "Cluster", id: "HEALTH" },
                ]),
              );
              dispatch(
                activityAdded({
                  at,
                  kind: "agent",
                  text: `Agent ${e.value.agentId} ${e.value.connected ? "connected" : "disconnected"}`,
                }),
              );
              break;
            case "scanCompleted":
              dispatch(
                api.util.invalidateTags([
                  { type: "Scan", id: "LIST" },
                  { type: "Agent", id: "LIST" },
                ]),
              );
              // A scan brings its security verdicts: the posture and the
              // listings move with it (a controller that also sends
              // securityChanged is batched into the same refetch).
              later({ type: "SecurityFinding", id: "LIST" }, { type: "Compliance", id: "ALL" });
              dispatch(activityAdded({ at, kind: "scan", text: `Scan ${e.value.id} finished (${e.value.trigger || "scan"})` }));
              break;
            case "leaderChanged":
              dispatch(
                api.util.invalidateTags([
                  { type: "Cluster", id: "HEALTH" },
                  { type: "Cluster", id: "MEMBERS" },
                ]),
              );
              dispatch(activityAdded({ at, kind: "leader", text: `Leader is now ${e.value.leader || "unknown"}` }));
              break;
            case "securityChanged": {
              const c = e.value;
              later(...c.ids.map((id) => ({ type: "SecurityFinding" as const, id })));
              if (c.ids.length > 0) later({ type: "SecurityFinding", id: "LIST" });
              if (c.posture) later({ type: "Compliance", id: "ALL" });
              // A mutelist change re-mutes every stored failure as it is read.
              if (c.mutelist) later({ type: "Mutelist", id: "TENANT" }, "SecurityFinding", "Compliance");
              if (c.policies) later({ type: "Policy", id: "LIST" });
              if (c.ids.length > 0) {
                const n = c.ids.length;
                dispatch(activityAdded({ at, kind: "security", text: `${n} security finding${n === 1 ? "" : "s"} changed` }));
              }
              if (c.mutelist) dispatch(activityAdded({ at, kind: "security", text: "The mutelist changed" }));
              if (c.policies) dispatch(activityAdded({ at, kind: "security", text: "The security policies changed" }));
              break;
            }
            default:
              // A first message with no event confirms the stream is up.
              break;
          }
        }
        // The server closed the stream (a controller restart): reconnect.
      } catch (err) {
        if (ctl.signal.aborted) return;
        const e = toApiError(err);
        if (e.unauthenticated) {
          dispatch(signedOut(opts.refusedNotice ?? refusedNotice("apiKey")));
          return;
        }
      }
      if (ctl.signal.aborted) return;
      missed = true;
      const delay = backoffDelay(attempt++, base, max, opts.random);
      dispatch(streamOffline(Date.now() + delay));
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        ctl.signal.addEventListener("abort", () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  };
  void run();
  return () => {
    ctl.abort();
    if (flushTimer) clearTimeout(flushTimer);
  };
}
