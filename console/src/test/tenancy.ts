// A fake TenancyService and AuditService for the admin screens' and the
// shell's tests: users, service accounts and keys held in memory, the fixed
// roles with their actions (as controller/permissions.go hands them out),
// an audit log with paging, its verification and its export stream.
import { clone, create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import {
  APIKeySchema,
  ServiceAccountSchema,
  TenancyService,
  UserSchema,
  type APIKey,
  type CreateAPIKeyRequest,
  type ServiceAccount,
  type UpdateUserRequest,
  type User,
} from "@/gen/driftmgr/v1/tenancy_pb";
import { TimestampSchema } from "@bufbuild/protobuf/wkt";
import {
  AuditEventSchema,
  AuditService,
  VerifyAuditResponseSchema,
  type AuditEvent,
  type ListAuditEventsRequest,
} from "@/gen/driftmgr/v1/audit_pb";

const grants: Record<string, string[]> = {
  viewer: ["profile.manage", "roles.read", "findings.read", "agents.read", "tokens.read", "cluster.read", "security.read", "projects.read"],
  operator: ["findings.ack", "scans.trigger", "workflows.run"],
  admin: [
    "agents.revoke",
    "tokens.manage",
    "security.manage",
    "projects.manage",
    "users.read",
    "users.manage",
    "keys.manage",
    "settings.manage",
    "audit.read",
  ],
  owner: ["tenants.manage"],
};
export const roleNames = ["viewer", "operator", "admin", "owner"];

/** actionsOf are a role's actions: its own grants and those of every role below it. */
export function actionsOf(role: string): string[] {
  const i = roleNames.indexOf(role);
  return roleNames.slice(0, i + 1).flatMap((r) => grants[r] ?? []);
}

export interface Me {
  role: string;
  tenant?: string;
  userId?: string;
  apiKeyId?: string;
}

/** whoAmI registers TenancyService.WhoAmI answering as the given caller (the shell and the screens that gate on a role need only this). */
export function whoAmI(router: ConnectRouter, me: Me) {
  router.service(TenancyService, { whoAmI: () => whoAmIAnswer(me) });
}

function whoAmIAnswer(me: Me) {
  return {
    principal: me.userId ? "user:" + me.userId : "key:" + (me.apiKeyId ?? "k1"),
    tenant: me.tenant ?? "acme",
    homeTenant: me.tenant ?? "acme",
    role: me.role,
    actions: actionsOf(me.role),
    userId: me.userId ?? "",
    apiKeyId: me.apiKeyId ?? "",
  };
}

const ts = (s: number) => ({ seconds: BigInt(s) });
type UserInit = MessageInitShape<typeof UserSchema>;
type KeyInit = MessageInitShape<typeof APIKeySchema>;
type EventInit = MessageInitShape<typeof AuditEventSchema>;

export function user(over: MessageInitShape<typeof UserSchema> & { id: string; username: string }): User {
  return create(UserSchema, {
    tenant: "acme",
    role: "viewer",
    source: "local",
    createdAt: ts(1795000000),
    createdBy: "key:boot",
    ...over,
  } as UserInit);
}

export function apiKey(over: MessageInitShape<typeof APIKeySchema> & { id: string }): APIKey {
  return create(APIKeySchema, { tenant: "acme", role: "viewer", createdAt: ts(1795000000), createdBy: "user:usr-ada", ...over } as KeyInit);
}

export function auditEvent(seq: number, over: MessageInitShape<typeof AuditEventSchema> = {}): AuditEvent {
  return create(AuditEventSchema, {
    tenant: "acme",
    seq: BigInt(seq),
    time: { seconds: BigInt(1795600000 + seq), nanos: 123456789 },
    actor: { kind: "user", id: "usr-ada", name: "ada@example.com" },
    action: "/driftmgr.v1.FindingsService/ListFindings",
    argsJson: '{"page_size":100}',
    remote: "10.0.0.7",
    requestId: "req-" + seq,
    outcome: "ok",
    prevHash: seq > 1 ? "h" + (seq - 1) : "",
    hash: "h" + seq,
    ...over,
  } as EventInit);
}

interface Options {
  me?: Me;
  users?: User[];
  accounts?: ServiceAccount[];
  keys?: APIKey[];
  audit?: AuditEvent[];
  verify?: MessageInitShape<typeof VerifyAuditResponseSchema>;
  /** Refuse CreateUser with this error. */
  createUserError?: ConnectError;
  /** The export stream's batch size. */
  exportBatch?: number;
}

/** tenancyServer answers TenancyService and AuditService from memory and records what it was asked. */
export function tenancyServer(o: Options = {}) {
  const me: Me = o.me ?? { role: "admin", userId: "usr-ada" };
  const users = [...(o.users ?? [user({ id: "usr-ada", username: "ada", displayName: "Ada Lovelace", role: "admin" })])];
  const accounts = [...(o.accounts ?? [])];
  const keys = [...(o.keys ?? [])];
  const audit = o.audit ?? [];
  const calls = {
    createUser: [] as { username: string; role: string; password: string }[],
    updateUser: [] as UpdateUserRequest[],
    createKey: [] as CreateAPIKeyRequest[],
    revoke: [] as string[],
    deleteAccount: [] as string[],
    listAudit: [] as ListAuditEventsRequest[],
    verify: 0,
    listKeys: 0,
    setPasswordLogin: [] as boolean[],
  };
  let passwordLoginDisabled = false;
  let nextKey = 1;
  const routes = (r: ConnectRouter) => {
    r.service(TenancyService, {
      whoAmI: () => whoAmIAnswer(me),
      listRoles: () => ({
        roles: roleNames.map((name) => ({ name, description: `the ${name} role`, actions: actionsOf(name), platform: name === "owner" })),
        actions: [],
      }),
      listUsers: () => ({ users }),
      getTenant: (req) => {
        if (!actionsOf(me.role).includes("tenants.manage")) throw new ConnectError("not a platform owner", Code.PermissionDenied);
        return { tenant: { id: req.id, displayName: req.id, passwordLoginDisabled } };
      },
      setPasswordLogin: (req) => {
        calls.setPasswordLogin.push(req.enabled);
        passwordLoginDisabled = !req.enabled;
        return { tenant: { id: me.tenant ?? "acme", passwordLoginDisabled } };
      },
      createUser: (req) => {
        calls.createUser.push({ username: req.username, role: req.role, password: req.password });
        if (o.createUserError) throw o.createUserError;
        const u = user({
          id: "usr-" + req.username,
          username: req.username,
          displayName: req.displayName,
          email: req.email,
          role: req.role,
        });
        users.push(u);
        return { user: u };
      },
      updateUser: (req) => {
        calls.updateUser.push(req);
        const i = users.findIndex((u) => u.id === req.id);
        if (i < 0) throw new ConnectError("user " + req.id + " not found", Code.NotFound);
        const u = clone(UserSchema, users[i]!);
        if (req.role !== undefined) u.role = req.role;
        if (req.disabled !== undefined) u.disabled = req.disabled;
        users[i] = u;
        return { user: u };
      },
      listServiceAccounts: () => ({ serviceAccounts: accounts }),
      createServiceAccount: (req) => {
        const sa = create(ServiceAccountSchema, {
          id: req.id,
          tenant: "acme",
          description: req.description,
          role: req.role,
          createdAt: ts(1795600000),
        } as MessageInitShape<typeof ServiceAccountSchema>);
        accounts.push(sa);
        return { serviceAccount: sa };
      },
      deleteServiceAccount: (req) => {
        calls.deleteAccount.push(req.id);
        const i = accounts.findIndex((a) => a.id === req.id);
        if (i >= 0) accounts.splice(i, 1);
        return {};
      },
      listAPIKeys: () => {
        calls.listKeys++;
        return { keys };
      },
      createAPIKey: (req) => {
        calls.createKey.push(req);
        const id = "k" + String(nextKey++).padStart(3, "0");
        const k = apiKey({
          id,
          userId: req.owner.case === "userId" ? req.owner.value : "",
          serviceAccountId: req.owner.case === "serviceAccountId" ? req.owner.value : "",
          role: req.role || "admin",
          description: req.description,
          expiresAt: req.ttlSeconds ? ts(1795600000 + Number(req.ttlSeconds)) : undefined,
        });
        keys.push(k);
        return { key: k, secret: `dm_${id}_s3cr3tvalue` };
      },
      revokeAPIKey: (req) => {
        calls.revoke.push(req.id);
        const i = keys.findIndex((k) => k.id === req.id);
        if (i < 0) throw new ConnectError("key " + req.id + " not found", Code.NotFound);
        const k = clone(APIKeySchema, keys[i]!);
        k.revoked = true;
        k.revokedAt = create(TimestampSchema, ts(1795700000));
        keys[i] = k;
        return { key: k };
      },
    });
    r.service(AuditService, {
      listAuditEvents: (req) => {
        calls.listAudit.push(req);
        const rows = [...audit].sort((a, b) => (req.newest ? Number(b.seq - a.seq) : Number(a.seq - b.seq)));
        const start = req.pageToken ? Number(req.pageToken) : 0;
        const end = Math.min(rows.length, start + (req.pageSize || 100));
        return { events: rows.slice(start, end), nextPageToken: end < rows.length ? String(end) : "" };
      },
      verifyAudit: (): MessageInitShape<typeof VerifyAuditResponseSchema> => {
        calls.verify++;
        const last = audit[audit.length - 1];
        return o.verify ?? { headSeq: last?.seq ?? 0n, headHash: last?.hash ?? "", entries: BigInt(audit.length) };
      },
      async *exportAudit() {
        const n = o.exportBatch ?? 2;
        for (let i = 0; i < audit.length; i += n) yield { events: audit.slice(i, i + n) };
      },
    });
  };
  return { routes, calls, users, keys, accounts };
}
