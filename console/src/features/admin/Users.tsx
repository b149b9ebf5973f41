import { useState, type FormEvent } from "react";
import { useCreateUserMutation, useListRolesQuery, useListUsersQuery, useUpdateUserMutation } from "@/api/adminApi";
import type { RoleView, UserView } from "@/api/adminModel";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Input, Label } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Loading } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { toast } from "@/components/ui/toast";
import { Actions, useCan, useMe } from "@/features/auth/permissions";
import { count } from "@/lib/format";
import { errText } from "./errors";
import { PasswordLogin } from "./PasswordLogin";
import { assignableRoles, CreateFooter, MIN_PASSWORD, passwordProblem, sourceLabel, When } from "./shared";

/** CreateUserDialog adds a local user who signs in with a password (at least 12 characters). */
function CreateUserDialog({ roles }: { roles: RoleView[] }) {
  const [open, setOpen] = useState(false);
  const [create, state] = useCreateUserMutation();
  const [form, setForm] = useState({ username: "", displayName: "", email: "", role: "viewer", password: "", confirm: "" });
  const [error, setError] = useState<string | null>(null);
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm((f) => ({ ...f, [k]: e.target.value }));
  const pwCount = [...form.password].length;

  const reset = () => {
    setForm({ username: "", displayName: "", email: "", role: "viewer", password: "", confirm: "" });
    setError(null);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!form.username.trim()) return setError("A username is required.");
    const pw = passwordProblem(form.password, form.confirm);
    if (pw) return setError(pw);
    setError(null);
    const r = await create({
      username: form.username.trim().toLowerCase(),
      displayName: form.displayName.trim(),
      email: form.email.trim(),
      role: form.role,
      password: form.password,
    });
    if ("error" in r) {
      setError(errText(r.error));
      return;
    }
    toast({ title: `User ${r.data.username} created`, description: `Role ${r.data.role}; they sign in with the password you set.` });
    reset();
    setOpen(false);
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (!o) reset();
      }}
    >
      <DialogTrigger asChild>
        <Button>Create user</Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Create a local user</DialogTitle>
          <DialogDescription>They sign in with this password. Single sign-on users are created by their first sign-in.</DialogDescription>
        </DialogHeader>
        <form onSubmit={submit} noValidate className="flex flex-col gap-3">
          <div className="grid gap-3 sm:grid-cols-2">
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="new-username">Username</Label>
              <Input id="new-username" autoComplete="off" spellCheck={false} value={form.username} onChange={set("username")} required />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="new-role">Role</Label>
              <Select
                id="new-role"
                label="Role"
                value={form.role}
                onValueChange={(v) => setForm((f) => ({ ...f, role: v }))}
                options={roles.map((r) => ({ value: r.name, label: r.name }))}
              />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="new-name">Display name</Label>
              <Input id="new-name" autoComplete="off" value={form.displayName} onChange={set("displayName")} />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="new-email">Email</Label>
              <Input id="new-email" type="email" autoComplete="off" value={form.email} onChange={set("email")} />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="new-password">Password</Label>
              <Input
                id="new-password"
                type="password"
                autoComplete="new-password"
                value={form.password}
                onChange={set("password")}
                aria-describedby="new-password-policy"
                required
              />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="new-password-confirm">Repeat the password</Label>
              <Input
                id="new-password-confirm"
                type="password"
                autoComplete="new-password"
                value={form.confirm}
                onChange={set("confirm")}
                required
              />
            </div>
          </div>
          <p id="new-password-policy" className="text-xs text-muted-foreground" aria-live="polite">
            At least {MIN_PASSWORD} characters{pwCount > 0 && pwCount < MIN_PASSWORD ? ` (${pwCount} so far)` : ""}.
          </p>
          {roles.find((r) => r.name === form.role)?.description && (
            <p className="text-xs text-muted-foreground">
              <span className="font-medium text-foreground">{form.role}:</span> {roles.find((r) => r.name === form.role)?.description}
            </p>
          )}
          <CreateFooter error={error} busy={state.isLoading} onCancel={() => setOpen(false)} submit="Create user" />
        </form>
      </DialogContent>
    </Dialog>
  );
}

function UserRow({ u, roles, me, canManage }: { u: UserView; roles: RoleView[]; me: string; canManage: boolean }) {
  const [update, state] = useUpdateUserMutation();
  const [confirmOpen, setConfirmOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const self = u.id === me;
  const name = u.displayName || u.username;
  // A role the table does not offer (an owner seen by an admin) is still shown.
  const options = roles.some((r) => r.name === u.role)
    ? roles
    : [...roles, { name: u.role, description: "", actions: [], platform: false }];

  const setRole = async (role: string) => {
    if (role === u.role) return;
    const r = await update({ id: u.id, role });
    if ("error" in r) toast({ title: `The role of ${u.username} was not changed`, description: errText(r.error), variant: "error" });
    else toast({ title: `${u.username} is now ${r.data.role}` });
  };
  const toggle = async () => {
    const r = await update({ id: u.id, disabled: !u.disabled });
    if ("error" in r) {
      setError(errText(r.error));
      return;
    }
    setConfirmOpen(false);
    setError(null);
    toast({ title: `${u.username} ${r.data.disabled ? "disabled" : "enabled"}` });
  };

  return (
    <TableRow className={u.disabled ? "text-muted-foreground" : undefined}>
      <TableCell>
        <div className="font-medium">
          {name}
          {self && <span className="ml-1 text-xs font-normal text-muted-foreground">(you)</span>}
        </div>
        <div className="font-mono text-xs text-muted-foreground">{u.username}</div>
        {u.email && <div className="text-xs text-muted-foreground">{u.email}</div>}
      </TableCell>
      <TableCell>
        {canManage && !self ? (
          <Select
            label={`Role of ${u.username}`}
            value={u.role}
            onValueChange={(v) => void setRole(v)}
            options={options.map((r) => ({ value: r.name, label: r.name }))}
            className="h-8 w-32"
          />
        ) : (
          <Badge variant="outline">{u.role}</Badge>
        )}
      </TableCell>
      <TableCell className="text-xs" title={u.source === "oidc" ? `${u.issuer} ${u.subject}` : undefined}>
        {sourceLabel(u.source)}
      </TableCell>
      <TableCell>{u.disabled ? <Badge variant="muted">Disabled</Badge> : <Badge variant="success">Enabled</Badge>}</TableCell>
      <TableCell className="text-xs">
        <When at={u.lastLoginAt} none="Never" />
      </TableCell>
      <TableCell className="text-xs">
        <When at={u.createdAt} />
        {u.createdBy && <div className="font-mono text-muted-foreground">{u.createdBy}</div>}
      </TableCell>
      <TableCell>
        {canManage &&
          (self ? (
            <span className="text-xs text-muted-foreground">Your own account</span>
          ) : (
            <>
              <Button
                variant={u.disabled ? "outline" : "destructive"}
                size="sm"
                disabled={state.isLoading}
                onClick={() => {
                  setError(null);
                  if (u.disabled) void toggle();
                  else setConfirmOpen(true);
                }}
              >
                {u.disabled ? "Enable" : "Disable"} <span className="sr-only">{u.username}</span>
              </Button>
              <ConfirmDialog
                open={confirmOpen}
                onOpenChange={setConfirmOpen}
                title={`Disable ${u.username}?`}
                confirm="Disable user"
                onConfirm={() => void toggle()}
                busy={state.isLoading}
                error={error}
              >
                <p>Their console sessions end at once on every controller, and their API keys are refused until you enable them again.</p>
              </ConfirmDialog>
            </>
          ))}
      </TableCell>
    </TableRow>
  );
}

/** Users lists the tenant's people: role, how they sign in, enabled or not, last sign-in; admins create, re-role and disable them. */
export function Users() {
  const users = useListUsersQuery();
  const roles = useListRolesQuery();
  const me = useMe();
  const canManage = useCan(Actions.usersManage);
  const offered = assignableRoles(roles.data?.roles ?? [], me.data?.role ?? "");

  let body: React.ReactNode;
  if (users.isLoading) body = <Loading label="Loading users" rows={4} />;
  else if (users.isError)
    body = <ErrorState title="Users could not be listed" message={errText(users.error)} onRetry={() => void users.refetch()} />;
  else if (!users.data || users.data.length === 0)
    body = <EmptyState title="No users yet">Create a local user, or let people sign in with single sign-on.</EmptyState>;
  else {
    const list = [...users.data].sort((a, b) => Number(a.disabled) - Number(b.disabled) || a.username.localeCompare(b.username));
    body = (
      <Card className="overflow-hidden">
        <Table>
          <TableCaption className="sr-only">Users of tenant {me.data?.tenant}</TableCaption>
          <TableHeader className="bg-muted">
            <TableRow>
              <TableHead scope="col">User</TableHead>
              <TableHead scope="col">Role</TableHead>
              <TableHead scope="col">Signs in with</TableHead>
              <TableHead scope="col">Status</TableHead>
              <TableHead scope="col">Last sign-in</TableHead>
              <TableHead scope="col">Created</TableHead>
              <TableHead scope="col">
                <span className="sr-only">Actions</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {list.map((u) => (
              <UserRow key={u.id} u={u} roles={offered} me={me.data?.userId ?? ""} canManage={canManage} />
            ))}
          </TableBody>
        </Table>
      </Card>
    );
  }
  const n = users.data?.length ?? 0;
  const disabled = users.data?.filter((u) => u.disabled).length ?? 0;
  return (
    <section aria-labelledby="users-heading" className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center gap-3">
        <div>
          <h2 id="users-heading" className="text-lg font-semibold">
            Users
          </h2>
          {users.data && (
            <p className="text-sm text-muted-foreground">
              {count(n)} user{n === 1 ? "" : "s"}
              {disabled > 0 && `, ${count(disabled)} disabled`}
            </p>
          )}
        </div>
        {canManage && offered.length > 0 && (
          <div className="ml-auto">
            <CreateUserDialog roles={offered} />
          </div>
        )}
      </div>
      {roles.isError && <p className="text-sm text-destructive">The roles could not be read: {errText(roles.error)}</p>}
      {body}
      <PasswordLogin />
    </section>
  );
}
