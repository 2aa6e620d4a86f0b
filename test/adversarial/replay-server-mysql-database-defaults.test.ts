/**
 * A pull request's SQL on a MySQL/MariaDB replay server must not change the next replay. The wipe
 * drops every table, view, routine and event, but ALL on the database also lets a migration
 * change the database's own default character set and collation (ALTER DATABASE), which outlive
 * its tables: every later replay's tables would get them, so whether a later change's index is
 * too long, or how its text compares, would depend on an earlier pull request.
 *
 * A database and an account of their own (made with MW_TEST_MYSQL_ADMIN_URL), so that what the
 * attack leaves behind on today's code cannot reach the shared test database.
 */
import { afterAll, beforeAll, beforeEach, expect, jest, test } from "@jest/globals";
import type mysql from "mysql2/promise";
import { cliDatabases } from "../../src/replay/external/select.js";
import { BASES, runScenario, summary } from "../replay/support.js";
import { mysqlAdmin } from "../replay/servers.js";

jest.setTimeout(120_000);

const URL_ = process.env.MW_TEST_MYSQL_URL;
const ADMIN = process.env.MW_TEST_MYSQL_ADMIN_URL;
const name = `mw_adv_defaults_${process.pid}`;
const run = URL_ && ADMIN ? test : test.skip;
if (!URL_ || !ADMIN)
  console.warn("SKIPPED: MW_TEST_MYSQL_URL and MW_TEST_MYSQL_ADMIN_URL are not set.");

let admin: mysql.Connection | undefined;
let url = "";
let server: { charset: string; collation: string };

beforeAll(async () => {
  if (!URL_ || !ADMIN) return;
  admin = await mysqlAdmin(ADMIN);
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`DROP USER IF EXISTS '${name}'@'%'`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.query(`CREATE USER '${name}'@'%' IDENTIFIED BY 'adv-pw'`);
  // The test servers' admin may lack GRANT OPTION: the database-level grant as a row, like
  // GRANT ALL ON db.* would write it.
  const [cols] = await admin.query<mysql.RowDataPacket[]>(
    `SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = 'mysql' AND TABLE_NAME = 'db' AND COLUMN_NAME LIKE '%\\_priv' AND COLUMN_NAME <> 'Grant_priv'`,
  );
  const privs = cols.map((r) => String(r.c));
  await admin.query(
    `INSERT INTO mysql.db (Host, Db, User, ${privs.join(", ")}) VALUES ('%', ?, ?, ${privs.map(() => "'Y'").join(", ")})`,
    [name, name],
  );
  await admin.query("FLUSH PRIVILEGES");
  const [rows] = await admin.query<mysql.RowDataPacket[]>(
    "SELECT @@global.character_set_server AS charset, @@global.collation_server AS collation",
  );
  server = { charset: String(rows[0]!.charset), collation: String(rows[0]!.collation) };
  const u = new URL(URL_);
  u.username = name;
  u.password = "adv-pw";
  u.pathname = `/${name}`;
  url = u.toString();
});

beforeEach(async () => {
  await admin?.query(
    `ALTER DATABASE ${name} CHARACTER SET ${server.charset} COLLATE ${server.collation}`,
  );
});

afterAll(async () => {
  if (!admin) return;
  await admin.query(`DROP DATABASE IF EXISTS ${name}`).catch(() => undefined);
  await admin.query(`DROP USER IF EXISTS '${name}'@'%'`).catch(() => undefined);
  await admin.end();
});

const replay = (add: Record<string, string>) =>
  runScenario({
    base: BASES.mysql,
    add,
    dialect: "mysql",
    databases: cliDatabases({ MIGRATION_WARDEN_DATABASE_URL: url }),
  });

async function defaults(): Promise<{ charset: string; collation: string }> {
  const [rows] = await admin!.query<mysql.RowDataPacket[]>(
    "SELECT DEFAULT_CHARACTER_SET_NAME AS charset, DEFAULT_COLLATION_NAME AS collation FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
    [name],
  );
  return { charset: String(rows[0]!.charset), collation: String(rows[0]!.collation) };
}

/** The other character set than the server's: what a migration would switch the database to. */
const other = () => (server.charset === "latin1" ? "utf8mb4" : "latin1");

/** The column's collation in the replay, as the fingerprint saw it. */
const columnCollation = (r: Awaited<ReturnType<typeof replay>>) =>
  JSON.stringify(r.data!.schemaDiff!.filter((c) => c.kind === "column"));

run(
  "a database default character set changed by one replay is the server's again for the next",
  async () => {
    const change = {
      "3_notes.up.sql": "CREATE TABLE notes (body varchar(100) NOT NULL);\n",
      "3_notes.down.sql": "DROP TABLE notes;\n",
    };
    const control = await replay(change);
    expect(summary(control.findings)).toEqual([]);

    const a = await replay({
      "3_a.up.sql": `ALTER DATABASE CHARACTER SET ${other()};\n`,
      "3_a.down.sql": "SELECT 1;\n",
    });
    expect(a.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(await defaults()).toEqual(server);

    const b = await replay(change);
    expect(summary(b.findings)).toEqual([]);
    expect(columnCollation(b)).toBe(columnCollation(control));
  },
);
