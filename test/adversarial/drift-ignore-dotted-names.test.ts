/**
 * `drift.ignore` globs against names that hold a dot. Fingerprints join a name's parts with dots,
 * and the globs matched that text: `audit.*`, meant for the schema audit (another service's), also
 * matched `public."audit.x"` (a table whose name holds a dot) and, on SQLite, which has no schemas,
 * any table called "audit.anything". A table made by hand under such a name was left out of drift
 * (exit 0, "in sync") by a pattern that never named it. Globs now match the name's parts.
 */
import { afterAll, describe, expect, jest, test } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import initSqlJs from "sql.js";
import { compareSchemas, partsMatcher } from "../../src/replay/drift/compare.js";
import { schemaOf, type SchemaObject } from "../../src/replay/schema.js";
import { runCli } from "../support/cli.js";
import { TempRepo } from "../support/git-repo.js";

jest.setTimeout(60_000);

const table = (name: string): SchemaObject => ({
  kind: "table",
  name,
  attrs: { persistence: "permanent", rowSecurity: "disabled", options: null },
});
const column = (t: string, c: string): SchemaObject => ({
  kind: "column",
  name: `${t}.${c}`,
  table: t,
  attrs: { type: "text", notNull: false, default: null },
});
const schema = (name: string): SchemaObject => ({ kind: "schema", name, attrs: {} });

describe('Postgres: a table public."audit.x" against the glob audit.*', () => {
  const expected = schemaOf([schema("public"), schema("audit")]);
  const live = schemaOf([
    schema("public"),
    schema("audit"),
    table("audit.log"), // audit.log: the other service's, meant to be ignored
    column("audit.log", "id"),
    table('public."audit.x"'), // made by hand; fingerprints quote a part that holds a dot
    column('public."audit.x"', "secret"),
  ]);
  const objects = (ignore: string[]) =>
    compareSchemas(expected, live, { ignore, migrationExtensions: new Set() }).differences.map(
      (d) => `${d.change} ${d.kind} ${d.object}`,
    );

  test("the schema's table is ignored; the dotted table in public is reported with its column", () => {
    expect(objects(["audit.*"])).toEqual([
      'added table public."audit.x"',
      'added column public."audit.x".secret',
    ]);
  });

  test("a quoted part names the dotted table (public. may be left out); ** still crosses parts", () => {
    expect(objects(['"audit.x"'])).toEqual(["added table audit.log", "added column audit.log.id"]);
    expect(objects(['public."audit.x"', "audit.*"])).toEqual([]);
    expect(objects(["**"])).toEqual([]);
  });

  test('public."audit.x" and "public.audit".x are two names; each glob takes its own', () => {
    // Schemas "public" and "public.audit" both exist, each with a table that once read public.audit.x.
    const both = schemaOf([
      schema("public"),
      schema('"public.audit"'),
      table('public."audit.x"'),
      table('"public.audit".x'),
    ]);
    const r = (ignore: string[]) =>
      compareSchemas(schemaOf([]), both, {
        ignore,
        migrationExtensions: new Set(),
      })
        .differences.filter((d) => d.kind === "table")
        .map((d) => d.object);
    expect(r([])).toEqual(['"public.audit".x', 'public."audit.x"']);
    expect(r(['"public.audit".*'])).toEqual(['public."audit.x"']);
    expect(r(['public."audit.x"'])).toEqual(['"public.audit".x']);
    expect(r(["audit.x"])).toEqual(['"public.audit".x', 'public."audit.x"']);
    expect(r(['"public.audit".*', 'public."audit.x"'])).toEqual([]);
  });

  test("parts, not text: * stays in a part however the part is spelled", () => {
    const m = partsMatcher(["audit.*", 'x."a.b"', 'q."say ""hi"""']);
    expect(m(["audit", "log"])).toBe(true);
    expect(m(["audit.x"])).toBe(false);
    expect(m(["audit", "x.y"])).toBe(true); // one part: the table "x.y" of schema audit
    expect(m(["x", "a.b"])).toBe(true);
    expect(m(["x", "a", "b"])).toBe(false);
    expect(m(["q", 'say "hi"'])).toBe(true);
  });
});

describe('SQLite (no schemas): a table named "audit.x" made by hand', () => {
  const repo = new TempRepo();
  const cache = mkdtempSync(join(tmpdir(), "mw-drift-dotted-"));
  afterAll(() => {
    repo.cleanup();
    rmSync(cache, { recursive: true, force: true });
  });

  test("is drift, whatever audit.* is meant for", async () => {
    repo
      .write({
        ".github/migration-warden.yml":
          'directories:\n  - path: db\n    dialect: sqlite\ndrift:\n  ignore: ["audit.*"]\n',
        "db/1_users.up.sql": "CREATE TABLE users (id INTEGER PRIMARY KEY);\n",
        "db/1_users.down.sql": "DROP TABLE users;\n",
      })
      .commit("migrations");
    const SQL = await initSqlJs();
    const db = new SQL.Database();
    db.exec(
      "CREATE TABLE schema_migrations (version uint64, dirty bool);\n" +
        "CREATE UNIQUE INDEX version_unique ON schema_migrations (version);\n" +
        "INSERT INTO schema_migrations VALUES (1, 0);\n" +
        "CREATE TABLE users (id INTEGER PRIMARY KEY);\n" +
        'CREATE TABLE "audit.x" (card TEXT);\n',
    );
    writeFileSync(join(repo.dir, "app.db"), db.export());
    db.close();
    const r = await runCli(
      ["drift", "--database-url", "sqlite3://app.db", "--format", "json", "--ref", "HEAD"],
      repo.dir,
      { MIGRATION_WARDEN_CACHE_DIR: cache },
    );
    expect(r.stderr).toBe("");
    const report = JSON.parse(r.stdout);
    expect(report.differences.map((d: any) => `${d.change} ${d.kind} ${d.object}`)).toEqual([
      'added table "audit.x"',
      'added column "audit.x".card',
    ]);
    expect(report.status).toBe("drift");
    expect(r.code).toBe(1);
  });
});
