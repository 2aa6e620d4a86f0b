// temporary: list findings of given rules over the corpus (not committed)
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseConfig } from "../lib/config/load.js";
import { analyze } from "../lib/core/analyze.js";
import { pathChangeSet } from "../lib/cli/changeset.js";
import { TOOL } from "../lib/version.js";
const [root, rulesArg] = process.argv.slice(2);
const want = new Set(rulesArg.split(","));
const rows = readFileSync(join(root, "MANIFEST.tsv"), "utf8").trim().split("\n").slice(1).map((l) => {
  const [project, commit, path, dialect] = l.split("\t");
  return { project, path, dialect, dir: join(root, project.replace("/", "__"), path) };
});
const dirs = [...new Map(rows.map((r) => [r.dir, r])).values()];
const SUF = { postgres: "postgres", mysql: "mysql", sqlite3: "sqlite", sqlite: "sqlite", cockroach: "cockroachdb" };
const counts = {};
for (const d of dirs) {
  const names = readdirSync(d.dir).filter((n) => statSync(join(d.dir, n)).isFile());
  const per = rows.filter((r) => r.dir === d.dir).length > 1;
  const groups = new Map();
  for (const n of names) {
    const m = /\.(postgres|mysql|sqlite3|sqlite|cockroach)(\.autocommit)?\.(up|down)\.sql$/.exec(n);
    const dialect = per ? (m ? SUF[m[1]] : "postgres") : d.dialect;
    const key = per && !m ? `${dialect}:portable` : dialect;
    (groups.get(key) ?? groups.set(key, []).get(key)).push(n);
  }
  for (const [key, files] of groups) {
    const dialect = key.split(":")[0];
    const rules = [...want].map((r) => `    ${r}: notice`).join("\n");
    const config = parseConfig(`directories:\n  - path: "."\n    dialect: ${dialect}\nrules:\n${rules}\n`, { ref: "corpus" });
    const input = await pathChangeSet(d.dir, d.dir, files, config);
    const a = await analyze(config, input.changeSet, { tool: TOOL, directories: input.directories });
    for (const f of a.report.findings) {
      if (!want.has(f.ruleId)) continue;
      counts[f.ruleId] = (counts[f.ruleId] ?? 0) + 1;
      const text = readFileSync(join(d.dir, f.path.split("/").pop()), "utf8").split("\n").slice(f.startLine - 1, Math.min(f.endLine, f.startLine + 2)).join(" ⏎ ");
      console.log(`${d.project} ${f.path}:${f.startLine} [${dialect}] ${f.ruleId}\n   ${text.slice(0, 220)}\n   → ${f.message.slice(0, 160)}`);
    }
  }
}
console.log(counts);
