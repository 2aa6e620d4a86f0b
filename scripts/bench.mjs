#!/usr/bin/env node
// `npm run bench`: runs every benchmark in scripts/bench/ (in name order) against the built lib/.
// Benchmarks print figures; they never fail on timing. Run one with `npm run bench -- <name>`.
import { readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = join(dirname(fileURLToPath(import.meta.url)), "bench");
const only = process.argv.slice(2);
const scripts = readdirSync(here)
  .filter((f) => f.endsWith(".mjs"))
  .filter((f) => only.length === 0 || only.includes(f.replace(/\.mjs$/, "")))
  .sort();
if (scripts.length === 0) {
  console.error(`no benchmark matches ${only.join(", ")}`);
  process.exit(2);
}
let failed = false;
for (const s of scripts) {
  console.log(`\n### ${s.replace(/\.mjs$/, "")}`);
  const r = spawnSync(process.execPath, [join(here, s)], { stdio: "inherit" });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
