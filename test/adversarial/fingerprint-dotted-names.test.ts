/**
 * Names whose parts hold a dot. Fingerprints joined a name's parts with dots, so the table "a.b"
 * of schema public and the table b of a schema "public.a" were both `public.a.b` (their columns
 * both `public.a.b.id`): one object hid the other, and a change made to the hidden one was
 * reported on the wrong object or not at all, in the replay's schema diff and in drift. A part
 * that holds a dot or a quote is now quoted (`public."a.b"`, `"public.a".b`), as Postgres prints
 * it; ordinary names read as before.
 *
 * The replay on PGlite; drift on a database of its own (MW_TEST_POSTGRES_ADMIN_URL creates it for
 * the drift account of MW_TEST_POSTGRES_DRIFT_URL), skipped, saying why, without those servers.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from "@jest/globals";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { catalogSchema } from "../../src/replay/catalog-schema.js";
import { PgliteEngine, type PgliteModules } from "../../src/replay/engines/pglite.js";
import { loadSqlJs } from "../../src/replay/engines/sqljs.js";
import { mysqlFingerprint } from "../../src/replay/fingerprint/mysql.js";
import { sqliteFingerprint } from "../../src/replay/fingerprint/sqlite.js";
import { pgliteModules } from "../../src/replay/run-in-worker.js";
import { runReplay } from "../../src/replay/runner.js";
import {
  diffSchemas,
  nameParts,
  namePart,
  qualifiedName,
  type AttrValue,
} from "../../src/replay/schema.js";
import type { ReplayResult } from "../../src/replay/types.js";
import type mysql from "mysql2/promise";
import { mysqlAdmin } from "../replay/servers.js";
import { pgliteTemplate } from "../replay/support.js";
import { runCli } from "../support/cli.js";
import { driftDatabase } from "../support/drift-database.js";
import { TempRepo } from "../support/git-repo.js";
import { seedCacheDir } from "../support/replay-templates.js";
import { pgliteJob } from "../support/replay-job.js";

jest.setTimeout(180_000);

const BASE =
  'CREATE SCHEMA "public.a";\n' +
  'CREATE TABLE "public.a".b (id int NOT NULL, note text);\n' +
  'CREATE TABLE public."a.b" (id int NOT NULL, note text);\n' +
  'CREATE INDEX "i.x" ON public."a.b" (note);\n' +
  'CREATE INDEX "i.x" ON "public.a".b (note);\n';

describe("names", () => {
  test("a part holding a dot, a quote or a parenthesis is quoted; others are as they were", () => {
    expect(qualifiedName("public", "users", "email")).toBe("public.users.email");
    expect(qualifiedName("public", "a.b")).toBe('public."a.b"');
    expect(qualifiedName("public.a", "b")).toBe('"public.a".b');
    expect(qualifiedName("s", 'say "hi"', "f(x")).toBe('s."say ""hi"""."f(x"');
    expect(namePart("Mixed Case $x")).toBe("Mixed Case $x");
    for (const parts of [["public", "a.b"], ["public.a", "b"], ["s", 'q"."', ""], ["."]])
      expect(nameParts(qualifiedName(...parts))).toEqual({ parts, rest: "" });
    expect(nameParts("public.f(integer, public.t)")).toEqual({
      parts: ["public", "f"],
      rest: "(integer, public.t)",
    });
    expect(nameParts('"f.(".g(x)')).toEqual({ parts: ["f.(", "g"], rest: "(x)" });
  });
});

describe('SQLite (no schemas): the column c of the table "a.b", the column "b.c" of the table a', () => {
  const BOTH =
    'CREATE TABLE "a.b" (c INTEGER NOT NULL, d TEXT); CREATE INDEX "a.b.i" ON "a.b" (c);' +
    'CREATE TABLE a ("b.c" INTEGER NOT NULL, d TEXT); CREATE INDEX "a.i" ON a ("b.c");';
  async function schema(ddl: string) {
    const SQL = await loadSqlJs();
    const db = new SQL.Database();
    db.exec(ddl);
    const s = await sqliteFingerprint(async (sql, params = []) => {
      const [r] = db.exec(sql, params as (string | number | null)[]);
      return { columns: r?.columns ?? [], rows: (r?.values ?? []) as AttrValue[][] };
    });
    db.close();
    return s;
  }

  test("both are in the fingerprint, and the catalog gives each table its own columns and index", async () => {
    const s = await schema(BOTH);
    for (const key of ['column "a.b".c', 'column a."b.c"', 'index "a.b.i"', 'index "a.i"'])
      expect(Object.keys(s)).toContain(key);
    const catalog = catalogSchema(s, "sqlite")!;
    const dotted = catalog.lookup({ name: "a.b" }).table!;
    expect([...dotted.columns.values()].map((c) => c.name)).toEqual(["c", "d"]);
    expect(dotted.indexes).toEqual([
      { name: "a.b.i", columns: ["c"], unique: false, partial: false },
    ]);
    const plain = catalog.lookup({ name: "a" }).table!;
    expect([...plain.columns.values()].map((c) => c.name)).toEqual(["b.c", "d"]);
    expect(plain.indexes[0]!.columns).toEqual(["b.c"]);
  });

  test("one of them changed: the diff names it", async () => {
    const before = await schema(BOTH);
    const after = await schema(BOTH.replace('a ("b.c" INTEGER NOT NULL', 'a ("b.c" TEXT NOT NULL'));
    expect(diffSchemas(before, after).map((c) => `${c.change} ${c.kind} ${c.name}`)).toEqual([
      'changed column a."b.c"',
    ]);
  });
});

describe("the replay's schema diff (PGlite)", () => {
  let modules: PgliteModules;
  let template: Uint8Array;
  beforeAll(async () => {
    modules = await pgliteModules();
    template = await pgliteTemplate();
  });

  async function replay(up: string): Promise<ReplayResult> {
    const job = pgliteJob({
      base: { template, files: [{ path: "m/1_base.up.sql", version: "1", text: BASE }] },
      ups: [{ path: "m/2_change.up.sql", version: "2", text: up }],
      downs: [{ path: "m/2_change.down.sql", version: "2", text: "SELECT 1;\n" }],
      wantSchema: true,
    });
    return runReplay(job, {
      createEngine: (opts) => PgliteEngine.create({ ...opts, modules }),
      progress: () => undefined,
      partial: () => undefined,
    });
  }
  const brief = (r: ReplayResult) =>
    (r.schemaDiff ?? []).map(
      (c) => `${c.change} ${c.kind} ${c.name} ${c.changes?.map((x) => x.after).join(",") ?? ""}`,
    );

  test("both tables, their columns and their indexes are in the fingerprint", async () => {
    const r = await replay("SELECT 1;\n");
    expect(r.baseFailure).toBeUndefined();
    const keys = Object.keys(r.baseSchema!);
    for (const key of [
      'schema "public.a"',
      'table public."a.b"',
      'table "public.a".b',
      'column public."a.b".id',
      'column "public.a".b.id',
      'index public."i.x"',
      'index "public.a"."i.x"',
    ])
      expect(keys).toContain(key);
    // The SQL rules read the same catalog: each table with its own columns.
    const tables = catalogSchema(r.baseSchema!, "postgres")!;
    for (const [schema, name] of [
      ["public", "a.b"],
      ["public.a", "b"],
    ]) {
      const t = tables.lookup({ schema: schema!, name: name! }).table;
      expect([...(t?.columns.keys() ?? [])]).toEqual(["id", "note"]);
    }
  });

  test.each([
    ['ALTER TABLE "public.a".b ALTER COLUMN id TYPE bigint;', 'changed column "public.a".b.id'],
    ['ALTER TABLE public."a.b" ALTER COLUMN id TYPE bigint;', 'changed column public."a.b".id'],
  ])("%s: the diff names that table's column, and only it", async (up, want) => {
    const r = await replay(`${up}\n`);
    expect(brief(r)).toEqual([`${want} bigint`]);
  });

  test("one dropped, the other kept: the drop is not hidden by its namesake", async () => {
    const r = await replay('DROP TABLE public."a.b";\n');
    expect(brief(r)).toEqual([
      'removed table public."a.b" ',
      'removed column public."a.b".id ',
      'removed column public."a.b".note ',
      'removed index public."i.x" ',
    ]);
  });
});

const database = driftDatabase("mw_drift_dotted_names");
const { missing, url } = database;

(missing ? describe.skip : describe)(
  `drift on PostgreSQL${missing ? ` (skipped: ${missing})` : ""}`,
  () => {
    const repo = new TempRepo();
    const cacheDir = mkdtempSync(join(tmpdir(), "mw-drift-dotted-cache-"));
    beforeAll(async () => {
      seedCacheDir(cacheDir);
      repo
        .write({
          ".github/migration-warden.yml": "directories:\n  - path: db\n    dialect: postgres\n",
          "db/1_base.up.sql": BASE,
          "db/1_base.down.sql": 'DROP TABLE public."a.b";\nDROP SCHEMA "public.a" CASCADE;\n',
        })
        .commit("migrations");
      await database.open();
    });
    afterAll(async () => {
      await database.close();
      repo.cleanup();
      rmSync(cacheDir, { recursive: true, force: true });
    });

    async function drift(byHand: string, ignore?: string[]) {
      await database
        .client()
        .query(
          "DROP OWNED BY CURRENT_USER; CREATE SCHEMA IF NOT EXISTS public;\n" +
            "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);\n" +
            BASE +
            "INSERT INTO schema_migrations VALUES (1, false);\n" +
            byHand,
        );
      if (ignore)
        repo
          .write({
            ".github/migration-warden.yml": `directories:\n  - path: db\n    dialect: postgres\ndrift:\n  ignore: ${JSON.stringify(ignore)}\n`,
          })
          .commit("ignore");
      const r = await runCli(["drift", "--format", "json", "--ref", "HEAD"], repo.dir, {
        MIGRATION_WARDEN_DRIFT_DATABASE_URL: url,
        MIGRATION_WARDEN_CACHE_DIR: cacheDir,
      });
      expect(r.stderr).toBe("");
      const report = JSON.parse(r.stdout);
      return {
        code: r.code,
        status: report.status,
        objects: report.differences.map((d: any) => `${d.change} ${d.kind} ${d.object}`),
      };
    }

    test("control: both tables as the migrations made them are in sync", async () => {
      expect(await drift("")).toEqual({ code: 0, status: "in-sync", objects: [] });
    });

    test("a column of one changed by hand: drift names that one, whichever it is", async () => {
      expect(await drift('ALTER TABLE "public.a".b ALTER COLUMN id TYPE bigint;')).toEqual({
        code: 1,
        status: "drift",
        objects: ['changed column "public.a".b.id'],
      });
      expect(await drift('ALTER TABLE public."a.b" ALTER COLUMN note SET NOT NULL;')).toEqual({
        code: 1,
        status: "drift",
        objects: ['changed column public."a.b".note'],
      });
    });

    test("drift.ignore names one of them by its parts; the other stays compared", async () => {
      const both =
        'ALTER TABLE "public.a".b ADD COLUMN x int;\nALTER TABLE public."a.b" ADD COLUMN y int;';
      expect((await drift(both, ['public."a.b"'])).objects).toEqual([
        'added column "public.a".b.x',
      ]);
      expect((await drift(both, ['"public.a".*'])).objects).toEqual([
        'added column public."a.b".y',
      ]);
      // Read as text the glob would match both; as parts it matches neither.
      expect((await drift(both, ["public.a.b"])).objects).toEqual([
        'added column "public.a".b.x',
        'added column public."a.b".y',
      ]);
    });
  },
);

const MYSQL_ADMIN = process.env.MW_TEST_MYSQL_ADMIN_URL;
const MY_DATABASE = "mw_fingerprint_dotted_names";

(MYSQL_ADMIN ? describe : describe.skip)(
  `MySQL: the column c of the table "a.b", the column "b.c" of the table a${MYSQL_ADMIN ? "" : " (skipped: MW_TEST_MYSQL_ADMIN_URL not set)"}`,
  () => {
    let admin: mysql.Connection | undefined;
    beforeAll(async () => {
      admin = await mysqlAdmin(MYSQL_ADMIN!);
      await admin.query(
        `DROP DATABASE IF EXISTS ${MY_DATABASE}; CREATE DATABASE ${MY_DATABASE}; USE ${MY_DATABASE};`,
      );
    });
    afterAll(async () => {
      await admin?.query(`DROP DATABASE IF EXISTS ${MY_DATABASE}`);
      await admin?.end();
    });
    const fingerprint = () =>
      mysqlFingerprint(async (sql, params = []) => {
        const [rows, fields] = await admin!.query<mysql.RowDataPacket[][]>({
          sql,
          values: [...params],
          rowsAsArray: true,
        });
        return {
          columns: (fields ?? []).map((f) => f.name),
          rows: rows as unknown as AttrValue[][],
        };
      }, MY_DATABASE);

    test("both are in the fingerprint; a change to one names it", async () => {
      await admin!.query(
        "CREATE TABLE `a.b` (c int NOT NULL, KEY `i.x` (c)); CREATE TABLE a (`b.c` int NOT NULL, KEY `i.x` (`b.c`));",
      );
      const before = await fingerprint();
      for (const key of [
        'table "a.b"',
        "table a",
        'column "a.b".c',
        'column a."b.c"',
        'index "a.b"."i.x"',
        'index a."i.x"',
      ])
        expect(Object.keys(before)).toContain(key);
      await admin!.query("ALTER TABLE a MODIFY `b.c` bigint NOT NULL");
      const after = await fingerprint();
      expect(diffSchemas(before, after).map((c) => `${c.change} ${c.kind} ${c.name}`)).toEqual([
        'changed column a."b.c"',
      ]);
    });
  },
);
