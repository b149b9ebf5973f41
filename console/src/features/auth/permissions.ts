import { useWhoAmIQuery } from "@/api/api";
import { useAppSelector } from "@/app/hooks";

/**
 * Actions (controller/permissions.go) that decide what the console offers.
 * The controller enforces them on every call whatever the console shows;
 * hiding what a role may not do only spares a refusal.
 */
export const Actions = {
  securityManage: "security.manage",
  usersRead: "users.read",
  usersManage: "users.manage",
  keysManage: "keys.manage",
  auditRead: "audit.read",
  settingsManage: "settings.manage",
  tenantsManage: "tenants.manage",
} as const;

/** useMe is the signed-in caller as WhoAmI answers (role, tenant, actions), for an API key and a session alike. */
export function useMe() {
  const signedIn = useAppSelector((s) => s.auth.credential !== null);
  return useWhoAmIQuery(undefined, { skip: !signedIn });
}

/** useCan says whether the caller holds an action; false while it is not known yet. */
export function useCan(action: string): boolean {
  const me = useMe();
  return me.data?.actions.includes(action) ?? false;
}
