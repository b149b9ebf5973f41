// The console's end-to-end scenario against a real `driftmgr dev`: sign in,
// the overview's KPIs, filtering the inventory (kept in the URL across a
// reload), a drifted resource's diff, acknowledging it, the Security screen
// (posture, a failing check, its evidence and fix, the compliance report, a
// mutelist refused with its line and one that mutes without a rescan), a live
// count change after the simulated cloud is mutated, dark mode kept across a reload,
// axe on every main screen, and screenshots of them in light and dark.
// Run by console_test.go, which passes the URL and key in the environment.
import { axe, env, launch, output, screenshot, step, until, viewport, writeJSON } from "./lib.mjs";

const { base, key, out, chromium } = env();
// The bundled example worlds drift in 12 places (examples/{aws,azure,gcp}).
const exampleOpen = 12;
// aws_security_group sg-0a1 opens SSH to the world on the live side.
const sg = "sg-0a1";

const browser = await launch(chromium);
const axeFailures = [];
const axeReport = {};
const figures = {};
try {
  const ctx = await browser.newContext({ viewport, colorScheme: "light" });
  const page = await ctx.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));

  // Reads a KPI card's number (the card is a group named by its label).
  const kpi = async (label) => {
    const text = await page.getByRole("group", { name: label, exact: true }).innerText();
    const line = text
      .split("\n")
      .map((s) => s.trim())
      .find((s) => /^[\d,]+$/.test(s));
    return line === undefined ? null : Number(line.replaceAll(",", ""));
  };
  // The open-findings count beside "Drift inventory" in the navigation, fed by the Watch stream.
  const navOpen = async () => {
    const l = page.getByRole("navigation", { name: "Main" }).locator('[aria-label$=" open"]');
    if ((await l.count()) === 0) return null;
    return Number((await l.getAttribute("aria-label")).split(" ")[0]);
  };
  const findingsShown = async () => (await page.getByText(/^[\d,]+ findings?$/).first().innerText()).trim();
  const filters = () => page.getByRole("complementary", { name: "Filters" });
  // Ticks a facet checkbox. Not locator.check(): that reads the box right
  // after the click, but the box follows the URL, which the router updates
  // a moment later.
  const tick = async (box) => {
    if (await box.isChecked()) return;
    await box.click();
    await until("the checkbox to be ticked", () => box.isChecked(), 10000);
  };

  await step("sign-in screen", async () => {
    await page.goto(base + "/");
    await page.waitForURL(/\/sign-in$/);
    // dev mode signs people in with a password (session.mjs); the key is the third way.
    await page.getByLabel("Password", { exact: true }).waitFor();
    await screenshot(page, out, "sign-in-light");
    await axe(page, "sign-in", axeFailures, axeReport);
  });

  await step("a wrong key is refused", async () => {
    await page.getByRole("button", { name: "Use an API key" }).click();
    await page.getByLabel("API key", { exact: true }).fill("dm_nobody_notasecret");
    await page.getByRole("button", { name: "Sign in with the key" }).click();
    await page.getByRole("alert").filter({ hasText: "did not accept" }).waitFor();
  });

  await step("sign in with the dev key", async () => {
    await page.getByLabel("API key", { exact: true }).fill(key);
    await page.getByRole("button", { name: "Sign in with the key" }).click();
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    if (new URL(page.url()).pathname !== "/") throw new Error("signed in but at " + page.url());
  });

  await step(`overview shows ${exampleOpen} open findings`, async () => {
    // The dev agent's first scan may still be on its way.
    figures.openAtStart = await until(`Open findings = ${exampleOpen}`, async () => ((await kpi("Open findings")) === exampleOpen ? exampleOpen : null), 30000);
    await until("the Critical KPI", async () => (await kpi("Critical")) === 3);
    await until("the stream to be live", async () => (await page.getByRole("status").filter({ hasText: /^Live$/ }).count()) > 0);
    await until("the open count in the navigation", async () => (await navOpen()) === exampleOpen);
    await screenshot(page, out, "overview-light");
    await axe(page, "overview", axeFailures, axeReport);
  });

  await step("chart tooltips", async () => {
    // Hover a point of the trend chart: its tooltip must be readable too.
    const chart = page.getByRole("figure", { name: /^Line chart/ });
    const box = await chart.boundingBox();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.4);
    await page.locator(".recharts-tooltip-wrapper").filter({ hasText: /Modified/ }).waitFor();
    await axe(page, "overview chart tooltip", axeFailures, axeReport);
    await page.mouse.move(0, 0);
  });

  await step("filter the inventory by kind Modified and severity Critical", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /Drift inventory/ }).click();
    await page.getByRole("heading", { name: "Drift inventory" }).waitFor();
    await until("all findings listed", async () => (await findingsShown()) === `${exampleOpen} findings`);
    await tick(filters().getByRole("group", { name: "Drift kind" }).getByLabel("Modified", { exact: true }));
    await until("kind in the URL", async () => new URL(page.url()).searchParams.get("kind") === "modified");
    await until("6 modified findings", async () => (await findingsShown()) === "6 findings");
    await tick(filters().getByRole("group", { name: "Severity" }).getByLabel("Critical", { exact: true }));
    await until("kind and severity in the URL", async () => {
      const q = new URL(page.url()).searchParams;
      return q.get("kind") === "modified" && q.get("severity") === "critical";
    });
    await until("3 critical modified findings", async () => (await findingsShown()) === "3 findings");
    await until("3 rows", async () => (await page.locator('[data-testid="inventory-scroll"] [role="row"][aria-rowindex]:not([aria-rowindex="1"])').count()) === 3);
  });

  await step("a reload keeps the filter", async () => {
    const url = page.url();
    await page.reload();
    await page.getByRole("heading", { name: "Drift inventory" }).waitFor();
    if (page.url() !== url) throw new Error(`URL changed across reload: ${url} -> ${page.url()}`);
    await until("3 findings after reload", async () => (await findingsShown()) === "3 findings");
    const kindBox = filters().getByRole("group", { name: "Drift kind" }).getByLabel("Modified", { exact: true });
    const sevBox = filters().getByRole("group", { name: "Severity" }).getByLabel("Critical", { exact: true });
    if (!(await kindBox.isChecked()) || !(await sevBox.isChecked())) throw new Error("the filter checkboxes are not checked after reload");
    figures.inventoryFilterURL = new URL(page.url()).search;
    await screenshot(page, out, "inventory-light");
    await axe(page, "inventory", axeFailures, axeReport);
  });

  let detailURL;
  await step(`open ${sg} and read its diff`, async () => {
    await page.locator(`[data-testid="inventory-scroll"] a[title="${sg}"]`).click();
    await page.waitForURL(/\/findings\/[^/]+$/);
    detailURL = page.url();
    await page.getByRole("heading", { name: "Attribute differences" }).waitFor();
    await page.getByText(sg, { exact: true }).first().waitFor();
    // Side by side: the live column's added lines carry the open CIDR.
    const region = page.getByRole("region", { name: /^Diff of ingress/ });
    await region.waitFor();
    const added = await region.locator('[data-op="added"]').allInnerTexts();
    if (!added.some((t) => t.includes("0.0.0.0/0"))) throw new Error(`0.0.0.0/0 is not on the live side; added lines: ${JSON.stringify(added)}`);
    const removed = await region.locator('[data-op="removed"]').allInnerTexts();
    if (removed.some((t) => t.includes("0.0.0.0/0"))) throw new Error("0.0.0.0/0 shows on the state side");
    await region.getByText("Live cloud").waitFor();
    await screenshot(page, out, "detail-light");
    await axe(page, "detail", axeFailures, axeReport);
    // Inline layout shows the same added line.
    await page.getByRole("tab", { name: "Inline" }).click();
    await until("0.0.0.0/0 added inline", async () =>
      (await page.getByRole("region", { name: /^Diff of ingress/ }).locator('[data-op="added"]').allInnerTexts()).some((t) => t.includes("0.0.0.0/0")),
    );
    await page.getByRole("tab", { name: "Side by side" }).click();
  });

  const note = "accepted: SSH opened during incident 4711, Terraform PR follows";
  await step("acknowledge it with a note", async () => {
    await page.getByRole("button", { name: "Acknowledge", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Acknowledge this finding" });
    await dialog.waitFor();
    await axe(page, "acknowledge-dialog", axeFailures, axeReport);
    await dialog.getByLabel("Note").fill(note);
    await dialog.getByRole("button", { name: "Acknowledge", exact: true }).click();
    await dialog.waitFor({ state: "hidden" });
    await page.getByRole("button", { name: "Acknowledged", exact: true }).waitFor();
    if (!(await page.getByRole("button", { name: "Acknowledged", exact: true }).isDisabled())) throw new Error("Acknowledged button is enabled");
    await page.getByRole("list", { name: "Timeline" }).getByText(note).waitFor();
    // The open count follows without a reload.
    await until(`open count ${exampleOpen - 1} in the navigation`, async () => (await navOpen()) === exampleOpen - 1);
  });

  await step("the acknowledgement holds across a reload and the next scans", async () => {
    await page.waitForTimeout(2500); // a scan interval of the dev agent
    await page.reload();
    await page.getByRole("button", { name: "Acknowledged", exact: true }).waitFor();
    await page.getByText("Acknowledged", { exact: true }).first().waitFor();
  });

  // The dev agent runs the security scan after each drift scan: sg-0a1's
  // opened SSH is a security-weakening drift (DM-DRIFT-AWS-EC2-001, critical)
  // that counts against CIS AWS Foundations v3.0 5.2.
  const secRow = () => page.locator(`[data-testid="security-scroll"] [role="row"]:has(a[title="${sg}"])`);
  let securityDetailURL;
  await step("security: the posture and a failing check with its severity and framework", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Security", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Security" }).waitFor();
    figures.securityRisk = await until("a risk score", async () => {
      const t = await page.getByRole("group", { name: "Risk score", exact: true }).innerText();
      const n = t.split("\n").map((x) => x.trim()).find((x) => /^[\d,]+(\.\d)?$/.test(x));
      return n !== undefined && Number(n.replaceAll(",", "")) > 0 && n;
    }, 30000);
    const cis = page.getByRole("group", { name: "CIS AWS Foundations v3.0", exact: true });
    figures.cisAwsScore = await until("the CIS AWS v3.0 score", async () => {
      const label = await cis.getByRole("img").getAttribute("aria-label");
      const m = /^Score: (\d+(?:\.\d)?%)$/.exec(label ?? "");
      return m && m[1];
    });
    await until(`the ${sg} row`, async () => (await secRow().count()) === 1, 30000);
    const row = await secRow().innerText();
    for (const want of ["Critical", "Fail", "DM-DRIFT-AWS-EC2-001", "CIS AWS Foundations v3.0"]) {
      if (!row.includes(want)) throw new Error(`the ${sg} row does not show ${want}: ${JSON.stringify(row)}`);
    }
    // Filtering by framework goes through the URL and the server.
    await tick(filters().getByRole("group", { name: "Framework" }).getByLabel("CIS AWS Foundations v3.0", { exact: true }));
    await until("framework in the URL", async () => new URL(page.url()).searchParams.get("framework") === "CIS AWS Foundations v3.0");
    await until(`the ${sg} row, filtered`, async () => (await secRow().count()) === 1);
    await screenshot(page, out, "security-light");
    await axe(page, "security", axeFailures, axeReport);
  });

  await step("security: the finding's evidence, drift sides and remediation", async () => {
    await secRow().locator(`a[title="${sg}"]`).click();
    await page.waitForURL(/\/security\/findings\/[^/]+$/);
    securityDetailURL = page.url();
    await page.getByRole("heading", { name: "What fails" }).waitFor();
    const evidence = await page.getByLabel("Evidence", { exact: true }).innerText();
    if (!evidence.includes("0.0.0.0/0")) throw new Error(`the evidence does not show 0.0.0.0/0: ${JSON.stringify(evidence)}`);
    const live = page.getByRole("region", { name: "Live cloud" });
    await live.getByText("Fail", { exact: true }).waitFor();
    await page.getByRole("region", { name: "Terraform state" }).getByText("Pass", { exact: true }).waitFor();
    await page.getByRole("heading", { name: "Remediation" }).waitFor();
    const fix = await page.getByLabel("Terraform fix", { exact: true }).innerText();
    if (!fix.includes("cidr_blocks")) throw new Error(`the Terraform fix does not name cidr_blocks: ${JSON.stringify(fix)}`);
    await page.getByRole("link", { name: "CIS AWS Foundations v3.0" }).waitFor();
    const drift = await page.getByRole("link", { name: "Open the drift finding" }).getAttribute("href");
    if (!/^\/findings\/[^/]+$/.test(drift ?? "")) throw new Error(`the drift finding link is ${drift}`);
    await screenshot(page, out, "security-detail-light");
    await axe(page, "security-detail", axeFailures, axeReport);
  });

  await step("security: the compliance report", async () => {
    await page.getByRole("navigation", { name: "Security sections" }).getByRole("link", { name: "Compliance" }).click();
    await page.getByRole("heading", { level: 1, name: "Compliance" }).waitFor();
    // Its first framework; then CIS AWS v3.0 through the selector.
    await page.getByRole("img", { name: / score: \d+(\.\d)?%$/ }).waitFor();
    await page.getByRole("combobox", { name: "Framework" }).click();
    await page.getByRole("option", { name: /^CIS AWS Foundations v3\.0 — / }).click();
    await until("the framework in the URL", async () => new URL(page.url()).searchParams.get("framework") === "CIS AWS Foundations v3.0");
    const score = await page.getByRole("img", { name: /^CIS AWS Foundations v3\.0 score: / }).getAttribute("aria-label");
    figures.complianceCisAws = score.split(": ")[1];
    const table = page.getByRole("table", { name: "Controls of CIS AWS Foundations v3.0" });
    const failing = table.getByRole("row").filter({ has: page.getByText("Fail", { exact: true }) });
    if ((await failing.count()) === 0) throw new Error("no failing control in CIS AWS Foundations v3.0");
    await failing.first().getByRole("button", { name: /^Show \d+ failing/ }).click();
    await table.getByRole("link", { name: new RegExp(`^aws_security_group\\.[^ ]+ — DM-DRIFT-AWS-EC2-001$`) }).first().waitFor();
    await screenshot(page, out, "compliance-light");
    await axe(page, "compliance", axeFailures, axeReport);
  });

  await step("security: a refused mutelist shows its line; a saved one mutes without a rescan", async () => {
    await page.getByRole("navigation", { name: "Security sections" }).getByRole("link", { name: "Mutelist" }).click();
    await page.getByRole("heading", { level: 1, name: "Mutelist" }).waitFor();
    const editor = page.getByRole("textbox", { name: "Mutelist YAML" });
    await editor.fill(`mutelist:\n  - check: DM-DRIFT-AWS-EC2-001\n    resource: ${sg}\n    reason: incident 4711\n`);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    const alert = page.getByRole("alert").filter({ hasText: "The mutelist was refused" });
    await alert.waitFor();
    const text = await alert.innerText();
    if (!/line 2/.test(text) || !/owner/.test(text)) throw new Error(`the refusal does not name line 2 and the missing owner: ${JSON.stringify(text)}`);
    await screenshot(page, out, "mutelist-refused-light");
    await axe(page, "mutelist (refused)", axeFailures, axeReport);
    await editor.fill(`mutelist:\n  - check: DM-DRIFT-AWS-EC2-001\n    resource: ${sg}\n    reason: incident 4711, Terraform PR follows\n    owner: platform-team\n    expires: 2099-01-01\n`);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("Mutelist saved: 1 entry", { exact: true }).waitFor(); // exact: the toast's live region repeats it
    await screenshot(page, out, "mutelist-light");
    await page.goto(securityDetailURL);
    await page.getByRole("heading", { name: "Muted" }).waitFor();
    await page.getByRole("link", { name: "Mutelist line 2" }).waitFor();
    await page.getByText("incident 4711, Terraform PR follows").waitFor();
  });

  await step("security: policies", async () => {
    await page.getByRole("navigation", { name: "Security sections" }).getByRole("link", { name: "Policies" }).click();
    await page.getByRole("heading", { level: 1, name: "Policies" }).waitFor();
    await until("the policies or their empty state", async () => (await page.getByRole("table", { name: "Rego policies" }).count()) + (await page.getByText("No custom policies").count()) > 0);
    await axe(page, "policies", axeFailures, axeReport);
  });

  for (const [name, path, heading] of [
    ["graph", "/graph", "Resource graph"],
    ["cluster", "/cluster", "Agents & cluster"],
    ["settings", "/settings", "Settings"],
  ]) {
    await step(`${name} screen`, async () => {
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: new RegExp("^" + heading) }).click();
      await page.waitForURL((u) => u.pathname === path);
      await page.getByRole("heading", { level: 1 }).first().waitFor();
      await page.waitForTimeout(500);
      await screenshot(page, out, name + "-light");
      await axe(page, name, axeFailures, axeReport);
    });
  }

  await step("the open count changes live when the simulated cloud drifts", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Overview" }).click();
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    const before = await until("the Open findings KPI", async () => kpi("Open findings"));
    // A reload would drop this marker: the change must arrive in place.
    await page.evaluate(() => (window.__e2eNoReload = true));
    const resp = await fetch(base + "/dev/v1/world/aws/aws_instance/i-0a1", {
      method: "PATCH",
      headers: { Authorization: "Bearer " + key, "Content-Type": "application/json" },
      body: JSON.stringify({ instance_type: "m5.4xlarge" }),
    });
    if (!resp.ok) throw new Error(`PATCH /dev/v1/world: ${resp.status} ${await resp.text()}`);
    const t0 = Date.now();
    await until(`Open findings ${before} -> ${before + 1}`, async () => (await kpi("Open findings")) === before + 1, 30000);
    figures.liveUpdateMs = Date.now() - t0;
    await until("the navigation count", async () => (await navOpen()) === before + 1);
    if (!(await page.evaluate(() => window.__e2eNoReload === true))) throw new Error("the page reloaded");
    figures.openAfterMutation = before + 1;
    // The new finding is in the activity feed.
    await page.getByRole("list", { name: "Recent activity" }).getByText(/finding.* changed/).first().waitFor();
  });

  await step("keyboard: the skip link is the first stop and moves focus to the content", async () => {
    // A fresh page: Tab starts from the top of the document.
    await page.reload();
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    await page.keyboard.press("Tab");
    const f = await page.evaluate(() => ({ text: document.activeElement?.textContent, width: document.activeElement?.getBoundingClientRect().width ?? 0 }));
    if (f.text !== "Skip to content" || f.width < 10) throw new Error(`first Tab stop is ${JSON.stringify(f)}, want a visible "Skip to content"`);
    await page.keyboard.press("Enter");
    await until("focus in main", () => page.evaluate(() => document.activeElement?.id === "main"));
  });

  await step("offline: the shell opens from the service worker, says so, and reconnects", async () => {
    const status = () => page.getByRole("banner").getByRole("status").innerText();
    await until("an active service worker", () => page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())?.active), 15000);
    await ctx.setOffline(true);
    try {
      await page.reload();
      await page.getByRole("heading", { name: "Overview" }).waitFor();
      await until("the offline status", async () => (await status()).startsWith("Offline"));
    } finally {
      await ctx.setOffline(false);
    }
    const t0 = Date.now();
    await until("Live again", async () => (await status()) === "Live", 40000);
    figures.reconnectMs = Date.now() - t0;
    await until(`Open findings back`, async () => (await kpi("Open findings")) !== null);
  });

  await step("dark mode persists across a reload", async () => {
    const toggle = page.getByRole("button", { name: /theme \(switch to/ });
    for (let i = 0; i < 3 && !(await toggle.getAttribute("aria-label")).startsWith("Dark theme"); i++) await toggle.click();
    if (!(await toggle.getAttribute("aria-label")).startsWith("Dark theme")) throw new Error("the toggle never reached dark");
    await until("<html class=dark>", () => page.evaluate(() => document.documentElement.classList.contains("dark")));
    await page.reload();
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    if (!(await page.evaluate(() => document.documentElement.classList.contains("dark")))) throw new Error("dark mode was lost on reload");
    // The system says light (colorScheme), so dark can only come from the kept choice.
    if (!(await page.evaluate(() => matchMedia("(prefers-color-scheme: light)").matches))) throw new Error("the test expected a light system theme");
  });

  for (const [name, path, ready] of [
    ["overview", "/", async () => (await kpi("Open findings")) !== null],
    ["inventory", "/inventory" + figures.inventoryFilterURL, async () => (await findingsShown()) === "3 findings"],
    ["detail", new URL(detailURL).pathname, async () => (await page.getByRole("region", { name: /^Diff of ingress/ }).count()) > 0],
    ["security", "/security", async () => (await secRow().count()) === 1],
    ["security-detail", new URL(securityDetailURL).pathname, async () => (await page.getByRole("heading", { name: "Muted" }).count()) > 0],
    ["compliance", "/security/compliance?framework=CIS+AWS+Foundations+v3.0", async () => (await page.getByRole("table", { name: /^Controls of / }).count()) > 0],
    ["mutelist", "/security/mutelist", async () => (await page.getByRole("textbox", { name: "Mutelist YAML" }).inputValue()).includes("DM-DRIFT")],
    ["graph", "/graph", async () => true],
    ["cluster", "/cluster", async () => true],
    ["settings", "/settings", async () => true],
  ]) {
    await step(`${name} in dark`, async () => {
      await page.goto(base + path);
      await page.getByRole("heading", { level: 1 }).first().waitFor();
      await until(`${name} ready`, ready);
      await page.waitForTimeout(500);
      await screenshot(page, out, name + "-dark");
      await axe(page, name + " (dark)", axeFailures, axeReport);
    });
  }

  await step("sign-in screen in dark", async () => {
    await page.getByRole("banner").getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Password", { exact: true }).waitFor();
    await screenshot(page, out, "sign-in-dark");
    await axe(page, "sign-in (dark)", axeFailures, axeReport);
  });

  await step("phone layout", async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: "light", isMobile: true, hasTouch: true });
    await phone.addInitScript((k) => sessionStorage.setItem("driftmgr.auth", JSON.stringify({ kind: "apiKey", key: k })), key);
    const p = await phone.newPage();
    await p.goto(base + "/inventory");
    await p.locator('[data-testid="inventory-scroll"] [role="row"][aria-rowindex="2"]').waitFor();
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (overflow > 1) throw new Error(`the page scrolls sideways by ${overflow}px on a phone`);
    await p.waitForTimeout(350);
    await p.screenshot({ path: output(out, "inventory-phone-light.png") });
    await phone.close();
  });

  if (errors.length) throw new Error("uncaught errors in the page: " + errors.join("; "));
  if (axeFailures.length) throw new Error(`axe found serious or critical violations:\n  ${axeFailures.join("\n  ")}`);
} finally {
  writeJSON(output(out, "scenario.json"), { figures, axe: axeReport });
  await browser.close();
}
console.log("scenario passed", JSON.stringify(figures));
