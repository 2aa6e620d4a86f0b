/**
 * Ground truth for "SQL that hides what it does" (issue 11, items 5–8): each case is run on a real
 * server exactly as golang-migrate sends it (one Exec per file, or per x-multi-statement piece, on
 * one connection for the whole run), on a table with rows. Whenever the server lost rows, the
 * analysis of the same files must report an error on the file that lost them — and a harmless
 * control case must not. PGlite always runs; MariaDB runs when MW_TEST_MYSQL_URL is set
 * (.ci/start-databases.sh), in the database of MW_TEST_MYSQL_READING_URL when that is set too: the
 * replay tests reset MW_TEST_MYSQL_URL's database, maybe while this file runs in another worker.
 */
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import type mysql from "mysql2/promise";
import { gunzipSync } from "node:zlib";
import { templateKey } from "../../../src/replay/cache.js";
import { PGLITE_VERSION } from "../../../src/replay/engines/embedded.js";
import { multiStatementPieces } from "../../../src/core/sql/split.js";
import type { Dialect, Finding } from "../../../src/core/types.js";
import { lint } from "../../helpers/lint.js";
import { mysqlAdmin } from "../../replay/servers.js";
import { SHARED_TEMPLATES } from "../../support/replay-templates.js";

interface Case {
  name: string;
  /** Migration files in the order golang-migrate runs them. */
  files: string[];
  multiStatement?: boolean;
  /** Does the server lose rows (checked, not assumed)? */
  loses: boolean;
}

const PG_CASES: Case[] = [
  {
    name: "a merged migration turned standard_conforming_strings off",
    files: ["SET standard_conforming_strings = off;", "SELECT '\\''; DELETE FROM users; -- '"],
    loses: true,
  },
  {
    name: "the same SET in the same file does not change how that file is read",
    files: ["SET standard_conforming_strings = off; SELECT '\\''; DELETE FROM users; -- '"],
    loses: false,
  },
  {
    name: "x-multi-statement: a ';' inside a comment ends the piece",
    files: ["-- stale rows; DELETE FROM users;"],
    multiStatement: true,
    loses: true,
  },
  {
    name: "x-multi-statement: a ';' inside a string ends the piece, which then fails",
    files: ["SELECT 'keep; DELETE FROM users; --';"],
    multiStatement: true,
    loses: false,
  },
  {
    name: "x-multi-statement: a quote inside a comment piece does not open a string",
    files: ["-- it's fine; DELETE FROM users; -- '"],
    multiStatement: true,
    loses: true,
  },
  {
    name: "a DO block that deletes only when rows exist",
    files: ["DO $$ BEGIN IF EXISTS (SELECT 1 FROM users) THEN DELETE FROM users; END IF; END $$;"],
    loses: true,
  },
  {
    name: "EXECUTE of a constant in a DO block",
    files: ["DO $$ BEGIN EXECUTE format('DELETE FROM %I', 'users'); END $$;"],
    loses: true,
  },
  {
    name: "a data-modifying CTE",
    files: ["WITH d AS (DELETE FROM users RETURNING 1) SELECT count(*) FROM d;"],
    loses: true,
  },
  {
    name: "MERGE … WHEN MATCHED THEN DELETE",
    files: ["MERGE INTO users u USING (SELECT 1 AS x) s ON true WHEN MATCHED THEN DELETE;"],
    loses: true,
  },
  {
    name: "PREPARE … AS DELETE; EXECUTE",
    files: ["PREPARE p AS DELETE FROM users; EXECUTE p;"],
    loses: true,
  },
  { name: "WHERE 1 = 1", files: ["DELETE FROM users WHERE 1 = 1;"], loses: true },
  { name: "WHERE id = id", files: ["DELETE FROM users WHERE id = id;"], loses: true },
  {
    name: "a function created and called",
    files: ["CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'DELETE FROM users'; SELECT f();"],
    loses: true,
  },
  {
    name: "a trigger fired by the migration's own insert",
    files: [
      "CREATE TABLE ev (id int); CREATE FUNCTION w() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM users; RETURN NEW; END $$; CREATE TRIGGER t AFTER INSERT ON ev FOR EACH ROW EXECUTE FUNCTION w(); INSERT INTO ev VALUES (1);",
    ],
    loses: true,
  },
  {
    name: "a DO body whose string ends at a backslash-quote only with the setting off",
    files: ["DO $b$BEGIN PERFORM 'a\\'; DELETE FROM users; --';\nEND$b$;"],
    loses: true,
  },
  {
    name: "a function created in the change, called from a RAISE's parameters in a DO block",
    files: [
      "CREATE FUNCTION purge() RETURNS int LANGUAGE sql AS $$ DELETE FROM users RETURNING 1 $$; DO $$ BEGIN RAISE NOTICE 'purged %', purge(); END $$;",
    ],
    loses: true,
  },
  {
    name: "a function created in the change, called from EXECUTE … USING in a DO block",
    files: [
      "CREATE FUNCTION purge() RETURNS int LANGUAGE sql AS $$ DELETE FROM users RETURNING 1 $$; DO $$ BEGIN EXECUTE 'SELECT $1' USING purge(); END $$;",
    ],
    loses: true,
  },
  {
    name: "control: a filtered DELETE of nothing",
    files: ["DELETE FROM users WHERE id < 0;"],
    loses: false,
  },
];

const MYSQL_CASES: Case[] = [
  {
    name: "`--` without a space is arithmetic",
    files: ["SELECT 1--1; DELETE FROM users;"],
    loses: true,
  },
  {
    name: "`--` before a byte-order mark is not a comment",
    files: ["CREATE TABLE t (`\ufeff` int); SELECT 1 --\ufeff FROM t; DELETE FROM users;"],
    loses: true,
  },
  { name: "a versioned comment is code", files: ["/*!50000 DELETE FROM users */;"], loses: true },
  {
    name: "MariaDB's /*M! comment is code",
    files: ["/*M!100100 DELETE FROM users */;"],
    loses: true,
  },
  { name: "control: # comments", files: ["# x; DELETE FROM users\nSELECT 1;"], loses: false },
  {
    name: "NO_BACKSLASH_ESCAPES changes the rest of the same file",
    files: [
      "SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'; SELECT 'a\\'; DELETE FROM users; -- ';",
    ],
    loses: true,
  },
  {
    name: "NO_BACKSLASH_ESCAPES set by an earlier migration",
    files: [
      "SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES';",
      "SELECT 'a\\'; DELETE FROM users; -- ';",
    ],
    loses: true,
  },
  {
    name: "a GBK client encoding merges a backslash into the character before it",
    files: ["SET NAMES gbk; SELECT '\u4e2d\\'; DELETE FROM users; -- ';"],
    loses: true,
  },
  { name: "BEGIN NOT ATOMIC", files: ["BEGIN NOT ATOMIC DELETE FROM users; END;"], loses: true },
  {
    name: "IF outside a routine",
    files: ["IF 1 = 1 THEN DELETE FROM users; END IF;"],
    loses: true,
  },
  {
    name: "`begin` as a name in a routine does not hide the next statement",
    files: ["CREATE PROCEDURE p() SELECT begin FROM users; DELETE FROM users;"],
    loses: true,
  },
  {
    name: "a procedure created and called, deleting only when rows exist",
    files: [
      "CREATE PROCEDURE q() BEGIN IF (SELECT COUNT(*) FROM users) > 0 THEN DELETE FROM users; END IF; END; CALL q();",
    ],
    loses: true,
  },
  {
    name: "PREPARE FROM a literal",
    files: ["PREPARE s FROM 'DELETE FROM users'; EXECUTE s;"],
    loses: true,
  },
  {
    name: "a function created in the change, called from SET",
    files: [
      "CREATE FUNCTION wipe() RETURNS INT MODIFIES SQL DATA BEGIN DELETE FROM users; RETURN 1; END; SET @x = wipe();",
    ],
    loses: true,
  },
  {
    name: "a function created in the change, called from CREATE TABLE … AS SELECT",
    files: [
      "CREATE FUNCTION wipe() RETURNS INT MODIFIES SQL DATA BEGIN DELETE FROM users; RETURN 1; END; CREATE TABLE t AS SELECT wipe() AS a;",
    ],
    loses: true,
  },
  {
    name: "a function created in the change, called from a DECLARE default in a procedure",
    files: [
      "CREATE FUNCTION wipe() RETURNS INT MODIFIES SQL DATA BEGIN DELETE FROM users; RETURN 1; END; CREATE PROCEDURE p() BEGIN DECLARE x INT DEFAULT wipe(); END; CALL p();",
    ],
    loses: true,
  },
  {
    name: "a function created in the change, called from an IF condition in a procedure",
    files: [
      "CREATE FUNCTION wipe() RETURNS INT MODIFIES SQL DATA BEGIN DELETE FROM users; RETURN 1; END; CREATE PROCEDURE p() BEGIN IF wipe() > 0 THEN SELECT 1; END IF; END; CALL p();",
    ],
    loses: true,
  },
];

async function check(c: Case, dialect: Dialect, lost: boolean[]): Promise<void> {
  expect(lost.some((x) => x)).toBe(c.loses); // the case means what it says
  const names = Object.fromEntries(c.files.map((sql, i) => [`${i + 2}_case.up.sql`, sql]));
  const findings = await lint({ files: names, dialect, multiStatement: c.multiStatement ?? false });
  const errorsIn = (i: number) =>
    findings.filter(
      (f: Finding) =>
        f.severity === "error" && !f.suppressed && f.path === `migrations/${i + 2}_case.up.sql`,
    );
  lost.forEach((l, i) => {
    if (l) expect(errorsIn(i).map((f) => f.ruleId)).not.toEqual([]);
  });
  if (!c.loses && c.name.startsWith("control"))
    expect(findings.filter((f) => f.severity === "error")).toEqual([]);
}

describe("Postgres (PGlite): what the server runs, the analysis reports", () => {
  let db: PGlite;
  beforeAll(async () => {
    // From the fresh-database template the replay tests share (initdb's data directory, cleanly
    // shut down, for this very PGlite: about 1 CPU-s to start instead of initdb's 4–5) when one
    // is there; otherwise initdb, as before. Either way the same fresh Postgres.
    const template = await SHARED_TEMPLATES.get(templateKey(`pglite@${PGLITE_VERSION}`)).catch(
      () => null,
    );
    if (template?.kind === "state") {
      const tar =
        template.data[0] === 0x1f && template.data[1] === 0x8b // gzip, as the sandbox stores it
          ? gunzipSync(template.data)
          : template.data;
      db = await PGlite.create({ loadDataDir: new Blob([tar]) }).catch(() => PGlite.create());
    } else db = await PGlite.create();
  });
  afterAll(() => db.close());

  test.each(PG_CASES)("$name", async (c) => {
    await db.exec(
      "DROP SCHEMA public CASCADE; CREATE SCHEMA public; CREATE TABLE users (id int); INSERT INTO users VALUES (1), (2);",
    );
    await db.exec("RESET ALL; DEALLOCATE ALL;");
    const lost: boolean[] = [];
    for (const file of c.files) {
      const units = c.multiStatement
        ? multiStatementPieces(file).map((p) => file.slice(p.start, p.end))
        : [file];
      for (const u of units) {
        try {
          await db.exec(u);
        } catch {
          break; // golang-migrate stops at the first failing Exec
        }
      }
      const n = (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM users")).rows[0]!.n;
      lost.push(n < 2 && !lost.some((x) => x));
    }
    await check(c, "postgres", lost);
  });
});

const mysqlUrl =
  process.env.MW_TEST_MYSQL_URL &&
  (process.env.MW_TEST_MYSQL_READING_URL || process.env.MW_TEST_MYSQL_URL);
(mysqlUrl ? describe : describe.skip)(
  `MariaDB (MW_TEST_MYSQL_URL${mysqlUrl ? "" : " not set: skipped"}): what the server runs, the analysis reports`,
  () => {
    let conn: mysql.Connection;
    beforeAll(async () => {
      conn = await mysqlAdmin(mysqlUrl!);
    });
    afterAll(() => conn.end());

    test.each(MYSQL_CASES)("$name", async (c) => {
      await conn.query(
        "SET SESSION sql_mode = DEFAULT; SET NAMES utf8mb4; DROP PROCEDURE IF EXISTS p; DROP PROCEDURE IF EXISTS q; DROP FUNCTION IF EXISTS wipe; DROP TABLE IF EXISTS users, t; CREATE TABLE users (id int, `begin` int); INSERT INTO users VALUES (1, 1), (2, 2);",
      );
      const lost: boolean[] = [];
      for (const file of c.files) {
        try {
          await conn.query(file);
        } catch {
          // golang-migrate stops here
        }
        const [rows] = await conn.query("SELECT COUNT(*) AS n FROM users");
        const n = Number((rows as Array<{ n: number }>)[0]!.n);
        lost.push(n < 2 && !lost.some((x) => x));
      }
      await check(c, "mysql", lost);
    });
  },
);
