/**
 * Drift detection's pure parts: the comparison (ignore globs, the operator's extensions, both
 * definitions), the report (status, exit code, formats), the WAL reader, the configuration key,
 * and the cache of expected fingerprints. URLs and arguments: drift-url.test.ts.
 */
import { describe, expect, test } from "@jest/globals";
import { ConfigError, parseConfig } from "../../src/config/load.js";
import { MemoryCache } from "../../src/replay/cache.js";
import { compareSchemas, globMatcher } from "../../src/replay/drift/compare.js";
import {
  driftExitCode,
  driftStatus,
  formatDriftMarkdown,
  formatDriftText,
  type DriftReport,
} from "../../src/replay/drift/report.js";
import { applyWal, committedFrames } from "../../src/replay/drift/sqlite-file.js";
import { runJob } from "../../src/replay/jobs.js";
import { schemaOf, type SchemaObject } from "../../src/replay/schema.js";
import { blobId } from "../support/changeset.js";

describe("the comparison", () => {
  const col = (table: string, name: string, type: string): SchemaObject => ({
    kind: "column",
    name: `${table}.${name}`,
    table,
    attrs: { type, notNull: false, default: null },
  });
  const table = (name: string): SchemaObject => ({
    kind: "table",
    name,
    attrs: { persistence: "permanent", rowSecurity: "disabled", options: null },
  });
  const ext = (name: string, version: string): SchemaObject => ({
    kind: "extension",
    name,
    attrs: { version, schema: "public" },
  });

  test("globs: * stays within a name part, ** crosses them", () => {
    const m = globMatcher(["audit.*", "public.tmp_*", "legacy.**", "t?"]);
    expect(["audit.log", "public.tmp_x", "legacy.a.b", "t1"].map(m)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(["audit.log.id", "public.tmp", "other.x", "t12", "audit"].map(m)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(globMatcher(["a.b(c)+"])("a.b(c)+")).toBe(true);
    expect(globMatcher([])("anything")).toBe(false);
  });

  test("both definitions; a whole table with its columns; the ignore list takes a table's columns with it", () => {
    const expected = schemaOf([
      table("public.users"),
      col("public.users", "email", "text"),
      {
        kind: "index",
        name: "public.users_email",
        table: "public.users",
        attrs: { definition: "CREATE INDEX …", indexValid: true },
      },
    ]);
    const live = schemaOf([
      table("public.users"),
      col("public.users", "email", "varchar(320)"),
      table("audit.log"),
      col("audit.log", "id", "integer"),
      { ...table("public.scratch"), attrs: { ...table("x").attrs, persistence: "unlogged" } },
    ]);
    const r = compareSchemas(expected, live, { ignore: [], migrationExtensions: new Set() });
    expect(r.differences).toEqual([
      {
        kind: "table",
        object: "audit.log",
        change: "added",
        expected: null,
        actual: "(id integer)",
      },
      {
        kind: "column",
        object: "audit.log.id",
        change: "added",
        expected: null,
        actual: "integer",
      },
      {
        kind: "table",
        object: "public.scratch",
        change: "added",
        expected: null,
        actual: "() persistence: unlogged",
      },
      {
        kind: "column",
        object: "public.users.email",
        change: "changed",
        expected: "text",
        actual: "varchar(320)",
      },
      {
        kind: "index",
        object: "public.users_email",
        change: "missing",
        expected: "CREATE INDEX …",
        actual: null,
      },
    ]);
    const ignored = compareSchemas(expected, live, {
      ignore: ["audit.*", "scratch"],
      migrationExtensions: new Set(),
    });
    expect(ignored.differences.map((d) => d.object)).toEqual([
      "public.users.email",
      "public.users_email",
    ]);
    expect(ignored.ignored.byConfig).toEqual([
      "table audit.log",
      "column audit.log.id",
      "table public.scratch",
    ]);
  });

  test("attributes a one-line definition does not show are spelled out when they differ", () => {
    const c = (collation: string | null): SchemaObject => ({
      kind: "column",
      name: "t.x",
      table: "t",
      attrs: { type: "text", notNull: false, default: null, collation },
    });
    const [d] = compareSchemas(schemaOf([c(null)]), schemaOf([c("C")]), {
      ignore: [],
      migrationExtensions: new Set(),
    }).differences;
    expect(d).toMatchObject({ expected: "text (collation: none)", actual: "text (collation: C)" });
  });

  test("extensions: the operator's are ignored, versions are the sandbox's; the migrations' are compared", () => {
    const expected = schemaOf([
      ext("plpgsql", "1.0"),
      ext("pgcrypto", "1.3"),
      ext("citext", "1.6"),
    ]);
    const live = schemaOf([
      ext("plpgsql", "1.0"),
      ext("pgcrypto", "1.2"),
      ext("pg_stat_statements", "1.10"),
    ]);
    const r = compareSchemas(expected, live, {
      ignore: [],
      migrationExtensions: new Set(["pgcrypto", "citext"]),
    });
    expect(r.differences).toEqual([
      { kind: "extension", object: "citext", change: "missing", expected: "1.6", actual: null },
    ]);
    expect(r.ignored).toEqual({
      byConfig: [],
      operator: ["extension pg_stat_statements"],
      engine: ["extension pgcrypto"],
    });
  });
});

describe("extension members (objects hidden in an extension)", () => {
  const ext = (name: string, version: string, members: string[]): SchemaObject => ({
    kind: "extension",
    name,
    attrs: { version, schema: "public", members: members.join("\n") },
  });
  const schema = (name: string): SchemaObject => ({ kind: "schema", name, attrs: {} });
  const OWN = ["function: public.citext_eq(public.citext,public.citext)", "type: public.citext"];
  const run = (expected: SchemaObject[], live: SchemaObject[]) =>
    compareSchemas(
      schemaOf([schema("public"), ...expected]),
      schemaOf([schema("public"), ...live]),
      {
        ignore: [],
        migrationExtensions: new Set(["citext"]),
      },
    ).differences.map((d) => `${d.change} ${d.kind} ${d.object}`);

  test("a live member the sandbox's copy lacks; every kind at the sandbox's version or older", () => {
    const extra = [...OWN, "function: public.leak(pg_catalog.text)", 'table: public."a.b"'];
    expect(run([ext("citext", "1.8", OWN)], [ext("citext", "1.6", extra)])).toEqual([
      "added function public.leak(pg_catalog.text)",
      // As the fingerprint names it: the dot inside the table's name is quoted.
      'added table public."a.b"',
    ]);
    expect(run([ext("citext", "1.8", OWN)], [ext("citext", "1.8", OWN)])).toEqual([]);
    // The sandbox's newer copy has members the live one lacks: not drift.
    expect(
      run([ext("citext", "1.8", [...OWN, "type: public.citext[]"])], [ext("citext", "1.6", OWN)]),
    ).toEqual([]);
  });

  test("a newer live version: its new functions are its own, a table is still drift", () => {
    const live = [...OWN, "function: public.citext_new(integer)", "table: public.stash"];
    expect(run([ext("citext", "1.6", OWN)], [ext("citext", "1.10", live)])).toEqual([
      "added table public.stash",
    ]);
    expect(run([ext("citext", "1.6", OWN)], [ext("citext", "dev", live)])).toEqual([
      "added table public.stash",
    ]);
  });

  test("an object the migrations create, made a member: changed", () => {
    const users: SchemaObject = { kind: "table", name: "public.users", attrs: {} };
    const d = compareSchemas(
      schemaOf([schema("public"), users, ext("citext", "1.8", OWN)]),
      schemaOf([schema("public"), ext("citext", "1.8", [...OWN, "table: public.users"])]),
      { ignore: [], migrationExtensions: new Set(["citext"]) },
    ).differences;
    expect(d).toContainEqual(
      expect.objectContaining({
        kind: "table",
        object: "public.users",
        change: "changed",
        expected: "not part of an extension",
      }),
    );
  });

  test("an extension no migration creates: only what holds rows, in the migrations' schemas", () => {
    const live = ext("pg_stat_statements", "1.10", [
      "view: public.pg_stat_statements",
      "function: public.pg_stat_statements_reset()",
      "table: public.stash",
      "table: cron.job",
    ]);
    expect(run([], [live])).toEqual(["added table public.stash"]);
  });
});

describe("the report", () => {
  const report = (over: Partial<DriftReport> = {}): DriftReport => ({
    tool: { name: "migration-warden", version: "test" },
    database: {
      dialect: "postgres",
      url: "postgres://app@db:5432/prod",
      version: "12",
      dirty: false,
      server: "PostgreSQL 16.2",
    },
    expected: {
      ref: "origin/HEAD",
      sha: "0123456789abcdef0123",
      version: "12",
      engine: "PGlite 0.5.16 (PostgreSQL 18.6)",
    },
    status: "in-sync",
    pending: [],
    differences: [],
    notes: [],
    ...over,
  });

  test("status: dirty, then unknown version, then differences; exit 1 for all but in sync", () => {
    const d = [{}];
    expect(driftStatus({ dirty: true, unknownVersion: true, differences: d })).toBe("dirty");
    expect(driftStatus({ dirty: false, unknownVersion: true, differences: d })).toBe(
      "unknown-version",
    );
    expect(driftStatus({ dirty: false, unknownVersion: false, differences: d })).toBe("drift");
    expect(driftStatus({ dirty: false, unknownVersion: false, differences: [] })).toBe("in-sync");
    expect(driftExitCode(report())).toBe(0);
    expect(driftExitCode(report({ pending: [{ version: "13", path: "m/13_x.up.sql" }] }))).toBe(0);
    for (const status of ["drift", "dirty", "unknown-version"] as const)
      expect(driftExitCode(report({ status }))).toBe(1);
  });

  test("text and Markdown name every difference with both definitions", () => {
    const r = report({
      status: "drift",
      differences: [
        {
          kind: "column",
          object: "public.users.email",
          change: "changed",
          expected: "text",
          actual: "varchar(320) | x",
        },
      ],
      pending: [{ version: "13", path: "db/13_x.up.sql" }],
      notes: ["a note"],
    });
    const text = formatDriftText(r);
    expect(text).toContain("postgres://app@db:5432/prod (PostgreSQL 16.2): drift: 1 difference");
    expect(text).toContain(
      "~ column users.email: changed\n    expected: text\n    actual:   varchar(320) | x",
    );
    expect(text).toContain("pending (not applied yet, not drift): 13 db/13_x.up.sql");
    const md = formatDriftMarkdown(r);
    expect(md).toContain(
      "| ~ | column | `users.email` | changed | `text` | `varchar(320) \\| x` |",
    );
    expect(md).toContain(
      "**Pending** (in the repository, not applied yet; not drift): 13 (`db/13_x.up.sql`).",
    );
  });
});

describe("the write-ahead log", () => {
  test("no log, a log with a bad header, frames after the last commit: only committed pages count", () => {
    const main = Buffer.alloc(4096);
    Buffer.from("SQLite format 3\0", "latin1").copy(main);
    main.writeUInt16BE(4096, 16);
    main[18] = 2;
    main[19] = 2;
    expect(Buffer.from(applyWal(main, null)).subarray(18, 20)).toEqual(Buffer.from([1, 1]));
    expect(committedFrames(Buffer.alloc(10))).toBeNull();
    const badMagic = Buffer.alloc(32);
    expect(committedFrames(badMagic)).toBeNull();
    const header = Buffer.alloc(32);
    header.writeUInt32BE(0x377f0682, 0);
    header.writeUInt32BE(4096, 8);
    // A wrong header checksum: the whole log is ignored, as SQLite ignores it.
    expect(committedFrames(header)).toBeNull();
  });
});

describe("the configuration key", () => {
  const problems = (yaml: string) => {
    try {
      parseConfig(yaml, { ref: "main" });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as ConfigError).problems;
    }
    throw new Error("accepted");
  };

  test("drift.ignore and drift.statementTimeoutMs, checked", () => {
    expect(parseConfig('drift:\n  ignore: ["audit.*"]\n', { ref: "main" }).drift).toEqual({
      ignore: ["audit.*"],
      statementTimeoutMs: 30000,
    });
    expect(problems("drift:\n  ignore: audit\n")[0]).toContain(
      "drift.ignore: expected a list of globs",
    );
    expect(problems('drift:\n  ignore: [""]\n')[0]).toContain(
      "drift.ignore.0: expected a non-empty glob",
    );
    expect(problems("drift:\n  statementTimeoutMs: 0\n")[0]).toContain("drift.statementTimeoutMs");
    expect(problems("drift:\n  ignroe: []\n")[0]).toContain("ignroe");
  });
});

describe("the expected schema's cache", () => {
  test("a fingerprint asked for again comes from the cache: nothing read, nothing run", async () => {
    const text = "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);\n";
    const cache = new MemoryCache();
    let reads = 0;
    const spec = {
      engine: "sqljs" as const,
      directory: "m",
      multiStatement: false,
      baseFiles: [{ path: "m/1_t.up.sql", name: "1_t.up.sql", version: "1", oid: blobId(text) }],
      ups: [],
      downs: [],
      wantSchema: true,
    };
    const readBase = async () => {
      reads++;
      return [Buffer.from(text)];
    };
    const limits = { statementTimeoutMs: 10_000, budgetMs: 60_000 };
    const first = await runJob(spec, readBase, cache, limits);
    expect(first.kind).toBe("ran");
    const schema = first.kind === "ran" ? first.outcome.result!.baseSchema! : {};
    // golang-migrate's own table is in the sandbox too (drift leaves it out of the comparison).
    expect(Object.keys(schema).sort()).toEqual([
      "column schema_migrations.dirty",
      "column schema_migrations.version",
      "column t.id",
      "column t.name",
      "index version_unique",
      "table schema_migrations",
      "table t",
    ]);
    const again = await runJob(spec, readBase, cache, limits);
    expect(again).toMatchObject({ kind: "schema", entry: { schema, files: 1 } });
    expect(reads).toBe(1);
    // Another history (an edited file) is another key.
    const edited = await runJob(
      { ...spec, baseFiles: [{ ...spec.baseFiles[0]!, oid: blobId(`${text}-- edited\n`) }] },
      async () => [Buffer.from(`${text}-- edited\n`)],
      cache,
      limits,
    );
    expect(edited.kind).toBe("ran");
  });
});
