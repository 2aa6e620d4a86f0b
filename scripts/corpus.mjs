#!/usr/bin/env node
// Corpus check: `npm run corpus -- <corpus-dir>` (run by .ci/run over ../shared/corpus; never by
// `npm test`, because a fresh clone has no corpus). Runs the analyzer over every migration
// directory listed in <corpus-dir>/MANIFEST.tsv, fails on any crash, prints counts per directory
// and dialect, and asserts the structural findings golang-migrate's rules predict.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseConfig } from "../lib/config/load.js";
import { analyze } from "../lib/core/analyze.js";
import { pathChangeSet } from "../lib/cli/changeset.js";
import { TOOL } from "../lib/version.js";

const root = process.argv[2];
if (!root || !existsSync(join(root, "MANIFEST.tsv"))) {
  console.error("usage: npm run corpus -- <corpus-dir containing MANIFEST.tsv>");
  process.exit(2);
}

// MANIFEST.tsv: project, commit, path, dialect, files, bytes, license.
const rows = readFileSync(join(root, "MANIFEST.tsv"), "utf8")
  .trim()
  .split("\n")
  .slice(1)
  .map((line) => {
    const [project, commit, path, dialect] = line.split("\t");
    return { project, commit, path, dialect, dir: join(root, project.replace("/", "__"), path) };
  });
const dirs = [...new Map(rows.map((r) => [r.dir, r])).values()];

/** kratos encodes the dialect in the name: X_title.<dialect>.up.sql; no suffix = every dialect. */
const SUFFIX_DIALECT = {
  postgres: "postgres",
  mysql: "mysql",
  sqlite3: "sqlite",
  sqlite: "sqlite",
  cockroach: "cockroachdb",
};
function dialectOf(name, fallback) {
  // `.autocommit.` marks files pop runs outside a transaction: X_title.postgres.autocommit.up.sql.
  const m = /\.(postgres|mysql|sqlite3|sqlite|cockroach)(\.autocommit)?\.(up|down)\.sql$/.exec(
    name,
  );
  return m ? SUFFIX_DIALECT[m[1]] : fallback;
}

const failures = [];
const expect = (cond, what) => {
  if (!cond) failures.push(what);
};
const table = [];
const totals = new Map(); // dialect → { statements, unparsed }

for (const d of dirs) {
  const names = readdirSync(d.dir).filter((n) => statSync(join(d.dir, n)).isFile());
  const perFileDialect = rows.filter((r) => r.dir === d.dir).length > 1;
  const groups = new Map();
  for (const n of names) {
    const dialect = perFileDialect ? dialectOf(n, "postgres") : d.dialect;
    // Files without a dialect suffix in a per-file-dialect directory are portable SQL.
    const key =
      perFileDialect && !/\.(postgres|mysql|sqlite3?|cockroach)\./.test(n)
        ? `${dialect}:portable`
        : dialect;
    (groups.get(key) ?? groups.set(key, []).get(key)).push(n);
  }

  for (const [key, files] of groups) {
    const dialect = key.split(":")[0];
    const config = parseConfig(`directories:\n  - path: "."\n    dialect: ${dialect}\n`, {
      ref: "corpus",
    });
    let analysis;
    try {
      const input = await pathChangeSet(d.dir, d.dir, files, config);
      analysis = await analyze(config, input.changeSet, {
        tool: TOOL,
        directories: input.directories,
      });
    } catch (err) {
      failures.push(`${d.project} ${d.path} (${key}): crashed: ${err.stack ?? err}`);
      continue;
    }
    const { findings } = analysis.report;
    const byRule = {};
    for (const f of findings) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
    let statements = 0;
    for (const s of analysis.sources.values()) statements += s.split.statements.length;
    // sql-parse-error is per statement, except the one file-level finding for Go templates.
    const templated = findings.filter(
      (f) => f.ruleId === "sql-parse-error" && /Go template placeholders/.test(f.message),
    ).length;
    const unparsed = (byRule["sql-parse-error"] ?? 0) - templated;
    const t = totals.get(key) ?? { statements: 0, unparsed: 0 };
    t.statements += statements;
    t.unparsed += unparsed;
    totals.set(key, t);
    table.push({
      project: d.project,
      path: d.path,
      group: key,
      files: files.length,
      statements,
      unparsed,
      templated,
      byRule,
    });
    // Files with Go template placeholders must get the clear file-level finding, once each.
    const withTemplates = files.filter((n) => readFileSync(join(d.dir, n), "utf8").includes("{{"));
    expect(
      templated === withTemplates.length,
      `${d.project} ${d.path} (${key}): ${templated} template findings for ${withTemplates.length} templated files`,
    );

    // What golang-migrate's rules predict for these projects (shared/reference/golang-migrate.md §8).
    const looksLikeMigration = files.filter((n) => /\.sql$/i.test(n));
    if (d.project === "authelia/authelia") {
      expect(
        byRule["invalid-migration-filename"] === looksLikeMigration.length,
        `authelia ${d.path}: every V0001.Name.up.sql name must be invalid (${byRule["invalid-migration-filename"] ?? 0}/${looksLikeMigration.length})`,
      );
    }
    if (d.project === "ory/kratos") {
      const overflow = findings.filter(
        (f) => f.ruleId === "invalid-migration-filename" && /overflows/.test(f.message),
      );
      expect(
        overflow.length === looksLikeMigration.length,
        `kratos ${key}: every 20-digit version must overflow (${overflow.length}/${looksLikeMigration.length})`,
      );
    }
    if (d.project === "supabase/auth") {
      const ups = files.filter((n) => /\.up\.sql$/.test(n)).length;
      expect(ups === files.length, "supabase: expected only up files");
      expect(
        byRule["missing-down-migration"] === ups,
        `supabase: every version lacks a down file (${byRule["missing-down-migration"] ?? 0}/${ups})`,
      );
      expect(
        !byRule["invalid-migration-filename"],
        "supabase: names are valid golang-migrate names",
      );
      expect(!byRule["duplicate-migration-version"], "supabase: versions are unique");
    }
  }
}

console.log(
  "project\tdirectory\tgroup\tfiles\tstatements\tunparsed\ttemplated files\tfindings by rule",
);
for (const r of table) {
  const rules = Object.entries(r.byRule)
    .sort()
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  console.log(
    `${r.project}\t${r.path}\t${r.group}\t${r.files}\t${r.statements}\t${r.unparsed}\t${r.templated}\t${rules}`,
  );
}
console.log("\nper dialect: statements parsed / unparsed (sql-parse-error)");
for (const [key, t] of [...totals].sort()) {
  const pct = t.statements ? ((100 * t.unparsed) / t.statements).toFixed(2) : "0.00";
  console.log(
    `  ${key.padEnd(20)} ${String(t.statements - t.unparsed).padStart(7)} / ${String(t.unparsed).padStart(5)}  (${pct}% unparsed)`,
  );
}

// Untemplated Postgres (kratos *.postgres.* and portable files, authelia postgres): < 1% unparsed.
const pg = table.filter((r) => r.group.startsWith("postgres") && r.project !== "supabase/auth");
const pgStatements = pg.reduce((n, r) => n + r.statements, 0);
const pgUnparsed = pg.reduce((n, r) => n + r.unparsed, 0);
expect(pgStatements > 0, "no untemplated Postgres statements found");
expect(
  pgUnparsed < pgStatements * 0.01,
  `untemplated Postgres: ${pgUnparsed} of ${pgStatements} statements unparsed (limit: under 1%)`,
);

if (failures.length > 0) {
  console.error(`\ncorpus check FAILED:\n- ${failures.join("\n- ")}`);
  process.exit(1);
}
console.log("\ncorpus check passed");
