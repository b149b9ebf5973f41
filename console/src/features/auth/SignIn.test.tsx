import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Code, ConnectError } from "@connectrpc/connect";
import { SessionError } from "@/api/session";
import { CSRF_HEADER } from "@/api/transport";
import { fakeSession, keyAuth, session, sessionAuth } from "@/test/auth";
import { renderConsole } from "@/test/app";
import { AUTH_STORAGE_KEY } from "./authSlice";

// Lazy screens are transformed on first import here, and the sign-in
// screen waits for the session probe: on a loaded machine either can take
// longer than findBy's default second, so every first wait allows for it.
const lazy = { timeout: 10000 };

const offers = (sso: boolean, passwordLogin: boolean) => ({ sso, passwordLogin, code: "unauthenticated", message: "Not signed in." });

describe("signing in", () => {
  it("offers single sign-on when the controller has it, coming back where the user was going", async () => {
    const s = fakeSession({ current: offers(true, false) });
    renderConsole("/inventory?severity=critical", { session: s.client });
    const sso = await screen.findByRole("link", { name: "Sign in with SSO" }, lazy);
    expect(sso).toHaveAttribute("href", "/auth/oidc/login?next=%2Finventory%3Fseverity%3Dcritical");
    expect(screen.queryByLabelText("Password")).not.toBeInTheDocument();
    // The key stays a way in, behind a disclosure.
    expect(screen.queryByLabelText("API key")).not.toBeInTheDocument();
    const more = screen.getByRole("button", { name: "Use an API key" });
    expect(more).toHaveAttribute("aria-expanded", "false");
    await userEvent.setup().click(more);
    expect(more).toHaveAttribute("aria-expanded", "true");
    expect(screen.getByLabelText("API key")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Sign in with the key" })).toBeInTheDocument();
  });

  it("offers no single sign-on when the controller has none", async () => {
    const s = fakeSession({ current: offers(false, true) });
    renderConsole("/", { session: s.client });
    expect(await screen.findByLabelText("Password", {}, lazy)).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "Sign in with SSO" })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Use an API key" })).toBeInTheDocument();
  });

  it("asks for a key at once when the controller offers nothing else", async () => {
    renderConsole("/", { session: fakeSession({ current: offers(false, false) }).client });
    expect(await screen.findByLabelText("API key", {}, lazy)).toHaveFocus();
    expect(screen.queryByLabelText("Password")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Use an API key" })).not.toBeInTheDocument();
  });

  it("shows the controller's refusal of a password, clears it, and signs in with the right one", { timeout: 30000 }, async () => {
    const user = userEvent.setup();
    const s = fakeSession({ current: offers(false, true), passwords: { "acme/ada": "correct horse battery" } });
    const { store, router } = renderConsole("/cluster", { session: s.client });
    await user.type(await screen.findByLabelText("Tenant", {}, lazy), "acme");
    await user.type(screen.getByLabelText("Username"), "ada");
    await user.type(screen.getByLabelText("Password"), "wrong password!");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Wrong tenant, username or password.");
    expect(screen.getByLabelText("Password")).toHaveValue("");
    expect(screen.getByLabelText("Password")).toHaveAccessibleDescription("Wrong tenant, username or password.");
    await user.type(screen.getByLabelText("Password"), "correct horse battery");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("heading", { name: "Agents and cluster health" }, lazy)).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/cluster");
    expect(s.calls.password.at(-1)).toEqual({ tenant: "acme", username: "ada", password: "correct horse battery" });
    expect(store.getState().auth.credential).toMatchObject({ kind: "session", tenant: "acme", csrfToken: "csrf-123" });
    // No key anywhere: the session lives in its cookie.
    expect(Object.keys(localStorage).some((k) => (localStorage.getItem(k) ?? "").includes("dm_"))).toBe(false);
    expect(JSON.parse(sessionStorage.getItem(AUTH_STORAGE_KEY)!)).not.toHaveProperty("key");
  });

  it("says password sign-in is off in the controller's words", async () => {
    const user = userEvent.setup();
    const s = fakeSession({
      current: offers(true, true),
      passwordError: new SessionError(
        "password_login_disabled",
        "Password login is turned off. Sign in with single sign-on at /auth/oidc/login.",
        403,
      ),
    });
    renderConsole("/", { session: s.client });
    await user.type(await screen.findByLabelText("Tenant", {}, lazy), "acme");
    await user.type(screen.getByLabelText("Username"), "ada");
    await user.type(screen.getByLabelText("Password"), "whatever it is");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Password login is turned off.");
  });

  it("goes straight in when the browser already has a session (back from single sign-on)", async () => {
    const s = fakeSession({ current: session });
    const { store } = renderConsole("/cluster", { session: s.client });
    expect(await screen.findByRole("heading", { name: "Agents and cluster health" }, lazy)).toBeInTheDocument();
    expect(store.getState().auth.credential).toMatchObject({ kind: "session", userId: "usr-ada" });
  });
});

describe("a signed-in session", () => {
  it("sends the CSRF token, and no key, on every call", async () => {
    const headers: Headers[] = [];
    renderConsole("/cluster", { preloaded: { auth: sessionAuth() }, headers, session: fakeSession({ current: session }).client });
    await screen.findByRole("heading", { name: "Agents and cluster health" }, lazy);
    await waitFor(() => expect(headers.length).toBeGreaterThan(2));
    for (const h of headers) {
      expect(h.get(CSRF_HEADER)).toBe("csrf-123");
      expect(h.has("Authorization")).toBe(false);
    }
  });

  it("sends the key, and no CSRF token, with an API key", async () => {
    const headers: Headers[] = [];
    renderConsole("/cluster", { preloaded: { auth: keyAuth("dm_abc_def") }, headers });
    await screen.findByRole("heading", { name: "Agents and cluster health" }, lazy);
    await waitFor(() => expect(headers.length).toBeGreaterThan(2));
    for (const h of headers) {
      expect(h.get("Authorization")).toBe("Bearer dm_abc_def");
      expect(h.has(CSRF_HEADER)).toBe(false);
    }
  });

  it("shows who is signed in, in which tenant and with which role", async () => {
    renderConsole("/settings", { preloaded: { auth: sessionAuth() }, me: { role: "operator", userId: "usr-ada", tenant: "acme" } });
    const who = await screen.findByRole("group", { name: /^Signed in:/ }, lazy);
    await waitFor(() => expect(who).toHaveAccessibleName("Signed in: Ada Lovelace, ada@example.com, tenant acme, role operator"));
  });

  it("returns to sign-in with a notice when the controller ends the session", { timeout: 30000 }, async () => {
    let refused = false;
    const s = fakeSession({ current: session });
    const { router, store } = renderConsole("/cluster", {
      preloaded: { auth: sessionAuth() },
      session: s.client,
      refuse: () => (refused ? new ConnectError("session expired", Code.Unauthenticated) : null),
    });
    await screen.findByRole("heading", { name: "Agents and cluster health" }, lazy);
    refused = true;
    s.state.current = offers(false, true);
    await userEvent.setup().click(within(screen.getByRole("navigation", { name: "Main" })).getByRole("link", { name: /Drift inventory/ }));
    expect(await screen.findByText("Your session has expired or was ended. Sign in again.", {}, lazy)).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/sign-in");
    expect(store.getState().auth.credential).toBeNull();
  });

  it("signs out on the controller with the CSRF token, then forgets the session", async () => {
    const user = userEvent.setup();
    const s = fakeSession({ current: session });
    const { router, store } = renderConsole("/settings", { preloaded: { auth: sessionAuth() }, session: s.client });
    await user.click(within(await screen.findByRole("banner", {}, lazy)).getByRole("button", { name: "Sign out" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/sign-in"));
    expect(s.calls.logout).toEqual(["csrf-123"]);
    expect(store.getState().auth.credential).toBeNull();
    expect(sessionStorage.getItem(AUTH_STORAGE_KEY)).toBeNull();
    expect(await screen.findByLabelText("Password", {}, lazy)).toBeInTheDocument();
  });

  it("stays signed in, and says so, when the controller does not end the session", async () => {
    const user = userEvent.setup();
    const s = fakeSession({ current: session, logoutError: new SessionError("unreachable", "The controller could not be reached.") });
    const { router, store } = renderConsole("/settings", { preloaded: { auth: sessionAuth() }, session: s.client });
    await user.click(within(await screen.findByRole("banner", {}, lazy)).getByRole("button", { name: "Sign out" }));
    expect(await screen.findByText("Sign-out failed: you are still signed in")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/settings");
    expect(store.getState().auth.credential?.kind).toBe("session");
  });

  it("forgets a key without asking the controller", async () => {
    const user = userEvent.setup();
    const s = fakeSession();
    const { router } = renderConsole("/settings", { preloaded: { auth: keyAuth() }, session: s.client });
    await user.click(within(await screen.findByRole("banner", {}, lazy)).getByRole("button", { name: "Sign out" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/sign-in"));
    expect(s.calls.logout).toEqual([]);
  });
});
