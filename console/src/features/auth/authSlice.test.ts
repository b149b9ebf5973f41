import { describe, expect, it } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import { ClusterService } from "@/gen/driftmgr/v1/cluster_pb";
import { FindingsService } from "@/gen/driftmgr/v1/query_pb";
import { api } from "@/api/api";
import { makeStore, persist, persistedState } from "@/app/store";
import { mockClients } from "@/test/render";
import reducer, { AUTH_STORAGE_KEY, authorizationHeader, loadAuth, looksLikeAPIKey, probeSession, signedIn, signedOut } from "./authSlice";
import { verifyKey } from "./SignIn";
import { fakeSession, keyAuth, session, sessionAuth } from "@/test/auth";
import type { SessionProbe } from "@/api/session";

const key = "dm_odgoieb5lqsu_mzyedhf4wgzvsx4hl45gq5jz6rdcgoco";

describe("auth slice", () => {
  it("signs in with a trimmed key and out with a notice", () => {
    let s = reducer(undefined, signedIn({ kind: "apiKey", key: `  ${key}\n` }));
    expect(s.credential).toEqual({ kind: "apiKey", key });
    expect(authorizationHeader(s.credential)).toBe("Bearer " + key);
    s = reducer(s, signedOut("expired"));
    expect(s).toMatchObject({ credential: null, notice: "expired" });
    expect(authorizationHeader(s.credential)).toBeNull();
  });

  it("drops a session check that a sign-out overtook", async () => {
    let answer: (p: SessionProbe) => void = () => {};
    const clients = mockClients(undefined, undefined, {
      ...fakeSession().client,
      probe: () => new Promise<SessionProbe>((r) => (answer = r)),
    });
    const store = makeStore(clients, { auth: sessionAuth({}) });
    const pending = store.dispatch(probeSession());
    store.dispatch(signedOut());
    answer({ signedIn: true, session });
    await pending;
    expect(store.getState().auth.credential).toBeNull();
  });

  it("recognizes the key format", () => {
    expect(looksLikeAPIKey(key)).toBe(true);
    expect(looksLikeAPIKey("dm_abc")).toBe(false);
    expect(looksLikeAPIKey("Bearer " + key)).toBe(false);
  });

  it("keeps the key in sessionStorage only", () => {
    const store = makeStore(mockClients(), persistedState());
    persist(store);
    store.dispatch(signedIn({ kind: "apiKey", key }));
    expect(JSON.parse(sessionStorage.getItem(AUTH_STORAGE_KEY)!)).toEqual({ kind: "apiKey", key });
    expect(Object.keys(localStorage).some((k) => (localStorage.getItem(k) ?? "").includes(key))).toBe(false);
    expect(loadAuth().credential).toEqual({ kind: "apiKey", key });
    store.dispatch(signedOut());
    expect(sessionStorage.getItem(AUTH_STORAGE_KEY)).toBeNull();
  });

  it("treats damaged storage as signed out", () => {
    sessionStorage.setItem(AUTH_STORAGE_KEY, "{");
    expect(loadAuth().credential).toBeNull();
    sessionStorage.setItem(AUTH_STORAGE_KEY, JSON.stringify({ kind: "oidc" }));
    expect(loadAuth().credential).toBeNull();
  });

  it("signs out when the API answers 401", async () => {
    const clients = mockClients(({ service }) => {
      service(FindingsService, {
        getFinding: () => {
          throw new ConnectError("api key: unknown key", Code.Unauthenticated);
        },
      });
    });
    const store = makeStore(clients, { auth: keyAuth(key) });
    const r = await store.dispatch(api.endpoints.getFinding.initiate("abc"));
    expect(r.error).toMatchObject({ code: "Unauthenticated", unauthenticated: true });
    expect(store.getState().auth.credential).toBeNull();
    expect(store.getState().auth.notice).toMatch(/not accepted/);
  });

  it("keeps the key on other errors", async () => {
    const clients = mockClients(({ service }) => {
      service(FindingsService, {
        getFinding: () => {
          throw new ConnectError("no such finding", Code.NotFound);
        },
      });
    });
    const store = makeStore(clients, { auth: keyAuth(key) });
    const r = await store.dispatch(api.endpoints.getFinding.initiate("abc"));
    expect(r.error).toMatchObject({ code: "NotFound", message: "no such finding" });
    expect(store.getState().auth.credential).not.toBeNull();
  });

  it("verifies a key with the controller, sending it as a bearer token", async () => {
    let seen = "";
    const clients = mockClients(({ service }) => {
      service(ClusterService, {
        getHealth: (_req, ctx) => {
          seen = ctx.requestHeader.get("Authorization") ?? "";
          if (seen !== "Bearer " + key) throw new ConnectError("bad key", Code.Unauthenticated);
          return { node: "n1", ready: true };
        },
      });
    });
    expect(await verifyKey(clients, key)).toBeNull();
    expect(seen).toBe("Bearer " + key);
    expect(await verifyKey(clients, "dm_x_y")).toMatch(/did not accept/);
  });
});
