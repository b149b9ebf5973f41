import { useAppSelector } from "@/app/hooks";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { useMe } from "./permissions";
import { useSignOut } from "./useSignOut";

/**
 * UserMenu says who is signed in (name or email, tenant, role) and signs
 * out. The role and tenant come from WhoAmI, so they are what the
 * controller enforces, for a key as for a session.
 */
export function UserMenu() {
  const c = useAppSelector((s) => s.auth.credential);
  const me = useMe();
  const { signOut, busy } = useSignOut();
  if (!c) return null;
  const w = me.data;
  let who: string;
  let detail: string;
  if (c.kind === "session") {
    who = c.name || c.email || c.userId;
    detail = c.name && c.email ? c.email : "";
  } else {
    // A key's id is public (it names the key); its secret is never shown.
    who = `API key ${w?.apiKeyId || c.key.split("_")[1] || ""}`.trim();
    detail = w?.userId ? `acting as ${w.userId}` : w?.serviceAccountId ? `acting as ${w.serviceAccountId}` : "";
  }
  const tenant = w?.tenant ?? (c.kind === "session" ? c.tenant : "");
  const role = w?.role ?? (c.kind === "session" ? c.role : "");
  const summary = [who, detail, tenant && `tenant ${tenant}`, role && `role ${role}`].filter(Boolean).join(", ");
  return (
    <div className="flex items-center gap-2">
      <div role="group" aria-label={`Signed in: ${summary}`} className="flex items-center gap-2" title={summary}>
        <div className="hidden max-w-56 text-right leading-tight lg:block" aria-hidden="true">
          <p className="truncate text-sm font-medium">{who}</p>
          <p className="truncate text-xs text-muted-foreground">{[detail, tenant && `tenant ${tenant}`].filter(Boolean).join(" · ")}</p>
        </div>
        {role && (
          <Badge variant="outline" className="hidden sm:inline-flex" aria-hidden="true">
            {role}
          </Badge>
        )}
      </div>
      <Button variant="outline" size="sm" onClick={signOut} disabled={busy}>
        {busy ? "Signing out…" : "Sign out"}
      </Button>
    </div>
  );
}
