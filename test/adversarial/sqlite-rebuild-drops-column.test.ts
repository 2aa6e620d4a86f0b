/**
 * SQLite's copy-and-swap rebuild (create users_new, copy, DROP TABLE users, rename users_new to
 * users) whose copy keeps every row but leaves a column of users behind: the column's values go
 * with the old table. drop-table took it for a rebuild (a notice), no rule saw the column, and
 * `required: risky` asked for no DBA: a DROP COLUMN spelled as a rebuild. drop-column now reports
 * the columns the copy does not read, from the merged schema (or the table's creation earlier in
 * the file). (The row-dropping copy is sqlite-lossy-rebuild's.)
 */
import { describe, expect, test } from "@jest/globals";
import { runScenario, testCache } from "../replay/support.js";
import { expectGated, lintAttack } from "./support.js";

const CONFIG =
  "directories:\n  - path: migrations\n    dialect: sqlite\napproval:\n  required: risky\n  teams: [dba]\n";
const BASE = {
  "migrations/000001_users.up.sql":
    "CREATE TABLE users (id integer PRIMARY KEY, email text, name text);\nINSERT INTO users VALUES (1, 'a@example.com', 'A');\n",
};
const SWAP = "DROP TABLE users;\nALTER TABLE users_new RENAME TO users;\n";
const ids = (r: { report: any }) =>
  (r.report?.findings ?? []).map((f: any) => `${f.ruleId}:${f.severity}`);

const cases: Array<[string, string]> = [
  [
    "a narrower new table",
    "CREATE TABLE users_new (id integer PRIMARY KEY, email text);\nINSERT INTO users_new SELECT id, email FROM users;\n",
  ],
  [
    "the column kept but filled with NULL",
    "CREATE TABLE users_new (id integer PRIMARY KEY, email text, name text);\nINSERT INTO users_new (id, email, name) SELECT id, email, NULL FROM users;\n",
  ],
  [
    "the column's slot filled from another column",
    "CREATE TABLE users_new (id integer PRIMARY KEY, email text, name text);\nINSERT INTO users_new SELECT id, email, upper(email) FROM users;\n",
  ],
  [
    "a column added by an earlier migration of the history, names in another case",
    "CREATE TABLE users_new (ID integer PRIMARY KEY, EMAIL text, NAME text);\nINSERT INTO users_new SELECT ID, EMAIL, NAME FROM users;\n",
  ],
];

describe("SQLite: a table rebuild that leaves a column behind (replay off)", () => {
  test.each(cases)("%s", async (name, copy) => {
    const base = name.startsWith("a column added")
      ? { ...BASE, "migrations/000002_orders.up.sql": "ALTER TABLE users ADD COLUMN age int;\n" }
      : BASE;
    const r = await lintAttack(
      { "migrations/000003_x.up.sql": copy + SWAP, "migrations/000003_x.down.sql": "SELECT 1;\n" },
      { config: CONFIG, replay: false, baseExtra: base },
    );
    expectGated(r);
    expect(ids(r)).toContain("drop-column:error");
  });

  test("the rebuild in a later file of the change, behind a harmless one", async () => {
    const r = await lintAttack(
      {
        "migrations/000003_idx.up.sql": "CREATE INDEX users_email ON users (email);\n",
        "migrations/000003_idx.down.sql": "DROP INDEX users_email;\n",
        "migrations/000004_x.up.sql":
          "CREATE TABLE users_new (id integer PRIMARY KEY, email text);\n" +
          "INSERT INTO users_new SELECT id, email FROM users;\n" +
          SWAP,
        "migrations/000004_x.down.sql": "SELECT 1;\n",
      },
      { config: CONFIG, replay: false, baseExtra: BASE },
    );
    expectGated(r);
    expect(ids(r)).toContain("drop-column:error");
  });

  test("a rebuild into a TEMPORARY table loses every row at the session's end (drop-table)", async () => {
    const r = await lintAttack(
      {
        "migrations/000003_x.up.sql":
          "CREATE TEMP TABLE users_new (id integer PRIMARY KEY, email text, name text);\n" +
          "INSERT INTO users_new SELECT id, email, name FROM users;\n" +
          SWAP,
        "migrations/000003_x.down.sql": "SELECT 1;\n",
      },
      { config: CONFIG, replay: false, baseExtra: BASE },
    );
    expectGated(r);
    expect(ids(r)).toContain("drop-table:error");
  });

  test("a rebuild that reads every column stays a notice", async () => {
    const r = await lintAttack(
      {
        "migrations/000003_x.up.sql":
          "CREATE TABLE users_new (id integer PRIMARY KEY, email text NOT NULL, full_name text);\n" +
          "INSERT INTO users_new SELECT id, coalesce(email, ''), name FROM users;\n" +
          SWAP,
        "migrations/000003_x.down.sql": "SELECT 1;\n",
      },
      { config: CONFIG, replay: false, baseExtra: BASE },
    );
    expect(ids(r).filter((x: string) => /^drop-/.test(x))).toEqual(["drop-table:notice"]);
  });

  // A generated column cannot be copied (an INSERT may not name it) and holds nothing of its own:
  // left out of the copy while the new table computes it again, nothing is lost; left out of the
  // new table too, the column is gone.
  describe("generated columns", () => {
    const GEN_BASE = {
      "migrations/000001_users.up.sql":
        "CREATE TABLE users (id integer PRIMARY KEY, email text, domain text GENERATED ALWAYS AS (substr(email, instr(email, '@') + 1)) STORED);\n",
    };
    const GEN = "domain text GENERATED ALWAYS AS (substr(email, instr(email, '@') + 1)) STORED";
    test("computed again by the new table: the rebuild stays a notice", async () => {
      const r = await lintAttack(
        {
          "migrations/000003_x.up.sql":
            `CREATE TABLE users_new (id integer PRIMARY KEY, email text NOT NULL, ${GEN});\n` +
            "INSERT INTO users_new (id, email) SELECT id, coalesce(email, '') FROM users;\n" +
            SWAP,
          "migrations/000003_x.down.sql": "SELECT 1;\n",
        },
        { config: CONFIG, replay: false, baseExtra: GEN_BASE },
      );
      expect(ids(r).filter((x: string) => /^drop-/.test(x))).toEqual(["drop-table:notice"]);
    });

    test("left out of the new table: drop-column", async () => {
      const r = await lintAttack(
        {
          "migrations/000003_x.up.sql":
            "CREATE TABLE users_new (id integer PRIMARY KEY, email text NOT NULL);\n" +
            "INSERT INTO users_new (id, email) SELECT id, coalesce(email, '') FROM users;\n" +
            SWAP,
          "migrations/000003_x.down.sql": "SELECT 1;\n",
        },
        { config: CONFIG, replay: false, baseExtra: GEN_BASE },
      );
      expectGated(r);
      expect(ids(r)).toContain("drop-column:error");
    });

    test("from the replayed catalog (the app's cached base state): the same", async () => {
      const cache = testCache();
      const run = (newTable: string) =>
        runScenario({
          dialect: "sqlite",
          cache,
          base: {
            "1_users.up.sql": GEN_BASE["migrations/000001_users.up.sql"],
            "1_users.down.sql": "DROP TABLE users;\n",
          },
          add: {
            "2_x.up.sql":
              `CREATE TABLE users_new (${newTable});\n` +
              "INSERT INTO users_new (id, email) SELECT id, email FROM users;\n" +
              SWAP,
            "2_x.down.sql": "SELECT 1;\n",
          },
        });
      await run(`id integer PRIMARY KEY, email text, ${GEN}`); // fills the cache
      const again = await run(`id integer PRIMARY KEY, email text, ${GEN}`);
      expect(again.reads).toEqual([]); // decided from the catalog alone
      expect(again.report.findings.map((f) => f.ruleId)).not.toContain("drop-column");
      const dropped = await run("id integer PRIMARY KEY, email text");
      expect(dropped.report.findings.filter((f) => f.ruleId === "drop-column")[0]?.message).toMatch(
        /does not read column domain of users \(decided from the replayed catalog\)/,
      );
    });
  });

  // The app reads the merged files for the static model only when its replay does (no cached
  // base state yet): from the second evaluation of a base on, only the replayed SQLite catalog
  // tells which columns users had. The replay itself reports nothing (the down file restores the
  // schema).
  describe("the GitHub App's path (replay on, no merged files read for the static model)", () => {
    const cache = testCache();
    const scenario = () =>
      runScenario({
        dialect: "sqlite",
        cache,
        base: {
          "1_users.up.sql": BASE["migrations/000001_users.up.sql"],
          "1_users.down.sql": "DROP TABLE users;\n",
        },
        add: {
          "2_x.up.sql":
            "CREATE TABLE users_new (id integer PRIMARY KEY, email text);\n" +
            "INSERT INTO users_new SELECT id, email FROM users;\n" +
            SWAP,
          "2_x.down.sql": "ALTER TABLE users ADD COLUMN name text;\n",
        },
      });
    const rules = (r: Awaited<ReturnType<typeof scenario>>) =>
      r.report.findings.map((f) => `${f.ruleId}:${f.severity}`);

    const dropColumn = (r: Awaited<ReturnType<typeof scenario>>) =>
      r.report.findings.filter((f) => f.ruleId === "drop-column");

    test("first evaluation: the replay reads the merged files, drop-column reports it", async () => {
      const r = await scenario();
      expect(r.data?.fromCache).toBe(false);
      expect(rules(r)).toContain("drop-column:error");
      expect(dropColumn(r)[0]!.message).toContain("(decided from the replayed catalog)");
    });

    test("later evaluations, from the cached base state: the replayed catalog", async () => {
      const r = await scenario();
      expect(r.reads).toEqual([]); // nothing read: the catalog alone knows name
      expect(rules(r)).toContain("drop-column:error");
      expect(dropColumn(r)[0]!.message).toMatch(
        /does not read column name of users \(decided from the replayed catalog\)/,
      );
    });
  });
});
