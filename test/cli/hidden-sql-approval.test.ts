/**
 * Issue 11, items 5–8 (SQL that hides what it does), judged by what the gate decides: under
 * `approval.required: risky` each attack must itself make the change need a DBA (a finding of
 * severity error or warning), and its honest twin — the same construct doing something harmless —
 * must not. Every migration here has its down file, so `missing-down-migration` (a warning, which
 * alone makes `approvalRequired` true under `risky`) cannot stand in for the detection: without
 * the twin and the down files, a test of `approvalRequired` passes whatever the analysis sees.
 */
import { lintJson } from "../support/cli.js";
import { TempRepo } from "../support/git-repo.js";

const config = (dialect: "postgres" | "mysql", extra = "") =>
  `directories:\n  - path: migrations\n    dialect: ${dialect}\n${extra}approval:\n  required: risky\n`;
const PG = config("postgres");
const PG_MULTI = config("postgres", "    multiStatement: true\n");
const MYSQL = config("mysql");

interface Case {
  name: string;
  config: string;
  merged?: Record<string, string>;
  /** Up migrations added by the change (each gets a harmless down file). */
  added: Record<string, string>;
  /** rule id → file that must carry it, as an error or warning (what `risky` counts). */
  expect: Array<[string, string]>;
  /** The same construct doing no harm: no finding, no approval. */
  honest?: Record<string, string>;
  /** The twin's configuration, when it differs. */
  honestConfig?: string;
}

const cases: Case[] = [
  // Item 5: statements inside statements, routines, constant-true conditions, DROP OWNED.
  {
    name: "5: a data-modifying CTE",
    config: PG,
    added: {
      "000003_x.up.sql": "WITH d AS (DELETE FROM users RETURNING 1) SELECT count(*) FROM d;\n",
    },
    expect: [["dml-without-where", "000003_x.up.sql"]],
    honest: {
      "000003_x.up.sql":
        "WITH d AS (DELETE FROM users WHERE id = 42 RETURNING 1) SELECT count(*) FROM d;\n",
    },
  },
  {
    name: "5: MERGE … WHEN MATCHED THEN DELETE",
    config: PG,
    added: {
      "000003_x.up.sql":
        "MERGE INTO users u USING (SELECT 1) s ON true WHEN MATCHED THEN DELETE;\n",
    },
    expect: [["dml-without-where", "000003_x.up.sql"]],
    honest: {
      "000003_x.up.sql":
        "MERGE INTO users u USING (VALUES (42)) s (id) ON u.id = s.id WHEN MATCHED THEN DELETE;\n",
    },
  },
  {
    name: "5: MERGE … WHEN MATCHED THEN UPDATE",
    config: PG,
    added: {
      "000003_x.up.sql":
        "MERGE INTO users u USING (SELECT 1) s ON true WHEN MATCHED THEN UPDATE SET email = NULL;\n",
    },
    expect: [["dml-without-where", "000003_x.up.sql"]],
    honest: {
      "000003_x.up.sql":
        "MERGE INTO users u USING (VALUES (42)) s (id) ON u.id = s.id WHEN MATCHED THEN UPDATE SET email = NULL;\n",
    },
  },
  {
    name: "5: PREPARE … AS DELETE, then EXECUTE",
    config: PG,
    added: { "000003_x.up.sql": "PREPARE p AS DELETE FROM users;\nEXECUTE p;\n" },
    expect: [["dml-without-where", "000003_x.up.sql"]],
    honest: {
      "000003_x.up.sql":
        "PREPARE p (bigint) AS DELETE FROM users WHERE id = $1;\nEXECUTE p (42);\n",
    },
  },
  {
    name: "5: a DO block that drops a table through EXECUTE, only when rows exist",
    config: PG,
    added: {
      "000003_x.up.sql":
        "DO $$\nBEGIN\n  IF EXISTS (SELECT 1 FROM users) THEN\n    EXECUTE 'DROP TABLE users';\n  END IF;\nEND $$;\n",
    },
    expect: [["drop-table", "000003_x.up.sql"]],
    honest: {
      "000003_x.up.sql":
        "DO $$\nBEGIN\n  IF EXISTS (SELECT 1 FROM users) THEN\n    EXECUTE 'UPDATE users SET email = lower(email) WHERE id = 42';\n  END IF;\nEND $$;\n",
    },
  },
  {
    name: "5: a function created and called in the migration, dropping a table through EXECUTE only when rows exist",
    config: PG,
    added: {
      "000003_x.up.sql":
        "CREATE FUNCTION fix() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n  IF EXISTS (SELECT 1 FROM users) THEN\n    EXECUTE 'DROP TABLE users';\n  END IF;\nEND $$;\nSELECT fix();\n",
    },
    expect: [["drop-table", "000003_x.up.sql"]],
    honest: {
      "000003_x.up.sql":
        "CREATE FUNCTION fix() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n  IF EXISTS (SELECT 1 FROM users) THEN\n    EXECUTE 'UPDATE users SET email = lower(email) WHERE id = 42';\n  END IF;\nEND $$;\nSELECT fix();\n",
    },
  },
  {
    name: "5: a procedure created in one migration and CALLed in the next, dropping a table through EXECUTE only when rows exist",
    config: PG,
    added: {
      "000003_p.up.sql":
        "CREATE PROCEDURE fix() LANGUAGE plpgsql AS $$\nBEGIN\n  IF EXISTS (SELECT 1 FROM users) THEN\n    EXECUTE 'DROP TABLE users';\n  END IF;\nEND $$;\n",
      "000004_call.up.sql": "CALL fix();\n",
    },
    expect: [["drop-table", "000003_p.up.sql"]],
    honest: {
      "000003_p.up.sql":
        "CREATE PROCEDURE fix() LANGUAGE plpgsql AS $$\nBEGIN\n  IF EXISTS (SELECT 1 FROM users) THEN\n    EXECUTE 'UPDATE users SET email = lower(email) WHERE id = 42';\n  END IF;\nEND $$;\n",
      "000004_call.up.sql": "CALL fix();\n",
    },
  },
  ...["WHERE true", "WHERE 1 = 1", "WHERE NOT false", "WHERE id = 42 OR true"].map((where) => ({
    name: `5: DELETE … ${where}`,
    config: PG,
    added: { "000003_x.up.sql": `DELETE FROM users ${where};\n` },
    expect: [["dml-without-where", "000003_x.up.sql"]] as Array<[string, string]>,
    ...(where === "WHERE true"
      ? { honest: { "000003_x.up.sql": "DELETE FROM users WHERE id = 42;\n" } }
      : {}),
  })),
  {
    name: "5: a function created in the migration, called only from a RAISE's parameters in a DO block",
    config: PG,
    added: {
      "000003_x.up.sql":
        "CREATE FUNCTION purge() RETURNS int LANGUAGE sql AS $$ DELETE FROM users RETURNING 1 $$;\nDO $$\nBEGIN\n  IF EXISTS (SELECT 1 FROM users) THEN\n    RAISE NOTICE 'purged %', purge();\n  END IF;\nEND $$;\n",
    },
    expect: [["dml-without-where", "000003_x.up.sql"]],
    honest: {
      "000003_x.up.sql":
        "CREATE FUNCTION tally() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM users $$;\nDO $$\nBEGIN\n  IF EXISTS (SELECT 1 FROM users) THEN\n    RAISE NOTICE 'users: %', tally();\n  END IF;\nEND $$;\n",
    },
  },
  {
    name: "5: DROP OWNED … CASCADE",
    config: PG,
    added: { "000003_x.up.sql": "DROP OWNED BY app CASCADE;\n" },
    expect: [
      ["drop-table", "000003_x.up.sql"],
      ["drop-cascade", "000003_x.up.sql"],
    ],
  },
  // Item 5: what cannot be known statically is a finding of its own, counted as risky.
  {
    name: "5: EXECUTE of a string built at run time",
    config: PG,
    added: {
      "000003_x.up.sql":
        "DO $$ BEGIN EXECUTE format('TRUNCATE %I', current_setting('app.t')); END $$;\n",
    },
    expect: [["unanalyzable-statement", "000003_x.up.sql"]],
    honest: {
      "000003_x.up.sql": "DO $$ BEGIN EXECUTE format('ANALYZE %I', 'users'); END $$;\n",
    },
  },
  {
    name: "5: EXECUTE of a statement the change does not prepare",
    config: PG,
    added: { "000003_x.up.sql": "EXECUTE cleanup;\n" },
    expect: [["unanalyzable-statement", "000003_x.up.sql"]],
  },
  {
    name: "5: EXPLAIN ANALYZE EXECUTE of a statement the change does not prepare",
    config: PG,
    added: { "000003_x.up.sql": "EXPLAIN ANALYZE EXECUTE cleanup;\n" },
    expect: [["unanalyzable-statement", "000003_x.up.sql"]],
    honest: {
      "000003_x.up.sql": "PREPARE cleanup AS SELECT 1;\nEXPLAIN ANALYZE EXECUTE cleanup;\n",
    },
  },
  {
    name: "5: CALL of a procedure the change does not create",
    config: PG,
    added: { "000003_x.up.sql": "CALL cleanup();\n" },
    expect: [["unanalyzable-statement", "000003_x.up.sql"]],
    honest: {
      "000003_x.up.sql":
        "CREATE PROCEDURE cleanup() LANGUAGE sql AS $$ UPDATE users SET email = lower(email) WHERE id = 42 $$;\nCALL cleanup();\n",
    },
  },
  {
    name: "5: a DO block in a language the analysis cannot read",
    config: PG,
    added: { "000003_x.up.sql": "DO LANGUAGE plperl $$ spi_exec_query('DROP TABLE users'); $$;\n" },
    expect: [["unanalyzable-statement", "000003_x.up.sql"]],
  },
  // Item 6: x-multi-statement cuts at every ';' byte.
  {
    name: "6: multiStatement: a ';' in a comment ends golang-migrate's piece",
    config: PG_MULTI,
    added: { "000003_x.up.sql": "-- stale rows; DELETE FROM users;\nSELECT 1;\n" },
    expect: [["dml-without-where", "000003_x.up.sql"]],
    // Without multiStatement the same text is a comment and a SELECT.
    honest: { "000003_x.up.sql": "-- stale rows; DELETE FROM users;\nSELECT 1;\n" },
    honestConfig: PG,
  },
  {
    name: "6: multiStatement: a ';' in a string cuts the piece (the server rejects it)",
    config: PG_MULTI,
    added: { "000003_x.up.sql": "SELECT 'stale rows; DELETE FROM users; done';\n" },
    expect: [
      ["sql-parse-error", "000003_x.up.sql"],
      ["dml-without-where", "000003_x.up.sql"],
    ],
    honest: {
      "000003_x.up.sql": "SELECT 'no semicolon here';\nDELETE FROM users WHERE id = 42;\n",
    },
  },
  // Item 7: settings that change how strings are read.
  {
    name: "7: a merged migration turned standard_conforming_strings off",
    config: PG,
    merged: { "000002_legacy.up.sql": "SET standard_conforming_strings = off;\n" },
    added: { "000003_x.up.sql": "SELECT '\\''; DELETE FROM users; -- '\n" },
    expect: [
      ["dml-without-where", "000003_x.up.sql"],
      ["string-syntax-change", "000003_x.up.sql"],
    ],
    honest: { "000003_x.up.sql": "SELECT 'it''s';\n" },
  },
  {
    name: "7: the change sets standard_conforming_strings off through set_config(), a later file deletes",
    config: PG,
    added: {
      "000003_a.up.sql": "SELECT set_config('standard_conforming_strings', 'off', false);\n",
      "000004_b.up.sql": "SELECT '\\''; DELETE FROM users; -- '\n",
    },
    expect: [
      ["string-syntax-change", "000003_a.up.sql"],
      ["dml-without-where", "000004_b.up.sql"],
    ],
  },
  {
    name: "7: backslash_quote turned on",
    config: PG,
    added: { "000003_x.up.sql": "SET backslash_quote = on;\n" },
    expect: [["string-syntax-change", "000003_x.up.sql"]],
  },
  // Item 8: MySQL comments and routine bodies.
  {
    name: "5: MySQL: a stored function created in one migration, called from a DECLARE default of a procedure CALLed later",
    config: MYSQL,
    added: {
      "000003_f.up.sql":
        "CREATE FUNCTION wipe() RETURNS INT MODIFIES SQL DATA BEGIN DELETE FROM users; RETURN 1; END;\n",
      "000004_p.up.sql": "CREATE PROCEDURE p() BEGIN DECLARE x INT DEFAULT wipe(); END;\n",
      "000005_call.up.sql": "CALL p();\n",
    },
    expect: [["dml-without-where", "000003_f.up.sql"]],
    honest: {
      "000003_f.up.sql":
        "CREATE FUNCTION wipe() RETURNS INT MODIFIES SQL DATA BEGIN UPDATE users SET email = lower(email) WHERE id = 42; RETURN 1; END;\n",
      "000004_p.up.sql": "CREATE PROCEDURE p() BEGIN DECLARE x INT DEFAULT wipe(); END;\n",
      "000005_call.up.sql": "CALL p();\n",
    },
  },
  {
    name: "5: MySQL: a stored function created in the migration, called from SET",
    config: MYSQL,
    added: {
      "000003_f.up.sql":
        "CREATE FUNCTION wipe() RETURNS INT MODIFIES SQL DATA BEGIN DELETE FROM users; RETURN 1; END;\n",
      "000004_set.up.sql": "SET @x = wipe();\n",
    },
    expect: [["dml-without-where", "000003_f.up.sql"]],
  },
  {
    name: "5: a tautology behind NOT",
    config: PG,
    added: { "000003_x.up.sql": "DELETE FROM users WHERE NOT (id <> id);\n" },
    expect: [["dml-without-where", "000003_x.up.sql"]],
    honest: { "000003_x.up.sql": "DELETE FROM users WHERE NOT (id <> 42);\n" },
  },
  {
    name: "5: MySQL: a tautology behind arithmetic",
    config: MYSQL,
    added: { "000003_x.up.sql": "UPDATE users SET email = NULL WHERE id + 1 > id;\n" },
    expect: [["dml-without-where", "000003_x.up.sql"]],
    honest: { "000003_x.up.sql": "UPDATE users SET email = NULL WHERE id + 1 > 42;\n" },
  },
  {
    name: "5: MySQL: a stored function created in one migration, called from DO in the next",
    config: MYSQL,
    added: {
      "000003_f.up.sql":
        "CREATE FUNCTION wipe() RETURNS INT MODIFIES SQL DATA BEGIN DELETE FROM users; RETURN 1; END;\n",
      "000004_do.up.sql": "DO wipe();\n",
    },
    expect: [["dml-without-where", "000003_f.up.sql"]],
    honest: {
      "000003_f.up.sql": "CREATE FUNCTION one() RETURNS INT DETERMINISTIC RETURN 1;\n",
      "000004_do.up.sql": "DO one();\n",
    },
  },
  {
    name: "5: MySQL: a stored function created in one migration, called from CREATE TABLE … AS SELECT in the next",
    config: MYSQL,
    added: {
      "000003_f.up.sql":
        "CREATE FUNCTION wipe() RETURNS INT MODIFIES SQL DATA BEGIN DELETE FROM users; RETURN 1; END;\n",
      "000004_t.up.sql": "CREATE TABLE t2 AS SELECT wipe() AS a;\n",
    },
    expect: [["dml-without-where", "000003_f.up.sql"]],
    honest: {
      "000003_f.up.sql": "CREATE FUNCTION one() RETURNS INT DETERMINISTIC RETURN 1;\n",
      "000004_t.up.sql": "CREATE TABLE t2 AS SELECT one() AS a;\n",
    },
  },
  {
    name: "8: MySQL: a versioned comment is code",
    config: MYSQL,
    added: { "000003_x.up.sql": "/*!50000 DROP TABLE users */;\n" },
    expect: [["drop-table", "000003_x.up.sql"]],
    honest: { "000003_x.up.sql": "/* DROP TABLE users */ SELECT 1;\n" },
  },
  {
    name: "8: MariaDB: a /*M! comment is code",
    config: MYSQL,
    added: { "000003_x.up.sql": "/*M!100000 DELETE FROM users */;\n" },
    expect: [["dml-without-where", "000003_x.up.sql"]],
  },
  {
    name: "8: MySQL: `--` not followed by a space is arithmetic, not a comment",
    config: MYSQL,
    added: { "000003_x.up.sql": "SELECT 1--1; DELETE FROM users;\n" },
    expect: [["dml-without-where", "000003_x.up.sql"]],
    honest: { "000003_x.up.sql": "SELECT 1 -- 1; DELETE FROM users;\n;\n" },
  },
  {
    name: "8: MySQL: a BEGIN … END procedure body using `begin` as a name does not hide the next statement",
    config: MYSQL,
    added: {
      "000003_x.up.sql":
        "CREATE PROCEDURE p() BEGIN DECLARE begin INT DEFAULT 0; SET begin = 1; SELECT begin; END;\nDELETE FROM users;\n",
    },
    expect: [["dml-without-where", "000003_x.up.sql"]],
    honest: {
      "000003_x.up.sql":
        "CREATE PROCEDURE p() BEGIN DECLARE begin INT DEFAULT 0; SET begin = 1; SELECT begin; END;\n",
    },
  },
];

let base: TempRepo;
let repo: TempRepo;
beforeAll(() => {
  base = new TempRepo();
  base.write({
    "migrations/000001_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
    "migrations/000001_users.down.sql": "DROP TABLE users;\n",
  });
  base.commit("base");
});
afterAll(() => base.cleanup());
beforeEach(() => {
  repo = TempRepo.copyOf(base);
});
afterEach(() => repo.cleanup());

/** Lints branch `change` (adding `files`, each with a harmless down file) against main. */
async function lint(c: Case, files: Record<string, string>, config = c.config) {
  repo.write({ ".github/migration-warden.yml": config, ...inDir(c.merged ?? {}) });
  repo.commit("config and merged migrations");
  repo.branch("change");
  const downs = Object.fromEntries(
    Object.keys(files).map((k) => [k.replace(".up.sql", ".down.sql"), "SELECT 1;\n"]),
  );
  repo.write(inDir({ ...files, ...downs }));
  repo.commit("change");
  const r = await lintJson(["--base", "main", "--head", "change"], repo.dir);
  expect(r.stderr).toBe("");
  return r;
}

const withTwin = cases.filter((c) => c.honest);

describe("SQL that hides what it does: the attack itself asks for a DBA under `required: risky`", () => {
  test.each(cases)("$name", async (c) => {
    const { code, report } = await lint(c, c.added);
    const risky = report.findings
      .filter((f: any) => !f.suppressed && f.severity !== "notice")
      .map((f: any) => `${f.ruleId} ${f.path}`);
    for (const [rule, file] of c.expect) expect(risky).toContain(`${rule} migrations/${file}`);
    expect(report.findings.map((f: any) => f.ruleId)).not.toContain("missing-down-migration");
    expect(report.approvalRequired).toBe(true);
    expect(code).toBe(report.summary.error > 0 ? 1 : 0);
  });
});

describe("…and its honest twin does not", () => {
  test.each(withTwin)("$name", async (c) => {
    const { code, report } = await lint(c, c.honest!, c.honestConfig);
    expect(report.findings).toEqual([]);
    expect(report.approvalRequired).toBe(false);
    expect(code).toBe(0);
  });
});

function inDir(files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([k, v]) => [`migrations/${k}`, v]));
}
