// Auth states and a fake /auth/ client for the unit tests.
import type { SessionClient, SessionView, SignInOptions } from "@/api/session";
import { SessionError } from "@/api/session";
import type { AuthState } from "@/features/auth/authSlice";

/** keyAuth is the state of a tab signed in with an API key. */
export function keyAuth(key = "dm_test_secret"): AuthState {
  return { credential: { kind: "apiKey", key }, notice: null, options: null, probe: "idle", probeError: null };
}

export const session: SessionView = {
  userId: "usr-ada",
  name: "Ada Lovelace",
  email: "ada@example.com",
  tenant: "acme",
  role: "admin",
  groups: [],
  method: "password",
  expiresAt: "2099-01-01T00:00:00Z",
  csrfToken: "csrf-123",
};

/** sessionAuth is the state of a tab signed in with a browser session (checked with the controller since load). */
export function sessionAuth(over: Partial<SessionView> = {}): AuthState {
  return { credential: { kind: "session", ...session, ...over }, notice: null, options: null, probe: "done", probeError: null };
}

interface FakeSession {
  /** What GET /auth/session says: a session, or the ways to sign in. */
  current: SessionView | SignInOptions;
  /** Accepted passwords as "tenant/username" -> password. */
  passwords?: Record<string, string>;
  /** A refusal for every password sign-in (password login turned off). */
  passwordError?: SessionError;
  logoutError?: SessionError;
}

/** fakeSession answers the /auth/ routes from memory and records what it was asked. */
export function fakeSession(init: FakeSession = { current: { sso: false, passwordLogin: false, code: "unavailable", message: "" } }) {
  const state = { ...init };
  const calls = { probe: 0, password: [] as { tenant: string; username: string; password: string }[], logout: [] as string[] };
  const client: SessionClient = {
    async probe() {
      calls.probe++;
      const c = state.current;
      return "csrfToken" in c ? { signedIn: true, session: c } : { signedIn: false, options: c };
    },
    async password(p) {
      calls.password.push(p);
      if (state.passwordError) throw state.passwordError;
      if (state.passwords?.[`${p.tenant}/${p.username}`] !== p.password) {
        throw new SessionError("bad_credentials", "Wrong tenant, username or password.", 401);
      }
      const s: SessionView = { ...session, tenant: p.tenant, userId: "usr-" + p.username, name: p.username };
      state.current = s;
      return s;
    },
    async logout(csrf) {
      calls.logout.push(csrf);
      if (state.logoutError) throw state.logoutError;
      state.current = { sso: false, passwordLogin: true, code: "unauthenticated", message: "Not signed in." };
    },
    ssoURL(next) {
      return "/auth/oidc/login?next=" + encodeURIComponent(next);
    },
  };
  return { client, calls, state };
}
