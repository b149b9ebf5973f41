import { Code, ConnectError, createClient, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { FindingsService } from "@/gen/driftmgr/v1/query_pb";
import { AgentsService, ClusterService } from "@/gen/driftmgr/v1/cluster_pb";
import { EventsService } from "@/gen/driftmgr/v1/events_pb";
import { SecurityService } from "@/gen/driftmgr/v1/security_pb";

/**
 * Credentials supplies the Authorization header of every call. API keys
 * are the only kind today; OIDC (the tenancy issue) adds a token kind here
 * and a sign-in method in features/auth, and nothing else changes.
 */
export interface Credentials {
  authorization(): string | null;
}

/** authInterceptor adds `Authorization: Bearer <key>` to unary and streaming calls. */
export function authInterceptor(creds: Credentials): Interceptor {
  return (next) => async (req) => {
    const h = creds.authorization();
    // A call that names its own key (sign-in checking a new one) keeps it.
    if (h && !req.header.has("Authorization")) req.header.set("Authorization", h);
    return next(req);
  };
}

/** browserTransport speaks the Connect protocol (JSON) to the controller serving this page. */
export function browserTransport(creds: Credentials, baseUrl = window.location.origin): Transport {
  return createConnectTransport({ baseUrl, useBinaryFormat: false, interceptors: [authInterceptor(creds)] });
}

export interface Clients {
  findings: Client<typeof FindingsService>;
  agents: Client<typeof AgentsService>;
  cluster: Client<typeof ClusterService>;
  events: Client<typeof EventsService>;
  security: Client<typeof SecurityService>;
}

export function makeClients(t: Transport): Clients {
  return {
    findings: createClient(FindingsService, t),
    agents: createClient(AgentsService, t),
    cluster: createClient(ClusterService, t),
    events: createClient(EventsService, t),
    security: createClient(SecurityService, t),
  };
}

/** ApiError is a failed call as the store keeps it. */
export interface ApiError {
  code: string;
  message: string;
  unauthenticated: boolean;
}

export function toApiError(e: unknown): ApiError {
  const ce = ConnectError.from(e);
  let message = ce.rawMessage || ce.message;
  // fetch's own wording when there is no network or no server.
  if (/failed to fetch|networkerror|load failed/i.test(message)) {
    message = "The controller could not be reached. The console retries when the connection is back.";
  }
  return {
    code: Code[ce.code] ?? "Unknown",
    message,
    unauthenticated: ce.code === Code.Unauthenticated,
  };
}
