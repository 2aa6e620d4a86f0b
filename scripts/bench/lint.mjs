#!/usr/bin/env node
// The CLI's own speed, whole processes: `migration-warden lint --no-replay --format json`
// (lib/cli/main.js, as the bin runs it) on
//   - one one-line file (start-up),
//   - a typical pull request: 10 migration files added on a branch of a git repository with 200
//     merged ones, linted with `--base main` as a developer runs it,
//   - a generated ~1 MB Postgres migration set (the input stays the same from run to run, so the
//     figure compares across changes: new rules must not slow it by more than 10%),
//   - the Postgres part of ../shared/corpus when it exists,
// and the floor of the chosen parser on the same 1 MB: a process that only imports libpg-query
// and parses each file once. Each line gives the median wall time and CPU time (user + system,
// steadier than wall time on a shared machine), and squawk's (a Rust linter; its binary package
// is installed on demand into a cache directory) on the same files beside it. Figures only: a
// benchmark never fails on timing.
import { Buffer } from "node:buffer";
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "../..");
// MW_BENCH_CLI: another build's bin (e.g. main's) for a before/after comparison.
const cli = process.env.MW_BENCH_CLI ?? join(repo, "lib/cli/main.js");
if (!existsSync(cli)) {
  console.error(`${cli} is missing: run \`npm run build\` first`);
  process.exit(2);
}
const RUNS = 5;
const work = mkdtempSync(join(tmpdir(), "mw-bench-"));

/** A realistic mix: tables, indexes, risky and safe ALTERs, backfills, a function, comments. */
function generate(dir, targetBytes) {
  mkdirSync(dir, { recursive: true });
  let bytes = 0;
  for (let v = 1; bytes < targetBytes; v++) {
    const t = `t${v}`;
    const up = [
      `-- Migration ${v}: créer la table ${t} (non-ASCII on purpose)`,
      `CREATE TABLE ${t} (`,
      `  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,`,
      `  account_id bigint NOT NULL REFERENCES accounts (id),`,
      `  email text NOT NULL,`,
      `  payload jsonb NOT NULL DEFAULT '{}'::jsonb,`,
      `  created_at timestamptz NOT NULL DEFAULT now()`,
      `);`,
      `CREATE INDEX ${t}_account_idx ON ${t} (account_id);`,
      `ALTER TABLE users ADD COLUMN c${v} uuid DEFAULT gen_random_uuid(), ADD COLUMN d${v} boolean NOT NULL DEFAULT false;`,
      `ALTER TABLE users ALTER COLUMN e${v} SET NOT NULL;`,
      `CREATE INDEX users_c${v}_idx ON users (c${v});`,
      `UPDATE users SET d${v} = true WHERE id < 1000;`,
      `CREATE OR REPLACE FUNCTION touch_${t}() RETURNS trigger AS $$`,
      `BEGIN NEW.created_at := now(); RETURN NEW; END;`,
      `$$ LANGUAGE plpgsql;`,
      `/* a block comment with a ; inside */`,
      `COMMENT ON TABLE ${t} IS 'owned by team ${v % 7}; see runbook';`,
      "",
    ].join("\n");
    const down = [
      `DROP TABLE ${t};`,
      `ALTER TABLE users DROP COLUMN c${v}, DROP COLUMN d${v};`,
      "",
    ].join("\n");
    const name = String(v).padStart(6, "0");
    writeFileSync(join(dir, `${name}_create_${t}.up.sql`), up);
    writeFileSync(join(dir, `${name}_create_${t}.down.sql`), down);
    bytes += Buffer.byteLength(up) + Buffer.byteLength(down);
  }
}

/** The Postgres files of the shared corpus (kratos postgres/portable, authelia, supabase). */
function copyCorpus(dir) {
  const corpus = join(repo, "../shared/corpus");
  if (!existsSync(corpus)) return false;
  mkdirSync(dir, { recursive: true });
  const sources = [
    [
      "ory__kratos/persistence/sql/migrations/sql",
      (n) => /\.postgres\.|^[0-9]+_[^.]+\.(up|down)\.sql$/.test(n),
    ],
    ["authelia__authelia/internal/storage/migrations/postgres", () => true],
    ["supabase__auth/migrations", () => true],
  ];
  for (const [sub, keep] of sources) {
    const from = join(corpus, sub);
    if (!existsSync(from)) continue;
    for (const n of readdirSync(from)) {
      if (n.endsWith(".sql") && keep(n))
        copyFileSync(join(from, n), join(dir, `${sub.split("__")[0]}_${n}`));
    }
  }
  return true;
}

const timeBin = existsSync("/usr/bin/time") ? "/usr/bin/time" : null;

/**
 * One process run: wall seconds, CPU seconds (user + system) and peak RSS (MB); the last two need
 * /usr/bin/time.
 */
function measure(cmd, args, cwd = work, env = process.env) {
  const start = process.hrtime.bigint();
  const opts = { encoding: "utf8", maxBuffer: 1 << 30, cwd, env };
  const r = timeBin
    ? spawnSync(timeBin, ["-f", "__MW_TIME=%U %S %M", cmd, ...args], opts)
    : spawnSync(cmd, args, opts);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.error) throw r.error;
  const m = /__MW_TIME=([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr ?? "");
  return {
    seconds,
    cpu: m ? Number(m[1]) + Number(m[2]) : null,
    peakMb: m ? Number(m[3]) / 1024 : null,
    status: r.status,
    stdout: r.stdout,
    stderr: m ? r.stderr.slice(0, m.index) : r.stderr,
  };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** RUNS runs of one command; `check` validates each result and returns its count of findings. */
function timed(cmd, args, check, cwd = work, env = process.env) {
  const runs = [];
  let count = 0;
  for (let i = 0; i < RUNS; i++) {
    const r = measure(cmd, args, cwd, env);
    count = check(r);
    runs.push(r);
  }
  return {
    wall: median(runs.map((r) => r.seconds)),
    cpu: timeBin ? median(runs.map((r) => r.cpu)) : null,
    peak: timeBin ? Math.max(...runs.map((r) => r.peakMb)) : null,
    count,
  };
}

const s3 = (x) => x.toFixed(3);
const cpuText = (t) => (t.cpu === null ? "" : `, CPU ${s3(t.cpu)} s`);
const rssText = (t) => (t.peak === null ? "" : `, peak RSS ${t.peak.toFixed(0)} MB`);
const line = (t) => `${s3(t.wall)} s${cpuText(t)} (median of ${RUNS})`;

// The CLI's disk caches (the merged schema's) live in the bench's directory, not the user's.
const cacheDir = join(work, "cache");
const withCache = { ...process.env, MIGRATION_WARDEN_CACHE_DIR: cacheDir };
const noCache = { ...process.env, MIGRATION_WARDEN_CACHE_DIR: "off" };

/** migration-warden lint over `args` (paths or git options) in `cwd`. */
function ours(args, cwd = work, env = withCache, saveReport = null) {
  return timed(
    process.execPath,
    [cli, "lint", "--no-replay", "--format", "json", "--fail-on", "never", ...args],
    (r) => {
      if (r.status !== 0) throw new Error(`migration-warden exited ${r.status}: ${r.stderr}`);
      if (saveReport) writeFileSync(saveReport, r.stdout);
      return JSON.parse(r.stdout).findings.length;
    },
    cwd,
    env,
  );
}

const SQUAWK_VERSION = "2.66.0";
let squawkPath;

/**
 * squawk's binary for this platform. It is not a devDependency: its npm package lists binaries for
 * every platform, and the registry this project installs from lacks some of them, which breaks
 * `npm ci`. So the benchmark installs just this platform's binary package into a cache directory.
 */
function squawkBinary() {
  if (squawkPath !== undefined) return squawkPath;
  const pkgName = `@squawk-cli/${process.platform}-${process.arch}`;
  const find = (from) => {
    try {
      const pkg = createRequire(from).resolve(`${pkgName}/package.json`);
      const bin = join(dirname(pkg), "bin", process.platform === "win32" ? "squawk.exe" : "squawk");
      return existsSync(bin) ? bin : null;
    } catch {
      return null;
    }
  };
  squawkPath = find(import.meta.url);
  if (squawkPath) return squawkPath;
  const cache = join(tmpdir(), "migration-warden-bench", `squawk-${SQUAWK_VERSION}`);
  squawkPath = find(join(cache, "package.json"));
  if (squawkPath) return squawkPath;
  mkdirSync(cache, { recursive: true });
  const r = spawnSync(
    "npm",
    [
      "install",
      "--no-save",
      "--no-package-lock",
      "--no-audit",
      "--no-fund",
      "--prefix",
      cache,
      `${pkgName}@${SQUAWK_VERSION}`,
    ],
    { encoding: "utf8", timeout: 120_000 },
  );
  if (r.status !== 0) {
    console.log(
      `  (could not install ${pkgName}@${SQUAWK_VERSION}: ${(r.stderr || r.error?.message || "").split("\n")[0]})`,
    );
    squawkPath = null;
    return null;
  }
  squawkPath = find(join(cache, "package.json"));
  return squawkPath;
}

/** squawk on the same files, printed beside our figure `t` ("not available" when it is not). */
function squawkBeside(t, files, cwd = work) {
  const squawk = squawkBinary();
  if (!squawk) {
    console.log("  squawk:            not available — no comparison");
    return null;
  }
  const theirs = timed(
    squawk,
    ["--reporter", "json", ...files],
    (r) => {
      if (r.status !== 0 && r.status !== 1)
        throw new Error(`squawk exited ${r.status}: ${r.stderr.slice(0, 500)}`);
      try {
        return JSON.parse(r.stdout).length;
      } catch {
        return NaN;
      }
    },
    cwd,
  );
  console.log(`  squawk 2.66:       ${line(theirs)}${rssText(theirs)}, ${theirs.count} violations`);
  console.log(
    `  ratio: migration-warden takes ${(t.wall / theirs.wall).toFixed(2)}× squawk's wall time${t.cpu !== null && theirs.cpu ? `, ${(t.cpu / theirs.cpu).toFixed(2)}× its CPU time` : ""}`,
  );
  return theirs;
}

const verdict = (ok) => (ok ? "met" : "NOT met");

/** Fixed cost of one process (Node start-up, module loading, WASM), on a one-line file. */
function startup() {
  const dir = join(work, "tiny");
  mkdirSync(dir);
  writeFileSync(join(dir, "1_t.up.sql"), "SELECT 1;\n");
  const t = ours([relative(work, dir)]);
  console.log(`start-up (one one-line file):`);
  console.log(`  migration-warden:  ${line(t)}${rssText(t)}`);
  squawkBeside(t, [join(dir, "1_t.up.sql")]);
  return t;
}

/**
 * The floor of the chosen parser on `dir`: Node start-up, importing libpg-query (the same module
 * the CLI loads), instantiating its WASM and parsing every file once, nothing else. `nodeFlags`:
 * the CLI's bin runs WASM with Liftoff alone (src/cli/bin.ts), so the floor is also timed that way.
 */
function floor(dir, nodeFlags = []) {
  const script = join(work, "floor.mjs");
  writeFileSync(
    script,
    [
      `import { loadModule, parseSync } from ${JSON.stringify(import.meta.resolve("libpg-query"))};`,
      `import { readdirSync, readFileSync } from "node:fs";`,
      `import { join } from "node:path";`,
      `await loadModule();`,
      `let n = 0;`,
      `for (const f of readdirSync(process.argv[2])) {`,
      `  try { n += parseSync(readFileSync(join(process.argv[2], f), "utf8")).stmts?.length ?? 0; } catch {}`,
      `}`,
      `console.log(n);`,
      "",
    ].join("\n"),
  );
  return timed(process.execPath, [...nodeFlags, script, dir], (r) => {
    if (r.status !== 0) throw new Error(`the floor script exited ${r.status}: ${r.stderr}`);
    return Number(r.stdout);
  });
}

/**
 * The least any lint with this parser and this report has to do, with no analysis at all: the
 * Liftoff floor, plus each routine's PL/pgSQL parse (the trigger and routine rules read bodies;
 * libpg-query parses a body only through parsePlPgSQLSync of its statement, as the lint calls it),
 * plus the report (the lint's own, saved from its run) serialised and written. Reading the saved
 * report is not the lint's work: the script times it and that is taken off its figures.
 */
function requiredWork(dir, report) {
  const script = join(work, "required.mjs");
  writeFileSync(
    script,
    [
      `import { loadModule, parseSync, parsePlPgSQLSync } from ${JSON.stringify(import.meta.resolve("libpg-query"))};`,
      `import { readdirSync, readFileSync } from "node:fs";`,
      `import { join } from "node:path";`,
      `const c0 = process.cpuUsage(), w0 = performance.now();`,
      `const saved = JSON.parse(readFileSync(process.argv[3], "utf8"));`,
      `const off = process.cpuUsage(c0), offWall = (performance.now() - w0) / 1e3;`,
      `await loadModule();`,
      `let n = 0;`,
      `for (const f of readdirSync(process.argv[2])) {`,
      `  const text = readFileSync(join(process.argv[2], f), "utf8");`,
      `  let stmts = [];`,
      `  try { stmts = parseSync(text).stmts ?? []; } catch {}`,
      `  n += stmts.length;`,
      `  let bytes;`,
      `  for (const s of stmts) {`,
      `    if (!s.stmt?.CreateFunctionStmt && !s.stmt?.DoStmt) continue;`,
      `    bytes ??= Buffer.from(text);`,
      `    const start = s.stmt_location ?? 0;`,
      `    const end = s.stmt_len ? start + s.stmt_len : bytes.length;`,
      `    try { parsePlPgSQLSync(bytes.subarray(start, end).toString()); } catch {}`,
      `  }`,
      `}`,
      `process.stdout.write(JSON.stringify(saved, null, 2) + "\\n");`,
      `process.stderr.write(\`__MW_OFF=\${(off.user + off.system) / 1e6} \${offWall} \${n}\\n\`);`,
      "",
    ].join("\n"),
  );
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const r = measure(process.execPath, ["--liftoff-only", script, dir, report]);
    if (r.status !== 0) throw new Error(`the required-work script exited ${r.status}: ${r.stderr}`);
    const m = /__MW_OFF=([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
    if (!m) throw new Error(`the required-work script printed no timing: ${r.stderr}`);
    runs.push({
      wall: r.seconds - Number(m[2]),
      cpu: r.cpu === null ? null : r.cpu - Number(m[1]),
    });
  }
  return {
    wall: median(runs.map((r) => r.wall)),
    cpu: timeBin ? median(runs.map((r) => r.cpu)) : null,
    peak: null,
  };
}

function bench(label, dir, withFloor) {
  const files = readdirSync(dir).map((n) => join(dir, n));
  const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
  const mb = bytes / (1024 * 1024);
  console.log(`\n${label}: ${files.length} files, ${mb.toFixed(2)} MB`);
  const floors = [];
  if (withFloor) {
    const low = floor(dir);
    console.log(
      `  floor (node + libpg-query, each file parsed once): ${line(low)}${rssText(low)}, ${low.count} statements`,
    );
    const liftoff = floor(dir, ["--liftoff-only"]);
    console.log(
      `  floor, WASM with Liftoff alone (as the CLI runs it): ${line(liftoff)}${rssText(liftoff)}`,
    );
    floors.push(["floor", low], ["Liftoff floor", liftoff]);
  }
  const report = join(work, "report.json");
  const t = ours([relative(work, dir)], work, withCache, withFloor ? report : null);
  console.log(
    `  migration-warden:  ${line(t)}, ${(mb / t.wall).toFixed(2)} MB/s${rssText(t)}, ${t.count} findings`,
  );
  for (const [name, low] of floors) {
    const cpu = t.cpu !== null && low.cpu ? `, ${(t.cpu / low.cpu).toFixed(2)}× its CPU time` : "";
    console.log(
      `  vs the ${name}: ${(t.wall / low.wall).toFixed(2)}× its wall time${cpu} (target ≤ 1.3×: ${verdict(t.wall / low.wall <= 1.3)})`,
    );
  }
  if (withFloor) {
    // Not a target: what the 1.3× of the floor leaves for the analysis once the work no lint of
    // this report can skip is paid (docs/performance.md, "What 1.3× of the floor leaves").
    const [, liftoff] = floors[1];
    const req = requiredWork(dir, report);
    const of = (x, low) => (x / low).toFixed(2);
    const cpu =
      req.cpu !== null && liftoff.cpu ? `, ${of(req.cpu, liftoff.cpu)}× its CPU time` : "";
    // CPU when measured: steadier than wall time on a shared machine.
    const ratio = req.cpu !== null && liftoff.cpu ? req.cpu / liftoff.cpu : req.wall / liftoff.wall;
    const left = 1.3 - ratio;
    console.log(
      `  required work, no analysis (Liftoff floor + routine bodies + the report written): ${line(req)}`,
    );
    console.log(
      `    vs the Liftoff floor: ${of(req.wall, liftoff.wall)}× its wall time${cpu}; within 1.3×, the analysis itself would have ${left > 0 ? `${left.toFixed(2)}× the floor` : "no time at all"}`,
    );
  }
  squawkBeside(t, files);
}

function git(cwd, ...args) {
  const r = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
}

function commitAll(cwd, message) {
  git(cwd, "add", ".");
  git(cwd, "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-qm", message);
}

/**
 * A typical pull request: a repository with 200 merged migrations on main, a branch adding 5
 * pairs (10 files, committed), linted from the branch's working tree with `--base main`.
 */
function typicalPullRequest() {
  const repoDir = join(work, "pr");
  const all = join(work, "pr-source");
  generate(all, 110 * 1024);
  const names = readdirSync(all).sort();
  const merged = names.slice(0, 200);
  const added = names.slice(200, 210);
  const migrations = join(repoDir, "migrations");
  mkdirSync(migrations, { recursive: true });
  for (const n of merged) copyFileSync(join(all, n), join(migrations, n));
  git(repoDir, "init", "-q", "-b", "main");
  commitAll(repoDir, "merged");
  git(repoDir, "checkout", "-qb", "feature");
  for (const n of added) copyFileSync(join(all, n), join(migrations, n));
  commitAll(repoDir, "add");
  console.log(
    `\ntypical pull request: ${added.length} files added to ${merged.length} merged, \`lint --base main\` in the repository (no replay):`,
  );
  // Without the merged-schema cache (a first run against this base), then with it (every later
  // run against the same base: the cache is filled by the first of these runs).
  const cold = ours(["--base", "main"], repoDir, noCache);
  console.log(
    `  migration-warden, no cache:   ${line(cold)}${rssText(cold)}, ${cold.count} findings`,
  );
  rmSync(cacheDir, { recursive: true, force: true });
  const t = ours(["--base", "main"], repoDir);
  if (t.count !== cold.count)
    throw new Error(`${t.count} findings with the cache, ${cold.count} without`);
  console.log(
    `  migration-warden, cache warm: ${line(t)}${rssText(t)}, ${t.count} findings (target < 0.3 s: ${verdict(t.wall < 0.3)})`,
  );
  squawkBeside(
    t,
    added.map((n) => join("migrations", n)),
    repoDir,
  );
}

try {
  startup();
  typicalPullRequest();
  const gen = join(work, "generated");
  generate(gen, 1024 * 1024);
  bench("generated Postgres set", gen, true);
  const corpus = join(work, "corpus-postgres");
  if (copyCorpus(corpus)) bench("shared corpus, Postgres files", corpus, false);
  else console.log("\nshared corpus not present (../shared/corpus): skipped");
} finally {
  rmSync(work, { recursive: true, force: true });
}
