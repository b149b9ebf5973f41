// The console signed in as a person against a real `driftmgr dev`: the dev
// admin's password starts a browser session (an HttpOnly cookie, no API key
// kept anywhere, the CSRF token on every call), the inventory loads, the
// audit log shows this very sign-in and its calls, its chain verifies and
// exports, Users & keys creates an API key whose secret is shown once and
// revokes it, and signing out ends the session on the controller. Axe and
// light/dark screenshots of the new screens. Run by console_test.go after
// scenario.mjs, with the password from the dev banner.
import { readFileSync } from "node:fs";
import { axe, env, launch, output, screenshot, step, until, viewport, writeJSON } from "./lib.mjs";

const { base, password, out, chromium } = env();
if (!password) throw new Error("DRIFTMGR_PASSWORD is not set: run this script through go test ./e2e/console");
const tenant = "default";
const username = "admin";
const exportPath = output(out, "audit-export.jsonl");

const browser = await launch(chromium);
const axeFailures = [];
const axeReport = {};
const figures = {};
try {
  const ctx = await browser.newContext({ viewport, colorScheme: "light", acceptDownloads: true });
  const page = await ctx.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // Every API call the page makes, with the headers it sent.
  const calls = [];
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith("/driftmgr.v1.")) calls.push({ path: u.pathname, method: r.method(), headers: r.headers() });
  });

  // A Connect call from outside the browser, with a bearer key.
  const health = (bearer) =>
    fetch(base + "/driftmgr.v1.ClusterService/GetHealth", {
      method: "POST",
      headers: { Authorization: "Bearer " + bearer, "Content-Type": "application/json", "Connect-Protocol-Version": "1" },
      body: "{}",
    });
  const sessionCookie = async () => (await ctx.cookies(base)).find((c) => c.name === "driftmgr_session" || c.name === "__Host-driftmgr_session");
  const main = () => page.getByRole("navigation", { name: "Main" });
  const auditRows = () => page.getByRole("table", { name: "Audit entries, newest first" }).getByRole("row").filter({ has: page.getByRole("cell") });
  const applyAuditFilter = async ({ action = "", kind = "Any" }) => {
    await page.getByLabel("Action starts with").fill(action);
    await page.getByRole("combobox", { name: "Actor kind" }).click();
    await page.getByRole("option", { name: kind, exact: true }).click();
    await page.getByRole("button", { name: "Apply filters" }).click();
  };

  await step("sign-in offers the password form (no single sign-on in dev mode) and keeps the key", async () => {
    await page.goto(base + "/inventory");
    await page.waitForURL(/\/sign-in$/);
    await page.getByLabel("Password", { exact: true }).waitFor();
    if ((await page.getByRole("link", { name: "Sign in with SSO" }).count()) !== 0) throw new Error("an SSO button without single sign-on");
    await page.getByRole("button", { name: "Use an API key" }).waitFor();
  });

  await step("a wrong password is refused in the controller's words", async () => {
    await page.getByLabel("Tenant", { exact: true }).fill(tenant);
    await page.getByLabel("Username", { exact: true }).fill(username);
    await page.getByLabel("Password", { exact: true }).fill("not-the-password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("alert").filter({ hasText: "Wrong tenant, username or password." }).waitFor();
    if ((await page.getByLabel("Password", { exact: true }).inputValue()) !== "") throw new Error("the refused password was kept in the form");
  });

  await step("sign in with the dev password: a session cookie, no key kept, back to the inventory", async () => {
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("heading", { name: "Drift inventory" }).waitFor();
    if (new URL(page.url()).pathname !== "/inventory") throw new Error("signed in but at " + page.url());
    await until("inventory rows", async () => (await page.locator('[data-testid="inventory-scroll"] [role="row"][aria-rowindex]:not([aria-rowindex="1"])').count()) > 0, 30000);
    const c = await sessionCookie();
    if (!c) throw new Error("no session cookie");
    if (!c.httpOnly || c.sameSite !== "Lax") throw new Error(`the session cookie is not HttpOnly SameSite=Lax: ${JSON.stringify(c)}`);
    const kept = await page.evaluate(() => {
      const all = [];
      for (const s of [localStorage, sessionStorage]) for (let i = 0; i < s.length; i++) all.push([s.key(i), s.getItem(s.key(i))]);
      return all;
    });
    const keys = kept.filter(([, v]) => /dm_[a-z0-9]+_[a-z0-9]+/i.test(v ?? ""));
    if (keys.length) throw new Error(`an API key is kept in the browser: ${JSON.stringify(keys.map(([k]) => k))}`);
    if (await page.evaluate(() => document.cookie.includes("driftmgr_session"))) throw new Error("the page's script can read the session cookie");
    figures.sessionCookie = { name: c.name, httpOnly: c.httpOnly, sameSite: c.sameSite, secure: c.secure };
  });

  await step("every API call carried the CSRF token and no bearer key", async () => {
    await until("API calls", async () => calls.length >= 3);
    const bad = calls.filter((c) => c.method !== "POST" || !c.headers["x-csrf-token"] || c.headers.authorization);
    if (bad.length) throw new Error(`calls without the CSRF token, or with a key: ${JSON.stringify(bad.slice(0, 3))}`);
    figures.callsWithCsrf = calls.length;
  });

  await step("the header names the user, the tenant and the role", async () => {
    const who = page.getByRole("banner").getByRole("group", { name: /^Signed in:/ });
    await until("WhoAmI's role in the header", async () => /role owner$/.test((await who.getAttribute("aria-label")) ?? ""));
    figures.signedInAs = await who.getAttribute("aria-label");
    if (!figures.signedInAs.includes(`tenant ${tenant}`)) throw new Error(`the header says ${figures.signedInAs}`);
  });

  await step("the audit log shows this sign-in, the refused one, and the inventory's calls", async () => {
    await main().getByRole("link", { name: "Audit log" }).click();
    await page.getByRole("heading", { level: 1, name: "Audit log" }).waitFor();
    await auditRows().first().waitFor();
    await applyAuditFilter({ action: "console.sign_in" });
    await until("the sign-ins, refused and accepted", async () => {
      const rows = await auditRows().allInnerTexts();
      const ok = rows.some((r) => r.includes("console.sign_in.password") && /\bok\b/.test(r) && r.includes("user"));
      const refused = rows.some((r) => r.includes("console.sign_in.password") && r.includes("unauthenticated"));
      if (!ok || !refused) await page.getByRole("button", { name: "Refresh" }).click();
      return ok && refused;
    });
    if (new URL(page.url()).searchParams.get("action") !== "console.sign_in") throw new Error("the filter is not in the URL: " + page.url());
    await applyAuditFilter({ action: "/driftmgr.v1.FindingsService/ListFindings", kind: "user" });
    await until("the inventory's ListFindings calls, as this user", async () => {
      const rows = await auditRows().allInnerTexts();
      return rows.length > 0 && rows.every((r) => r.includes("FindingsService/ListFindings") && r.includes("user"));
    });
    figures.auditListFindingsRows = await auditRows().count();
    await screenshot(page, out, "audit-light");
    await axe(page, "audit", axeFailures, axeReport);
  });

  await step("an entry's detail: arguments, request, hashes", async () => {
    await auditRows().first().getByRole("button", { name: /^Details of entry \d+$/ }).click();
    const drawer = page.getByRole("dialog", { name: /^Audit entry #\d+$/ });
    await drawer.waitFor();
    const text = await drawer.innerText();
    for (const want of ["Arguments", "Request ID", "Previous entry's hash", "This entry's hash", "/driftmgr.v1.FindingsService/ListFindings"]) {
      if (!text.includes(want)) throw new Error(`the drawer does not show ${want}: ${JSON.stringify(text.slice(0, 400))}`);
    }
    if (!/[0-9a-f]{64}/.test(text)) throw new Error("the drawer shows no hash");
    await screenshot(page, out, "audit-entry-light");
    await axe(page, "audit-entry", axeFailures, axeReport);
    await page.keyboard.press("Escape");
    await drawer.waitFor({ state: "hidden" });
  });

  await step("verify the chain", async () => {
    await page.getByRole("button", { name: "Verify chain" }).click();
    const ok = page.getByText(/^Chain intact: [\d,]+ entries, head #\d+$/);
    await ok.waitFor();
    figures.chain = await ok.innerText();
    figures.chainHead = await page.getByLabel("Head hash").innerText();
  });

  await step("export the log as JSON lines", async () => {
    const [dl] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export JSONL" }).click()]);
    if (!/^driftmgr-audit-default-\d{8}T\d{6}Z\.jsonl$/.test(dl.suggestedFilename())) throw new Error("the export is named " + dl.suggestedFilename());
    await dl.saveAs(exportPath);
    const lines = readFileSync(exportPath, "utf8").trimEnd().split("\n");
    const entries = lines.map((l) => JSON.parse(l));
    if (entries[0].seq !== 1) throw new Error("the export does not start at entry 1");
    entries.forEach((e, i) => {
      if (e.seq !== i + 1) throw new Error(`entry ${i + 1} is numbered ${e.seq}`);
    });
    figures.exportedEntries = entries.length;
    await page.getByText(/^Exported [\d,]+ audit entries$/).waitFor();
    console.log(`     export ${exportPath}: ${entries.length} entries`);
  });

  await step("Users & keys: the users", async () => {
    await main().getByRole("link", { name: "Users & keys" }).click();
    await page.getByRole("heading", { level: 1, name: "Users & keys" }).waitFor();
    const table = page.getByRole("table", { name: `Users of tenant ${tenant}` });
    await table.getByRole("row").filter({ hasText: "(you)" }).filter({ hasText: username }).waitFor();
    await screenshot(page, out, "users-light");
    await axe(page, "users", axeFailures, axeReport);
  });

  let secret = "";
  let keyId = "";
  await step("create an API key: its secret is shown once, and works", async () => {
    await page.getByRole("tab", { name: "API keys" }).click();
    await page.getByRole("table", { name: "API keys" }).waitFor();
    await page.getByRole("button", { name: "Create API key" }).click();
    const dialog = page.getByRole("dialog", { name: "Create an API key" });
    await dialog.getByLabel("Description").fill("e2e console key");
    await axe(page, "api-key-create", axeFailures, axeReport);
    await dialog.getByRole("button", { name: "Create key" }).click();
    const shown = page.getByRole("dialog", { name: "Your new API key" });
    await shown.waitFor();
    await shown.getByRole("alert").filter({ hasText: "shown only once" }).waitFor();
    await shown.getByRole("button", { name: "Copy key" }).waitFor();
    secret = await shown.getByLabel("New API key").inputValue();
    const m = /^dm_([a-z0-9]+)_[a-z0-9]+$/.exec(secret);
    if (!m) throw new Error("the secret does not look like a key");
    keyId = m[1];
    await screenshot(page, out, "api-key-secret-light");
    await axe(page, "api-key-secret", axeFailures, axeReport);
    const r = await health(secret);
    if (r.status !== 200) throw new Error(`the new key is refused: ${r.status} ${await r.text()}`);
    await shown.getByRole("button", { name: "I have stored the key" }).click();
    await shown.waitFor({ state: "hidden" });
    if ((await page.content()).includes(secret)) throw new Error("the secret is still in the page");
    const row = page.getByRole("table", { name: "API keys" }).getByRole("row").filter({ hasText: keyId });
    await row.filter({ hasText: "Active" }).waitFor();
    if (!(await row.innerText()).includes("e2e console key")) throw new Error("the new key's row lacks its description");
    await screenshot(page, out, "api-keys-light");
    await axe(page, "api-keys", axeFailures, axeReport);
  });

  await step("revoke it after the confirmation: refused at once", async () => {
    await page.getByRole("button", { name: `Revoke key ${keyId}` }).click();
    const confirm = page.getByRole("alertdialog", { name: `Revoke key ${keyId}?` });
    await confirm.waitFor();
    await axe(page, "revoke-confirm", axeFailures, axeReport);
    await confirm.getByRole("button", { name: "Revoke key" }).click();
    await confirm.waitFor({ state: "hidden" });
    await page.getByRole("table", { name: "API keys" }).getByRole("row").filter({ hasText: keyId }).filter({ hasText: "Revoked" }).waitFor();
    const r = await health(secret);
    if (r.status !== 401) throw new Error(`the revoked key still works: ${r.status}`);
  });

  await step("dark mode", async () => {
    const toggle = page.getByRole("button", { name: /theme \(switch to/ });
    for (let i = 0; i < 3 && !(await toggle.getAttribute("aria-label")).startsWith("Dark theme"); i++) await toggle.click();
    await until("<html class=dark>", () => page.evaluate(() => document.documentElement.classList.contains("dark")));
  });

  for (const [name, path, ready] of [
    ["users", "/admin/users", () => page.getByRole("table", { name: `Users of tenant ${tenant}` }).waitFor()],
    ["api-keys", "/admin/users?tab=keys", () => page.getByRole("table", { name: "API keys" }).getByRole("row").filter({ hasText: keyId }).waitFor()],
    ["audit", "/admin/audit?action=console.sign_in", () => auditRows().first().waitFor()],
  ]) {
    await step(`${name} in dark`, async () => {
      await page.goto(base + path);
      await page.getByRole("heading", { level: 1 }).first().waitFor();
      await ready();
      await page.waitForTimeout(300);
      await screenshot(page, out, name + "-dark");
      await axe(page, name + " (dark)", axeFailures, axeReport);
    });
  }

  await step("sign out: back to sign-in, and the session is over on the controller", async () => {
    const before = await sessionCookie();
    await page.getByRole("banner").getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in$/);
    await page.getByLabel("Password", { exact: true }).waitFor();
    if (await sessionCookie()) throw new Error("the session cookie is still set");
    // The old cookie names no session any more.
    const r = await fetch(base + "/auth/session", { headers: { Cookie: `${before.name}=${before.value}` } });
    if (r.status !== 401) throw new Error(`the ended session still answers ${r.status}`);
    await page.goto(base + "/inventory");
    await page.waitForURL(/\/sign-in$/);
  });

  if (errors.length) throw new Error("uncaught errors in the page: " + errors.join("; "));
  if (axeFailures.length) throw new Error(`axe found serious or critical violations:\n  ${axeFailures.join("\n  ")}`);
} finally {
  writeJSON(output(out, "session.json"), { figures, axe: axeReport });
  await browser.close();
}
console.log("session passed", JSON.stringify(figures));
