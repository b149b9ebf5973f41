import { useState, type FormEvent } from "react";
import { Navigate, useLocation, useNavigate } from "react-router";
import { useAppDispatch, useAppSelector } from "@/app/hooks";
import { useClients } from "@/app/clients";
import { toApiError, type Clients } from "@/api/transport";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input, Label } from "@/components/ui/input";
import { ThemeToggle } from "@/features/theme/ThemeToggle";
import { looksLikeAPIKey, signedIn } from "./authSlice";

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

/**
 * SignIn takes an API key. Single sign-on arrives with tenancy (OIDC): it
 * adds a second method here that ends in the same signedIn action.
 */
export function SignIn() {
  const clients = useClients();
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  const location = useLocation();
  const notice = useAppSelector((s) => s.auth.notice);
  const signedInAlready = useAppSelector((s) => s.auth.credential !== null);
  const [key, setKey] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const from = (location.state as { from?: string } | null)?.from ?? "/";

  if (signedInAlready && !busy) return <Navigate to={from} replace />;

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
    dispatch(signedIn({ kind: "apiKey", key }));
    navigate(from, { replace: true });
  };

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
            <CardDescription>Sign in with an API key. It is kept for this browser tab only.</CardDescription>
          </CardHeader>
          <CardContent>
            {notice && (
              <p role="alert" className="mb-3 rounded-md border border-destructive/50 p-2 text-sm text-destructive">
                {notice}
              </p>
            )}
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
                autoFocus
              />
              {error ? (
                <p id="api-key-error" role="alert" className="text-sm text-destructive">
                  {error}
                </p>
              ) : (
                <p id="api-key-help" className="text-xs text-muted-foreground">
                  <code>driftmgr ctl bootstrap</code> creates the first admin key; <code>driftmgr dev</code> prints one.
                </p>
              )}
              <Button type="submit" disabled={busy || key.trim() === ""}>
                {busy ? "Checking…" : "Sign in"}
              </Button>
            </form>
            {/* Single sign-on (OIDC) is added here by the tenancy issue. */}
          </CardContent>
        </Card>
      </main>
    </div>
  );
}
