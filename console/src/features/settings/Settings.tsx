import { useAppDispatch, useAppSelector } from "@/app/hooks";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Label } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { useSignOut } from "@/features/auth/useSignOut";
import { dateTime } from "@/lib/format";
import { themeSet, type ThemeMode } from "@/features/theme/themeSlice";
import { pageSizes, pageSizeSet } from "./settingsSlice";

/** Settings: theme, inventory page size, and how this tab is signed in. */
export default function Settings() {
  const dispatch = useAppDispatch();
  const mode = useAppSelector((s) => s.theme.mode);
  const pageSize = useAppSelector((s) => s.settings.pageSize);
  const credential = useAppSelector((s) => s.auth.credential);
  const { signOut, busy } = useSignOut();
  return (
    <div className="flex max-w-2xl flex-col gap-4">
      <h1 className="text-xl font-semibold">Settings</h1>
      <Card>
        <CardHeader>
          <CardTitle>Appearance</CardTitle>
          <CardDescription>System follows your device's light or dark setting.</CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-2">
          <Label htmlFor="theme">Theme</Label>
          <Select
            id="theme"
            label="Theme"
            value={mode}
            onValueChange={(v) => dispatch(themeSet(v as ThemeMode))}
            options={[
              { value: "system", label: "System" },
              { value: "light", label: "Light" },
              { value: "dark", label: "Dark" },
            ]}
          />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Inventory</CardTitle>
          <CardDescription>Findings fetched per request while you scroll.</CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-2">
          <Label htmlFor="page-size">Page size</Label>
          <Select
            id="page-size"
            label="Page size"
            value={String(pageSize)}
            onValueChange={(v) => dispatch(pageSizeSet(Number(v)))}
            options={pageSizes.map((n) => ({ value: String(n), label: String(n) }))}
          />
        </CardContent>
      </Card>
      {credential?.kind === "session" ? (
        <Card>
          <CardHeader>
            <CardTitle>Session</CardTitle>
            <CardDescription>
              Signed in with {credential.method === "oidc" ? "single sign-on" : "a password"}; the session is kept in a secure cookie
              scripts cannot read.
            </CardDescription>
          </CardHeader>
          <CardContent className="flex flex-wrap items-center gap-3">
            <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
              <dt className="text-muted-foreground">User</dt>
              <dd>{[credential.name, credential.email].filter(Boolean).join(" · ") || credential.userId}</dd>
              <dt className="text-muted-foreground">Tenant</dt>
              <dd className="font-mono text-xs">{credential.tenant}</dd>
              <dt className="text-muted-foreground">Expires</dt>
              <dd>
                <time dateTime={credential.expiresAt}>{dateTime(credential.expiresAt)}</time>
              </dd>
            </dl>
            <Button variant="destructive" className="ml-auto" onClick={signOut} disabled={busy}>
              Sign out
            </Button>
          </CardContent>
        </Card>
      ) : (
        <Card>
          <CardHeader>
            <CardTitle>API key</CardTitle>
            <CardDescription>Kept in this tab only; closing the tab forgets it.</CardDescription>
          </CardHeader>
          <CardContent className="flex items-center gap-3">
            {/* The key's id part is public (it names the key); the secret is not shown. */}
            <code className="rounded bg-muted px-2 py-1 text-xs">
              dm_{credential?.kind === "apiKey" ? credential.key.split("_")[1] : ""}_••••••••
            </code>
            <Button variant="destructive" className="ml-auto" onClick={signOut} disabled={busy}>
              Sign out
            </Button>
          </CardContent>
        </Card>
      )}
    </div>
  );
}
