// The whole console (its routes, store and shell) over fake services, for
// tests that cross screens: signing in and out, the header, the admin
// screens' guards.
import { render } from "@testing-library/react";
import { Provider } from "react-redux";
import { createMemoryRouter, RouterProvider } from "react-router";
import type { ConnectRouter } from "@connectrpc/connect";
import { AgentsService, ClusterService } from "@/gen/driftmgr/v1/cluster_pb";
import { EventsService } from "@/gen/driftmgr/v1/events_pb";
import { FindingsService } from "@/gen/driftmgr/v1/query_pb";
import type { SessionClient } from "@/api/session";
import { ClientsContext } from "@/app/clients";
import { routes } from "@/app/router";
import { makeStore, persist, type RootState } from "@/app/store";
import { Toaster } from "@/components/ui/toast";
import { authorizationHeader, csrfToken } from "@/features/auth/authSlice";
import { mockClients } from "./render";
import { whoAmI, type Me } from "./tenancy";

interface Options {
  preloaded?: Partial<RootState>;
  session?: SessionClient;
  me?: Me;
  /** More services (e.g. tenancyServer's routes, which answer WhoAmI themselves). */
  routes?: (r: ConnectRouter) => void;
  /** Every call's request headers, as sent. */
  headers?: Headers[];
  /** What the shell's calls answer when they are refused (a 401 to test signing out). */
  refuse?: () => Error | null;
}

/** renderConsole renders the console's routes at url, with the transport reading the store's credential as main.tsx does. */
export function renderConsole(url: string, o: Options = {}) {
  let store: ReturnType<typeof makeStore> | null = null;
  const credential = () => store?.getState().auth.credential ?? null;
  const seen = (h: Headers) => {
    o.headers?.push(h);
    const e = o.refuse?.();
    if (e) throw e;
  };
  const clients = mockClients(
    (r) => {
      r.service(ClusterService, {
        getHealth: (_q, ctx) => {
          seen(ctx.requestHeader);
          return { node: "n1", raftState: "Leader", ready: true };
        },
        listMembers: (_q, ctx) => {
          seen(ctx.requestHeader);
          return { members: [], leader: "n1" };
        },
      });
      r.service(FindingsService, {
        listFindings: (_q, ctx) => {
          seen(ctx.requestHeader);
          return { findings: [], totalSize: 0n };
        },
        listScans: (_q, ctx) => {
          seen(ctx.requestHeader);
          return { scans: [] };
        },
      });
      r.service(AgentsService, {
        listAgents: (_q, ctx) => {
          seen(ctx.requestHeader);
          return { agents: [] };
        },
      });
      r.service(EventsService, {
        async *watch(_q, ctx) {
          seen(ctx.requestHeader);
          await new Promise((res) => ctx.signal.addEventListener("abort", res));
        },
      });
      if (o.routes) o.routes(r);
      else whoAmI(r, o.me ?? { role: "admin", userId: "usr-ada" });
    },
    { authorization: () => authorizationHeader(credential()), csrfToken: () => csrfToken(credential()) },
    o.session,
  );
  store = makeStore(clients, o.preloaded);
  persist(store);
  const router = createMemoryRouter(routes, { initialEntries: [url] });
  render(
    <Provider store={store}>
      <ClientsContext.Provider value={clients}>
        <RouterProvider router={router} />
        <Toaster />
      </ClientsContext.Provider>
    </Provider>,
  );
  return { store, router, clients };
}
