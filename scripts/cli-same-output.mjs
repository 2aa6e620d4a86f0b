#!/usr/bin/env node
// Same output check for changes that must not change what the CLI prints (speed work, bundling):
//   node scripts/cli-same-output.mjs <baseline lib/cli/main.js> [<candidate main.js>] [<corpus>]
// runs both CLIs over every migration directory of the corpus (../shared/corpus by default), one
// run per directory and dialect (kratos keeps several dialects in one directory), in every output
// format, plus one sandbox replay, and exits 1 if any output or exit status differs. The baseline
// is a build of main (e.g. `git archive main | tar -x -C /tmp/base`, then `npx tsc -p
// tsconfig.build.json` there). Never run by `npm test`: a fresh clone has no corpus.
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const [
  baseline,
  candidate = join(repo, "lib/cli/main.js"),
  corpus = join(repo, "../shared/corpus"),
] = process.argv.slice(2).map((p) => resolve(p));
if (!baseline || !existsSync(baseline) || !existsSync(candidate)) {
  console.error(
    "usage: node scripts/cli-same-output.mjs <baseline main.js> [<candidate main.js>] [<corpus>]",
  );
  process.exit(2);
}
if (!existsSync(join(corpus, "MANIFEST.tsv"))) {
  console.error(`${corpus}/MANIFEST.tsv not found`);
  process.exit(2);
}

// MANIFEST.tsv: project, commit, path, dialect, files, bytes, license.
const rows = readFileSync(join(corpus, "MANIFEST.tsv"), "utf8")
  .trim()
  .split("\n")
  .slice(1)
  .map((line) => {
    const [project, , path, dialect] = line.split("\t");
    return { dialect, dir: join(corpus, project.replace("/", "__"), path) };
  });

/** kratos encodes the dialect in the name (X.<dialect>[.autocommit].up.sql); none = all. */
const SUFFIX = {
  postgres: "postgres",
  mysql: "mysql",
  sqlite3: "sqlite",
  sqlite: "sqlite",
  cockroach: "cockroachdb",
};
const suffixDialect = (name) =>
  SUFFIX[
    /\.(postgres|mysql|sqlite3|sqlite|cockroach)(\.autocommit)?\.(up|down)\.sql$/.exec(name)?.[1]
  ] ?? null;

const work = mkdtempSync(join(tmpdir(), "mw-same-output-"));
const cases = [];
for (const [i, r] of rows.entries()) {
  const perFile = rows.filter((o) => o.dir === r.dir).length > 1;
  const dialect = r.dialect === "all" ? "postgres" : r.dialect;
  const names = readdirSync(r.dir).filter((n) => statSync(join(r.dir, n)).isFile());
  const chosen = perFile
    ? names.filter((n) =>
        r.dialect === "all" ? suffixDialect(n) === null : suffixDialect(n) === r.dialect,
      )
    : names;
  const name = `case${i}`;
  mkdirSync(join(work, name, "migrations"), { recursive: true });
  for (const n of chosen) copyFileSync(join(r.dir, n), join(work, name, "migrations", n));
  writeFileSync(
    join(work, name, "config.yml"),
    `directories:\n  - path: ${name}/migrations\n    dialect: ${dialect}\n`,
  );
  cases.push({
    name,
    label: `${r.dir.slice(corpus.length + 1)} (${r.dialect}, ${chosen.length} files)`,
  });
}

function run(cli, args) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: work,
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let differences = 0;
let compared = 0;
/** The replay reports how long each step took: the one field that differs from run to run. */
const untimed = (r) => ({ ...r, stdout: r.stdout.replace(/"ms": \d+/g, '"ms": 0') });

function compare(label, args, mask = (r) => r) {
  const a = mask(run(baseline, args));
  const b = mask(run(candidate, args));
  compared++;
  for (const k of ["status", "stdout", "stderr"]) {
    if (a[k] !== b[k]) {
      differences++;
      console.log(`DIFFERENT ${k}: ${label}: ${args.join(" ")}`);
      const al = String(a[k]).split("\n");
      const bl = String(b[k]).split("\n");
      const at = al.findIndex((l, j) => l !== bl[j]);
      console.log(`  first difference at line ${at + 1}:\n  - ${al[at]}\n  + ${bl[at]}`);
    }
  }
}

try {
  for (const c of cases) {
    for (const format of ["json", "text", "sarif", "github", "markdown"]) {
      compare(c.label, [
        "lint",
        "--no-replay",
        "--format",
        format,
        "--fail-on",
        "notice",
        "--config",
        join(c.name, "config.yml"),
        join(c.name, "migrations"),
      ]);
    }
    console.log(`compared: ${c.label}`);
  }
  // One sandbox replay (PGlite), which loads code the --no-replay runs do not.
  const pg = cases.find((c) => c.label.startsWith("supabase"));
  if (pg) {
    compare(
      `${pg.label}, replayed`,
      [
        "lint",
        "--format",
        "json",
        "--config",
        join(pg.name, "config.yml"),
        join(pg.name, "migrations"),
      ],
      untimed,
    );
    console.log(`compared: ${pg.label} with the sandbox replay (step times masked)`);
  }
  for (const args of [
    ["--version"],
    ["--help"],
    ["lint", "--help"],
    ["explain", "drop-table"],
    ["lint", "--format", "nope", "x"],
  ])
    compare("no input", args);
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`${compared} runs compared, ${differences} differences`);
process.exit(differences === 0 ? 0 : 1);
