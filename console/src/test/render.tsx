import type { ReactElement } from "react";
import { render } from "@testing-library/react";
import { Provider } from "react-redux";
import { createMemoryRouter, RouterProvider, type RouteObject } from "react-router";
import { createRouterTransport, type ConnectRouter } from "@connectrpc/connect";
import { authInterceptor, makeClients, type Clients, type Credentials } from "@/api/transport";
import type { SessionClient } from "@/api/session";
import { fakeSession, keyAuth } from "./auth";
import { makeStore, type RootState } from "@/app/store";
import { ClientsContext } from "@/app/clients";

/**
 * mockClients are API clients over an in-memory Connect router (the unit
 * tests' outermost edge), with a fake /auth/ client (by default a
 * controller that offers API keys only).
 */
export function mockClients(routes: (r: ConnectRouter) => void = () => {}, creds?: Credentials, session?: SessionClient): Clients {
  return makeClients(
    createRouterTransport(routes, creds ? { transport: { interceptors: [authInterceptor(creds)] } } : undefined),
    session ?? fakeSession().client,
  );
}

interface Options {
  clients?: Clients;
  preloaded?: Partial<RootState>;
  /** The URL the memory router starts at. */
  route?: string;
  /** The route pattern the element is mounted at. */
  path?: string;
  extraRoutes?: RouteObject[];
}

/** renderApp renders ui inside the store, the clients and a memory router. */
export function renderApp(ui: ReactElement, opts: Options = {}) {
  const clients = opts.clients ?? mockClients();
  const store = makeStore(clients, {
    auth: keyAuth(),
    ...opts.preloaded,
  });
  const router = createMemoryRouter([{ path: opts.path ?? "*", element: ui }, ...(opts.extraRoutes ?? [])], {
    initialEntries: [opts.route ?? "/"],
  });
  const r = render(
    <Provider store={store}>
      <ClientsContext.Provider value={clients}>
        <RouterProvider router={router} />
      </ClientsContext.Provider>
    </Provider>,
  );
  return { ...r, store, router, clients };
}

/**
 * withLayout gives elements a size (jsdom lays nothing out), so the
 * virtual list renders the rows a 1280x800 viewport would show. Call it
 * in beforeAll; the returned function undoes it.
 */
export function withLayout(width = 1280, height = 800): () => void {
  const props: [object, string, number][] = [
    [Element.prototype, "clientHeight", height],
    [Element.prototype, "clientWidth", width],
    [HTMLElement.prototype, "offsetHeight", height],
    [HTMLElement.prototype, "offsetWidth", width],
  ];
  const saved = props.map(([o, k]) => [o, k, Object.getOwnPropertyDescriptor(o, k)] as const);
  for (const [o, k, v] of props) Object.defineProperty(o, k, { configurable: true, get: () => v });
  return () => {
    for (const [o, k, d] of saved) {
      if (d) Object.defineProperty(o, k, d);
      else delete (o as Record<string, unknown>)[k];
    }
  };
}
