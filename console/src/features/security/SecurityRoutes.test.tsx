import { describe, expect, it } from "vitest";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Provider } from "react-redux";
import { createMemoryRouter, RouterProvider } from "react-router";
import { EventsService } from "@/gen/driftmgr/v1/events_pb";
import { FindingsService } from "@/gen/driftmgr/v1/query_pb";
import { AgentsService } from "@/gen/driftmgr/v1/cluster_pb";
import { SecurityService } from "@/gen/driftmgr/v1/security_pb";
import { ClientsContext } from "@/app/clients";
import { routes } from "@/app/router";
import { makeStore } from "@/app/store";
import { mockClients } from "@/test/render";
import { compliance } from "@/test/security";
import { keyAuth } from "@/test/auth";

function app(url: string) {
  const clients = mockClients(({ service }) => {
    service(EventsService, {
      async *watch(_r, ctx) {
        await new Promise((r) => ctx.signal.addEventListener("abort", r));
      },
    });
    service(FindingsService, { listFindings: () => ({ totalSize: 0n }), listScans: () => ({}) });
    service(AgentsService, { listAgents: () => ({}) });
    service(SecurityService, {
      listSecurityFindings: () => ({ totalSize: 0n }),
      getCompliance: () => compliance,
      getMutelist: () => ({ yaml: "mutelist: []\n" }),
      listPolicies: () => ({}),
    });
  });
  const store = makeStore(clients, { auth: keyAuth("dm_a_b") });
  const router = createMemoryRouter(routes, { initialEntries: [url] });
  render(
    <Provider store={store}>
      <ClientsContext.Provider value={clients}>
        <RouterProvider router={router} />
      </ClientsContext.Provider>
    </Provider>,
  );
  return router;
}

describe("Security routes", () => {
  it("opens the lazy Security screen from the navigation and moves between its sections", { timeout: 30000 }, async () => {
    const user = userEvent.setup();
    // Lazy screens are transformed on first import here: allow for it.
    const lazy = { timeout: 10000 };
    const router = app("/settings");
    const main = await screen.findByRole("navigation", { name: "Main" }, lazy);
    await user.click(within(main).getByRole("link", { name: "Security" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Security" }, lazy)).toBeInTheDocument();
    expect(within(main).getByRole("link", { name: "Security" })).toHaveAttribute("aria-current", "page");
    const sections = screen.getByRole("navigation", { name: "Security sections" });
    await user.click(within(sections).getByRole("link", { name: "Compliance" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Compliance" }, lazy)).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/security/compliance");
    await user.click(within(sections).getByRole("link", { name: "Mutelist" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Mutelist" }, lazy)).toBeInTheDocument();
    await user.click(within(sections).getByRole("link", { name: "Policies" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Policies" }, lazy)).toBeInTheDocument();
  });
});
