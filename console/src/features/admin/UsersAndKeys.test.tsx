import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Code, ConnectError } from "@connectrpc/connect";
import { Toaster } from "@/components/ui/toast";
import { mockClients, renderApp } from "@/test/render";
import { apiKey, tenancyServer, user } from "@/test/tenancy";
import UsersAndKeys from "./UsersAndKeys";

function open(route: string, o: Parameters<typeof tenancyServer>[0] = {}) {
  const server = tenancyServer(o);
  const clients = mockClients(server.routes);
  const r = renderApp(
    <>
      <UsersAndKeys />
      <Toaster />
    </>,
    { clients, route, path: "/admin/users" },
  );
  return { ...server, ...r };
}

const people = [
  user({
    id: "usr-ada",
    username: "ada",
    displayName: "Ada Lovelace",
    email: "ada@example.com",
    role: "admin",
    lastLoginAt: { seconds: 1795600000n },
  }),
  user({ id: "usr-bob", username: "bob", role: "viewer", source: "oidc", issuer: "https://idp.example.com", subject: "123" }),
];

const keysTab = "/admin/users?tab=keys";

describe("Users", () => {
  it("lists users with their role, how they sign in and their status, from the API", async () => {
    open("/admin/users", { users: people });
    const table = await screen.findByRole("table", { name: "Users of tenant acme" });
    const rows = within(table).getAllByRole("row");
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent("Ada Lovelace");
    expect(rows[1]).toHaveTextContent("(you)");
    expect(rows[1]).toHaveTextContent("Password");
    expect(rows[2]).toHaveTextContent("bob");
    expect(rows[2]).toHaveTextContent("Single sign-on");
    expect(rows[2]).toHaveTextContent("Never");
    expect(screen.getByText("2 users")).toBeInTheDocument();
    // One's own role and account are not offered for change.
    expect(within(rows[1]!).queryByRole("button", { name: /Disable/ })).not.toBeInTheDocument();
    expect(within(rows[2]!).getByRole("combobox", { name: "Role of bob" })).toHaveTextContent("viewer");
  });

  it("refuses a password under 12 characters before asking the controller, then creates the user", async () => {
    const user = userEvent.setup();
    const { calls } = open("/admin/users", { users: people });
    await user.click(await screen.findByRole("button", { name: "Create user" }));
    const dialog = screen.getByRole("dialog", { name: "Create a local user" });
    await user.type(within(dialog).getByLabelText("Username"), "Carol");
    await user.type(within(dialog).getByLabelText("Password"), "short-pw");
    expect(within(dialog).getByText("At least 12 characters (8 so far).")).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText("Repeat the password"), "short-pw");
    await user.click(within(dialog).getByRole("button", { name: "Create user" }));
    expect(within(dialog).getByRole("alert")).toHaveTextContent("The password needs at least 12 characters (8 so far).");
    expect(calls.createUser).toEqual([]);
    await user.type(within(dialog).getByLabelText("Password"), "-and-longer");
    await user.click(within(dialog).getByRole("button", { name: "Create user" }));
    expect(within(dialog).getByRole("alert")).toHaveTextContent("The two passwords differ.");
    await user.type(within(dialog).getByLabelText("Repeat the password"), "-and-longer");
    await user.click(within(dialog).getByRole("button", { name: "Create user" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(calls.createUser).toEqual([{ username: "carol", role: "viewer", password: "short-pw-and-longer" }]);
    expect(await screen.findByText("User carol created")).toBeInTheDocument();
    expect(await screen.findByText("3 users")).toBeInTheDocument();
  });

  it("shows the controller's refusal of a new user in the dialog", async () => {
    const user = userEvent.setup();
    open("/admin/users", { users: people, createUserError: new ConnectError("user bob already exists", Code.AlreadyExists) });
    await user.click(await screen.findByRole("button", { name: "Create user" }));
    const dialog = screen.getByRole("dialog", { name: "Create a local user" });
    await user.type(within(dialog).getByLabelText("Username"), "bob");
    await user.type(within(dialog).getByLabelText("Password"), "a long enough password");
    await user.type(within(dialog).getByLabelText("Repeat the password"), "a long enough password");
    await user.click(within(dialog).getByRole("button", { name: "Create user" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("user bob already exists");
  });

  it("disables a user after a confirmation that says what it does", async () => {
    const user = userEvent.setup();
    const { calls } = open("/admin/users", { users: people });
    await user.click(await screen.findByRole("button", { name: "Disable bob" }));
    const confirm = screen.getByRole("alertdialog", { name: "Disable bob?" });
    expect(confirm).toHaveTextContent("Their console sessions end at once");
    expect(within(confirm).getByRole("button", { name: "Cancel" })).toHaveFocus();
    await user.click(within(confirm).getByRole("button", { name: "Disable user" }));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument());
    expect(calls.updateUser.map((r) => ({ id: r.id, disabled: r.disabled }))).toEqual([{ id: "usr-bob", disabled: true }]);
    expect(await screen.findByRole("button", { name: "Enable bob" })).toBeInTheDocument();
    expect(screen.getByText("2 users, 1 disabled")).toBeInTheDocument();
  });

  it("offers no changes to a caller who may only read users", async () => {
    open("/admin/users", { users: people, me: { role: "viewer" } });
    // A viewer may not even read users: the screen says so.
    expect(await screen.findByRole("heading", { name: "Not permitted" })).toBeInTheDocument();
  });
});

describe("Password sign-in", () => {
  it("is turned off only after a confirmation that warns of locking everyone out", async () => {
    const user = userEvent.setup();
    const { calls } = open("/admin/users", { users: people });
    const card = (await screen.findByText("Password sign-in")).closest("div.rounded-lg") as HTMLElement;
    // An admin cannot read the tenant's record: the setting shows once set.
    expect(card).toHaveTextContent("The current setting is shown once it is changed here.");
    await user.click(within(card).getByRole("button", { name: "Turn password sign-in off" }));
    const confirm = screen.getByRole("alertdialog", { name: "Turn password sign-in off for acme?" });
    expect(confirm).toHaveTextContent("otherwise nobody can sign in to the console");
    await user.click(within(confirm).getByRole("button", { name: "Turn it off" }));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument());
    expect(calls.setPasswordLogin).toEqual([false]);
    expect(await within(card).findByText("Off")).toBeInTheDocument();
    await user.click(within(card).getByRole("button", { name: "Turn password sign-in on" }));
    expect(await within(card).findByText("On")).toBeInTheDocument();
    expect(calls.setPasswordLogin).toEqual([false, true]);
  });

  it("shows a platform owner the current setting", async () => {
    open("/admin/users", { users: people, me: { role: "owner", userId: "usr-ada" } });
    const card = (await screen.findByText("Password sign-in")).closest("div.rounded-lg") as HTMLElement;
    expect(await within(card).findByText("On")).toBeInTheDocument();
    expect(within(card).queryByRole("button", { name: "Turn password sign-in on" })).not.toBeInTheDocument();
  });
});

describe("API keys", () => {
  const keys = [
    apiKey({ id: "kold", userId: "usr-bob", role: "viewer", description: "laptop", revoked: true, revokedAt: { seconds: 1795500000n } }),
    apiKey({ id: "kci", serviceAccountId: "ci", role: "operator", description: "GitHub Actions", lastUsedAt: { seconds: 1795600000n } }),
  ];

  it("lists keys with owner, role, dates and status, never a secret", async () => {
    open(keysTab, { users: people, keys });
    const table = await screen.findByRole("table", { name: "API keys" });
    const rows = within(table).getAllByRole("row");
    expect(rows[1]).toHaveTextContent("kci");
    expect(rows[1]).toHaveTextContent("GitHub Actions");
    expect(rows[1]).toHaveTextContent("service account");
    expect(rows[1]).toHaveTextContent("Active");
    expect(rows[2]).toHaveTextContent("kold");
    expect(rows[2]).toHaveTextContent("bob");
    expect(rows[2]).toHaveTextContent("Revoked");
    expect(within(rows[2]!).queryByRole("button", { name: /Revoke/ })).not.toBeInTheDocument();
    expect(screen.getByText(/^1 active of 2\./)).toBeInTheDocument();
  });

  it("shows a new key's secret once, with a copy button and a warning", async () => {
    const user = userEvent.setup();
    const { calls, store } = open(keysTab, { users: people, keys });
    await user.click(await screen.findByRole("button", { name: "Create API key" }));
    let dialog = screen.getByRole("dialog", { name: "Create an API key" });
    expect(within(dialog).getByRole("combobox", { name: "Acts as" })).toHaveTextContent("ada (user)");
    expect(within(dialog).getByRole("combobox", { name: "Expires after" })).toHaveTextContent("90 days");
    await user.type(within(dialog).getByLabelText("Description"), "e2e runner");
    await user.click(within(dialog).getByRole("button", { name: "Create key" }));
    dialog = await screen.findByRole("dialog", { name: "Your new API key" });
    expect(within(dialog).getByRole("alert")).toHaveTextContent("Copy this key now: it is shown only once.");
    expect(within(dialog).getByLabelText("New API key")).toHaveValue("dm_k001_s3cr3tvalue");
    expect(within(dialog).getByRole("button", { name: "Copy key" })).toBeInTheDocument();
    expect(calls.createKey).toHaveLength(1);
    expect(calls.createKey[0]).toMatchObject({
      owner: { case: "userId", value: "usr-ada" },
      role: "",
      description: "e2e runner",
      ttlSeconds: 7776000n,
    });
    // The secret is not in the store: only this dialog holds it.
    expect(JSON.stringify(store.getState())).not.toContain("s3cr3t");
    await user.click(within(dialog).getByRole("button", { name: "I have stored the key" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(screen.queryByText("dm_k001_s3cr3tvalue")).not.toBeInTheDocument();
    expect(screen.queryByDisplayValue("dm_k001_s3cr3tvalue")).not.toBeInTheDocument();
    // The new key is listed, without its secret; opening the dialog again starts afresh.
    const table = screen.getByRole("table", { name: "API keys" });
    expect(await within(table).findByText("k001")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Create API key" }));
    expect(screen.getByRole("dialog", { name: "Create an API key" })).toBeInTheDocument();
    expect(screen.queryByDisplayValue("dm_k001_s3cr3tvalue")).not.toBeInTheDocument();
  });

  it("revokes a key only after the confirmation, and not when it is cancelled", async () => {
    const user = userEvent.setup();
    const { calls } = open(keysTab, { users: people, keys });
    await user.click(await screen.findByRole("button", { name: "Revoke key kci" }));
    let confirm = screen.getByRole("alertdialog", { name: "Revoke key kci?" });
    expect(confirm).toHaveTextContent("whatever uses it (ci, GitHub Actions) starts failing. This cannot be undone.");
    await user.click(within(confirm).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument());
    expect(calls.revoke).toEqual([]);
    await user.click(screen.getByRole("button", { name: "Revoke key kci" }));
    confirm = screen.getByRole("alertdialog", { name: "Revoke key kci?" });
    await user.click(within(confirm).getByRole("button", { name: "Revoke key" }));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument());
    expect(calls.revoke).toEqual(["kci"]);
    expect(await screen.findByText("Key kci revoked")).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole("button", { name: "Revoke key kci" })).not.toBeInTheDocument());
    expect(screen.getByText(/^0 active of 2\./)).toBeInTheDocument();
  });

  it("warns before revoking the key the tab is signed in with", async () => {
    const user = userEvent.setup();
    open(keysTab, { users: people, keys, me: { role: "admin", apiKeyId: "kci" } });
    await user.click(await screen.findByRole("button", { name: "Revoke key kci" }));
    expect(screen.getByRole("alertdialog")).toHaveTextContent("This is the key this tab is signed in with: you will be signed out.");
  });
});
