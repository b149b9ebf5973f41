import { describe, expect, it } from "vitest";
import { ClusterService } from "@/gen/driftmgr/v1/cluster_pb";
import { mockClients } from "@/test/render";
import { CSRF_HEADER, sessionFetch, type Credentials } from "./transport";

function seen(creds: Credentials) {
  const headers: Headers[] = [];
  const clients = mockClients(({ service }) => {
    service(ClusterService, {
      getHealth: (_r, ctx) => {
        headers.push(ctx.requestHeader);
        return { node: "n1", ready: true };
      },
    });
  }, creds);
  return { clients, headers };
}

describe("the transport's credentials", () => {
  it("sends the session's CSRF token and no Authorization in a session", async () => {
    const { clients, headers } = seen({ authorization: () => null, csrfToken: () => "csrf-123" });
    await clients.cluster.getHealth({});
    expect(headers[0]!.get(CSRF_HEADER)).toBe("csrf-123");
    expect(headers[0]!.has("Authorization")).toBe(false);
  });

  it("sends the key as a bearer token and no CSRF token with an API key", async () => {
    const { clients, headers } = seen({ authorization: () => "Bearer dm_a_b", csrfToken: () => null });
    await clients.cluster.getHealth({});
    expect(headers[0]!.get("Authorization")).toBe("Bearer dm_a_b");
    expect(headers[0]!.has(CSRF_HEADER)).toBe(false);
  });

  it("reads the credential at each call, so signing in needs no new clients", async () => {
    let token: string | null = null;
    const { clients, headers } = seen({ authorization: () => null, csrfToken: () => token });
    await clients.cluster.getHealth({});
    token = "later";
    await clients.cluster.getHealth({});
    expect(headers.map((h) => h.get(CSRF_HEADER))).toEqual([null, "later"]);
  });

  it("keeps a call's own key (checking one at sign-in) and adds no CSRF token to it", async () => {
    const { clients, headers } = seen({ authorization: () => null, csrfToken: () => "csrf-123" });
    await clients.cluster.getHealth({}, { headers: { Authorization: "Bearer dm_new_key" } });
    expect(headers[0]!.get("Authorization")).toBe("Bearer dm_new_key");
    expect(headers[0]!.has(CSRF_HEADER)).toBe(false);
  });

  it("sends cookies only in a session", async () => {
    const inits: RequestInit[] = [];
    const base = (async (_u: RequestInfo | URL, init?: RequestInit) => {
      inits.push(init ?? {});
      return new Response("{}");
    }) as typeof fetch;
    await sessionFetch({ authorization: () => null, csrfToken: () => "t" }, base)("/x", { method: "POST" });
    await sessionFetch({ authorization: () => "Bearer dm_a_b", csrfToken: () => null }, base)("/x", { method: "POST" });
    expect(inits.map((i) => i.credentials)).toEqual(["include", "omit"]);
    expect(inits[0]!.method).toBe("POST");
  });
});
