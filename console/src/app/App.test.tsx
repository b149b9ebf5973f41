import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Provider } from "react-redux";
import { createMemoryRouter, RouterProvider } from "react-router";
import { Code, ConnectError } from "@connectrpc/connect";
import { ClusterService } from "@/gen/driftmgr/v1/cluster_pb";
import { FindingsService } from "@/gen/driftmgr/v1/query_pb";
import { EventsService } from "@/gen/driftmgr/v1/events_pb";
import { AgentsService } from "@/gen/driftmgr/v1/cluster_pb";
import { mockClients } from "@/test/render";
import { ClientsContext } from "./clients";
import { routes } from "./router";
import { makeStore, type RootState } from "./store";
import { authorizationHeader } from "@/features/auth/authSlice";
import { keyAuth } from "@/test/auth";

const key = "dm_abc123_secretsecret";

function app(url: string, opts: { acceptKey?: string; preloaded?: Partial<RootState> } = {}) {
  const ok = (h: Headers) => h.get("Authorization") === "Bearer " + (opts.acceptKey ?? key);
  const deny = () => new ConnectError("api key: unknown", Code.Unauthenticated);
  // As in main.tsx: the transport reads the key from the store at each call.
  let auth: () => string | null = () => null;
  const clients = mockClients(
    ({ service }) => {
      service(ClusterService, {
        getHealth: (_r, ctx) => {
          if (!ok(ctx.requestHeader)) throw deny();
          return { node: "n1", raftState: "Leader", ready: true };
        },
      });
      service(FindingsService, {
        listFindings: (_r, ctx) => {
          if (!ok(ctx.requestHeader)) throw deny();
          return { findings: [], totalSize: 0n };
        },
        listScans: (_r, ctx) => {
          if (!ok(ctx.requestHeader)) throw deny();
          return { scans: [] };
        },
      });
      service(AgentsService, {
        listAgents: (_r, ctx) => {
          if (!ok(ctx.requestHeader)) throw deny();
          return { agents: [] };
        },
      });
      service(EventsService, {
        async *watch(_r, ctx) {
          if (!ok(ctx.requestHeader)) throw deny();
          await new Promise((r) => ctx.signal.addEventListener("abort", r));
        },
      });
    },
    { authorization: () => auth() },
  );
  const store = makeStore(clients, opts.preloaded);
  auth = () => authorizationHeader(store.getState().auth.credential);
  const router = createMemoryRouter(routes, { initialEntries: [url] });
  render(
    <Provider store={store}>
      <ClientsContext.Provider value={clients}>
        <RouterProvider router={router} />
      </ClientsContext.Provider>
    </Provider>,
  );
  return { store, router };
}

describe("the app", () => {
  it("sends a signed-out visitor to sign in, then back where they were going", async () => {
    const user = userEvent.setup();
    const { router, store } = app("/inventory?severity=critical");
    expect(await screen.findByLabelText("API key")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/sign-in");
    await user.type(screen.getByLabelText("API key"), "not-a-key");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(screen.getByRole("alert")).toHaveTextContent("dm_<id>_<secret>");
    await user.clear(screen.getByLabelText("API key"));
    await user.type(screen.getByLabelText("API key"), "dm_wrong_key");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("The controller did not accept this API key.")).toBeInTheDocument();
    await user.clear(screen.getByLabelText("API key"));
    await user.type(screen.getByLabelText("API key"), key);
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("heading", { name: "Drift inventory" })).toBeInTheDocument();
    expect(router.state.location.pathname + router.state.location.search).toBe("/inventory?severity=critical");
    expect(store.getState().auth.credential).toEqual({ kind: "apiKey", key });
  });

  it("returns to sign-in with a notice when the API refuses the key", async () => {
    // The store holds a key the (mocked) server does not accept.
    const { router } = app("/cluster", {
      acceptKey: "dm_other_key",
      preloaded: { auth: keyAuth(key) },
    });
    expect(await screen.findByText(/was not accepted/)).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/sign-in");
  });

  it("shows not found for unknown paths inside the shell", async () => {
    app("/no/such/page", { preloaded: { auth: keyAuth(key) } });
    expect(await screen.findByRole("heading", { name: "Page not found" })).toBeInTheDocument();
    expect(screen.getByRole("navigation", { name: "Main" })).toBeInTheDocument();
  });
});
