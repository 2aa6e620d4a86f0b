/**
 * What the MySQL / MariaDB fingerprint did not read, so that neither drift nor the replay's
 * down check could see it: partitioning (a table partitioned or repartitioned by hand, a down
 * that leaves a table partitioned), a MariaDB sequence's settings, and the DEFINER that views,
 * routines, triggers and events run as (a definer changed to root is a privilege change).
 *
 * Drift: a live database of its own, made by MW_TEST_MYSQL_ADMIN_URL's account, which also reads
 * it (the account that ran the migrations: its definers read as `(migrations account)`, like the
 * replay's). Replay: an account and database of their own on the same server, made through the
 * admin account, so no other test's replay database is touched. Downs that restore, and what
 * using a table or a sequence changes (rows, the next value), stay silent.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type mysql from "mysql2/promise";
import { parseDriftUrl } from "../../src/replay/drift/url.js";
import { cliDatabases } from "../../src/replay/external/select.js";
import { definerOf } from "../../src/replay/fingerprint/mysql-more.js";
import { mysqlAdmin } from "../replay/servers.js";
import { runScenario } from "../replay/support.js";
import { runCli } from "../support/cli.js";
import { TempRepo } from "../support/git-repo.js";
import { seedCacheDir } from "../support/replay-templates.js";

jest.setTimeout(180_000);

const ADMIN = process.env.MW_TEST_MYSQL_ADMIN_URL;
const MISSING = ADMIN ? null : "MW_TEST_MYSQL_ADMIN_URL not set";
const LIVE = "mw_fp_depth_live";
const REPLAY = `mw_fp_depth_${process.pid}`; // the replay's account and its database
const READER = `${REPLAY}_r`; // drift's own read-only account
const PASSWORD = "mw-test-password";

const GOLANG_MIGRATE =
  "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);\n" +
  "INSERT INTO schema_migrations VALUES (1, false);\n";

const UP =
  "CREATE TABLE events (id int NOT NULL, d date NOT NULL, PRIMARY KEY (id, d))\n" +
  "  PARTITION BY RANGE (YEAR(d)) (PARTITION p2020 VALUES LESS THAN (2021), PARTITION pmax VALUES LESS THAN MAXVALUE);\n" +
  "CREATE TABLE logs (id int PRIMARY KEY, note varchar(20));\n" +
  "CREATE SEQUENCE invoice_no START WITH 100 INCREMENT BY 1;\n" +
  "CREATE VIEW recent AS SELECT id FROM events;\n" +
  "CREATE FUNCTION twice(x int) RETURNS int DETERMINISTIC RETURN x * 2;\n" +
  "CREATE TRIGGER logs_bi BEFORE INSERT ON logs FOR EACH ROW SET NEW.note = COALESCE(NEW.note, 'x');\n" +
  "CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM logs;\n";

// What using the database changes: never drift.
const USE =
  "INSERT INTO events VALUES (1, '2019-05-01'), (2, '2024-01-01');\n" +
  "INSERT INTO logs (id) VALUES (1), (2);\n" +
  "SELECT NEXTVAL(invoice_no); SELECT NEXTVAL(invoice_no);\n";

const ROOT = "DEFINER = 'root'@'localhost'";
const BY_HAND =
  "ALTER TABLE events REORGANIZE PARTITION pmax INTO\n" +
  "  (PARTITION p2024 VALUES LESS THAN (2025), PARTITION pmax VALUES LESS THAN MAXVALUE);\n" +
  "ALTER TABLE logs PARTITION BY HASH (id) PARTITIONS 4;\n" +
  "ALTER SEQUENCE invoice_no INCREMENT BY 10;\n" +
  `ALTER ${ROOT} VIEW recent AS SELECT id FROM events;\n` +
  `DROP FUNCTION twice; CREATE ${ROOT} FUNCTION twice(x int) RETURNS int DETERMINISTIC RETURN x * 2;\n` +
  `DROP TRIGGER logs_bi; CREATE ${ROOT} TRIGGER logs_bi BEFORE INSERT ON logs FOR EACH ROW SET NEW.note = COALESCE(NEW.note, 'x');\n` +
  `ALTER ${ROOT} EVENT nightly DISABLE;\n`;

interface Difference {
  kind: string;
  object: string;
  change: "added" | "missing" | "changed";
  expected: string | null;
  actual: string | null;
}

let admin: mysql.Connection | undefined;
let liveUrl = "";
let replayUrl = "";
let replayAccount = "";
let readerUrl = "";
let readerAccount = "";
let migrationsAccount = ""; // the admin's, which ran the live database's migrations
const repo = new TempRepo();
repo
  .write({
    ".github/migration-warden.yml": "directories:\n  - path: my\n    dialect: mysql\n",
    "my/1_all.up.sql": UP,
  })
  .commit("migrations");
const cacheDir = mkdtempSync(join(tmpdir(), "mw-fp-depth-cache-"));
seedCacheDir(cacheDir);

beforeAll(async () => {
  if (MISSING) return;
  admin = await mysqlAdmin(ADMIN!);
  const u = parseDriftUrl(ADMIN!);
  if (u.dialect !== "mysql") throw new Error("not mysql");
  const a = u.address;
  replayAccount = `'${REPLAY}'@'${a.host}'`;
  readerAccount = `'${READER}'@'${a.host}'`;
  migrationsAccount = `${a.user}@${a.host}`;
  await admin.query(
    `DROP DATABASE IF EXISTS ${REPLAY}; CREATE DATABASE ${REPLAY};\n` +
      `DROP USER IF EXISTS ${replayAccount}, ${readerAccount};\n` +
      `CREATE USER ${replayAccount} IDENTIFIED BY '${PASSWORD}';\n` +
      `CREATE USER ${readerAccount} IDENTIFIED BY '${PASSWORD}';`,
  );
  // The test server's admin lacks GRANT OPTION: the database-level grant as the row GRANT ALL ON
  // db.* would write (as replay-server-mysql-database-defaults.test.ts does).
  const [cols] = await admin.query<mysql.RowDataPacket[]>(
    `SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = 'mysql' AND TABLE_NAME = 'db' AND COLUMN_NAME LIKE '%\\_priv' AND COLUMN_NAME <> 'Grant_priv'`,
  );
  const privs = cols.map((r) => String(r.c));
  await admin.query(
    `INSERT INTO mysql.db (Host, Db, User, ${privs.join(", ")}) VALUES (?, ?, ?, ${privs.map(() => "'Y'").join(", ")});
     FLUSH PRIVILEGES`,
    [a.host, REPLAY, REPLAY],
  );
  // The read-only account docs/drift.md suggests ("A role for drift"), routines' bodies included
  // (SELECT on mysql.proc: MariaDB shows them to their definer only otherwise).
  await admin.query(
    `INSERT INTO mysql.db (Host, Db, User, Select_priv, Show_view_priv, Trigger_priv, Event_priv, Execute_priv)
     VALUES (?, ?, ?, 'Y', 'Y', 'Y', 'Y', 'Y');
     INSERT INTO mysql.tables_priv (Host, Db, User, Table_name, Grantor, Table_priv)
     VALUES (?, 'mysql', ?, 'proc', CURRENT_USER(), 'Select');
     FLUSH PRIVILEGES`,
    [a.host, LIVE, READER, a.host, READER],
  );
  readerUrl = `mysql://${READER}:${PASSWORD}@tcp(${a.host}:${a.port})/${LIVE}`;
  liveUrl = `mysql://${encodeURIComponent(a.user)}:${encodeURIComponent(a.password ?? "")}@tcp(${a.host}:${a.port})/${LIVE}`;
  replayUrl = `mysql://${REPLAY}:${PASSWORD}@${a.host}:${a.port}/${REPLAY}`;
});

afterAll(async () => {
  await admin
    ?.query(
      `DROP DATABASE IF EXISTS ${LIVE}; DROP DATABASE IF EXISTS ${REPLAY}; DROP USER IF EXISTS ${replayAccount}, ${readerAccount}`,
    )
    .catch(() => undefined);
  await admin?.end();
  repo.cleanup();
  rmSync(cacheDir, { recursive: true, force: true });
});

async function drift(
  url = liveUrl,
  args: string[] = [],
): Promise<{ code: number | null; differences: Difference[] }> {
  const r = await runCli(["drift", "--format", "json", "--dir", "my", ...args], repo.dir, {
    MIGRATION_WARDEN_DRIFT_DATABASE_URL: url,
    MIGRATION_WARDEN_DATABASE_URL: replayUrl,
    MIGRATION_WARDEN_CACHE_DIR: cacheDir,
  });
  expect(r.stderr).toBe("");
  return { code: r.code, differences: JSON.parse(r.stdout).differences };
}

/** The one difference for `object`, changed, with what each side says. */
function changed(d: Difference[], kind: string, object: string, expected: RegExp, actual: RegExp) {
  const found = d.filter((x) => x.kind === kind && x.object === object);
  expect(found.map((x) => `${x.change} ${x.kind} ${x.object}`)).toEqual([
    `changed ${kind} ${object}`,
  ]);
  expect(found[0]!.expected).toMatch(expected);
  expect(found[0]!.actual).toMatch(actual);
}

(MISSING ? describe.skip : describe)(
  `mysql drift: partitioning, sequences, definers${MISSING ? ` (skipped: ${MISSING})` : ""}`,
  () => {
    test("control: the migrations, then using the tables and the sequence, are in sync", async () => {
      await admin!.query(
        `DROP DATABASE IF EXISTS ${LIVE}; CREATE DATABASE ${LIVE}; USE ${LIVE};\n${GOLANG_MIGRATE}${UP}${USE}`,
      );
      const r = await drift();
      expect(r.differences).toEqual([]);
      expect(r.code).toBe(0);
    });

    test("drift reading as an account of its own: definers name the migrations' account, unless drift.migrationsAccount says it", async () => {
      const named = await drift(readerUrl);
      expect(
        named.differences.map((x) => `${x.kind} ${x.object.replace(/\(.*/, "")}`).sort(),
      ).toEqual(["event nightly", "function twice", "trigger logs.logs_bi", "view recent"]);
      for (const x of named.differences) {
        expect(x.expected).toMatch(/definer: \(migrations account\)/);
        expect(x.actual).toContain(`definer: '${migrationsAccount.replace("@", "'@'")}'`);
      }
      const config = join(repo.dir, "with-account.yml");
      writeFileSync(
        config,
        `directories:\n  - path: my\n    dialect: mysql\ndrift:\n  migrationsAccount: "${migrationsAccount}"\n`,
      );
      const told = await drift(readerUrl, ["--config", config]);
      expect(told.differences).toEqual([]);
      expect(told.code).toBe(0);
      // Another account named there leaves the real one's definers named.
      writeFileSync(
        config,
        `directories:\n  - path: my\n    dialect: mysql\ndrift:\n  migrationsAccount: "someone@%"\n`,
      );
      expect((await drift(readerUrl, ["--config", config])).differences).toHaveLength(4);
    });

    test("each hand change reported, named, with both sides", async () => {
      await admin!.query(`USE ${LIVE};\n${BY_HAND}`);
      const { code, differences: d } = await drift();
      expect(code).toBe(1);
      changed(
        d,
        "table",
        "events",
        /partitioning: RANGE \(year\(`d`\)\): `p2020` VALUES LESS THAN \(2021\), `pmax` VALUES LESS THAN \(MAXVALUE\)$/,
        /`p2020` VALUES LESS THAN \(2021\), `p2024` VALUES LESS THAN \(2025\), `pmax`/,
      );
      changed(
        d,
        "table",
        "logs",
        /options: none, .*partitioning: none$/,
        /options: partitioned, .*partitioning: HASH \(`id`\): `p0`, `p1`, `p2`, `p3`$/,
      );
      changed(d, "sequence", "invoice_no", /increment: 1\b/, /increment: 10\b/);
      changed(
        d,
        "view",
        "recent",
        /definer: \(migrations account\)/,
        /definer: 'root'@'localhost'/,
      );
      changed(
        d,
        "trigger",
        "logs.logs_bi",
        /definer: \(migrations account\)/,
        /definer: 'root'@'localhost'/,
      );
      changed(
        d,
        "event",
        "nightly",
        /definer: \(migrations account\)/,
        /definer: 'root'@'localhost'/,
      );
      const twice = d.find((x) => x.kind === "function")?.object ?? "twice(…)";
      expect(twice).toMatch(/^twice\(/);
      changed(
        d,
        "function",
        twice,
        /definer: \(migrations account\)/,
        /definer: 'root'@'localhost'/,
      );
      expect(d).toHaveLength(7);
    });
  },
);

test("a definer is named quoted, so no account or role reads as the placeholder", () => {
  expect(definerOf("app@%", ["app@%"])).toBe("(migrations account)");
  expect(definerOf("root@localhost", ["app@%"])).toBe("'root'@'localhost'");
  expect(definerOf("(migrations account)", ["app@%"])).toBe("'(migrations account)'"); // a role
  expect(definerOf("o'x@%", [])).toBe("'o''x'@'%'");
  expect(definerOf("a@b@%", [])).toBe("'a@b'@'%'");
  expect(definerOf(null, ["app@%"])).toBeNull();
});

// The replay: migration 2 changes what migration 1 made; its down does not undo it.
const BASE = {
  "1_logs.up.sql":
    "CREATE TABLE logs (id int NOT NULL, d date NOT NULL, PRIMARY KEY (id, d));\n" +
    "CREATE TABLE parts (id int PRIMARY KEY) PARTITION BY HASH (id) PARTITIONS 2;\n" +
    "CREATE SEQUENCE s START WITH 1;\n",
  "1_logs.down.sql": "DROP SEQUENCE s;\nDROP TABLE parts;\nDROP TABLE logs;\n",
};

async function notRestored(up: string, down: string): Promise<string | undefined> {
  const r = await runScenario({
    base: BASE,
    add: { "2_change.up.sql": `${up}\n`, "2_change.down.sql": `${down}\n` },
    dialect: "mysql",
    databases: cliDatabases({ MIGRATION_WARDEN_DATABASE_URL: replayUrl }),
  });
  expect(r.findings.filter((f) => f.ruleId.startsWith("replay-"))).toEqual([]);
  expect(r.data?.downs.map((d) => d.ok)).toEqual([true]); // the down ran
  return r.findings.find((f) => f.ruleId === "down-does-not-restore-schema")?.message;
}

(MISSING ? describe.skip : describe)(
  `mysql replay: downs that leave partitioning or a sequence changed${MISSING ? ` (skipped: ${MISSING})` : ""}`,
  () => {
    test.each<[string, string, RegExp]>([
      [
        "ALTER TABLE logs PARTITION BY RANGE (YEAR(d)) (PARTITION old VALUES LESS THAN (2020), PARTITION rest VALUES LESS THAN MAXVALUE);",
        "SELECT 1;",
        /table `logs` differs: options none → `partitioned`, partitioning none → ``RANGE \(year\(`d`\)\): `old` VALUES LESS THAN \(2020\)/,
      ],
      [
        "ALTER TABLE parts COALESCE PARTITION 1;",
        "SELECT 1;",
        /table `parts` differs: partitioning `` HASH \(`id`\): `p0`, `p1` `` → `` HASH \(`id`\): `p0` ``/,
      ],
      [
        "ALTER TABLE parts REMOVE PARTITIONING;",
        "SELECT 1;",
        /table `parts` differs: options `partitioned` → none, partitioning/,
      ],
      [
        "ALTER SEQUENCE s INCREMENT BY 5 MAXVALUE 1000 CYCLE;",
        "SELECT 1;",
        /sequence `s` differs: increment `1` → `5`, max `\d+` → `1000`, cycle false → true/,
      ],
    ])("up %s, down %s: down-does-not-restore-schema", async (up, down, says) => {
      expect(await notRestored(up, down)).toMatch(says);
    });

    test.each([
      [
        "ALTER TABLE logs PARTITION BY KEY (id) PARTITIONS 3;",
        "ALTER TABLE logs REMOVE PARTITIONING;",
      ],
      ["ALTER TABLE parts ADD PARTITION PARTITIONS 2;", "ALTER TABLE parts COALESCE PARTITION 2;"],
      ["ALTER SEQUENCE s INCREMENT BY 5;", "ALTER SEQUENCE s INCREMENT BY 1;"],
      // Using them is not a schema change: rows in partitions, a sequence's next value.
      [
        "INSERT INTO parts VALUES (1), (2), (3);\nSELECT NEXTVAL(s);\nINSERT INTO logs VALUES (1, '2020-01-01');",
        "DELETE FROM parts;\nDELETE FROM logs;",
      ],
    ])("up %s, down %s: restored", async (up, down) => {
      expect(await notRestored(up, down)).toBeUndefined();
    });
  },
);
