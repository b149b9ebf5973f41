// Reports the gzipped size of the JavaScript the browser loads for the
// first paint (the entry script and its modulepreloads in dist/index.html)
// and of every chunk. Exits 1 when the initial JavaScript exceeds the budget.
import { readFileSync, readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";

const dist = new URL("../dist/", import.meta.url).pathname;
const budget = Number(process.env.INITIAL_JS_BUDGET_KB ?? 300) * 1024;
const html = readFileSync(join(dist, "index.html"), "utf8");
const initial = new Set([...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]));
const gz = (f) => gzipSync(readFileSync(join(dist, f)), { level: 9 }).length;
const kb = (n) => (n / 1024).toFixed(1) + " KB";
let total = 0;
const rows = readdirSync(join(dist, "assets"))
  .filter((f) => f.endsWith(".js"))
  .map((f) => ({ f: "assets/" + f, size: gz("assets/" + f) }))
  .sort((a, b) => b.size - a.size);
for (const r of rows) {
  const first = initial.has(r.f);
  if (first) total += r.size;
  console.log(`${first ? "initial" : "lazy   "}  ${kb(r.size).padStart(9)}  ${r.f}`);
}
console.log(`initial JavaScript: ${kb(total)} gzipped (budget ${kb(budget)})`);
if (total > budget) process.exit(1);
