/**
 * The CLI's disk cache of merged schemas (src/cli/schema-cache.ts): a cached schema is the one
 * the history builds, and every way to make the cache answer for other inputs fails — a base
 * rewritten with other content, another configuration or build, an entry truncated, altered or
 * moved under another key, runs at once, a cache directory that cannot be written.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { DirectoryConfig } from "../../src/config/types.js";
import { lint, type LintOptions } from "../../src/cli/lint.js";
import { SchemaCache } from "../../src/cli/schema-cache.js";
import { buildMergedSchema, type MergedFile } from "../../src/core/schema/build.js";
import { schemaFromJson, schemaToJson } from "../../src/core/schema/snapshot.js";
import { loadParsers } from "../../src/core/sql/parse/index.js";
import { TempRepo } from "../support/git-repo.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const enc = new TextEncoder();
const DIR: DirectoryConfig = { path: "m", dialect: "postgres", multiStatement: false };
const files = (...sql: string[]): MergedFile[] =>
  sql.map((s, i) => ({ path: `m/${i + 1}_x.up.sql`, bytes: enc.encode(s) }));

const HISTORY = files(
  "CREATE TABLE a (id bigint PRIMARY KEY, x varchar(10) NOT NULL DEFAULT 'n', y int COLLATE \"C\");\nCREATE UNIQUE INDEX a_y ON a (y) WHERE y > 0;",
  "ALTER TABLE a ADD CONSTRAINT y_nn CHECK (y IS NOT NULL) NOT VALID;\nCREATE FUNCTION f(int, text DEFAULT 'x') RETURNS int IMMUTABLE AS $$ SELECT 1 $$ LANGUAGE sql;",
  "CREATE TABLE app.b AS SELECT 1 AS c;\nCREATE TABLE c (LIKE a);",
  "SET search_path = app;\nCREATE TABLE d (z text);\nCREATE INDEX a_expr ON a ((x || y));",
);

let cacheDir: string;
beforeEach(() => {
  cacheDir = mkdtempSync(join(tmpdir(), "mw-schema-cache-"));
});
afterEach(() => rmSync(cacheDir, { recursive: true, force: true }));

const entries = () => readdirSync(cacheDir).filter((n) => n.endsWith(".schema.json"));

describe("an entry", () => {
  beforeAll(() => loadParsers("postgres"));

  test("reads back as exactly the schema the history builds", () => {
    const built = buildMergedSchema(DIR, HISTORY);
    const cache = new SchemaCache(cacheDir, "build-1");
    const key = cache.key(DIR, HISTORY);
    cache.store(key, built);
    const read = cache.load(key)!;
    expect(read).not.toBeNull();
    expect(read.snapshot()).toEqual(built.snapshot());
    // The snapshot covers tables, unknown ones, routines and the search_path state.
    const snap = built.snapshot();
    expect(snap.pathChanged).toBe(true);
    expect(snap.routines).toHaveLength(1);
    expect(snap.tables.some((t) => t.unknown)).toBe(true);
    expect(snap.tables[0]!.checks).toEqual([
      { name: "y_nn", notNullColumn: "y", validated: false },
    ]);
    expect(read.routines.volatility({ name: "f", args: ["int4"] })).toBe("immutable");
    // A schema that lost track of everything (blind) reads back blind.
    const blindHistory = files("CREATE TABLE a (c int);\nALTER TABLE a FROB;");
    const blind = buildMergedSchema(DIR, blindHistory);
    expect(blind.snapshot().blind).toMatch(/could not be read/);
    cache.store(cache.key(DIR, blindHistory), blind);
    expect(cache.load(cache.key(DIR, blindHistory))!.snapshot()).toEqual(blind.snapshot());
    // Through the builder: the first call writes, the second reads.
    const builder = cache.builder();
    expect(builder(DIR, HISTORY).snapshot()).toEqual(snap);
    expect(entries()).toHaveLength(2);
  });

  test("the key covers every input: each file's path and bytes, the configuration, the build", () => {
    const cache = new SchemaCache(cacheDir, "build-1");
    const key = cache.key(DIR, HISTORY);
    const other = [
      cache.key(DIR, HISTORY.slice(0, 3)),
      cache.key(DIR, [...HISTORY.slice(0, 3), { path: "m/5_x.up.sql", bytes: HISTORY[3]!.bytes }]),
      cache.key(DIR, [
        ...HISTORY.slice(0, 3),
        { path: HISTORY[3]!.path, bytes: enc.encode("SET search_path = app;\n") },
      ]),
      cache.key({ ...DIR, dialect: "cockroachdb" }, HISTORY),
      cache.key({ ...DIR, multiStatement: true }, HISTORY),
      cache.key({ ...DIR, databaseVersion: "13" }, HISTORY),
      new SchemaCache(cacheDir, "build-2").key(DIR, HISTORY),
    ];
    expect(new Set([key, ...other]).size).toBe(other.length + 1);
  });

  test("another build's entry is never read", () => {
    const built = buildMergedSchema(DIR, HISTORY);
    const old = new SchemaCache(cacheDir, "build-1");
    old.store(old.key(DIR, HISTORY), built);
    const now = new SchemaCache(cacheDir, "build-2");
    expect(now.load(now.key(DIR, HISTORY))).toBeNull();
  });

  test("truncated, altered, moved under another key, or not a snapshot: ignored and rebuilt", () => {
    const cache = new SchemaCache(cacheDir, "build-1");
    const built = buildMergedSchema(DIR, HISTORY);
    const key = cache.key(DIR, HISTORY);
    cache.store(key, built);
    const path = join(cacheDir, `${key}.schema.json`);
    const good = readFileSync(path, "utf8");
    const [header, payload] = [
      good.slice(0, good.indexOf("\n")),
      good.slice(good.indexOf("\n") + 1),
    ];
    const sha = (s: string) => createHash("sha256").update(s).digest("hex");
    const otherKey = cache.key(DIR, HISTORY.slice(0, 1));
    // Another key's whole, valid entry copied under this key's name.
    const moved = buildMergedSchema(DIR, HISTORY.slice(0, 1));
    cache.store(otherKey, moved);
    const movedText = readFileSync(join(cacheDir, `${otherKey}.schema.json`), "utf8");
    const narrowed = payload.replace('"varchar(10)"', '"text"');
    expect(narrowed).not.toBe(payload);
    const bad: Record<string, string> = {
      truncated: good.slice(0, good.length - 40),
      "header only": header,
      empty: "",
      "payload altered": `${header}\n${narrowed}`,
      "another key's entry": movedText,
      "not a snapshot, checksum right": `${JSON.stringify({ key, sha256: sha('{"tables":1}') })}\n{"tables":1}`,
      "an extra field, checksum right": (() => {
        const p = payload.replace('"pathChanged"', '"extra":1,"pathChanged"');
        return `${JSON.stringify({ key, sha256: sha(p) })}\n${p}`;
      })(),
      "not JSON": "\u0000\u0001garbage\n{",
    };
    for (const [what, text] of Object.entries(bad)) {
      writeFileSync(path, text);
      expect([what, cache.load(key)]).toEqual([what, null]);
      // The builder rebuilds it and writes a good entry again.
      expect(cache.builder()(DIR, HISTORY).snapshot()).toEqual(built.snapshot());
      expect(readFileSync(path, "utf8")).toBe(good);
    }
  });

  test("a snapshot with any field missing, extra or of the wrong type is refused", () => {
    const good = JSON.parse(schemaToJson(buildMergedSchema(DIR, HISTORY)));
    expect(schemaFromJson(JSON.stringify(good))?.snapshot()).toEqual(good);
    const edits: Array<(s: any) => void> = [
      (s) => (s.dialect = "oracle"),
      (s) => (s.origin = "guess"),
      (s) => delete s.pathChanged,
      (s) => (s.blind = 1),
      (s) => (s.tables[0].name = { name: 1 }),
      (s) => (s.tables[0].columns[0] = ["x"]),
      (s) => (s.tables[0].columns[0][1].notNull = "yes"),
      (s) => (s.tables[0].columns[0][1].autoIncrement = false),
      (s) => (s.tables[0].columns[0][1].__proto__x = 1),
      (s) => s.tables[0].checks.push({ validated: null }),
      (s) => (s.tables[0].indexes[0].columns = [1]),
      (s) => (s.tables[0].unknown = false),
      (s) => (s.routines[0].required = -1),
      (s) => (s.routines[0].volatility = "leakproof"),
      (s) => (s.routines = {}),
      (s) => (s.tables = null),
    ];
    for (const edit of edits) {
      const bad = structuredClone(good);
      edit(bad);
      expect([edit.toString(), schemaFromJson(JSON.stringify(bad))]).toEqual([
        edit.toString(),
        null,
      ]);
    }
  });

  test("a cache directory that cannot be written: the schema is built, nothing fails", () => {
    const blocked = join(cacheDir, "file");
    writeFileSync(blocked, "a file where the directory would be");
    const cache = new SchemaCache(join(blocked, "schema"), "build-1");
    const built = buildMergedSchema(DIR, HISTORY);
    expect(cache.builder()(DIR, HISTORY).snapshot()).toEqual(built.snapshot());
    expect(readdirSync(cacheDir)).toEqual(["file"]);
  });

  test("old entries beyond the bound are removed when one is written", () => {
    const cache = new SchemaCache(cacheDir, "build-1", 2);
    for (let i = 1; i <= 4; i++) {
      const h = HISTORY.slice(0, i);
      cache.store(cache.key(DIR, h), buildMergedSchema(DIR, h));
    }
    expect(entries()).toHaveLength(2);
    expect(cache.load(cache.key(DIR, HISTORY))).not.toBeNull();
  });

  test("without a build id or with MIGRATION_WARDEN_CACHE_DIR=off there is no disk cache", () => {
    // Tests run the TypeScript sources: no build id, so no disk cache whatever the environment.
    expect(SchemaCache.fromEnv({ XDG_CACHE_HOME: cacheDir })).toBeNull();
    expect(SchemaCache.fromEnv({ MIGRATION_WARDEN_CACHE_DIR: "off" })).toBeNull();
  });
});

describe("lint in git mode", () => {
  let repo: TempRepo;
  const up = (type: string) =>
    `CREATE TABLE users (id bigint PRIMARY KEY, email ${type}, name text);\n`;
  beforeEach(() => {
    repo = new TempRepo();
    repo.write({ "migrations/000001_users.up.sql": up("varchar(50)") }).commit("base");
    repo.branch("feature");
    const widen = "ALTER TABLE users ALTER COLUMN email TYPE varchar(100);\n";
    repo.write({
      "migrations/000002_widen.up.sql": `SET lock_timeout = '2s';\n${widen}`,
      "migrations/000002_widen.down.sql": "SELECT 1;\n",
    });
    repo.commit("change");
  });
  afterEach(() => repo.cleanup());

  const opts = (over: Partial<LintOptions> = {}): LintOptions => ({
    format: "json",
    failOn: "never",
    cwd: repo.dir,
    replay: false,
    paths: [],
    base: "main",
    ...over,
  });
  const ids = (r: { findings: Array<{ ruleId: string; path: string }> }) =>
    r.findings.map((f) => `${f.ruleId} ${f.path}`).sort();

  test("a warm cache gives the report no cache gives", async () => {
    const cache = new SchemaCache(cacheDir, "build-1");
    const plain = await lint(opts());
    const cold = await lint(opts(), undefined, cache.builder());
    expect(entries()).toHaveLength(1);
    const warm = await lint(opts(), undefined, cache.builder());
    expect(cold).toEqual(plain);
    expect(warm).toEqual(plain);
    expect(ids(plain)).not.toContain("alter-column-type migrations/000002_widen.up.sql");
  });

  test("a base rewritten to another commit, same names, other content: judged by the new content", async () => {
    const cache = new SchemaCache(cacheDir, "build-1");
    await lint(opts(), undefined, cache.builder());
    // main now says varchar(200): the same change narrows the column.
    const oldBase = repo.git("rev-parse", "main").trim();
    repo.checkout("main");
    repo.write({ "migrations/000001_users.up.sql": up("varchar(200)") });
    repo.git("commit", "-q", "--amend", "-am", "base");
    repo.checkout("feature");
    repo.git("rebase", "-q", "--onto", "main", oldBase, "feature");
    const r = await lint(opts(), undefined, cache.builder());
    expect(ids(r)).toContain("alter-column-type migrations/000002_widen.up.sql");
    expect(r).toEqual(await lint(opts()));
    expect(entries()).toHaveLength(2);
  });

  test("a merged file changed in the working tree or the index: the base's bytes still decide", async () => {
    const cache = new SchemaCache(cacheDir, "build-1");
    await lint(opts(), undefined, cache.builder());
    repo.write({ "migrations/000001_users.up.sql": up("varchar(500)") });
    const worktree = await lint(opts(), undefined, cache.builder());
    expect(worktree).toEqual(await lint(opts()));
    repo.git("add", "-A");
    const staged = await lint(opts(), undefined, cache.builder());
    expect(staged).toEqual(await lint(opts()));
    // The edit of the merged file is reported; the merged schema is still main's varchar(50).
    expect(ids(staged)).not.toContain("alter-column-type migrations/000002_widen.up.sql");
  });
});

describe("the built bin", () => {
  const bin = join(ROOT, "lib/cli/main.js");
  beforeAll(() => {
    if (!existsSync(bin)) throw new Error("run `npm run build` first (npm test does)");
  });

  test("runs at once write one whole entry and print what a run without the cache prints", async () => {
    const repo = new TempRepo();
    try {
      const merged: Record<string, string> = {};
      for (let v = 1; v <= 30; v++)
        merged[`migrations/${String(v).padStart(6, "0")}_t.up.sql`] =
          `CREATE TABLE t${v} (id bigint PRIMARY KEY, email varchar(50));\nCREATE INDEX t${v}_e ON t${v} (email);\n`;
      repo.write(merged).commit("base");
      repo.branch("feature");
      repo.write({
        "migrations/000031_w.up.sql": "ALTER TABLE t7 ALTER COLUMN email TYPE varchar(20);\n",
        "migrations/000031_w.down.sql": "SELECT 1;\n",
      });
      const args = [bin, "lint", "--no-replay", "--format", "json", "--base", "main"];
      const run = (env: Record<string, string>) =>
        promisify(execFile)(process.execPath, args, {
          cwd: repo.dir,
          env: { PATH: process.env.PATH ?? "", ...env },
        }).catch((e: { code: number; stdout: string }) => ({ stdout: e.stdout, code: e.code }));
      const off = await run({ MIGRATION_WARDEN_CACHE_DIR: "off" });
      expect(off.stdout).toMatch(/alter-column-type/);
      const together = await Promise.all(
        [1, 2, 3, 4].map(() => run({ MIGRATION_WARDEN_CACHE_DIR: cacheDir })),
      );
      const warm = await run({ MIGRATION_WARDEN_CACHE_DIR: cacheDir });
      for (const r of [...together, warm]) expect(r.stdout).toBe(off.stdout);
      const left = readdirSync(join(cacheDir, "schema"));
      expect(left).toHaveLength(1);
      expect(left[0]).toMatch(/^[0-9a-f]{64}\.schema\.json$/);
      // A read-only (here: impossible) cache directory: same output.
      const blocked = join(cacheDir, "blocked");
      writeFileSync(blocked, "");
      expect((await run({ MIGRATION_WARDEN_CACHE_DIR: blocked })).stdout).toBe(off.stdout);
    } finally {
      repo.cleanup();
    }
  }, 120_000);
});
