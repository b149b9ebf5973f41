// The admin screens' endpoints (TenancyService: users, service accounts,
// API keys, roles; AuditService: the audit log), injected into the one API
// slice when an admin screen loads, so the first paint does not carry them.
// Tags: "User", "ServiceAccount", "APIKey" and "Role" lists, "Audit" for
// the log. A new key's secret is returned to the caller and never kept in
// the store.
import { createClient, type Client } from "@connectrpc/connect";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { AuditService } from "@/gen/driftmgr/v1/audit_pb";
import { api, call } from "./api";
import type { Clients } from "./transport";
import {
  toAPIKey,
  toAuditEvent,
  toRoles,
  toServiceAccount,
  toUser,
  toVerify,
  type APIKeyView,
  type AuditEventView,
  type RolesView,
  type ServiceAccountView,
  type UserView,
  type VerifyView,
} from "./adminModel";

const auditClients = new WeakMap<Clients, Client<typeof AuditService>>();

/** auditClient is AuditService's client over the app's transport, made when first needed. */
export function auditClient(c: Clients): Client<typeof AuditService> {
  let a = auditClients.get(c);
  if (!a) {
    a = createClient(AuditService, c.transport);
    auditClients.set(c, a);
  }
  return a;
}

/** AuditQuery is ListAuditEventsRequest's filter in plain, serializable form (an RTK Query cache key). */
export interface AuditQuery {
  /** ISO times. */
  since?: string;
  until?: string;
  actorKind?: string;
  actorId?: string;
  actionPrefix?: string;
  /** "ok", "failed" or a Connect code in snake case ("permission_denied"). */
  outcome?: string;
  pageSize: number;
}

export interface AuditPage {
  events: AuditEventView[];
  nextPageToken: string;
}

export interface NewUser {
  username: string;
  displayName: string;
  email: string;
  role: string;
  password: string;
}

export interface NewKey {
  owner: { kind: "user" | "serviceAccount"; id: string };
  /** Empty: the owner's role. */
  role: string;
  description: string;
  /** 0: never expires. */
  ttlSeconds: number;
}

/** auditRequest maps the screen's filter to the RPC's request: newest first, empty fields left out. */
export function auditRequest(q: AuditQuery, pageToken: string) {
  return {
    since: q.since ? timestampFromDate(new Date(q.since)) : undefined,
    until: q.until ? timestampFromDate(new Date(q.until)) : undefined,
    actorKind: q.actorKind ?? "",
    actorId: q.actorId ?? "",
    actionPrefix: q.actionPrefix ?? "",
    outcome: q.outcome ?? "",
    newest: true,
    pageSize: q.pageSize,
    pageToken,
  };
}

export const adminApi = api.injectEndpoints({
  endpoints: (build) => ({
    listUsers: build.query<UserView[], void>({
      queryFn: (_arg, api) => call(api, async (c) => (await c.tenancy.listUsers({})).users.map(toUser)),
      providesTags: [{ type: "User", id: "LIST" }],
    }),
    createUser: build.mutation<UserView, NewUser>({
      queryFn: (arg, api) =>
        call(api, async (c) => {
          const r = await c.tenancy.createUser(arg);
          if (!r.user) throw new Error("the new user is not in the answer");
          return toUser(r.user);
        }),
      invalidatesTags: (_r, err) => (err ? [] : [{ type: "User", id: "LIST" }]),
    }),
    /** updateUser sets a user's role, or disables or re-enables it (which ends its sessions and refuses its keys). */
    updateUser: build.mutation<UserView, { id: string; role?: string; disabled?: boolean }>({
      queryFn: (arg, api) =>
        call(api, async (c) => {
          const r = await c.tenancy.updateUser(arg);
          if (!r.user) throw new Error("user " + arg.id + " not in the answer");
          return toUser(r.user);
        }),
      invalidatesTags: (_r, err) =>
        err
          ? []
          : [
              { type: "User", id: "LIST" },
              { type: "Me", id: "ME" },
            ],
    }),
    listServiceAccounts: build.query<ServiceAccountView[], void>({
      queryFn: (_arg, api) => call(api, async (c) => (await c.tenancy.listServiceAccounts({})).serviceAccounts.map(toServiceAccount)),
      providesTags: [{ type: "ServiceAccount", id: "LIST" }],
    }),
    createServiceAccount: build.mutation<ServiceAccountView, { id: string; description: string; role: string }>({
      queryFn: (arg, api) =>
        call(api, async (c) => {
          const r = await c.tenancy.createServiceAccount(arg);
          if (!r.serviceAccount) throw new Error("the new service account is not in the answer");
          return toServiceAccount(r.serviceAccount);
        }),
      invalidatesTags: (_r, err) => (err ? [] : [{ type: "ServiceAccount", id: "LIST" }]),
    }),
    /** deleteServiceAccount removes it and revokes its keys. */
    deleteServiceAccount: build.mutation<void, string>({
      queryFn: (id, api) =>
        call(api, async (c) => {
          await c.tenancy.deleteServiceAccount({ id });
        }),
      invalidatesTags: (_r, err) =>
        err
          ? []
          : [
              { type: "ServiceAccount", id: "LIST" },
              { type: "APIKey", id: "LIST" },
            ],
    }),
    listAPIKeys: build.query<APIKeyView[], void>({
      queryFn: (_arg, api) => call(api, async (c) => (await c.tenancy.listAPIKeys({})).keys.map(toAPIKey)),
      providesTags: [{ type: "APIKey", id: "LIST" }],
    }),
    /** createAPIKey answers the key and its secret (dm_<id>_<secret>), which the controller shows this once. */
    createAPIKey: build.mutation<{ key: APIKeyView; secret: string }, NewKey>({
      queryFn: (arg, api) =>
        call(api, async (c) => {
          const r = await c.tenancy.createAPIKey({
            owner: arg.owner.kind === "user" ? { case: "userId", value: arg.owner.id } : { case: "serviceAccountId", value: arg.owner.id },
            role: arg.role,
            description: arg.description,
            ttlSeconds: BigInt(arg.ttlSeconds),
          });
          if (!r.key || !r.secret) throw new Error("the new key is not in the answer");
          return { key: toAPIKey(r.key), secret: r.secret };
        }),
      invalidatesTags: (_r, err) => (err ? [] : [{ type: "APIKey", id: "LIST" }]),
    }),
    /** revokeAPIKey answers once every reachable controller refuses the key. */
    revokeAPIKey: build.mutation<APIKeyView, string>({
      queryFn: (id, api) =>
        call(api, async (c) => {
          const r = await c.tenancy.revokeAPIKey({ id });
          if (!r.key) throw new Error("key " + id + " not in the answer");
          return toAPIKey(r.key);
        }),
      invalidatesTags: (_r, err) => (err ? [] : [{ type: "APIKey", id: "LIST" }]),
    }),
    /** passwordLogin reads whether a tenant's local users may sign in with a password (GetTenant: platform owners only). */
    passwordLogin: build.query<boolean, string>({
      queryFn: (tenant, api) =>
        call(api, async (c) => {
          const r = await c.tenancy.getTenant({ id: tenant });
          return !(r.tenant?.passwordLoginDisabled ?? false);
        }),
      providesTags: [{ type: "Me", id: "PASSWORD_LOGIN" }],
    }),
    /** setPasswordLogin turns password sign-in on or off for the caller's tenant; single sign-on and keys are unaffected. */
    setPasswordLogin: build.mutation<boolean, boolean>({
      queryFn: (enabled, api) =>
        call(api, async (c) => {
          const r = await c.tenancy.setPasswordLogin({ enabled });
          return !(r.tenant?.passwordLoginDisabled ?? !enabled);
        }),
      invalidatesTags: (_r, err) => (err ? [] : [{ type: "Me", id: "PASSWORD_LOGIN" }]),
    }),
    listRoles: build.query<RolesView, void>({
      queryFn: (_arg, api) => call(api, async (c) => toRoles(await c.tenancy.listRoles({}))),
      providesTags: [{ type: "Role", id: "LIST" }],
      keepUnusedDataFor: 600,
    }),
    listAuditEvents: build.infiniteQuery<AuditPage, AuditQuery, string>({
      infiniteQueryOptions: {
        initialPageParam: "",
        getNextPageParam: (last) => last.nextPageToken || undefined,
      },
      queryFn: ({ queryArg, pageParam }, api) =>
        call(api, async (c) => {
          const r = await auditClient(c).listAuditEvents(auditRequest(queryArg, pageParam));
          return { events: r.events.map(toAuditEvent), nextPageToken: r.nextPageToken };
        }),
      providesTags: [{ type: "Audit", id: "LIST" }],
      // Every call (this one included) adds entries: the log is read when asked, not kept.
      keepUnusedDataFor: 0,
    }),
    /** verifyAudit checks the stored chain; a mutation, so each press checks again. */
    verifyAudit: build.mutation<VerifyView, void>({
      queryFn: (_arg, api) => call(api, async (c) => toVerify(await auditClient(c).verifyAudit({}))),
    }),
  }),
});

export const {
  useListUsersQuery,
  useCreateUserMutation,
  useUpdateUserMutation,
  useListServiceAccountsQuery,
  useCreateServiceAccountMutation,
  useDeleteServiceAccountMutation,
  useListAPIKeysQuery,
  useRevokeAPIKeyMutation,
  useListRolesQuery,
  usePasswordLoginQuery,
  useSetPasswordLoginMutation,
  useListAuditEventsInfiniteQuery,
  useVerifyAuditMutation,
} = adminApi;
