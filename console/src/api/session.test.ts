import { describe, expect, it } from "vitest";
import { browserSession, SessionError } from "./session";

interface Seen {
  url: string;
  init: RequestInit;
}

function server(answer: (url: string, init: RequestInit) => Response) {
  const seen: Seen[] = [];
  const f = (async (input: RequestInfo | URL, init?: RequestInit) => {
    seen.push({ url: String(input), init: init ?? {} });
    return answer(String(input), init ?? {});
  }) as typeof fetch;
  return { client: browserSession("", f), seen };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

const info = {
  user_id: "usr-1",
  name: "Ada",
  email: "ada@example.com",
  tenant: "acme",
  role: "admin",
  method: "password",
  expires_at: "2099-01-01T00:00:00Z",
  csrf_token: "c1",
};

describe("the /auth/ client", () => {
  it("reads a signed-in session with the cookie", async () => {
    const { client, seen } = server(() => json(200, info));
    const p = await client.probe();
    expect(p).toEqual({
      signedIn: true,
      session: {
        userId: "usr-1",
        name: "Ada",
        email: "ada@example.com",
        tenant: "acme",
        role: "admin",
        groups: [],
        method: "password",
        expiresAt: "2099-01-01T00:00:00Z",
        csrfToken: "c1",
      },
    });
    expect(seen[0]!.url).toBe("/auth/session");
    expect(seen[0]!.init.credentials).toBe("include");
  });

  it("reads the ways to sign in from a 401", async () => {
    const { client } = server(() =>
      json(401, { error: "session_expired", message: "Your session has expired; sign in again.", sso: true, password_login: false }),
    );
    expect(await client.probe()).toEqual({
      signedIn: false,
      options: { sso: true, passwordLogin: false, code: "session_expired", message: "Your session has expired; sign in again." },
    });
  });

  it("takes a controller without /auth/ (it answers with the console's page) as offering keys only", async () => {
    const { client } = server(() => new Response("<!doctype html>", { status: 200, headers: { "Content-Type": "text/html" } }));
    const p = await client.probe();
    expect(p).toMatchObject({ signedIn: false, options: { sso: false, passwordLogin: false, code: "unavailable" } });
  });

  it("posts a password as JSON and returns the controller's sentence when it refuses", async () => {
    const { client, seen } = server(() => json(401, { error: "bad_credentials", message: "Wrong tenant, username or password." }));
    const err = await client.password({ tenant: "acme", username: "ada", password: "x" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SessionError);
    expect(err).toMatchObject({ code: "bad_credentials", message: "Wrong tenant, username or password.", status: 401 });
    expect(seen[0]!.url).toBe("/auth/password");
    expect(seen[0]!.init.method).toBe("POST");
    expect(JSON.parse(String(seen[0]!.init.body))).toEqual({ tenant: "acme", username: "ada", password: "x" });
    expect(new Headers(seen[0]!.init.headers).get("Content-Type")).toBe("application/json");
  });

  it("signs out with the CSRF token", async () => {
    const { client, seen } = server(() => new Response(null, { status: 204 }));
    await client.logout("c1");
    expect(seen[0]!.url).toBe("/auth/logout");
    expect(seen[0]!.init.method).toBe("POST");
    expect(new Headers(seen[0]!.init.headers).get("X-CSRF-Token")).toBe("c1");
    expect(seen[0]!.init.credentials).toBe("include");
  });

  it("says a refused sign-out's reason", async () => {
    const { client } = server(() => json(403, { error: "csrf", message: "This request needs the session's CSRF token." }));
    await expect(client.logout("wrong")).rejects.toMatchObject({ code: "csrf", message: "This request needs the session's CSRF token." });
  });

  it("names an unreachable controller", async () => {
    const client = browserSession("", (async () => {
      throw new TypeError("Failed to fetch");
    }) as typeof fetch);
    await expect(client.probe()).rejects.toMatchObject({ code: "unreachable", message: expect.stringMatching(/could not be reached/) });
  });

  it("starts single sign-on with where to come back", () => {
    expect(browserSession().ssoURL("/inventory?severity=high")).toBe("/auth/oidc/login?next=%2Finventory%3Fseverity%3Dhigh");
  });
});
