import { createSlice, type PayloadAction } from "@reduxjs/toolkit";

/**
 * Credential is how the user proved who they are. Only API keys exist
 * today; OIDC (the tenancy issue) adds { kind: "oidc"; idToken; expiresAt }
 * and a refresh step, and the transport's Credentials reads it the same way.
 */
export type Credential = { kind: "apiKey"; key: string };

export interface AuthState {
  credential: Credential | null;
  /** Why the user was sent back to sign in (a rejected key), shown there. */
  notice: string | null;
}

export const AUTH_STORAGE_KEY = "driftmgr.auth";

/** loadAuth reads the session's credential: sessionStorage, so it dies with the tab. */
export function loadAuth(storage: Storage = sessionStorage): AuthState {
  try {
    const raw = storage.getItem(AUTH_STORAGE_KEY);
    if (raw) {
      const c = JSON.parse(raw) as Credential;
      if (c.kind === "apiKey" && typeof c.key === "string" && c.key) return { credential: c, notice: null };
    }
  } catch {
    // A damaged entry is the same as none.
  }
  return { credential: null, notice: null };
}

export function saveAuth(s: AuthState, storage: Storage = sessionStorage): void {
  if (s.credential) storage.setItem(AUTH_STORAGE_KEY, JSON.stringify(s.credential));
  else storage.removeItem(AUTH_STORAGE_KEY);
}

/** looksLikeAPIKey accepts the controller's format dm_<id>_<secret>. */
export function looksLikeAPIKey(s: string): boolean {
  return /^dm_[a-z0-9]+_[a-z0-9]+$/i.test(s.trim());
}

/** authorizationHeader is the HTTP header value for a credential. */
export function authorizationHeader(c: Credential | null): string | null {
  if (!c) return null;
  return "Bearer " + c.key;
}

const authSlice = createSlice({
  name: "auth",
  initialState: { credential: null, notice: null } as AuthState,
  reducers: {
    signedIn(state, action: PayloadAction<Credential>) {
      state.credential = { ...action.payload, key: action.payload.key.trim() };
      state.notice = null;
    },
    /** signedOut forgets the credential; the payload is the notice shown at sign-in. */
    signedOut(state, action: PayloadAction<string | undefined>) {
      state.credential = null;
      state.notice = action.payload ?? null;
    },
  },
});

export const { signedIn, signedOut } = authSlice.actions;
export default authSlice.reducer;
