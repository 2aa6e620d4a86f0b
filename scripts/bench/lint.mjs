#!/usr/bin/env node
// Lint throughput, whole process: `migration-warden lint --format json` (lib/cli/main.js) on a
// generated ~1 MB Postgres migration set, and on the Postgres part of ../shared/corpus when it
// exists. Prints MB/s and peak memory (RSS), and runs squawk (a Rust linter; its binary package
// is installed on demand into a cache directory) on the same files in the same run for the
// ratio. Figures only: a benchmark never fails on timing.
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
const cli = join(repo, "lib/cli/main.js");
if (!existsSync(cli)) {
  console.error("lib/cli/main.js is missing: run `npm run build` first");
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

/** Wall seconds and peak RSS (MB, when /usr/bin/time is available) of one process run. */
function measure(cmd, args) {
  const start = process.hrtime.bigint();
  // The CLI lints paths inside its working directory (the repository).
  const opts = { encoding: "utf8", maxBuffer: 1 << 30, cwd: work };
  const r = timeBin
    ? spawnSync(timeBin, ["-f", "__PEAK_KB=%M", cmd, ...args], opts)
    : spawnSync(cmd, args, opts);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.error) throw r.error;
  const peak = /__PEAK_KB=(\d+)/.exec(r.stderr ?? "");
  return {
    seconds,
    peakMb: peak ? Number(peak[1]) / 1024 : null,
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
  };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const SQUAWK_VERSION = "2.66.0";

/**
 * squawk's binary for this platform. It is not a devDependency: its npm package lists binaries for
 * every platform, and the registry this project installs from lacks some of them, which breaks
 * `npm ci`. So the benchmark installs just this platform's binary package into a cache directory.
 */
function squawkBinary() {
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
  const local = find(import.meta.url);
  if (local) return local;
  const cache = join(tmpdir(), "migration-warden-bench", `squawk-${SQUAWK_VERSION}`);
  const cached = find(join(cache, "package.json"));
  if (cached) return cached;
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
    return null;
  }
  return find(join(cache, "package.json"));
}

function bench(label, dir) {
  const files = readdirSync(dir).map((n) => join(dir, n));
  const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
  const mb = bytes / (1024 * 1024);
  const ours = [];
  let findings = 0;
  for (let i = 0; i < RUNS; i++) {
    const r = measure(process.execPath, [
      cli,
      "lint",
      "--no-replay",
      "--format",
      "json",
      "--fail-on",
      "never",
      relative(work, dir),
    ]);
    if (r.status !== 0) throw new Error(`migration-warden exited ${r.status}: ${r.stderr}`);
    findings = JSON.parse(r.stdout).findings.length;
    ours.push(r);
  }
  const t = median(ours.map((r) => r.seconds));
  const peak = Math.max(...ours.map((r) => r.peakMb ?? 0));
  console.log(`\n${label}: ${files.length} files, ${mb.toFixed(2)} MB`);
  const fixed = Number(process.env.MW_BENCH_STARTUP ?? 0);
  console.log(
    `  migration-warden: ${t.toFixed(3)} s (median of ${RUNS}), ${(mb / t).toFixed(2)} MB/s, peak RSS ${timeBin ? `${peak.toFixed(0)} MB` : "n/a"}, ${findings} findings`,
  );
  console.log(
    `                    excluding start-up: ${(t - fixed).toFixed(3)} s, ${(mb / Math.max(t - fixed, 1e-3)).toFixed(2)} MB/s`,
  );
  const squawk = squawkBinary();
  if (!squawk) {
    console.log("  squawk: not available — no comparison");
    return;
  }
  const theirs = [];
  let violations = 0;
  for (let i = 0; i < RUNS; i++) {
    const r = measure(squawk, ["--reporter", "json", ...files]);
    if (r.status !== 0 && r.status !== 1)
      throw new Error(`squawk exited ${r.status}: ${r.stderr.slice(0, 500)}`);
    try {
      violations = JSON.parse(r.stdout).length;
    } catch {
      violations = NaN;
    }
    theirs.push(r);
  }
  const ts = median(theirs.map((r) => r.seconds));
  const speak = Math.max(...theirs.map((r) => r.peakMb ?? 0));
  console.log(
    `  squawk 2.66:      ${ts.toFixed(3)} s (median of ${RUNS}), ${(mb / ts).toFixed(2)} MB/s, peak RSS ${timeBin ? `${speak.toFixed(0)} MB` : "n/a"}, ${violations} violations`,
  );
  console.log(
    `  ratio: migration-warden takes ${(t / ts).toFixed(2)}× squawk's time (< 1 means faster)`,
  );
}

/** Fixed cost of one process (Node start-up, module loading, WASM), on a one-line file. */
function startup() {
  const dir = join(work, "tiny");
  mkdirSync(dir);
  writeFileSync(join(dir, "1_t.up.sql"), "SELECT 1;\n");
  const runs = Array.from({ length: RUNS }, () =>
    measure(process.execPath, [
      cli,
      "lint",
      "--no-replay",
      "--format",
      "json",
      relative(work, dir),
    ]),
  );
  const t = median(runs.map((r) => r.seconds));
  console.log(`start-up (one one-line file): ${t.toFixed(3)} s (median of ${RUNS})`);
  return t;
}

try {
  const fixed = startup();
  process.env.MW_BENCH_STARTUP = String(fixed);
  const gen = join(work, "generated");
  generate(gen, 1024 * 1024);
  bench("generated Postgres set", gen);
  const corpus = join(work, "corpus-postgres");
  if (copyCorpus(corpus)) bench("shared corpus, Postgres files", corpus);
  else console.log("\nshared corpus not present (../shared/corpus): skipped");
} finally {
  rmSync(work, { recursive: true, force: true });
}
