import { Code, ConnectError, createClient, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { FindingsService } from "@/gen/driftmgr/v1/query_pb";
import { AgentsService, ClusterService } from "@/gen/driftmgr/v1/cluster_pb";
import { EventsService } from "@/gen/driftmgr/v1/events_pb";
import { SecurityService } from "@/gen/driftmgr/v1/security_pb";
import { TenancyService } from "@/gen/driftmgr/v1/tenancy_pb";
import { browserSession, unreachable, unreachableText, type SessionClient } from "./session";

/**
 * Credentials says how each call proves who is calling, read at every call
 * so signing in or out needs no new clients. There are two ways:
 *
 *   - an API key: `Authorization: Bearer <key>`, and no cookies sent;
 *   - a browser session (single sign-on or password): the HttpOnly session
 *     cookie goes with the request, and every call carries the session's
 *     CSRF token in X-CSRF-Token (every Connect call is a POST, which the
 *     controller refuses from a session without it).
 */
export interface Credentials {
  /** authorization is the Authorization header of an API key, or null. */
  authorization(): string | null;
  /** csrfToken is the browser session's CSRF token, or null outside a session. */
  csrfToken?(): string | null;
}

/** CSRF_HEADER carries the session's CSRF token (controller/oidc CSRFHeader). */
export const CSRF_HEADER = "X-CSRF-Token";

/** authInterceptor adds the caller's credential to unary and streaming calls. */
export function authInterceptor(creds: Credentials): Interceptor {
  return (next) => async (req) => {
    // A call that names its own key (sign-in checking a new one) keeps it,
    // and is not a session's call.
    if (!req.header.has("Authorization")) {
      const csrf = creds.csrfToken?.() ?? null;
      if (csrf) {
        req.header.set(CSRF_HEADER, csrf);
      } else {
        const h = creds.authorization();
        if (h) req.header.set("Authorization", h);
      }
    }
    return next(req);
  };
}

/**
 * sessionFetch sends the session cookie only in a session. With an API key
 * (or none) it sends no cookies, so a cookie left by another tab never
 * stands in for the key, nor makes the controller ask for a CSRF token.
 */
export function sessionFetch(creds: Credentials, base: typeof fetch = (...a) => globalThis.fetch(...a)): typeof fetch {
  return (input, init) => base(input, { ...init, credentials: creds.csrfToken?.() ? "include" : "omit" });
}

/** browserTransport speaks the Connect protocol (JSON) to the controller serving this page. */
export function browserTransport(creds: Credentials, baseUrl = window.location.origin): Transport {
  return createConnectTransport({
    baseUrl,
    useBinaryFormat: false,
    interceptors: [authInterceptor(creds)],
    fetch: sessionFetch(creds),
  });
}

export interface Clients {
  findings: Client<typeof FindingsService>;
  agents: Client<typeof AgentsService>;
  cluster: Client<typeof ClusterService>;
  events: Client<typeof EventsService>;
  security: Client<typeof SecurityService>;
  tenancy: Client<typeof TenancyService>;
  /** The browser session's sign-in routes under /auth/ (not Connect). */
  session: SessionClient;
  /**
   * The transport itself, for clients a lazy screen creates with its own
   * code (the audit log's), so the first paint does not carry them.
   */
  transport: Transport;
}

export function makeClients(t: Transport, session: SessionClient = browserSession()): Clients {
  return {
    findings: createClient(FindingsService, t),
    agents: createClient(AgentsService, t),
    cluster: createClient(ClusterService, t),
    events: createClient(EventsService, t),
    security: createClient(SecurityService, t),
    tenancy: createClient(TenancyService, t),
    session,
    transport: t,
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
  if (unreachable(message)) message = unreachableText;
  return {
    code: Code[ce.code] ?? "Unknown",
    message,
    unauthenticated: ce.code === Code.Unauthenticated,
  };
}
