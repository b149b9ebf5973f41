import { useMemo, useState, type FormEvent } from "react";
import {
  adminApi,
  useListAPIKeysQuery,
  useListRolesQuery,
  useListServiceAccountsQuery,
  useListUsersQuery,
  useRevokeAPIKeyMutation,
} from "@/api/adminApi";
import { keyState, type APIKeyView, type RoleView, type ServiceAccountView, type UserView } from "@/api/adminModel";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { CopyButton } from "@/components/ui/copy-button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Input, Label } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Loading } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { toast } from "@/components/ui/toast";
import { useMe } from "@/features/auth/permissions";
import { useAppDispatch } from "@/app/hooks";
import { count } from "@/lib/format";
import { errText } from "./errors";
import { assignableRoles, CreateFooter, When } from "./shared";

const day = 86400;

/** Lifetimes offered for a new key; a key that never expires is a choice, not the default. */
export const lifetimes = [
  { value: String(7 * day), label: "7 days" },
  { value: String(30 * day), label: "30 days" },
  { value: String(90 * day), label: "90 days" },
  { value: String(365 * day), label: "1 year" },
  { value: "0", label: "Never expires" },
];

// Radix Select has no empty value: this one stands for "the owner's role".
const ownerRole = "owner-role";

interface Owners {
  users: UserView[];
  accounts: ServiceAccountView[];
}

/** ownerName says who a key acts as. */
function ownerName(k: APIKeyView, o: Owners): { label: string; kind: string } {
  if (k.userId) {
    const u = o.users.find((x) => x.id === k.userId);
    return { label: u ? u.username : k.userId, kind: "user" };
  }
  if (k.serviceAccountId) return { label: k.serviceAccountId, kind: "service account" };
  return { label: "No owner", kind: "a key made before keys had owners" };
}

/** NewSecret shows a new key's secret once, with a copy button and what losing it means. */
function NewSecret({ secret, id, onDone }: { secret: string; id: string; onDone: () => void }) {
  return (
    <div className="flex flex-col gap-3">
      <div
        role="alert"
        className="rounded-md border border-amber-600/70 bg-amber-50 p-3 text-sm text-amber-950 dark:bg-amber-950/40 dark:text-amber-100"
      >
        <p className="font-semibold">Copy this key now: it is shown only once.</p>
        <p className="mt-1">
          DriftMgr keeps only its hash and cannot show it again. Store it in a secret manager; if it is lost, revoke key {id} and create
          another.
        </p>
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="new-key-secret">New API key</Label>
        <div className="flex gap-2">
          <Input
            id="new-key-secret"
            readOnly
            value={secret}
            spellCheck={false}
            autoComplete="off"
            className="font-mono text-xs"
            onFocus={(e) => e.currentTarget.select()}
          />
          <CopyButton text={secret} what="API key" className="h-9">
            Copy key
          </CopyButton>
        </div>
      </div>
      <DialogFooter>
        <Button onClick={onDone}>I have stored the key</Button>
      </DialogFooter>
    </div>
  );
}

/**
 * CreateKeyDialog issues a key acting as a user or a service account. The
 * secret lives in this dialog's state only (never the store) and is gone
 * when it closes.
 */
function CreateKeyDialog({ owners, roles, me }: { owners: Owners; roles: RoleView[]; me: string }) {
  const [open, setOpen] = useState(false);
  const dispatch = useAppDispatch();
  const [busy, setBusy] = useState(false);
  const ownerOptions = useMemo(
    () => [
      ...owners.users.filter((u) => !u.disabled).map((u) => ({ value: "user:" + u.id, label: `${u.username} (user)` })),
      ...owners.accounts.map((a) => ({ value: "sa:" + a.id, label: `${a.id} (service account)` })),
    ],
    [owners],
  );
  const defaultOwner = ownerOptions.find((o) => o.value === "user:" + me)?.value ?? ownerOptions[0]?.value ?? "";
  const [owner, setOwner] = useState("");
  const [role, setRole] = useState(ownerRole);
  const [description, setDescription] = useState("");
  const [ttl, setTtl] = useState(String(90 * day));
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ id: string; secret: string } | null>(null);
  const chosen = owner || defaultOwner;

  const close = () => {
    setOpen(false);
    setCreated(null);
    setOwner("");
    setRole(ownerRole);
    setDescription("");
    setTtl(String(90 * day));
    setError(null);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!chosen) return setError("Choose who the key acts as.");
    setError(null);
    const [kind, ...rest] = chosen.split(":");
    setBusy(true);
    // Untracked: the answer, with its secret, is never written to the store.
    const r = await dispatch(
      adminApi.endpoints.createAPIKey.initiate(
        {
          owner: { kind: kind === "user" ? "user" : "serviceAccount", id: rest.join(":") },
          role: role === ownerRole ? "" : role,
          description: description.trim(),
          ttlSeconds: Number(ttl),
        },
        { track: false },
      ),
    );
    setBusy(false);
    if ("error" in r) return setError(errText(r.error));
    if (!r.data) return setError("The controller returned no key.");
    setCreated({ id: r.data.key.id, secret: r.data.secret });
  };

  return (
    <Dialog open={open} onOpenChange={(o) => (o ? setOpen(true) : close())}>
      <DialogTrigger asChild>
        <Button disabled={ownerOptions.length === 0}>Create API key</Button>
      </DialogTrigger>
      <DialogContent
        // A click beside the dialog must not throw away a secret shown once.
        onInteractOutside={(e) => created && e.preventDefault()}
      >
        <DialogHeader>
          <DialogTitle>{created ? "Your new API key" : "Create an API key"}</DialogTitle>
          <DialogDescription>
            {created ? `Key ${created.id} is active now.` : "The key acts as its owner, with the lower of its own role and the owner's."}
          </DialogDescription>
        </DialogHeader>
        {created ? (
          <NewSecret secret={created.secret} id={created.id} onDone={close} />
        ) : (
          <form onSubmit={submit} noValidate className="flex flex-col gap-3">
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="key-owner">Acts as</Label>
              <Select id="key-owner" label="Acts as" value={chosen} onValueChange={setOwner} options={ownerOptions} />
            </div>
            <div className="grid gap-3 sm:grid-cols-2">
              <div className="flex flex-col gap-1.5">
                <Label htmlFor="key-role">Role</Label>
                <Select
                  id="key-role"
                  label="Role"
                  value={role}
                  onValueChange={setRole}
                  options={[{ value: ownerRole, label: "The owner's role" }, ...roles.map((r) => ({ value: r.name, label: r.name }))]}
                />
              </div>
              <div className="flex flex-col gap-1.5">
                <Label htmlFor="key-ttl">Expires after</Label>
                <Select id="key-ttl" label="Expires after" value={ttl} onValueChange={setTtl} options={lifetimes} />
              </div>
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="key-description">Description</Label>
              <Input
                id="key-description"
                value={description}
                onChange={(e) => setDescription(e.target.value)}
                aria-describedby="key-description-help"
              />
              <p id="key-description-help" className="text-xs text-muted-foreground">
                Where the key is used, so whoever reads the list later knows what revoking it breaks.
              </p>
            </div>
            <CreateFooter error={error} busy={busy} onCancel={close} submit="Create key" />
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}

const stateBadge = {
  active: <Badge variant="success">Active</Badge>,
  revoked: <Badge variant="critical">Revoked</Badge>,
  expired: <Badge variant="muted">Expired</Badge>,
};

function KeyRow({ k, owners, mine }: { k: APIKeyView; owners: Owners; mine: boolean }) {
  const [revoke, rstate] = useRevokeAPIKeyMutation();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const st = keyState(k);
  const owner = ownerName(k, owners);
  const confirm = async () => {
    const r = await revoke(k.id);
    if ("error" in r) return setError(errText(r.error));
    setOpen(false);
    toast({ title: `Key ${k.id} revoked`, description: "Every controller refuses it now." });
  };
  return (
    <TableRow className={st !== "active" ? "text-muted-foreground" : undefined}>
      <TableCell>
        <div className="font-mono text-xs font-semibold">
          {k.id}
          {mine && <span className="ml-1 font-sans font-normal text-muted-foreground">(this session's key)</span>}
        </div>
        {k.description && (
          <div className="max-w-64 truncate text-xs text-muted-foreground" title={k.description}>
            {k.description}
          </div>
        )}
      </TableCell>
      <TableCell className="text-sm">
        <span className={owner.kind === "user" || owner.kind === "service account" ? "font-mono text-xs" : "text-xs"}>{owner.label}</span>
        <div className="text-xs text-muted-foreground">{owner.kind}</div>
      </TableCell>
      <TableCell>
        <Badge variant="outline">{k.role}</Badge>
      </TableCell>
      <TableCell className="text-xs">
        <When at={k.createdAt} />
        {k.createdBy && <div className="font-mono text-muted-foreground">{k.createdBy}</div>}
      </TableCell>
      <TableCell className="text-xs">
        <When at={k.expiresAt} none="Never" />
      </TableCell>
      <TableCell className="text-xs">
        <When at={k.lastUsedAt} none="Never" />
      </TableCell>
      <TableCell className="text-xs">
        {stateBadge[st]}
        {k.revokedAt && (
          <div className="mt-0.5">
            <When at={k.revokedAt} />
          </div>
        )}
      </TableCell>
      <TableCell>
        {!k.revoked && (
          <>
            <Button
              variant="destructive"
              size="sm"
              onClick={() => {
                setError(null);
                setOpen(true);
              }}
            >
              Revoke <span className="sr-only">key {k.id}</span>
            </Button>
            <ConfirmDialog
              open={open}
              onOpenChange={setOpen}
              title={`Revoke key ${k.id}?`}
              confirm="Revoke key"
              onConfirm={() => void confirm()}
              busy={rstate.isLoading}
              error={error}
            >
              <p>
                Every controller refuses it as soon as this returns; whatever uses it ({owner.label}
                {k.description ? `, ${k.description}` : ""}) starts failing. This cannot be undone.
              </p>
              {mine && <p className="font-medium text-destructive">This is the key this tab is signed in with: you will be signed out.</p>}
            </ConfirmDialog>
          </>
        )}
      </TableCell>
    </TableRow>
  );
}

/** ApiKeys lists the tenant's API keys (never their secrets); admins create and revoke them. */
export function ApiKeys() {
  const keys = useListAPIKeysQuery();
  const users = useListUsersQuery();
  const accounts = useListServiceAccountsQuery();
  const roles = useListRolesQuery();
  const me = useMe();
  const owners: Owners = useMemo(() => ({ users: users.data ?? [], accounts: accounts.data ?? [] }), [users.data, accounts.data]);
  const offered = assignableRoles(roles.data?.roles ?? [], me.data?.role ?? "");

  let body: React.ReactNode;
  if (keys.isLoading) body = <Loading label="Loading API keys" rows={4} />;
  else if (keys.isError)
    body = <ErrorState title="API keys could not be listed" message={errText(keys.error)} onRetry={() => void keys.refetch()} />;
  else if (!keys.data || keys.data.length === 0)
    body = <EmptyState title="No API keys">Create one for a user or a service account.</EmptyState>;
  else {
    const rank = { active: 0, expired: 1, revoked: 2 };
    const list = [...keys.data].sort(
      (a, b) => rank[keyState(a)] - rank[keyState(b)] || (b.createdAt ?? "").localeCompare(a.createdAt ?? "") || a.id.localeCompare(b.id),
    );
    body = (
      <Card className="overflow-hidden">
        <Table>
          <TableCaption className="sr-only">API keys</TableCaption>
          <TableHeader className="bg-muted">
            <TableRow>
              <TableHead scope="col">Key</TableHead>
              <TableHead scope="col">Owner</TableHead>
              <TableHead scope="col">Role</TableHead>
              <TableHead scope="col">Created</TableHead>
              <TableHead scope="col">Expires</TableHead>
              <TableHead scope="col">Last used</TableHead>
              <TableHead scope="col">Status</TableHead>
              <TableHead scope="col">
                <span className="sr-only">Actions</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {list.map((k) => (
              <KeyRow key={k.id} k={k} owners={owners} mine={k.id === me.data?.apiKeyId} />
            ))}
          </TableBody>
        </Table>
      </Card>
    );
  }
  const active = keys.data?.filter((k) => keyState(k) === "active").length ?? 0;
  return (
    <section aria-labelledby="keys-heading" className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center gap-3">
        <div>
          <h2 id="keys-heading" className="text-lg font-semibold">
            API keys
          </h2>
          {keys.data && (
            <p className="text-sm text-muted-foreground">
              {count(active)} active of {count(keys.data.length)}. Last use is recorded at most once a minute per key.
            </p>
          )}
        </div>
        {offered.length > 0 && (
          <div className="ml-auto">
            <CreateKeyDialog owners={owners} roles={offered} me={me.data?.userId ?? ""} />
          </div>
        )}
      </div>
      {body}
    </section>
  );
}
