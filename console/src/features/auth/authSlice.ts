import { createAsyncThunk, createSlice, type PayloadAction } from "@reduxjs/toolkit";
import { SessionError, type SessionProbe, type SessionView, type SignInOptions } from "@/api/session";
import type { ThunkExtra } from "@/api/api";

/**
 * Credential is how the user proved who they are: an API key (sent as a
 * bearer token), or a browser session the controller keeps behind an
 * HttpOnly cookie, of which the console holds only who it is and its CSRF
 * token (also readable in the session's CSRF cookie: nothing more secret).
 */
export type Credential = { kind: "apiKey"; key: string } | ({ kind: "session" } & SessionView);

export interface AuthState {
  credential: Credential | null;
  /** Why the user was sent back to sign in (a rejected key, an ended session), shown there. */
  notice: string | null;
  /** The ways to sign in the controller offered when last asked; null until asked. */
  options: SignInOptions | null;
  /** Asking the controller about the browser's session: idle, checking, done or failed (unreachable). */
  probe: "idle" | "checking" | "done" | "failed";
  probeError: string | null;
  /** The probe in flight, so an answer that a sign-in or sign-out overtook is dropped. */
  probeId?: string | null;
}

export const AUTH_STORAGE_KEY = "driftmgr.auth";

const empty: AuthState = { credential: null, notice: null, options: null, probe: "idle", probeError: null };

/** loadAuth reads the tab's credential: sessionStorage, so it dies with the tab. */
export function loadAuth(storage: Storage = sessionStorage): AuthState {
  try {
    const raw = storage.getItem(AUTH_STORAGE_KEY);
    if (raw) {
      const c = JSON.parse(raw) as Credential;
      if (c.kind === "apiKey" && typeof c.key === "string" && c.key) return { ...empty, credential: c };
      if (c.kind === "session" && typeof c.csrfToken === "string" && c.csrfToken && typeof c.userId === "string") {
        return { ...empty, credential: c };
      }
    }
  } catch {
    // A damaged entry is the same as none.
  }
  return empty;
}

export function saveAuth(s: AuthState, storage: Storage = sessionStorage): void {
  if (s.credential) storage.setItem(AUTH_STORAGE_KEY, JSON.stringify(s.credential));
  else storage.removeItem(AUTH_STORAGE_KEY);
}

/** looksLikeAPIKey accepts the controller's format dm_<id>_<secret>. */
export function looksLikeAPIKey(s: string): boolean {
  return /^dm_[a-z0-9]+_[a-z0-9]+$/i.test(s.trim());
}

/** authorizationHeader is the Authorization header of an API key; a session sends none (its cookie goes instead). */
export function authorizationHeader(c: Credential | null): string | null {
  return c?.kind === "apiKey" ? "Bearer " + c.key : null;
}

/** csrfToken is the session's CSRF token, sent on every call; null with an API key. */
export function csrfToken(c: Credential | null): string | null {
  return c?.kind === "session" ? c.csrfToken : null;
}

/** refusedNotice is what sign-in says after the controller refused the credential (a 401). */
export function refusedNotice(kind: Credential["kind"] | undefined): string {
  return kind === "session" ? "Your session has expired or was ended. Sign in again." : "Your API key was not accepted. Sign in again.";
}

export const expiredNotice = "Your session has expired. Sign in again.";

/**
 * probeSession asks the controller who this browser is signed in as: a
 * session cookie (after single sign-on, in a new tab, after a reload)
 * signs the console in; no session says which ways to sign in it offers.
 */
export const probeSession = createAsyncThunk<SessionProbe, void, { extra: ThunkExtra; state: { auth: AuthState }; rejectValue: string }>(
  "auth/probeSession",
  async (_arg, { extra, rejectWithValue }) => {
    try {
      return await extra.clients.session.probe();
    } catch (e) {
      return rejectWithValue(e instanceof Error ? e.message : String(e));
    }
  },
  // One question at a time (StrictMode runs effects twice).
  { condition: (_arg, { getState }) => getState().auth.probe !== "checking" },
);

/**
 * signOut ends a browser session on the controller before forgetting it
 * here; a key is only forgotten. A refused sign-out keeps the session (it
 * would still be valid on the controller) and returns the reason.
 */
export const signOut = createAsyncThunk<void, void, { extra: ThunkExtra; state: { auth: AuthState }; rejectValue: string }>(
  "auth/signOut",
  async (_arg, { extra, getState, dispatch, rejectWithValue }) => {
    const c = getState().auth.credential;
    if (c?.kind === "session") {
      try {
        await extra.clients.session.logout(c.csrfToken);
      } catch (e) {
        return rejectWithValue(e instanceof SessionError ? e.message : String(e));
      }
    }
    dispatch(signedOut());
  },
);

const authSlice = createSlice({
  name: "auth",
  initialState: empty,
  reducers: {
    signedIn(state, action: PayloadAction<Credential>) {
      const c = action.payload;
      state.credential = c.kind === "apiKey" ? { ...c, key: c.key.trim() } : c;
      state.notice = null;
      // A check still in flight is overtaken by this sign-in.
      if (state.probe === "checking") state.probe = "done";
      state.probeId = null;
    },
    /** signedOut forgets the credential; the payload is the notice shown at sign-in. */
    signedOut(state, action: PayloadAction<string | undefined>) {
      state.credential = null;
      state.notice = action.payload ?? null;
      // The next sign-in page asks again which ways are on.
      state.probe = "idle";
      state.probeId = null;
    },
  },
  extraReducers: (b) => {
    b.addCase(probeSession.pending, (state, action) => {
      state.probe = "checking";
      state.probeError = null;
      state.probeId = action.meta.requestId;
    });
    b.addCase(probeSession.fulfilled, (state, action) => {
      // Asked before the user signed in or out: the answer is stale.
      if (state.probeId !== action.meta.requestId) return;
      state.probeId = null;
      state.probe = "done";
      const p = action.payload;
      if (p.signedIn) {
        // A key the user chose in this tab wins over a cookie of another.
        if (state.credential?.kind !== "apiKey") {
          state.credential = { kind: "session", ...p.session };
          state.notice = null;
        }
        return;
      }
      state.options = p.options;
      if (state.credential?.kind === "session") {
        // The session this tab had ended elsewhere (signed out, expired, disabled).
        state.credential = null;
        state.notice = p.options.code === "session_expired" ? expiredNotice : refusedNotice("session");
      }
    });
    b.addCase(probeSession.rejected, (state, action) => {
      if (action.meta.condition || state.probeId !== action.meta.requestId) return;
      state.probeId = null;
      state.probe = "failed";
      state.probeError = action.payload ?? action.error.message ?? "Unknown error";
    });
  },
});

export const { signedIn, signedOut } = authSlice.actions;
export default authSlice.reducer;
