/**
 * Drift detection's pure parts: golang-migrate URLs (forms, passwords in odd places, what is
 * never printed), the comparison (ignore globs, the operator's extensions, both definitions),
 * the report (status, exit code, formats), the WAL reader, the CLI's arguments and the
 * configuration key.
 */
import { describe, expect, test } from "@jest/globals";
import { parseDriftArgs } from "../../src/cli/drift.js";
import { ConfigError, parseConfig } from "../../src/config/load.js";
import { compareSchemas, globMatcher } from "../../src/replay/drift/compare.js";
import {
  driftExitCode,
  driftStatus,
  formatDriftMarkdown,
  formatDriftText,
  type DriftReport,
} from "../../src/replay/drift/report.js";
import { applyWal, committedFrames } from "../../src/replay/drift/sqlite-file.js";
import {
  parseDriftUrl,
  parseMigrationsTable,
  redact,
  type DriftUrl,
} from "../../src/replay/drift/url.js";
import { MemoryCache } from "../../src/replay/cache.js";
import { runJob } from "../../src/replay/jobs.js";
import { schemaOf, type SchemaObject } from "../../src/replay/schema.js";
import { blobId } from "../support/changeset.js";

const SECRET = "s3cr3t-Pa55";

function urlError(text: string): string {
  try {
    parseDriftUrl(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`accepted ${text}`);
}

const server = (u: DriftUrl) => {
  if (u.dialect === "sqlite") throw new Error("not a server URL");
  return u;
};

describe("golang-migrate database URLs", () => {
  test("postgres: lib/pq's URL, sslmode require by default, golang-migrate's table options", () => {
    const u = server(
      parseDriftUrl(
        `postgres://app:${SECRET}@db.internal:6543/prod?sslmode=verify-full&sslrootcert=/etc/ca.pem&search_path=app&x-migrations-table=versions&x-multi-statement=true&TimeZone=UTC`,
      ),
    );
    expect(u).toMatchObject({
      dialect: "postgres",
      address: {
        host: "db.internal",
        port: 6543,
        user: "app",
        password: SECRET,
        database: "prod",
        tls: "verify-full",
      },
      tlsPaths: { ca: "/etc/ca.pem" },
      searchPath: "app",
      table: { name: "versions" },
      ignored: ["TimeZone"],
    });
    expect(u.redacted).toBe(
      "postgres://app@db.internal:6543/prod?sslmode=verify-full&search_path=app&x-migrations-table=versions",
    );
    expect(server(parseDriftUrl("postgresql://app@h/db")).address.tls).toBe("require");
    expect(server(parseDriftUrl("pgx5://app@h/db?sslmode=prefer")).tlsFallback).toBe(true);
  });

  test("postgres: passwords in the query, with @ : / % in the user info, options' search_path", () => {
    const inQuery = server(
      parseDriftUrl(`postgres://app@h/db?password=${encodeURIComponent(SECRET)}&sslmode=disable`),
    );
    expect(inQuery.address.password).toBe(SECRET);
    expect(inQuery.redacted).toBe("postgres://app@h:5432/db?sslmode=disable");
    const odd = "p@ss:w/rd%?";
    const u = server(parseDriftUrl(`postgres://a%40b:${encodeURIComponent(odd)}@h/db`));
    expect(u.address).toMatchObject({ user: "a@b", password: odd });
    expect(u.secrets).toEqual(expect.arrayContaining([odd, encodeURIComponent(odd)]));
    expect(u.redacted).not.toContain("p%40ss");
    // A raw "@" in the password: the last "@" ends the user info, as in Go's net/url.
    expect(server(parseDriftUrl("postgres://a:p@ss@h/db")).address).toMatchObject({
      host: "h",
      password: "p@ss",
    });
    const options = server(parseDriftUrl("postgres://a@h/db?options=-c%20search_path%3Dtenant"));
    expect(options.searchPath).toBe("tenant");
    expect(options.ignored).toEqual([]);
    expect(
      server(parseDriftUrl("postgres://a@h/db?options=-c%20statement_timeout%3D0")).ignored,
    ).toEqual(["options"]);
  });

  test("the migrations table: quoted names a schema (Postgres), unquoted is one name", () => {
    const quoted = server(
      parseDriftUrl(
        'postgres://a@h/db?x-migrations-table="ops"."versions"&x-migrations-table-quoted=1',
      ),
    );
    expect(quoted.table).toEqual({ schema: "ops", name: "versions" });
    expect(
      server(parseDriftUrl("postgres://a@h/db?x-migrations-table=ops.versions")).table,
    ).toEqual({ name: "ops.versions" });
    expect(parseMigrationsTable('"ops"."v"', "postgres")).toEqual({ schema: "ops", name: "v" });
    expect(parseMigrationsTable('"a"."b"', "mysql")).toEqual({ name: '"a"."b"' });
    expect(() => parseMigrationsTable('"a"."b"."c"', "postgres")).toThrow(
      'must be "table" or "schema"."table"',
    );
  });

  test("mysql: go-sql-driver's DSN (tcp(…), percent-decoded, + is a space) and the common form", () => {
    const dsn = server(
      parseDriftUrl(`mysql://app:${SECRET}@tcp(10.0.0.7:3307)/shop?parseTime=true&tls=skip-verify`),
    );
    expect(dsn).toMatchObject({
      dialect: "mysql",
      address: { host: "10.0.0.7", port: 3307, user: "app", database: "shop", tls: "require" },
      ignored: [],
    });
    expect(dsn.redacted).toBe("mysql://app@tcp(10.0.0.7:3307)/shop?tls=skip-verify");
    expect(server(parseDriftUrl("mysql://app@db:3306/shop")).address).toMatchObject({
      host: "db",
      port: 3306,
    });
    expect(server(parseDriftUrl("mysql://app@/shop")).address.host).toBe("127.0.0.1");
    expect(server(parseDriftUrl("mysql://app:a+b%21@tcp([::1]:3306)/shop")).address).toMatchObject({
      host: "::1",
      password: "a b!",
    });
    // "@", "/", "?" and ":" in a password; "@" and "/" in a parameter.
    const odd = server(
      parseDriftUrl("mysql://app:p@s/s?w:d@tcp(h:1)/shop?x-tls-ca=/etc/a@b/ca.pem&tls=custom"),
    );
    expect(odd.address).toMatchObject({
      host: "h",
      port: 1,
      password: "p@s/s?w:d",
      tls: "verify-full",
    });
    expect(odd.tlsPaths.ca).toBe("/etc/a@b/ca.pem");
    expect(odd.redacted).toBe("mysql://app@tcp(h:1)/shop?tls=custom");
    // Server settings never reach the server: listed as ignored.
    expect(
      server(parseDriftUrl("mysql://app@tcp(h)/shop?autocommit=1&transaction_read_only=0")).ignored,
    ).toEqual(["autocommit", "transaction_read_only"]);
  });

  test("sqlite: relative and absolute paths, golang-migrate's options, driver options ignored", () => {
    expect(parseDriftUrl("sqlite3://data/app.db?x-no-tx-wrap=true")).toMatchObject({
      dialect: "sqlite",
      path: "data/app.db",
      ignored: [],
    });
    expect(parseDriftUrl("sqlite:///var/lib/app.db?_journal=WAL")).toMatchObject({
      path: "/var/lib/app.db",
      ignored: ["_journal"],
    });
    expect(parseDriftUrl("sqlite3://file:my%20app.db")).toMatchObject({ path: "my app.db" });
  });

  test.each([
    ["", "not a database URL"],
    ["db.example.com:5432", "not a database URL"],
    ["cockroachdb://u@h/db", 'unsupported scheme "cockroachdb://"'],
    ["postgres://h/db", "names no user"],
    ["postgres://u@h", "names no database"],
    ["postgres:///db?user=u&host=/var/run/postgresql", "Unix sockets are not supported"],
    ["postgres://u@h/db?sslmode=maybe", "sslmode must be one of"],
    ["postgres://u@h:99999/db", "not a valid URL"],
    ["postgres://u@h/db?connect_timeout=soon", "connect_timeout must be whole seconds"],
    ["mysql://u@unix(/tmp/mysql.sock)/db", "unsupported network"],
    ["mysql://u@tcp(h:3306)", "names no database"],
    ["mysql://u@tcp(h:3306)/db?tls=mine", "give its certificate authority with x-tls-ca"],
    ["mysql://u@tcp(h:70000)/db", "invalid port"],
    ["mysql://u@tcp(h:3306)/db?timeout=later", 'a duration such as "10s"'],
    ["sqlite3://:memory:", "names no database file"],
  ])("%s is refused: %s", (text, message) => {
    expect(urlError(text)).toContain(message);
  });

  test("messages never contain the password", () => {
    for (const text of [
      `postgres://u:${SECRET}@h`,
      `postgres://u:${SECRET}@h:99999/db`,
      `postgres://u:${SECRET}@h/db?sslmode=${SECRET}`,
      `postgres://u:${SECRET}%zz@h/db`,
      `mysql://u:${SECRET}@unix(/x)/db`,
      `mysql://u:${SECRET}%zz@tcp(h)/db`,
      `mysql://u:${SECRET}@tcp(h)/db?timeout=${SECRET}`,
    ])
      expect(urlError(text)).not.toContain(SECRET);
  });

  test("redact replaces every form of every secret", () => {
    const u = parseDriftUrl(`postgres://u:${encodeURIComponent("a/b c")}@h/db`);
    expect(redact("auth a/b c failed; a%2Fb%20c again", u.secrets)).toBe(
      "auth *** failed; *** again",
    );
  });
});

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

describe("the command line", () => {
  const parse = (argv: string[], env: Record<string, string> = {}) =>
    parseDriftArgs(argv, "/repo", env);
  const usage = (argv: string[], env: Record<string, string> = {}) => {
    try {
      parse(argv, env);
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error("accepted");
  };

  test("the URL from the flag or MIGRATION_WARDEN_DRIFT_DATABASE_URL; --migrations-table wins", () => {
    const fromEnv = parse([], { MIGRATION_WARDEN_DRIFT_DATABASE_URL: "sqlite3://a.db" });
    expect(fromEnv).toMatchObject({ url: { path: "a.db" }, format: "text", cwd: "/repo" });
    const flag = parse(
      [
        "--database-url",
        "postgres://u@h/db?x-migrations-table=a",
        "--migrations-table",
        '"ops"."v"',
        "--format",
        "markdown",
        "--cwd",
        "sub",
        "--dir",
        "db",
      ],
      { MIGRATION_WARDEN_DRIFT_DATABASE_URL: "sqlite3://a.db" },
    );
    expect(flag).toMatchObject({
      url: { dialect: "postgres", table: { schema: "ops", name: "v" } },
      format: "markdown",
      cwd: "/repo/sub",
      dir: "db",
    });
    expect(parse(["-h"])).toBe("help");
  });

  test("usage errors name the flag or variable, never the password", () => {
    expect(usage([])).toContain(
      "--database-url is required (or set MIGRATION_WARDEN_DRIFT_DATABASE_URL)",
    );
    expect(usage(["--database-url", "sqlite3://a.db", "--format", "sarif"])).toContain(
      "--format must be one of text, json, markdown",
    );
    const bad = usage([], {
      MIGRATION_WARDEN_DRIFT_DATABASE_URL: `postgres://u:${SECRET}@h:99999/db`,
    });
    expect(bad).toContain("MIGRATION_WARDEN_DRIFT_DATABASE_URL: not a valid URL");
    expect(bad).not.toContain(SECRET);
    const unknown = usage([
      `--password=${SECRET}`,
      "--database-url",
      `postgres://u:${SECRET}@h/db`,
    ]);
    expect(unknown).toContain("Unknown option");
    expect(unknown).not.toContain(SECRET);
    const positional = usage(["--database-url", "sqlite3://a.db", `postgres://u:${SECRET}@h/db`]);
    expect(positional).not.toContain(SECRET);
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
    expect(Object.keys(schema).sort()).toEqual(["column t.id", "column t.name", "table t"]);
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
