import { useEffect, useId, useState, type FormEvent } from "react";
import { Navigate, useLocation, useNavigate } from "react-router";
import { useAppDispatch, useAppSelector } from "@/app/hooks";
import { useClients } from "@/app/clients";
import { api } from "@/api/api";
import { SessionError } from "@/api/session";
import { toApiError, type Clients } from "@/api/transport";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input, Label } from "@/components/ui/input";
import { ThemeToggle } from "@/features/theme/ThemeToggle";
import { looksLikeAPIKey, probeSession, signedIn } from "./authSlice";

/** verifyKey asks the controller whether it accepts the key; it returns the error to show, or null. */
export async function verifyKey(clients: Clients, key: string): Promise<string | null> {
  try {
    await clients.cluster.getHealth({}, { headers: { Authorization: "Bearer " + key.trim() } });
    return null;
  } catch (e) {
    const err = toApiError(e);
    if (err.unauthenticated) return "The controller did not accept this API key.";
    if (err.code === "PermissionDenied") return "This API key may not read the cluster.";
    return `The controller could not be reached (${err.message}).`;
  }
}

/** The tenant last signed in to with a password, offered again (not a secret). */
export const TENANT_STORAGE_KEY = "driftmgr.tenant";

/** PasswordForm signs in a local user: tenant, username and password, refused with the controller's sentence. */
function PasswordForm({ onSignedIn, autoFocus }: { onSignedIn: () => void; autoFocus: boolean }) {
  const clients = useClients();
  const dispatch = useAppDispatch();
  const [tenant, setTenant] = useState(() => localStorage.getItem(TENANT_STORAGE_KEY) ?? "");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const errorId = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!tenant.trim() || !username.trim() || !password) {
      setError("Tenant, username and password are all required.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const s = await clients.session.password({ tenant: tenant.trim(), username: username.trim(), password });
      localStorage.setItem(TENANT_STORAGE_KEY, tenant.trim());
      // Whatever an earlier sign-in of this tab fetched is not this user's to see.
      dispatch(api.util.resetApiState());
      dispatch(signedIn({ kind: "session", ...s }));
      onSignedIn();
    } catch (err) {
      setBusy(false);
      setPassword("");
      setError(err instanceof SessionError ? err.message : String(err));
    }
  };

  const described = error ? errorId : undefined;
  return (
    <form onSubmit={submit} className="flex flex-col gap-3" noValidate>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="tenant">Tenant</Label>
        <Input
          id="tenant"
          name="tenant"
          autoComplete="organization"
          spellCheck={false}
          value={tenant}
          onChange={(e) => setTenant(e.target.value)}
          autoFocus={autoFocus && tenant === ""}
          aria-invalid={error !== null}
          aria-describedby={described}
        />
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="username">Username</Label>
        <Input
          id="username"
          name="username"
          autoComplete="username"
          spellCheck={false}
          autoCapitalize="none"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          autoFocus={autoFocus && tenant !== ""}
          aria-invalid={error !== null}
          aria-describedby={described}
        />
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="password">Password</Label>
        <Input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-invalid={error !== null}
          aria-describedby={described}
        />
      </div>
      {error && (
        <p id={errorId} role="alert" className="text-sm text-destructive">
          {error}
        </p>
      )}
      <Button type="submit" disabled={busy}>
        {busy ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}

/** KeyForm takes an API key, checked with the controller before it is kept for this tab. */
function KeyForm({ onSignedIn, autoFocus }: { onSignedIn: () => void; autoFocus: boolean }) {
  const clients = useClients();
  const dispatch = useAppDispatch();
  const [key, setKey] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!looksLikeAPIKey(key)) {
      setError("An API key looks like dm_<id>_<secret>.");
      return;
    }
    setBusy(true);
    setError(null);
    const problem = await verifyKey(clients, key);
    if (problem) {
      setBusy(false);
      setError(problem);
      return;
    }
    dispatch(api.util.resetApiState());
    dispatch(signedIn({ kind: "apiKey", key }));
    onSignedIn();
  };

  return (
    <form onSubmit={submit} className="flex flex-col gap-3" noValidate>
      <Label htmlFor="api-key">API key</Label>
      <Input
        id="api-key"
        name="api-key"
        type="password"
        autoComplete="off"
        spellCheck={false}
        placeholder="dm_…"
        value={key}
        onChange={(e) => setKey(e.target.value)}
        aria-invalid={error !== null}
        aria-describedby={error ? "api-key-error" : "api-key-help"}
        autoFocus={autoFocus}
      />
      {error ? (
        <p id="api-key-error" role="alert" className="text-sm text-destructive">
          {error}
        </p>
      ) : (
        <p id="api-key-help" className="text-xs text-muted-foreground">
          Kept for this browser tab only. <code>driftmgr ctl bootstrap</code> creates the first admin key; <code>driftmgr dev</code> prints
          one.
        </p>
      )}
      <Button type="submit" variant={autoFocus ? "default" : "secondary"} disabled={busy || key.trim() === ""}>
        {busy ? "Checking…" : autoFocus ? "Sign in" : "Sign in with the key"}
      </Button>
    </form>
  );
}

function Divider() {
  return (
    <div className="my-4 flex items-center gap-3 text-xs text-muted-foreground" aria-hidden="true">
      <span className="h-px flex-1 bg-border" />
      or
      <span className="h-px flex-1 bg-border" />
    </div>
  );
}

/**
 * SignIn offers the ways the controller allows: single sign-on, a local
 * user's password, and an API key. Single sign-on and password sign in a
 * browser session (an HttpOnly cookie); a key is kept for this tab.
 */
export function SignIn() {
  const dispatch = useAppDispatch();
  const clients = useClients();
  const navigate = useNavigate();
  const location = useLocation();
  const { notice, options, probe, probeError } = useAppSelector((s) => s.auth);
  const signedInAlready = useAppSelector((s) => s.auth.credential !== null);
  const [keyOpen, setKeyOpen] = useState(false);
  const from = (location.state as { from?: string } | null)?.from ?? "/";

  // Ask which ways are on, and whether this browser already has a session
  // (it then goes straight on).
  useEffect(() => {
    if (probe === "idle") void dispatch(probeSession());
  }, [probe, dispatch]);

  if (signedInAlready) return <Navigate to={from} replace />;

  const done = () => navigate(from, { replace: true });
  const sso = options?.sso === true;
  const password = options?.passwordLogin === true;
  // Without another way, the key is the way, shown at once.
  const keyOnly = probe !== "checking" && probe !== "idle" && !sso && !password;

  return (
    <div className="theme-transition flex min-h-screen flex-col items-center justify-center bg-background p-4 text-foreground">
      <div className="absolute right-3 top-3">
        <ThemeToggle />
      </div>
      <main className="w-full max-w-md">
        <Card>
          <CardHeader>
            <h1 className="flex items-center gap-2 text-xl font-semibold">
              <img src="/favicon.svg" alt="" width="28" height="28" /> DriftMgr
            </h1>
            <CardTitle className="sr-only">Sign in</CardTitle>
            <CardDescription>Sign in to the console.</CardDescription>
          </CardHeader>
          <CardContent>
            {notice && (
              <p role="alert" className="mb-3 rounded-md border border-destructive/50 p-2 text-sm text-destructive">
                {notice}
              </p>
            )}
            {(probe === "idle" || probe === "checking") && (
              <p role="status" className="mb-3 text-sm text-muted-foreground">
                Checking for a session…
              </p>
            )}
            {probe === "failed" && (
              <div role="alert" className="mb-3 flex flex-col gap-2 rounded-md border border-destructive/50 p-2 text-sm">
                <p>The controller could not say how to sign in: {probeError}</p>
                <Button variant="outline" size="sm" className="self-start" onClick={() => void dispatch(probeSession())}>
                  Try again
                </Button>
              </div>
            )}
            {sso && (
              <section className="flex flex-col gap-2">
                <h2 id="sso-heading" className="sr-only">
                  Sign in with single sign-on
                </h2>
                <Button asChild>
                  <a href={clients.session.ssoURL(from)}>Sign in with SSO</a>
                </Button>
              </section>
            )}
            {sso && password && <Divider />}
            {password && (
              <section className="flex flex-col gap-2">
                <h2 id="password-heading" className="text-sm font-semibold">
                  Sign in with a password
                </h2>
                <PasswordForm onSignedIn={done} autoFocus={!sso} />
              </section>
            )}
            {keyOnly ? (
              <section className="flex flex-col gap-2">
                <h2 id="key-heading" className="sr-only">
                  Sign in with an API key
                </h2>
                <KeyForm onSignedIn={done} autoFocus />
              </section>
            ) : (
              (sso || password) && (
                <section className="mt-4 flex flex-col gap-2 border-t border-border pt-3">
                  <h2 id="key-heading" className="sr-only">
                    Sign in with an API key
                  </h2>
                  <Button
                    variant="link"
                    size="sm"
                    className="h-auto self-start p-0"
                    aria-expanded={keyOpen}
                    aria-controls="key-form"
                    onClick={() => setKeyOpen((o) => !o)}
                  >
                    {keyOpen ? "Hide the API key form" : "Use an API key"}
                  </Button>
                  <div id="key-form" hidden={!keyOpen}>
                    {keyOpen && <KeyForm onSignedIn={done} autoFocus={false} />}
                  </div>
                </section>
              )
            )}
          </CardContent>
        </Card>
      </main>
    </div>
  );
}
