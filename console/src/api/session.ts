// The browser session's routes under /auth/ (controller/oidc): who is
// signed in, password sign-in, sign-out and the single sign-on start. They
// are plain HTTP with JSON, not Connect; this is the one place that knows
// their paths and shapes.

/** SessionInfo is GET /auth/session's answer (200) for a signed-in browser, as the controller writes it. */
interface SessionInfoJSON {
  user_id: string;
  name?: string;
  email?: string;
  tenant: string;
  role: string;
  groups?: string[];
  method: string;
  expires_at: string;
  csrf_token: string;
}

/** AnonymousInfo is GET /auth/session's answer (401) without a session: the ways to sign in. */
interface AnonymousInfoJSON {
  error: string;
  message: string;
  sso: boolean;
  password_login: boolean;
}

/** SessionView is a signed-in browser session as the console keeps it. */
export interface SessionView {
  userId: string;
  name: string;
  email: string;
  tenant: string;
  role: string;
  groups: string[];
  /** How the session signed in: "oidc" or "password". */
  method: string;
  expiresAt: string;
  csrfToken: string;
}

/** SignInOptions are the ways the controller offers to sign in, and why there is no session. */
export interface SignInOptions {
  sso: boolean;
  passwordLogin: boolean;
  /** "unauthenticated", "session_expired", or "unavailable" when the controller serves no sessions. */
  code: string;
  message: string;
}

export type SessionProbe = { signedIn: true; session: SessionView } | { signedIn: false; options: SignInOptions };

/** SessionError is a refusal from /auth/: the controller's code and its sentence for the person signing in. */
export class SessionError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
  ) {
    super(message);
    this.name = "SessionError";
  }
}

export interface SessionClient {
  /** probe asks who this browser is signed in as; network failures throw a SessionError "unreachable". */
  probe(): Promise<SessionProbe>;
  /** password signs in with a local user's password; a refusal throws a SessionError with the server's message. */
  password(p: { tenant: string; username: string; password: string }): Promise<SessionView>;
  /** logout ends the session on the controller (every controller) and clears its cookies. */
  logout(csrfToken: string): Promise<void>;
  /** ssoURL is where the browser goes to sign in with single sign-on, coming back to next. */
  ssoURL(next: string): string;
}

export const SESSION_PATH = "/auth/session";
export const PASSWORD_PATH = "/auth/password";
export const LOGOUT_PATH = "/auth/logout";
export const SSO_LOGIN_PATH = "/auth/oidc/login";

/** unreachable says whether a message is fetch's own wording for no network or no server. */
export function unreachable(message: string): boolean {
  return /failed to fetch|networkerror|load failed/i.test(message);
}

export const unreachableText = "The controller could not be reached. The console retries when the connection is back.";

function toSession(j: SessionInfoJSON): SessionView {
  return {
    userId: j.user_id,
    name: j.name ?? "",
    email: j.email ?? "",
    tenant: j.tenant,
    role: j.role,
    groups: j.groups ?? [],
    method: j.method,
    expiresAt: j.expires_at,
    csrfToken: j.csrf_token,
  };
}

/** noSessions is what a controller without /auth/ (an older release) amounts to: API keys only. */
const noSessions: SignInOptions = {
  sso: false,
  passwordLogin: false,
  code: "unavailable",
  message: "This controller does not offer browser sign-in; use an API key.",
};

async function readJSON(r: Response): Promise<unknown> {
  // An older controller answers /auth/ with the console's index.html.
  if (!(r.headers.get("Content-Type") ?? "").includes("application/json")) return null;
  try {
    return await r.json();
  } catch {
    return null;
  }
}

function isSessionInfo(v: unknown): v is SessionInfoJSON {
  const o = v as Partial<SessionInfoJSON> | null;
  return typeof o?.user_id === "string" && typeof o.csrf_token === "string" && typeof o.tenant === "string";
}

function refusal(r: Response, body: unknown, fallback: string): SessionError {
  const b = body as { error?: string; message?: string } | null;
  return new SessionError(b?.error || `http_${r.status}`, b?.message || `${fallback} (HTTP ${r.status}).`, r.status);
}

/** browserSession talks to the controller serving this page, with its cookies. */
export function browserSession(base = "", fetchImpl: typeof fetch = (...a) => globalThis.fetch(...a)): SessionClient {
  const send = async (path: string, init: RequestInit): Promise<Response> => {
    try {
      return await fetchImpl(base + path, {
        ...init,
        credentials: "include",
        cache: "no-store",
        headers: { Accept: "application/json", ...init.headers },
      });
    } catch (e) {
      const m = e instanceof Error ? e.message : String(e);
      throw new SessionError("unreachable", unreachable(m) ? unreachableText : m);
    }
  };
  return {
    async probe() {
      const r = await send(SESSION_PATH, { method: "GET" });
      const body = await readJSON(r);
      if (r.ok && isSessionInfo(body)) return { signedIn: true, session: toSession(body) };
      if (r.status === 401 && body) {
        const a = body as AnonymousInfoJSON;
        return {
          signedIn: false,
          options: { sso: a.sso === true, passwordLogin: a.password_login === true, code: a.error ?? "", message: a.message ?? "" },
        };
      }
      if (body === null && (r.ok || r.status === 404)) return { signedIn: false, options: noSessions };
      throw refusal(r, body, "The session could not be read");
    },
    async password(p) {
      const r = await send(PASSWORD_PATH, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(p),
      });
      const body = await readJSON(r);
      if (r.ok && isSessionInfo(body)) return toSession(body);
      throw refusal(r, body, "Sign-in failed");
    },
    async logout(csrfToken) {
      const r = await send(LOGOUT_PATH, { method: "POST", headers: { "X-CSRF-Token": csrfToken } });
      if (r.ok) return;
      throw refusal(r, await readJSON(r), "Sign-out failed");
    },
    ssoURL(next) {
      return `${base}${SSO_LOGIN_PATH}?next=${encodeURIComponent(next)}`;
    },
  };
}
