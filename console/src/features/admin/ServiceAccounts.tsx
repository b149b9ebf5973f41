import { useState, type FormEvent } from "react";
import {
  useCreateServiceAccountMutation,
  useDeleteServiceAccountMutation,
  useListAPIKeysQuery,
  useListRolesQuery,
  useListServiceAccountsQuery,
} from "@/api/adminApi";
import { keyState, type RoleView, type ServiceAccountView } from "@/api/adminModel";
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
import { assignableRoles, CreateFooter, idProblem, When } from "./shared";

/** CreateServiceAccountDialog adds a non-person identity (CI, scripts) for API keys to act as. */
function CreateServiceAccountDialog({ roles }: { roles: RoleView[] }) {
  const [open, setOpen] = useState(false);
  const [create, state] = useCreateServiceAccountMutation();
  const [id, setId] = useState("");
  const [description, setDescription] = useState("");
  const [role, setRole] = useState("viewer");
  const [error, setError] = useState<string | null>(null);
  const reset = () => {
    setId("");
    setDescription("");
    setRole("viewer");
    setError(null);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const bad = idProblem(id.trim());
    if (bad) return setError(bad);
    setError(null);
    const r = await create({ id: id.trim(), description: description.trim(), role });
    if ("error" in r) return setError(errText(r.error));
    toast({ title: `Service account ${r.data.id} created`, description: "Create an API key for it under API keys." });
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
        <Button>Create service account</Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Create a service account</DialogTitle>
          <DialogDescription>An identity for CI jobs and scripts. It signs in only with the API keys you create for it.</DialogDescription>
        </DialogHeader>
        <form onSubmit={submit} noValidate className="flex flex-col gap-3">
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="sa-id">ID</Label>
            <Input
              id="sa-id"
              spellCheck={false}
              autoComplete="off"
              value={id}
              onChange={(e) => setId(e.target.value)}
              aria-describedby="sa-id-help"
              required
            />
            <p id="sa-id-help" className="text-xs text-muted-foreground">
              1 to 63 of a-z, 0-9, _ and -, e.g. ci-terraform.
            </p>
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="sa-description">Description</Label>
            <Input id="sa-description" value={description} onChange={(e) => setDescription(e.target.value)} />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="sa-role">Role</Label>
            <Select
              id="sa-role"
              label="Role"
              value={role}
              onValueChange={setRole}
              options={roles.map((r) => ({ value: r.name, label: r.name }))}
            />
          </div>
          <CreateFooter error={error} busy={state.isLoading} onCancel={() => setOpen(false)} submit="Create service account" />
        </form>
      </DialogContent>
    </Dialog>
  );
}

function ServiceAccountRow({ sa, activeKeys, canManage }: { sa: ServiceAccountView; activeKeys: number | null; canManage: boolean }) {
  const [remove, state] = useDeleteServiceAccountMutation();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirm = async () => {
    const r = await remove(sa.id);
    if ("error" in r) return setError(errText(r.error));
    setOpen(false);
    toast({ title: `Service account ${sa.id} deleted`, description: "Its API keys are revoked." });
  };
  return (
    <TableRow>
      <TableCell className="font-mono text-xs font-semibold">{sa.id}</TableCell>
      <TableCell className="text-sm">{sa.description || <span className="text-muted-foreground">—</span>}</TableCell>
      <TableCell>
        <Badge variant="outline">{sa.role}</Badge>
      </TableCell>
      <TableCell className="text-xs tabular-nums">{activeKeys === null ? "—" : count(activeKeys)}</TableCell>
      <TableCell className="text-xs">
        <When at={sa.createdAt} />
        {sa.createdBy && <div className="font-mono text-muted-foreground">{sa.createdBy}</div>}
      </TableCell>
      <TableCell>
        {canManage && (
          <>
            <Button
              variant="destructive"
              size="sm"
              onClick={() => {
                setError(null);
                setOpen(true);
              }}
            >
              Delete <span className="sr-only">{sa.id}</span>
            </Button>
            <ConfirmDialog
              open={open}
              onOpenChange={setOpen}
              title={`Delete service account ${sa.id}?`}
              confirm="Delete service account"
              onConfirm={() => void confirm()}
              busy={state.isLoading}
              error={error}
            >
              <p>
                {activeKeys === null
                  ? "Its API keys are revoked with it."
                  : activeKeys === 0
                    ? "It has no active API keys."
                    : `Its ${count(activeKeys)} active API key${activeKeys === 1 ? " is" : "s are"} revoked with it: whatever uses ${activeKeys === 1 ? "it" : "them"} starts failing.`}{" "}
                This cannot be undone.
              </p>
            </ConfirmDialog>
          </>
        )}
      </TableCell>
    </TableRow>
  );
}

/** ServiceAccounts lists the tenant's non-person identities; admins create and delete them. */
export function ServiceAccounts() {
  const accounts = useListServiceAccountsQuery();
  const roles = useListRolesQuery();
  const me = useMe();
  const canManage = useCan(Actions.usersManage);
  const canKeys = useCan(Actions.keysManage);
  const keys = useListAPIKeysQuery(undefined, { skip: !canKeys });
  const offered = assignableRoles(roles.data?.roles ?? [], me.data?.role ?? "");
  const activeKeys = (id: string): number | null =>
    keys.data ? keys.data.filter((k) => k.serviceAccountId === id && keyState(k) === "active").length : null;

  let body: React.ReactNode;
  if (accounts.isLoading) body = <Loading label="Loading service accounts" rows={3} />;
  else if (accounts.isError)
    body = (
      <ErrorState title="Service accounts could not be listed" message={errText(accounts.error)} onRetry={() => void accounts.refetch()} />
    );
  else if (!accounts.data || accounts.data.length === 0)
    body = (
      <EmptyState title="No service accounts">
        Create one for each CI job or script, so its keys can be told apart and revoked alone.
      </EmptyState>
    );
  else
    body = (
      <Card className="overflow-hidden">
        <Table>
          <TableCaption className="sr-only">Service accounts</TableCaption>
          <TableHeader className="bg-muted">
            <TableRow>
              <TableHead scope="col">ID</TableHead>
              <TableHead scope="col">Description</TableHead>
              <TableHead scope="col">Role</TableHead>
              <TableHead scope="col">Active keys</TableHead>
              <TableHead scope="col">Created</TableHead>
              <TableHead scope="col">
                <span className="sr-only">Actions</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {[...accounts.data]
              .sort((a, b) => a.id.localeCompare(b.id))
              .map((sa) => (
                <ServiceAccountRow key={sa.id} sa={sa} activeKeys={activeKeys(sa.id)} canManage={canManage} />
              ))}
          </TableBody>
        </Table>
      </Card>
    );
  return (
    <section aria-labelledby="sa-heading" className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center gap-3">
        <div>
          <h2 id="sa-heading" className="text-lg font-semibold">
            Service accounts
          </h2>
          {accounts.data && (
            <p className="text-sm text-muted-foreground">
              {count(accounts.data.length)} service account{accounts.data.length === 1 ? "" : "s"}
            </p>
          )}
        </div>
        {canManage && offered.length > 0 && (
          <div className="ml-auto">
            <CreateServiceAccountDialog roles={offered} />
          </div>
        )}
      </div>
      {body}
    </section>
  );
}
