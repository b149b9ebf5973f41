import { useState } from "react";
import { usePasswordLoginQuery, useSetPasswordLoginMutation } from "@/api/adminApi";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { toast } from "@/components/ui/toast";
import { Actions, useCan, useMe } from "@/features/auth/permissions";
import { errText } from "./errors";

/**
 * PasswordLogin is the tenant's switch for local password sign-in, the
 * fallback an admin turns off once single sign-on works. Reading the
 * setting needs a platform owner (GetTenant); an admin sees it once set.
 */
export function PasswordLogin() {
  const me = useMe();
  const canSet = useCan(Actions.settingsManage);
  const canRead = useCan(Actions.tenantsManage);
  const tenant = me.data?.tenant ?? "";
  const current = usePasswordLoginQuery(tenant, { skip: !canRead || !tenant });
  const [set, state] = useSetPasswordLoginMutation();
  const [confirm, setConfirm] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // What the controller last said: read, or answered by the last change.
  const on: boolean | undefined = state.data ?? current.data;
  if (!canSet) return null;

  const change = async (enabled: boolean) => {
    setError(null);
    const r = await set(enabled);
    if ("error" in r) {
      setError(errText(r.error));
      return;
    }
    setConfirm(false);
    toast({ title: `Password sign-in turned ${r.data ? "on" : "off"} for tenant ${tenant}` });
  };

  return (
    <Card>
      <CardHeader>
        <CardTitle>Password sign-in</CardTitle>
        <CardDescription>
          Whether local users of tenant {tenant} sign in to the console with their password. Turn it off once single sign-on works; single
          sign-on and API keys are not affected.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-wrap items-center gap-3">
        <p className="text-sm" aria-live="polite">
          {on === undefined ? (
            <span className="text-muted-foreground">
              {canRead && current.isLoading ? "Reading the setting…" : "The current setting is shown once it is changed here."}
            </span>
          ) : on ? (
            <Badge variant="success">On</Badge>
          ) : (
            <Badge variant="muted">Off</Badge>
          )}
        </p>
        <div className="ml-auto flex gap-2">
          {on !== true && (
            <Button variant="outline" size="sm" disabled={state.isLoading} onClick={() => void change(true)}>
              Turn password sign-in on
            </Button>
          )}
          {on !== false && (
            <Button
              variant="destructive"
              size="sm"
              disabled={state.isLoading}
              onClick={() => {
                setError(null);
                setConfirm(true);
              }}
            >
              Turn password sign-in off
            </Button>
          )}
        </div>
        {error && !confirm && (
          <p role="alert" className="w-full text-sm text-destructive">
            {error}
          </p>
        )}
        <ConfirmDialog
          open={confirm}
          onOpenChange={setConfirm}
          title={`Turn password sign-in off for ${tenant}?`}
          confirm="Turn it off"
          onConfirm={() => void change(false)}
          busy={state.isLoading}
          error={error}
        >
          <p>
            Local users can no longer sign in with a password; sessions already open last until they end. Make sure single sign-on works, or
            keep an admin API key: otherwise nobody can sign in to the console to turn it back on.
          </p>
        </ConfirmDialog>
      </CardContent>
    </Card>
  );
}
