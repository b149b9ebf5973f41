import { useSearchParams } from "react-router";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { Actions, useCan } from "@/features/auth/permissions";
import { ApiKeys } from "./ApiKeys";
import { RequireAction } from "./RequireAction";
import { ServiceAccounts } from "./ServiceAccounts";
import { Users } from "./Users";

const tabs = ["users", "service-accounts", "keys"] as const;
type Tab = (typeof tabs)[number];

function Screen() {
  const [params, setParams] = useSearchParams();
  const canKeys = useCan(Actions.keysManage);
  const wanted = params.get("tab") as Tab | null;
  const tab: Tab = wanted && tabs.includes(wanted) && (wanted !== "keys" || canKeys) ? wanted : "users";
  return (
    <div className="flex flex-col gap-4">
      <div>
        <h1 className="text-xl font-semibold">Users & keys</h1>
        <p className="text-sm text-muted-foreground">Who may use this tenant, as what role, and the API keys that act for them.</p>
      </div>
      <Tabs
        value={tab}
        onValueChange={(v) => {
          const next = new URLSearchParams(params);
          if (v === "users") next.delete("tab");
          else next.set("tab", v);
          setParams(next, { replace: true });
        }}
      >
        <TabsList aria-label="Users & keys sections">
          <TabsTrigger value="users">Users</TabsTrigger>
          <TabsTrigger value="service-accounts">Service accounts</TabsTrigger>
          {canKeys && <TabsTrigger value="keys">API keys</TabsTrigger>}
        </TabsList>
        <TabsContent value="users">
          <Users />
        </TabsContent>
        <TabsContent value="service-accounts">
          <ServiceAccounts />
        </TabsContent>
        {canKeys && (
          <TabsContent value="keys">
            <ApiKeys />
          </TabsContent>
        )}
      </Tabs>
    </div>
  );
}

/** UsersAndKeys is the tenancy model's admin screen: users, service accounts and API keys, as tabs kept in the URL. */
export default function UsersAndKeys() {
  return (
    <RequireAction action={Actions.usersRead} what="Users & keys">
      <Screen />
    </RequireAction>
  );
}
