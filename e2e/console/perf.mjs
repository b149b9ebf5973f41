// Performance of the inventory with the controller holding 100,000
// findings (seeded by console_test.go through the agent API): first
// meaningful paint, long tasks while scrolling several thousand rows, and
// the JavaScript loaded for the first paint. Writes <output>/perf.json;
// console_test.go judges the figures against their targets.
import { gzipSync } from "node:zlib";
import { env, launch, output, signedInContext, step, until, writeJSON } from "./lib.mjs";

const { base, key, out, chromium } = env();
const runs = Number(process.env.DRIFTMGR_PERF_RUNS || 3);
const minFindings = Number(process.env.DRIFTMGR_PERF_FINDINGS || 100000);
const scrollRows = Number(process.env.DRIFTMGR_PERF_SCROLL_ROWS || 3000);
const mark = "driftmgr:inventory-rows";

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const isScript = (url) => /\.m?js(\?|$)/.test(new URL(url).pathname) && !new URL(url).pathname.endsWith("/sw.js");

// Long tasks are observed from the first script on, so none is missed.
function observeLongTasks() {
  window.__longTasks = [];
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: "longtask", buffered: true });
}

const browser = await launch(chromium);
const result = { findings: minFindings, runs: [], scroll: null, js: null };
try {
  for (let i = 0; i < runs; i++) {
    await step(`cold load of /inventory, run ${i + 1} of ${runs}`, async () => {
      // A new context has an empty HTTP cache and no service worker: a first visit.
      const ctx = await signedInContext(browser, key, { colorScheme: "light" });
      await ctx.addInitScript(observeLongTasks);
      const page = await ctx.newPage();
      const scripts = new Map();
      page.on("response", (r) => {
        if (isScript(r.url())) scripts.set(r.url(), r);
      });
      // How long the controller took with the first page and its facets over every finding.
      const lists = [];
      page.on("requestfinished", (r) => {
        if (r.url().includes("/ListFindings")) lists.push(r.timing());
      });
      await page.goto(base + "/inventory", { waitUntil: "commit" });
      await page.waitForFunction((m) => performance.getEntriesByName(m).length > 0, mark, { timeout: 30000, polling: 10 });
      const t = await page.evaluate((m) => {
        const nav = performance.getEntriesByType("navigation")[0];
        return {
          firstRowsMs: performance.getEntriesByName(m)[0].startTime,
          responseEndMs: nav.responseEnd,
          domContentLoadedMs: nav.domContentLoadedEventEnd,
          fcpMs: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null,
          longTasksToFirstRows: window.__longTasks.filter((x) => x.start < performance.getEntriesByName(m)[0].startTime).map((x) => Math.round(x.duration)),
        };
      }, mark);
      const shown = await until("the total in the header", async () => {
        const s = (await page.getByText(/^[\d,]+ findings$/).first().innerText()).trim();
        return Number(s.split(" ")[0].replaceAll(",", "")) >= minFindings ? s : null;
      });
      t.shown = shown;
      const first = lists[0];
      t.firstListFindingsMs = first ? Math.round(first.responseEnd - first.requestStart) : null;
      console.log(
        `     first rows at ${t.firstRowsMs.toFixed(0)} ms (FCP ${t.fcpMs?.toFixed(0)} ms, DOMContentLoaded ${t.domContentLoadedMs.toFixed(0)} ms, ` +
          `first ListFindings ${t.firstListFindingsMs} ms): ${shown}`,
      );
      result.runs.push(t);

      if (i === 0) {
        // What the first paint of the inventory cost in JavaScript.
        const entries = await page.evaluate(() =>
          performance
            .getEntriesByType("resource")
            .filter((e) => /\.m?js(\?|$)/.test(new URL(e.name).pathname))
            .map((e) => ({ url: e.name, transfer: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize })),
        );
        const files = [];
        for (const e of entries) {
          if (!isScript(e.url)) continue;
          const r = scripts.get(e.url);
          const body = r ? await r.body() : Buffer.from(await (await fetch(e.url)).arrayBuffer());
          files.push({
            file: new URL(e.url).pathname,
            encodedBytes: e.encoded,
            decodedBytes: e.decoded,
            gzipBytes: gzipSync(body, { level: 9 }).length,
            contentEncoding: r ? (r.headers()["content-encoding"] ?? "") : "",
          });
        }
        files.sort((a, b) => b.gzipBytes - a.gzipBytes);
        const sum = (k) => files.reduce((n, f) => n + f[k], 0);
        result.js = { files, encodedBytes: sum("encodedBytes"), decodedBytes: sum("decodedBytes"), gzipBytes: sum("gzipBytes") };
        console.log(
          `     initial JavaScript: ${files.length} files, ${(result.js.gzipBytes / 1024).toFixed(1)} KB gzipped, ` +
            `${(result.js.encodedBytes / 1024).toFixed(1)} KB as transferred, ${(result.js.decodedBytes / 1024).toFixed(1)} KB decoded`,
        );
      }

      if (i === runs - 1) {
        // Scroll through several thousand rows, a frame at a time, as fast
        // as a flung trackpad, loading pages as the end nears.
        const s = await page.evaluate(async (target) => {
          const el = document.querySelector('[data-testid="inventory-scroll"]');
          const stepPx = 880; // 20 rows per frame
          const t0 = performance.now();
          const frames = [];
          let last = t0;
          let maxRow = 0;
          const deadline = t0 + 60000;
          await new Promise((done) => {
            const tick = (now) => {
              frames.push(now - last);
              last = now;
              el.scrollTop += stepPx;
              for (const r of el.querySelectorAll('[role="row"][aria-rowindex]')) maxRow = Math.max(maxRow, Number(r.getAttribute("aria-rowindex")) - 1);
              if (maxRow >= target || now > deadline) done();
              else requestAnimationFrame(tick);
            };
            requestAnimationFrame(tick);
          });
          const t1 = performance.now();
          // Let tasks that started during the scroll finish and be reported.
          await new Promise((r) => setTimeout(r, 300));
          const lt = window.__longTasks.filter((x) => x.start >= t0 && x.start <= t1);
          frames.shift();
          frames.sort((a, b) => a - b);
          return {
            rows: maxRow,
            durationMs: Math.round(t1 - t0),
            frames: frames.length,
            longTasks: lt.length,
            maxLongTaskMs: lt.length ? Math.round(Math.max(...lt.map((x) => x.duration))) : 0,
            longTaskDurationsMs: lt.map((x) => Math.round(x.duration)),
            p50FrameMs: Math.round(frames[Math.floor(frames.length * 0.5)] ?? 0),
            p95FrameMs: Math.round(frames[Math.floor(frames.length * 0.95)] ?? 0),
            maxFrameMs: Math.round(frames[frames.length - 1] ?? 0),
            domRows: el.querySelectorAll('[role="row"]').length,
          };
        }, scrollRows);
        if (s.rows < scrollRows) throw new Error(`scrolled only to row ${s.rows} of ${scrollRows} in ${s.durationMs} ms`);
        result.scroll = s;
        console.log(
          `     scrolled ${s.rows} rows in ${s.durationMs} ms (${s.frames} frames, p50 ${s.p50FrameMs} ms, p95 ${s.p95FrameMs} ms, max ${s.maxFrameMs} ms); ` +
            `${s.longTasks} long tasks, longest ${s.maxLongTaskMs} ms; ${s.domRows} rows in the DOM`,
        );
      }
      await ctx.close();
    });
  }
  result.firstRowsMedianMs = Math.round(median(result.runs.map((r) => r.firstRowsMs)));
  result.firstRowsMs = result.runs.map((r) => Math.round(r.firstRowsMs));
  console.log(`first rows of the inventory: median ${result.firstRowsMedianMs} ms of ${result.firstRowsMs.join(", ")}`);
} finally {
  writeJSON(output(out, "perf.json"), result);
  await browser.close();
}
