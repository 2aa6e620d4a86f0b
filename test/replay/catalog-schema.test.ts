/**
 * The SQL rules judged with the replay's catalog (replay/catalog-schema.ts): what Postgres built
 * from the merged history decides what the text alone, or the static model, cannot — and the
 * finding says so. A replay that did not build the base gives no catalog.
 */
import { afterAll, describe, expect, jest, test } from "@jest/globals";
import { pgBinaryCompatible } from "../../src/core/schema/column-types.js";
import { catalogSchema, indexColumns } from "../../src/replay/catalog-schema.js";
import { loadSqlJs } from "../../src/replay/engines/sqljs.js";
import { sqliteFingerprint } from "../../src/replay/fingerprint/sqlite.js";
import type { AttrValue, Schema } from "../../src/replay/schema.js";
import { lint } from "../helpers/lint.js";
import { shareSandbox } from "../support/shared-sandbox.js";
import { runScenario } from "./support.js";

jest.setTimeout(120_000);

// The subject is what the rules make of the replayed catalog, not the sandbox: one thread and one
// reset database for the file (test/support/shared-sandbox.ts; its isolation is proven in
// shared-sandbox.test.ts).
const sandbox = shareSandbox();
afterAll(() => {
  expect(sandbox.stats.jobs).toBeGreaterThan(0);
});

const CATALOG = "(decided from the replayed catalog)";

const ruleFindings = async (
  base: Record<string, string>,
  change: string,
  rule: string,
  replay = true,
) => {
  const run = await runScenario({
    base,
    add: { "9_change.up.sql": change, "9_change.down.sql": "SELECT 1;\n" },
    replay: { enabled: replay },
  });
  // The catalog serves the rules; the report's JSON keeps its shape.
  expect(run.data ?? {}).not.toHaveProperty("baseSchema");
  return run.report.findings.filter((f) => f.ruleId === rule);
};

describe("catalog → schema facts", () => {
  test("index definitions: plain columns, expressions, INCLUDE, WHERE", () => {
    expect(
      indexColumns('CREATE UNIQUE INDEX a ON public.t USING btree (user_id, "Kind" DESC)'),
    ).toEqual({ columns: ["user_id", "Kind"], partial: false });
    expect(indexColumns("CREATE INDEX b ON public.t USING btree (lower(email), id)")).toEqual({
      columns: [null, "id"],
      partial: false,
    });
    expect(
      indexColumns(
        "CREATE INDEX c ON public.t USING btree (a text_pattern_ops) INCLUDE (b) WHERE (a IS NOT NULL)",
      ),
    ).toEqual({ columns: ["a"], partial: true });
    expect(indexColumns("CREATE INDEX d ON public.t USING btree ((a + b))")).toEqual({
      columns: [null],
      partial: false,
    });
    expect(indexColumns("nonsense")).toBeNull();
  });

  test("columns, NOT NULL checks, an invalid Postgres 18 NOT NULL and an invalid index", () => {
    const fp: Schema = {
      "table public.t": { kind: "table", name: "public.t", attrs: {} },
      "column public.t.a": {
        kind: "column",
        name: "public.t.a",
        table: "public.t",
        attrs: { type: "character varying(50)", notNull: true, default: null },
      },
      "column public.t.b": {
        kind: "column",
        name: "public.t.b",
        table: "public.t",
        attrs: { type: "integer", notNull: true, notNullValid: false, default: "0" },
      },
      "constraint public.t.t_c": {
        kind: "constraint",
        name: "public.t.t_c",
        table: "public.t",
        attrs: { type: "check", definition: 'CHECK (("Odd" IS NOT NULL))', valid: true },
      },
      "index public.t_b": {
        kind: "index",
        name: "public.t_b",
        table: "public.t",
        attrs: { definition: "CREATE INDEX t_b ON public.t USING btree (b)", indexValid: false },
      },
    };
    const s = catalogSchema(fp, "postgres")!;
    expect(s.origin).toBe("catalog");
    const t = s.lookup({ name: "t" }).table!;
    expect(t.columns.get("a")).toMatchObject({ dataType: "character varying(50)", notNull: true });
    expect(t.columns.get("b")).toMatchObject({ notNull: false, default: "0" });
    expect(t.checks).toEqual([{ name: "t_c", notNullColumn: "Odd", validated: true }]);
    expect(t.indexes).toEqual([]);
    // Another schema: an unqualified name may not mean it.
    expect(catalogSchema(fp, "mysql")).toBeNull();
  });
});

describe("SQLite's catalog → schema facts", () => {
  test("names as the static model's, columns, key nullability, indexes; hidden columns left out", async () => {
    const db = new (await loadSqlJs()).Database();
    db.run(
      'CREATE TABLE "Users" (id integer PRIMARY KEY, Email text NOT NULL DEFAULT (\'\'), "full, name" text, code text UNIQUE);\n' +
        "CREATE TABLE pairs (a text, b text, n int, PRIMARY KEY (b, a)) WITHOUT ROWID;\n" +
        'CREATE UNIQUE INDEX users_name ON "Users" ("full, name" DESC, Email COLLATE NOCASE);\n' +
        "CREATE INDEX users_lower ON Users (lower(Email));\n" +
        "CREATE INDEX users_some ON Users (code) WHERE code IS NOT NULL;\n" +
        "CREATE VIRTUAL TABLE notes USING fts4(body);\n" +
        "CREATE VIEW v AS SELECT id FROM Users;\n",
    );
    const fp = await sqliteFingerprint(async (sql, params = []) => {
      const [r] = db.exec(sql, params as (string | number | null)[]);
      return { columns: r?.columns ?? [], rows: (r?.values ?? []) as AttrValue[][] };
    });
    db.close();
    const s = catalogSchema(fp, "sqlite")!;
    expect(s.origin).toBe("catalog");
    expect(s.decided).toBe(CATALOG);
    const users = s.lookup({ name: "USERS" }).table!;
    expect(users.name).toEqual({ name: "Users" });
    expect([...users.columns.values()].map((c) => [c.name, c.notNull])).toEqual([
      ["id", true], // INTEGER PRIMARY KEY: the rowid
      ["Email", true],
      ["full, name", false],
      ["code", false],
    ]);
    expect(s.column({ name: "users" }, "email")!.column.default).toBe("''");
    const ix = (t: typeof users) =>
      t.indexes.map((i) => [i.name ?? null, i.columns, i.unique, i.partial]).sort();
    expect(ix(users)).toEqual(
      [
        [null, ["code"], true, false],
        [null, ["id"], true, false],
        ["users_lower", [null], false, false],
        ["users_name", ["full, name", "Email"], true, false],
        ["users_some", ["code"], false, true],
      ].sort(),
    );
    const pairs = s.lookup({ name: "pairs" }).table!;
    expect(s.column({ name: "pairs" }, "a")!.column.notNull).toBe(true);
    expect(s.column({ name: "pairs" }, "n")!.column.notNull).toBe(false);
    expect(ix(pairs)).toEqual([[null, ["b", "a"], true, false]]);
    // The virtual table's columns as SELECT * reads them; its hidden one (the table's name) not.
    expect([...s.lookup({ name: "notes" }).table!.columns.keys()]).toEqual(["body"]);
    expect(s.lookup({ name: "v" }).table).toBeUndefined();
    // Qualified: may name an attached database's table, as in the static model.
    expect(s.lookup({ schema: "main", name: "users" }).table).toBeUndefined();
  });
});

describe("set-not-null", () => {
  const base = {
    "1_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY, nick text);\n",
    "1_users.down.sql": "DROP TABLE users;\n",
    // The validated check only exists through computed dynamic SQL: the static model cannot read it.
    "2_check.up.sql":
      "DO $$ BEGIN EXECUTE format('ALTER TABLE %I ADD CONSTRAINT users_nick_nn CHECK (nick IS NOT NULL)', 'users'); END $$;\n",
    "2_check.down.sql": "ALTER TABLE users DROP CONSTRAINT users_nick_nn;\n",
  };
  const change = "ALTER TABLE users ALTER COLUMN nick SET NOT NULL;\n";

  test("a validated CHECK created only in a DO block: the catalog knows, no scan", async () => {
    expect(await ruleFindings(base, change, "set-not-null")).toEqual([]);
    // The static model cannot vouch for the table after the DO block: the finding stays.
    const merged = Object.fromEntries(Object.entries(base).filter(([n]) => n.endsWith(".up.sql")));
    const statics = await lint({ files: { "9_change.up.sql": change }, merged });
    expect(statics.filter((f) => f.ruleId === "set-not-null")).toHaveLength(1);
  });

  test("the replay off: the text alone decides", async () => {
    const f = await ruleFindings(base, change, "set-not-null", false);
    expect(f).toHaveLength(1);
    expect(f[0]!.message).not.toMatch(/decided from/);
  });

  test("a check that a function validated away is not taken on trust: dropped in a DO block", async () => {
    const f = await ruleFindings(
      {
        ...base,
        "3_drop.up.sql":
          "CREATE FUNCTION undo() RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'ALTER TABLE users DROP CONSTRAINT users_nick_nn'; END $$;\nSELECT undo();\n",
        "3_drop.down.sql": "DROP FUNCTION undo();\n",
      },
      change,
      "set-not-null",
    );
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toContain(`SET NOT NULL on nick of users ${CATALOG}`);
  });

  test("a column made NOT NULL by ALTER in a later merged file: nothing to scan", async () => {
    const f = await ruleFindings(
      {
        "1_t.up.sql": "CREATE TABLE t (id bigint PRIMARY KEY, c int);\n",
        "1_t.down.sql": "DROP TABLE t;\n",
        "2_t.up.sql": "DO $$ BEGIN EXECUTE 'ALTER TABLE t ALTER COLUMN c SET NOT NULL'; END $$;\n",
        "2_t.down.sql": "ALTER TABLE t ALTER COLUMN c DROP NOT NULL;\n",
      },
      "ALTER TABLE t ALTER COLUMN c SET NOT NULL;\n",
      "set-not-null",
    );
    expect(f).toEqual([]);
  });

  test("a merged history that does not apply gives no catalog: back to the text", async () => {
    const f = await ruleFindings(
      { ...base, "3_bad.up.sql": "ALTER TABLE nope ADD COLUMN x int;\n", "3_bad.down.sql": "" },
      change,
      "set-not-null",
    );
    expect(f).toHaveLength(1);
    expect(f[0]!.message).not.toMatch(/decided from/);
  });
});

describe("alter-column-type", () => {
  const base = {
    "1_t.up.sql":
      "CREATE DOMAIN short_text AS varchar(50);\nCREATE TABLE t (id bigint PRIMARY KEY, d short_text, v varchar(50));\n",
    "1_t.down.sql": "DROP TABLE t;\nDROP DOMAIN short_text;\n",
  };

  test("varchar(50) → varchar(100) from the catalog: binary coercible, no finding", async () => {
    expect(
      await ruleFindings(
        base,
        "ALTER TABLE t ALTER COLUMN v TYPE varchar(100);\n",
        "alter-column-type",
      ),
    ).toEqual([]);
  });

  test("a type widened from a domain is not taken for binary coercible", async () => {
    const f = await ruleFindings(
      base,
      "ALTER TABLE t ALTER COLUMN d TYPE varchar(100);\n",
      "alter-column-type",
    );
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toContain(`from public.short_text ${CATALOG}`);
  });

  test("narrowing, as the catalog spells the type", async () => {
    const f = await ruleFindings(
      base,
      "ALTER TABLE t ALTER COLUMN v TYPE varchar(20);\n",
      "alter-column-type",
    );
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toContain(`from character varying(50) ${CATALOG}`);
  });
});

describe("fk-without-index", () => {
  const base = {
    "1_t.up.sql":
      "CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n",
    "1_t.down.sql": "DROP TABLE orders;\nDROP TABLE users;\n",
  };
  const change =
    "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n";

  test("no index in the catalog: reported, decided from it", async () => {
    const f = await ruleFindings(base, change, "fk-without-index");
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toContain(`has no index on orders (user_id) ${CATALOG}`);
  });

  test("an index created by dynamic SQL counts; an expression or partial one does not", async () => {
    const dyn = (sql: string) => ({
      ...base,
      "2_ix.up.sql": `DO $$ BEGIN EXECUTE '${sql}'; END $$;\n`,
      "2_ix.down.sql": "SELECT 1;\n",
    });
    expect(
      await ruleFindings(
        dyn("CREATE INDEX orders_user ON orders (user_id, id)"),
        change,
        "fk-without-index",
      ),
    ).toEqual([]);
    expect(
      await ruleFindings(
        dyn("CREATE INDEX orders_user ON orders (user_id) WHERE user_id > 0"),
        change,
        "fk-without-index",
      ),
    ).toHaveLength(1);
    expect(
      await ruleFindings(
        dyn("CREATE INDEX orders_user ON orders ((user_id + 0))"),
        change,
        "fk-without-index",
      ),
    ).toHaveLength(1);
  });
});

describe("add-column-rewriting-default: a function's volatility as Postgres stored it", () => {
  // Created through dynamic SQL: the static model cannot read the declarations.
  const base = {
    "1_t.up.sql": "CREATE TABLE t (id bigint PRIMARY KEY);\n",
    "1_t.down.sql": "DROP TABLE t;\n",
    "2_fns.up.sql":
      "DO $$ BEGIN\n" +
      "  EXECUTE 'CREATE FUNCTION pick(a int, b int DEFAULT 0) RETURNS int LANGUAGE sql IMMUTABLE AS ''SELECT a + b''';\n" +
      "  EXECUTE 'CREATE FUNCTION pick(a text) RETURNS int LANGUAGE sql AS ''SELECT length(a)''';\n" +
      "END $$;\n",
    "2_fns.down.sql": "DROP FUNCTION pick(int, int);\nDROP FUNCTION pick(text);\n",
  };
  const add = "ALTER TABLE t ADD COLUMN c int DEFAULT pick(1);\n";

  test("the IMMUTABLE overload the call picks (a default argument left out): no rewrite", async () => {
    expect(await ruleFindings(base, add, "add-column-rewriting-default")).toEqual([]);
  });

  test("the VOLATILE overload (declared without volatility): reported", async () => {
    const f = await ruleFindings(
      base,
      "ALTER TABLE t ADD COLUMN c int DEFAULT pick('x'::text);\n",
      "add-column-rewriting-default",
    );
    expect(f).toHaveLength(1);
  });

  test("without the replay the declarations are unknown: volatile, reported (fail closed)", async () => {
    expect(await ruleFindings(base, add, "add-column-rewriting-default", false)).toHaveLength(1);
  });

  test("the change replaces the function as VOLATILE before using it: reported", async () => {
    const replace =
      "CREATE OR REPLACE FUNCTION pick(a int, b int DEFAULT 0) RETURNS int LANGUAGE sql VOLATILE AS 'SELECT a + b';\n";
    expect(await ruleFindings(base, replace + add, "add-column-rewriting-default")).toHaveLength(1);
  });
});

describe("a replay whose base does not apply", () => {
  test("the merged files it read anyway give the static model (no second read)", async () => {
    const base = {
      "1_t.up.sql":
        "CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n",
      "1_t.down.sql": "DROP TABLE orders;\nDROP TABLE users;\n",
      "2_ext.up.sql": "CREATE EXTENSION no_such_extension;\n",
      "2_ext.down.sql": "DROP EXTENSION no_such_extension;\n",
    };
    const run = await runScenario({
      base,
      add: {
        "9_change.up.sql":
          "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n",
        "9_change.down.sql": "ALTER TABLE orders DROP CONSTRAINT orders_user_fk;\n",
      },
    });
    expect(run.findings.map((f) => f.ruleId)).toEqual(["replay-skipped"]);
    expect(run.data).not.toHaveProperty("baseSchema");
    expect(run.batches).toBe(1);
    const fk = run.report.findings.filter((f) => f.ruleId === "fk-without-index");
    expect(fk).toHaveLength(1);
    expect(fk[0]!.message).toContain("(decided from the merged history)");
  });
});

test("the catalog's timestamp spelling compares like the written one", () => {
  expect(pgBinaryCompatible("timestamp(3) without time zone", "timestamp(6)")).toBe(true);
  expect(pgBinaryCompatible("timestamp(3) with time zone", "timestamptz")).toBe(true);
  expect(pgBinaryCompatible("timestamp(3) with time zone", "timestamp(6)")).toBe(false);
  expect(pgBinaryCompatible("timestamp(6) without time zone", "timestamp(3)")).toBe(false);
});
