/**
 * "The sandbox lacks this" (a missing extension, no server files, no programs) stops the replay
 * with a warning, where a failing down file is an error (replay-down-failed). The engines told
 * the two apart by the error's message and SQLSTATE, and a migration chooses both: PL/pgSQL's
 * `RAISE EXCEPTION 'extension "postgis" is not available'` (or `USING ERRCODE = '58P01'`), a
 * MySQL `SIGNAL` with that text. A down file that drops what it must not and then raises such an
 * error turned an error into a warning, which the lint check passes, and hid whether the down
 * restores the schema. An error the migration raised itself is the migration's failure.
 */
import { expect, jest, test } from "@jest/globals";
import { BASES, runScenario, summary, testCache } from "../replay/support.js";
import { testServer } from "../replay/servers.js";

jest.setTimeout(120_000);

const cache = testCache();
const pglite = (add: Record<string, string>) =>
  runScenario({ base: BASES.postgresServer, add, cache });

const raise = (what: string) => `DO $$ BEGIN RAISE EXCEPTION ${what}; END $$;\n`;

test("a down that raises 'extension … is not available' itself fails: an error, not a warning", async () => {
  const r = await pglite({
    "3_col.up.sql": "ALTER TABLE users ADD COLUMN nickname text;\n",
    "3_col.down.sql": "DROP TABLE orders;\n" + raise(`'extension "postgis" is not available'`),
  });
  expect(summary(r.findings.filter((f) => f.ruleId !== "lock-access-exclusive"))).toEqual([
    "replay-down-failed 3_col.down.sql:2",
  ]);
  expect(r.findings.find((f) => f.ruleId === "replay-down-failed")!.severity).toBe("error");
});

test("an up that raises a file-access SQLSTATE itself fails: replay-up-failed", async () => {
  const r = await pglite({
    "3_col.up.sql":
      "ALTER TABLE users ADD COLUMN nickname text;\n" +
      raise("USING ERRCODE = '58P01', MESSAGE = 'could not open file \"/x\"'"),
    "3_col.down.sql": "ALTER TABLE users DROP COLUMN nickname;\n",
  });
  expect(summary(r.findings)).toEqual(["replay-up-failed 3_col.up.sql:2"]);
  expect(r.findings[0]!.severity).toBe("error");
});

test("a real missing extension is still the sandbox's, inside a DO block too", async () => {
  const r = await pglite({
    "3_geo.up.sql": "DO $$ BEGIN CREATE EXTENSION postgis; END $$;\n",
    "3_geo.down.sql": "SELECT 1;\n",
  });
  expect(r.findings.map((f) => [f.ruleId, f.severity])).toEqual([["replay-skipped", "warning"]]);
  // And a genuine error re-raised by the migration's handler stays the sandbox's.
  const again = await pglite({
    "3_geo.up.sql":
      "DO $$ BEGIN CREATE EXTENSION postgis; EXCEPTION WHEN OTHERS THEN RAISE; END $$;\n",
    "3_geo.down.sql": "SELECT 1;\n",
  });
  expect(again.findings.map((f) => [f.ruleId, f.severity])).toEqual([
    ["replay-skipped", "warning"],
  ]);
  // Programs and server files, which PGlite refuses itself.
  for (const sql of [
    "COPY (SELECT 1) TO PROGRAM 'true';\n",
    "SELECT pg_read_file('/no/such/file');\n",
  ]) {
    const other = await pglite({ "3_x.up.sql": sql, "3_x.down.sql": "SELECT 1;\n" });
    expect(other.findings.map((f) => [f.ruleId, f.severity])).toEqual([
      ["replay-skipped", "warning"],
    ]);
  }
});

const MY = testServer("MW_TEST_MYSQL_URL", "MW_TEST_MYSQL_ADMIN_URL");
(MY ? test : test.skip)(
  "MySQL: a SIGNAL with a Postgres limitation's words is the migration's failure",
  async () => {
    const r = await runScenario({
      base: BASES.mysql,
      dialect: "mysql",
      databases: MY!.databases,
      add: {
        "3_col.up.sql":
          "ALTER TABLE users ADD COLUMN nickname varchar(20) NULL;\n" +
          "CREATE PROCEDURE stop_here() SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'extension \"postgis\" is not available';\n" +
          "CALL stop_here();\n",
        "3_col.down.sql": "ALTER TABLE users DROP COLUMN nickname;\nDROP PROCEDURE stop_here;\n",
      },
    });
    expect(summary(r.findings)).toEqual(["replay-up-failed 3_col.up.sql:3"]);
  },
);

test("SQLite: a trigger's RAISE with a Postgres limitation's words is the migration's failure", async () => {
  const r = await runScenario({
    base: BASES.sqlite,
    dialect: "sqlite",
    cache: testCache(),
    add: {
      "3_col.up.sql": "ALTER TABLE users ADD COLUMN nickname TEXT;\n",
      "3_col.down.sql":
        "DROP TABLE posts;\n" +
        "CREATE TRIGGER stop_here BEFORE INSERT ON users BEGIN SELECT RAISE(ABORT, 'extension \"postgis\" is not available'); END;\n" +
        "INSERT INTO users (id, email) VALUES (1, 'a');\n",
    },
  });
  expect(summary(r.findings)).toEqual(["replay-down-failed 3_col.down.sql:3"]);
});
