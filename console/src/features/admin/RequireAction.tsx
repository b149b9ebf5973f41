import type { ReactNode } from "react";
import { Loading } from "@/components/ui/skeleton";
import { ErrorState } from "@/components/ui/states";
import { useMe } from "@/features/auth/permissions";
import { errText } from "./errors";

/**
 * RequireAction shows its screen only to a caller whose role holds the
 * action (as WhoAmI says); others, who reach it by its address, are told
 * why not. The controller refuses their calls anyway.
 */
export function RequireAction({ action, what, children }: { action: string; what: string; children: ReactNode }) {
  const me = useMe();
  if (me.isLoading) return <Loading label="Checking your permissions" rows={4} />;
  if (me.isError || !me.data) {
    return <ErrorState title="Your permissions could not be read" message={errText(me.error)} onRetry={() => void me.refetch()} />;
  }
  if (!me.data.actions.includes(action)) {
    return (
      <div role="alert" className="mx-auto flex max-w-lg flex-col gap-2 rounded-lg border border-border p-6 text-center">
        <h1 className="text-xl font-semibold">Not permitted</h1>
        <p className="text-sm text-muted-foreground">
          {what} needs the <code className="font-mono">{action}</code> permission, which your role ({me.data.role || "none"}) does not have.
          An admin of tenant {me.data.tenant} can grant it.
        </p>
      </div>
    );
  }
  return <>{children}</>;
}
