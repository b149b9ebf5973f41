// Small pieces the admin screens share.
import type { RoleView } from "@/api/adminModel";
import { Button } from "@/components/ui/button";
import { DialogFooter } from "@/components/ui/dialog";
import { ago, dateTime } from "@/lib/format";

/** When shows a time as "3 hours ago" with the full time on hover and for machines, or a word for none. */
export function When({ at, none = "—" }: { at: string | null; none?: string }) {
  if (!at) return <span className="text-muted-foreground">{none}</span>;
  return (
    <time dateTime={at} title={dateTime(at)} className="whitespace-nowrap">
      {ago(at)}
    </time>
  );
}

/**
 * assignableRoles are the roles an admin may hand out in a tenant: the
 * tenant's roles, and the platform owner's only to a caller who is one.
 * The controller refuses anything above the caller's own role.
 */
export function assignableRoles(roles: RoleView[], myRole: string): RoleView[] {
  const mine = roles.find((r) => r.name === myRole);
  return roles.filter((r) => !r.platform || mine?.platform);
}

/** sourceLabel names how a user signs in. */
export function sourceLabel(source: string): string {
  if (source === "oidc") return "Single sign-on";
  if (source === "local") return "Password";
  return source || "—";
}

/** MIN_PASSWORD is the controller's password policy: at least 12 characters. */
export const MIN_PASSWORD = 12;

/** passwordProblem says what is wrong with a new password, or null (characters, not bytes, are counted). */
export function passwordProblem(pw: string, confirm: string): string | null {
  const n = [...pw].length;
  if (n < MIN_PASSWORD) return `The password needs at least ${MIN_PASSWORD} characters (${n} so far).`;
  if (pw !== confirm) return "The two passwords differ.";
  return null;
}

/** idProblem checks the controller's id shape (service accounts): 1-63 of a-z 0-9 _ -, starting with a letter or digit. */
export function idProblem(id: string): string | null {
  if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(id)) return "Use 1 to 63 of a-z, 0-9, _ and -, starting with a letter or digit.";
  return null;
}

/** CreateFooter ends a create dialog's form: the server's refusal, if any, then Cancel and the submit button. */
export function CreateFooter({
  error,
  busy,
  onCancel,
  submit,
}: {
  error: string | null;
  busy: boolean;
  onCancel: () => void;
  submit: string;
}) {
  return (
    <>
      {error && (
        <p role="alert" className="rounded-md border border-destructive/60 p-2 text-sm text-destructive">
          {error}
        </p>
      )}
      <DialogFooter>
        <Button variant="outline" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" disabled={busy}>
          {busy ? "Creating…" : submit}
        </Button>
      </DialogFooter>
    </>
  );
}
