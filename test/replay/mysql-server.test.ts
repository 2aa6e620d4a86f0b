/**
 * Replay of MySQL migrations on a real MySQL/MariaDB server (MW_TEST_MYSQL_URL), through the whole
 * check as the CLI runs it: round trips, a file failing half way, the wipe, the marker safeguard,
 * LOAD DATA LOCAL INFILE, accounts that reach too far, concurrency and timeouts.
 */
import { afterAll, beforeAll, expect, jest, test } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type mysql from "mysql2/promise";
import { cliDatabases } from "../../src/replay/external/select.js";
import { runScenario, summary, type Scenario } from "./support.js";
import { describeServer, mysqlAdmin, testServer } from "./servers.js";

const VAR = "MW_TEST_MYSQL_URL";
const server = testServer(VAR, "MW_TEST_MYSQL_ADMIN_URL");
jest.setTimeout(120_000);

const BASE = {
  "1_users.up.sql":
    "CREATE TABLE users (\n  id bigint PRIMARY KEY,\n  email varchar(320) NOT NULL\n) ENGINE=InnoDB;\n",
  "1_users.down.sql": "DROP TABLE users;\n",
  "2_orders.up.sql":
    "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL,\n  CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id));\n",
  "2_orders.down.sql": "DROP TABLE orders;\n",
};

const run = (add: Record<string, string>, extra: Partial<Scenario> = {}) =>
  runScenario({ base: BASE, add, dialect: "mysql", databases: server!.databases, ...extra });

let db: mysql.Connection;

async function tables(): Promise<string[]> {
  const [rows] = await db.query<mysql.RowDataPacket[]>(
    "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1",
  );
  return rows.map((r) => String(r.t));
}

async function markerState(): Promise<string> {
  const [rows] = await db.query<mysql.RowDataPacket[]>(
    "SELECT state FROM migration_warden_sandbox",
  );
  return rows.map((r) => String(r.state)).join(",");
}

describeServer(server, VAR)("MySQL replay on a server", () => {
  beforeAll(async () => {
    db = await mysqlAdmin(server!.url);
    // Start from the state a previous replay leaves (or a fresh database).
    const [rows] = await db.query<mysql.RowDataPacket[]>(
      "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()",
    );
    if (rows.length > 0)
      await db.query(
        `SET FOREIGN_KEY_CHECKS = 0; DROP TABLE ${rows.map((r) => `\`${String(r.t)}\``).join(", ")}; SET FOREIGN_KEY_CHECKS = 1`,
      );
  });
  afterAll(async () => {
    await db?.end();
  });

  test("a correct up/down pair: applied, restored, the schema diff, locks not observed", async () => {
    const r = await run({
      "3_name.up.sql": "ALTER TABLE users ADD COLUMN name varchar(100) NULL;\n",
      "3_name.down.sql": "ALTER TABLE users DROP COLUMN name;\n",
    });
    expect(r.findings).toEqual([]);
    expect(r.data!.engine).toMatch(
      /^(MariaDB|MySQL) \d+\.\d+\.\d+ \(mysql:\/\/mw@127\.0\.0\.1:\d+\/\w+\)$/,
    );
    expect(r.data!.schemaDiff).toEqual([
      expect.objectContaining({ kind: "column", name: "users.name", change: "added" }),
    ]);
    expect(r.data!.downChecks).toEqual([]);
    expect(r.data!.reupDifferences).toEqual([]);
    expect(r.section!.markdown).toContain("without a transaction, like golang-migrate");
    expect(r.section!.markdown).toContain("Locks not observed");
    // The password never reaches the report.
    expect(JSON.stringify(r.report)).not.toContain("mw-test-password");
    // The database is left empty but for the marker, which says so.
    expect(await tables()).toEqual(["migration_warden_sandbox"]);
    expect(await markerState()).toBe("clean");
  });

  test("a down that forgets an index: down-does-not-restore-schema with the index, then up fails again", async () => {
    const r = await run({
      "3_idx.up.sql": "CREATE INDEX users_email_idx ON users (email);\n",
      "3_idx.down.sql": "SELECT 1;\n",
    });
    expect(summary(r.findings)).toEqual([
      "down-does-not-restore-schema 3_idx.down.sql:1",
      "up-not-reapplicable 3_idx.up.sql:1",
    ]);
    expect(r.findings[0]!.message).toContain(
      "index `users.users_email_idx` exists (BTREE (email))",
    );
    expect(r.findings[1]!.message).toContain("Duplicate key name 'users_email_idx'");
  });

  test("a file failing half way: the error on its line, and the statements before it stayed applied", async () => {
    const r = await run({
      "3_half.up.sql":
        "CREATE TABLE audit (id bigint PRIMARY KEY);\n" +
        "ALTER TABLE users ADD COLUMN nickname varchar(50);\n" +
        "\n" +
        "ALTER TABLE no_such_table ADD COLUMN x int;\n" +
        "CREATE TABLE never (id int);\n",
      "3_half.down.sql": "DROP TABLE audit;\nALTER TABLE users DROP COLUMN nickname;\n",
    });
    expect(summary(r.findings)).toEqual(["replay-up-failed 3_half.up.sql:4"]);
    const f = r.findings[0]!;
    expect(f.message).toMatch(/Table '\w+\.no_such_table' doesn't exist/);
    expect(f.message).toContain("The 2 statements before it (through line 2) stayed applied");
    expect(r.data!.ups[0]!.leftApplied).toEqual({ statements: 2, lastLine: 2 });
    expect(r.data!.ups[0]!.statements.map((s) => s.line)).toEqual([1, 2]);
    expect(r.section!.markdown).toContain(
      "**failed** at line 4 (the 2 statements before it stayed applied)",
    );
    expect(await tables()).toEqual(["migration_warden_sandbox"]);
  });

  test("LOAD DATA LOCAL INFILE cannot read a file of the host running migration-warden", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mw-infile-"));
    const secret = join(dir, "secret.txt");
    writeFileSync(secret, "TOP-SECRET-LINE-4711\n");
    try {
      const r = await run({
        "3_read.up.sql": `CREATE TABLE loot (line text);\nLOAD DATA LOCAL INFILE '${secret}' INTO TABLE loot;\n`,
        "3_read.down.sql": "DROP TABLE loot;\n",
      });
      expect(summary(r.findings)).toEqual(["replay-up-failed 3_read.up.sql:2"]);
      expect(r.findings[0]!.message).toMatch(/local infile|LOCAL INFILE|not allowed/i);
      expect(JSON.stringify(r.report)).not.toContain("TOP-SECRET-LINE-4711");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the wipe: leftovers of an interrupted replay are dropped, views, routines and events too", async () => {
    await db.query(
      "UPDATE migration_warden_sandbox SET state = 'replaying';" +
        "CREATE TABLE leftover (id int PRIMARY KEY);" +
        "CREATE TABLE child (id int, p int, FOREIGN KEY (p) REFERENCES leftover (id));" +
        "CREATE VIEW leftover_v AS SELECT id FROM leftover;" +
        "CREATE PROCEDURE leftover_p() SELECT 1;" +
        "CREATE FUNCTION leftover_f() RETURNS int DETERMINISTIC RETURN 1;",
    );
    const r = await run({
      "3_t.up.sql": "CREATE TABLE t (id int);\n",
      "3_t.down.sql": "DROP TABLE t;\n",
    });
    expect(r.findings).toEqual([]);
    // The base schema had none of the leftovers: the diff shows only the change's table.
    expect(r.data!.schemaDiff!.map((c) => `${c.change} ${c.kind} ${c.name}`)).toEqual([
      "added table t",
      "added column t.id",
    ]);
    expect(await tables()).toEqual(["migration_warden_sandbox"]);
    const [routines] = await db.query<mysql.RowDataPacket[]>(
      "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()",
    );
    expect(routines).toEqual([]);
  });

  test("the marker safeguard: a database with objects and no marker is refused and left alone", async () => {
    await db.query("DROP TABLE migration_warden_sandbox; CREATE TABLE precious (id int)");
    const add = { "3_t.up.sql": "CREATE TABLE t (id int);\n", "3_t.down.sql": "DROP TABLE t;\n" };
    const refused = await run(add);
    expect(summary(refused.findings)).toEqual(["replay-skipped 3_t.up.sql:1"]);
    expect(refused.findings[0]!.severity).toBe("error");
    expect(refused.findings[0]!.message).toContain(
      "the database is not empty (table precious) and has no migration_warden_sandbox table",
    );
    expect(await tables()).toEqual(["precious"]);

    // Opting the database in by hand: the next replay wipes it.
    await db.query("CREATE TABLE migration_warden_sandbox (anything int)");
    const opted = await run(add);
    expect(opted.findings).toEqual([]);
    expect(await tables()).toEqual(["migration_warden_sandbox"]);
    expect(await markerState()).toBe("clean");

    // Something else starts using the database after a replay left it clean: refused.
    await db.query("CREATE TABLE someone_elses (id int)");
    const later = await run(add);
    expect(later.findings[0]!.severity).toBe("error");
    expect(later.findings[0]!.message).toContain(
      "objects appeared since migration-warden's last replay left it empty (table someone_elses)",
    );
    expect(await tables()).toEqual(["migration_warden_sandbox", "someone_elses"]);
    await db.query("DROP TABLE someone_elses");
  });

  test("an account with privileges beyond its database is refused", async () => {
    if (!server!.adminUrl) {
      console.warn("SKIPPED: MW_TEST_MYSQL_ADMIN_URL is not set");
      return;
    }
    const r = await run(
      { "3_t.up.sql": "CREATE TABLE t (id int);\n", "3_t.down.sql": "DROP TABLE t;\n" },
      { databases: cliDatabases({ MIGRATION_WARDEN_DATABASE_URL: server!.adminUrl }) },
    );
    expect(r.findings[0]!.severity).toBe("error");
    expect(r.findings[0]!.message).toMatch(/the account has global privileges \([A-Z ,]*FILE/);
    expect(JSON.stringify(r.report)).not.toContain("mw-admin-password");
  });

  test("two replays at once on the same database run one after the other, both correct", async () => {
    const [a, b] = await Promise.all([
      run({ "3_a.up.sql": "CREATE TABLE a (id int);\n", "3_a.down.sql": "DROP TABLE a;\n" }),
      run({ "3_b.up.sql": "CREATE TABLE b (id int);\n", "3_b.down.sql": "SELECT 1;\n" }),
    ]);
    expect(a.findings).toEqual([]);
    expect(a.data!.schemaDiff!.map((c) => c.name)).toEqual(["a", "a.id"]);
    expect(summary(b.findings)).toEqual([
      "down-does-not-restore-schema 3_b.down.sql:1",
      "up-not-reapplicable 3_b.up.sql:1",
    ]);
    expect(b.data!.schemaDiff!.map((c) => c.name)).toEqual(["b", "b.id"]);
  });

  test("a statement over replay.statementTimeoutMs is stopped by the server, or by the watchdog when the migration turns that off", async () => {
    const slow = await run(
      {
        "3_slow.up.sql": "CREATE TABLE s (id int);\nSELECT SLEEP(20);\n",
        "3_slow.down.sql": "DROP TABLE s;\n",
      },
      { replay: { statementTimeoutMs: 1000 } },
    );
    expect(summary(slow.findings)).toEqual(["replay-up-failed 3_slow.up.sql:2"]);
    expect(slow.findings[0]!.severity).toBe("warning");
    expect(slow.findings[0]!.message).toContain("did not finish within 1000 ms");

    const [v] = await db.query<mysql.RowDataPacket[]>("SELECT VERSION() AS v");
    const off = /mariadb/i.test(String(v[0]!.v))
      ? "SET SESSION max_statement_time = 0"
      : "SET SESSION max_execution_time = 0";
    const started = Date.now();
    const evasive = await run(
      { "3_slow.up.sql": `${off};\nDO SLEEP(60);\n`, "3_slow.down.sql": "SELECT 1;\n" },
      { replay: { statementTimeoutMs: 1000 } },
    );
    // Killed by the watchdog 5 s after the statement timeout, not after 60 s.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(summary(evasive.findings)).toEqual(["replay-up-failed 3_slow.up.sql:2"]);
    expect(evasive.findings[0]!.message).toContain("did not finish within 1000 ms");
    // The killed session's replay is picked up again by the next one (the marker said "replaying").
    const next = await run({
      "3_t.up.sql": "CREATE TABLE t (id int);\n",
      "3_t.down.sql": "DROP TABLE t;\n",
    });
    expect(next.findings).toEqual([]);
  });
});
