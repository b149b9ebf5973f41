import { afterEach, describe, expect, it, vi } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import { EventsService, WatchResponseSchema, type WatchResponse } from "@/gen/driftmgr/v1/events_pb";
import { FindingsService } from "@/gen/driftmgr/v1/query_pb";
import { api } from "@/api/api";
import { securityApi } from "@/api/securityApi";
import { SecurityService } from "@/gen/driftmgr/v1/security_pb";
import { makeStore } from "@/app/store";
import { mockClients } from "@/test/render";
import { backoffDelay, startWatch } from "./watch";
import { keyAuth } from "@/test/auth";

const counts = (open: bigint) =>
  create(WatchResponseSchema, { revision: 9n, event: { case: "counts", value: { open, critical: 1n, modified: 2n } } });
const changed = (ids: string[]) => create(WatchResponseSchema, { revision: 10n, event: { case: "findingsChanged", value: { ids } } });

async function waitFor(cond: () => boolean, ms = 2000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("backoffDelay", () => {
  it("doubles up to the cap, with jitter in the upper half", () => {
    const mid = () => 0.5;
    expect(backoffDelay(0, 1000, 30000, mid)).toBe(750);
    expect(backoffDelay(3, 1000, 30000, mid)).toBe(6000);
    expect(backoffDelay(10, 1000, 30000, mid)).toBe(22500);
    expect(backoffDelay(2, 1000, 30000, () => 0)).toBe(2000);
    expect(backoffDelay(2, 1000, 30000, () => 1)).toBe(4000);
  });
});

describe("startWatch", () => {
  let stop = () => {};
  afterEach(() => stop());

  it("puts counts in the store and goes online", async () => {
    const clients = mockClients(({ service }) => {
      service(EventsService, {
        async *watch(_req, ctx) {
          yield counts(12n);
          await new Promise((r) => ctx.signal.addEventListener("abort", r));
        },
      });
    });
    const store = makeStore(clients);
    stop = startWatch(clients, store.dispatch);
    await waitFor(() => store.getState().live.counts !== null);
    expect(store.getState().live.status).toBe("online");
    expect(store.getState().live.counts).toMatchObject({ open: 12, critical: 1, modified: 2, missing: 0 });
    expect(store.getState().live.revision).toBe("9");
  });

  it("refetches open finding lists when findings change", async () => {
    let listed = 0;
    let push: (r: WatchResponse) => void = () => {};
    const queue: WatchResponse[] = [];
    const clients = mockClients(({ service }) => {
      service(FindingsService, {
        listFindings: () => {
          listed++;
          return { findings: [], totalSize: BigInt(listed) };
        },
      });
      service(EventsService, {
        async *watch(_req, ctx) {
          while (!ctx.signal.aborted) {
            const next = queue.shift();
            if (next) yield next;
            else await new Promise<void>((r) => (push = (m) => (queue.push(m), r())));
          }
        },
      });
    });
    const store = makeStore(clients);
    const sub = store.dispatch(api.endpoints.findingsSummary.initiate({ filter: {}, facets: [] }));
    await waitFor(() => listed === 1);
    stop = startWatch(clients, store.dispatch, { invalidateEveryMs: 10 });
    await new Promise((r) => setTimeout(r, 20));
    push(changed(["f1", "f2"]));
    await waitFor(() => listed === 2);
    expect(store.getState().live.activity[0]).toMatchObject({ kind: "findings", text: "2 findings changed" });
    sub.unsubscribe();
  });

  it("shows offline and reconnects after the stream fails", async () => {
    let calls = 0;
    const clients = mockClients(({ service }) => {
      service(EventsService, {
        async *watch(_req, ctx) {
          calls++;
          if (calls === 1) throw new ConnectError("controller restarting", Code.Unavailable);
          yield counts(3n);
          await new Promise((r) => ctx.signal.addEventListener("abort", r));
        },
      });
    });
    const store = makeStore(clients);
    const states: string[] = [];
    store.subscribe(() => {
      const s = store.getState().live.status;
      if (states[states.length - 1] !== s) states.push(s);
    });
    stop = startWatch(clients, store.dispatch, { baseDelayMs: 20, maxDelayMs: 40 });
    await waitFor(() => store.getState().live.counts?.open === 3);
    expect(states).toEqual(["connecting", "offline", "connecting", "online"]);
    expect(calls).toBe(2);
  });

  it("signs out when the stream is refused for the key", async () => {
    const clients = mockClients(({ service }) => {
      service(EventsService, {
        // eslint-disable-next-line require-yield
        async *watch() {
          throw new ConnectError("api key: revoked", Code.Unauthenticated);
        },
      });
    });
    const store = makeStore(clients, { auth: keyAuth("dm_a_b") });
    stop = startWatch(clients, store.dispatch, { baseDelayMs: 10 });
    await waitFor(() => store.getState().auth.credential === null);
    expect(store.getState().auth.notice).toMatch(/not accepted/);
  });

  it("stops when asked", async () => {
    const spy = vi.fn();
    const clients = mockClients(({ service }) => {
      service(EventsService, {
        async *watch(_req, ctx) {
          spy();
          yield counts(1n);
          await new Promise((r) => ctx.signal.addEventListener("abort", r));
        },
      });
    });
    const store = makeStore(clients);
    stop = startWatch(clients, store.dispatch, { baseDelayMs: 5 });
    await waitFor(() => store.getState().live.status === "online");
    stop();
    await new Promise((r) => setTimeout(r, 50));
    expect(spy).toHaveBeenCalledTimes(1);
  });
});

describe("startWatch and security", () => {
  let stop = () => {};
  afterEach(() => stop());

  /** A stream whose events the test pushes, and a security service counting calls. */
  function setup() {
    const calls = { compliance: 0, mutelist: 0, finding: 0 };
    let push: (r: WatchResponse) => void = () => {};
    const queue: WatchResponse[] = [];
    const clients = mockClients(({ service }) => {
      service(SecurityService, {
        getCompliance: () => (calls.compliance++, { riskScore: 1 }),
        getMutelist: () => (calls.mutelist++, { yaml: "mutelist: []\n" }),
        getSecurityFinding: (req) => (calls.finding++, { finding: { id: req.id, checkId: "DM-AWS-EC2-001" } }),
      });
      service(EventsService, {
        async *watch(_req, ctx) {
          while (!ctx.signal.aborted) {
            const next = queue.shift();
            if (next) yield next;
            else await new Promise<void>((r) => (push = (m) => (queue.push(m), r())));
          }
        },
      });
    });
    const store = makeStore(clients);
    const subs = [
      store.dispatch(securityApi.endpoints.getCompliance.initiate()),
      store.dispatch(securityApi.endpoints.getMutelist.initiate()),
      store.dispatch(securityApi.endpoints.getSecurityFinding.initiate("s1")),
    ];
    return { calls, store, clients, push: (r: WatchResponse) => push(r), done: () => subs.forEach((s) => s.unsubscribe()) };
  }

  it("refetches the posture once when a scan completes and its verdicts change together", async () => {
    const t = setup();
    await waitFor(() => t.calls.compliance === 1 && t.calls.mutelist === 1 && t.calls.finding === 1);
    stop = startWatch(t.clients, t.store.dispatch, { invalidateEveryMs: 30 });
    await new Promise((r) => setTimeout(r, 20));
    t.push(create(WatchResponseSchema, { revision: 11n, event: { case: "scanCompleted", value: { id: "scn-2", trigger: "interval" } } }));
    t.push(create(WatchResponseSchema, { revision: 12n, event: { case: "securityChanged", value: { ids: ["s1"], posture: true } } }));
    await waitFor(() => t.calls.compliance === 2 && t.calls.finding === 2);
    await new Promise((r) => setTimeout(r, 80));
    expect(t.calls).toEqual({ compliance: 2, mutelist: 1, finding: 2 });
    expect(t.store.getState().live.activity[0]).toMatchObject({ kind: "security", text: "1 security finding changed" });
    t.done();
  });

  it("refetches the mutelist, findings and posture when the mutelist changes", async () => {
    const t = setup();
    await waitFor(() => t.calls.compliance === 1 && t.calls.mutelist === 1 && t.calls.finding === 1);
    stop = startWatch(t.clients, t.store.dispatch, { invalidateEveryMs: 10 });
    await new Promise((r) => setTimeout(r, 20));
    t.push(create(WatchResponseSchema, { revision: 13n, event: { case: "securityChanged", value: { mutelist: true } } }));
    await waitFor(() => t.calls.compliance === 2 && t.calls.mutelist === 2 && t.calls.finding === 2);
    expect(t.store.getState().live.activity[0]).toMatchObject({ kind: "security", text: "The mutelist changed" });
    t.done();
  });
});

describe("startWatch after a gap", () => {
  it("refetches open lists once the stream is back, since events were missed", async () => {
    let listed = 0;
    let calls = 0;
    const clients = mockClients(({ service }) => {
      service(FindingsService, {
        listFindings: () => {
          listed++;
          return { findings: [], totalSize: 0n };
        },
      });
      service(EventsService, {
        async *watch(_req, ctx) {
          calls++;
          if (calls === 1) throw new ConnectError("down", Code.Unavailable);
          yield counts(1n);
          await new Promise((r) => ctx.signal.addEventListener("abort", r));
        },
      });
    });
    const store = makeStore(clients);
    const sub = store.dispatch(api.endpoints.findingsSummary.initiate({ filter: {}, facets: [] }));
    await waitFor(() => listed === 1);
    const stop = startWatch(clients, store.dispatch, { baseDelayMs: 10, maxDelayMs: 20 });
    await waitFor(() => listed === 2);
    stop();
    sub.unsubscribe();
  });
});
