// Shared by the browser scripts: the environment the Go driver passes,
// launching the system Chromium, waiting, screenshots and axe.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);

/** env reads the settings the Go driver (console_test.go) passes. */
export function env() {
  const need = (k) => {
    const v = process.env[k];
    if (!v) throw new Error(`${k} is not set: run these scripts through go test ./e2e/console`);
    return v;
  };
  return {
    base: need("DRIFTMGR_URL").replace(/\/$/, ""),
    key: need("DRIFTMGR_API_KEY"),
    // The dev banner's console password of user admin (tenant default);
    // only the session script needs it.
    password: process.env.DRIFTMGR_PASSWORD ?? "",
    out: need("DRIFTMGR_E2E_OUTPUT"),
    chromium: process.env.CHROMIUM || "/usr/bin/chromium",
  };
}

// Without the networking flags Chromium keeps calling home on a closed
// network (../../shared/TESTING.md).
const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** launch starts headless Chromium. */
export function launch(executablePath) {
  return chromium.launch({ executablePath, headless: true, args: chromiumArgs });
}

/** A desktop window wide enough for the inventory's filter column (lg). */
export const viewport = { width: 1366, height: 900 };

/** signedInContext is a browser context whose tabs start signed in with key (sessionStorage, as the app keeps it). */
export async function signedInContext(browser, key, opts = {}) {
  const ctx = await browser.newContext({ viewport, ...opts });
  await ctx.addInitScript((k) => {
    if (!sessionStorage.getItem("driftmgr.auth")) sessionStorage.setItem("driftmgr.auth", JSON.stringify({ kind: "apiKey", key: k }));
  }, key);
  return ctx;
}

/** step logs a step, runs it, and names the step in any error. */
export async function step(name, fn) {
  const t0 = performance.now();
  try {
    const r = await fn();
    console.log(`ok   ${name} (${Math.round(performance.now() - t0)} ms)`);
    return r;
  } catch (e) {
    console.log(`FAIL ${name}: ${e.message}`);
    e.message = `${name}: ${e.message}`;
    throw e;
  }
}

/** until polls fn until it returns a truthy value, failing after timeout ms with what it last saw. */
export async function until(what, fn, timeout = 15000, every = 100) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e.message;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** output makes the output folder and returns a path in it. */
export function output(dir, name) {
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

/** screenshot saves the page as <out>/<name>.png once animations and theme transitions have settled. */
export async function screenshot(page, out, name) {
  // No hover state (a chart tooltip under a pointer left where a button was) in the picture.
  await page.mouse.move(0, 0);
  await page.waitForTimeout(350);
  const path = output(out, name + ".png");
  await page.screenshot({ path, fullPage: false, animations: "disabled" });
  console.log(`     screenshot ${path}`);
}

const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/**
 * axe runs axe-core (WCAG 2.0/2.1 A and AA rules) on the page and returns
 * its violations; serious and critical ones are collected in failures so
 * the run fails at the end with all of them listed, not at the first.
 */
export async function axe(page, screen, failures, report) {
  await page.waitForTimeout(350);
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: axeSource });
  const res = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] }, resultTypes: ["violations"] }),
  );
  const v = res.violations.map((x) => ({
    id: x.id,
    impact: x.impact,
    help: x.help,
    nodes: x.nodes.slice(0, 5).map((n) => n.target.join(" ")),
    count: x.nodes.length,
  }));
  report[screen] = v;
  for (const x of v) {
    console.log(`     axe ${screen}: ${x.impact} ${x.id} (${x.count}): ${x.help} — ${x.nodes.join(", ")}`);
    if (x.impact === "serious" || x.impact === "critical") failures.push(`${screen}: ${x.impact} ${x.id}: ${x.help} (${x.nodes.join(", ")})`);
  }
  if (v.length === 0) console.log(`     axe ${screen}: no violations`);
}

export function writeJSON(path, v) {
  writeFileSync(path, JSON.stringify(v, null, 2) + "\n");
}
