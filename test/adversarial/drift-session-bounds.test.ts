/**
 * `migration-warden drift` connects to production: its session must stay read-only and bounded
 * however it is used, and no error it prints may carry the password.
 *
 * - Read-only holds after the transaction ends: a COMMIT or ROLLBACK through drift's own
 *   connection, then a write, still fails (Postgres `default_transaction_read_only`, MySQL
 *   `SET SESSION TRANSACTION READ ONLY`, SQLite `query_only`), with an account that may write.
 * - The session's bounds are set, and a statement past them is stopped (Postgres
 *   `statement_timeout`/`lock_timeout`, MariaDB `max_statement_time`/`lock_wait_timeout`); a
 *   migration holding golang-migrate's table on MariaDB makes drift stop, exit 2.
 * - Credentials: every URL form (postgres://, postgresql://, mysql://…@tcp(…), the common
 *   mysql://…@host:port) on every error path (wrong password, unknown host, closed port, missing
 *   database, malformed URL), in every output format: exit 2, nothing on stdout, no password in
 *   any form. Also a URL given to the wrong option by mistake (--format, --dir, --ref, --config,
 *   --cwd), which the usage error echoes.
 *
 * Postgres on a database of its own (test/support/drift-database.ts); MariaDB on a database of
 * its own made by MW_TEST_MYSQL_ADMIN_URL's account (which may do anything: only drift's session
 * stands between it and a write). Server cases are skipped, saying why, without the servers.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type mysql from "mysql2/promise";
import initSqlJs from "sql.js";
import { openLive, type LiveLimits } from "../../src/replay/drift/live.js";
import { parseDriftUrl, scrubCredentials, type DriftUrl } from "../../src/replay/drift/url.js";
import { mysqlAdmin } from "../replay/servers.js";
import { runCli } from "../support/cli.js";
import { driftDatabase } from "../support/drift-database.js";
import { TempRepo } from "../support/git-repo.js";

jest.setTimeout(120_000);

const LIMITS: LiveLimits = {
  connectTimeoutMs: 10_000,
  statementTimeoutMs: 1_500,
  lockTimeoutMs: 2_000,
};
const READ_ONLY = /read.only|readonly|READ ONLY/i;

const PG = driftDatabase("mw_drift_session_bounds");
const MY_ADMIN = process.env.MW_TEST_MYSQL_ADMIN_URL;
const MY_DATABASE = "mw_drift_session_bounds";
/** The admin account on the file's own database, as a go-sql-driver DSN. */
function mysqlUrl(): string {
  const u = parseDriftUrl(MY_ADMIN!);
  if (u.dialect !== "mysql") throw new Error("not a mysql URL");
  const a = u.address;
  return `mysql://${encodeURIComponent(a.user)}:${encodeURIComponent(a.password ?? "")}@tcp(${a.host}:${a.port})/${MY_DATABASE}`;
}

const repo = new TempRepo();
repo
  .write({
    ".github/migration-warden.yml":
      "directories:\n  - path: pg\n    dialect: postgres\n  - path: my\n    dialect: mysql\n  - path: lite\n    dialect: sqlite\n",
    "pg/1_t.up.sql": "CREATE TABLE t (id int PRIMARY KEY);\n",
    "my/1_t.up.sql": "CREATE TABLE t (id int PRIMARY KEY);\n",
    "lite/1_t.up.sql": "CREATE TABLE t (id int PRIMARY KEY);\n",
  })
  .commit("migrations");
const cacheDir = mkdtempSync(join(tmpdir(), "mw-drift-bounds-cache-"));

const GOLANG_MIGRATE =
  "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);\n" +
  "INSERT INTO schema_migrations VALUES (1, false);\n" +
  "CREATE TABLE t (id int PRIMARY KEY);\n";

let my: mysql.Connection | undefined;

beforeAll(async () => {
  if (!PG.missing) {
    await PG.open();
    await PG.client().query(
      "DROP OWNED BY CURRENT_USER; CREATE SCHEMA IF NOT EXISTS public;\n" + GOLANG_MIGRATE,
    );
  }
  if (MY_ADMIN) {
    my = await mysqlAdmin(MY_ADMIN);
    await my.query(
      `DROP DATABASE IF EXISTS ${MY_DATABASE}; CREATE DATABASE ${MY_DATABASE}; USE ${MY_DATABASE};\n${GOLANG_MIGRATE}`,
    );
  }
});

afterAll(async () => {
  if (!PG.missing) {
    await PG.client()
      .query("DROP OWNED BY CURRENT_USER; CREATE SCHEMA IF NOT EXISTS public")
      .catch(() => undefined);
    await PG.close();
  }
  await my?.query(`DROP DATABASE IF EXISTS ${MY_DATABASE}`).catch(() => undefined);
  await my?.end();
  repo.cleanup();
  rmSync(cacheDir, { recursive: true, force: true });
});

async function sqliteUrl(): Promise<string> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  db.exec(GOLANG_MIGRATE.replace(/bigint|boolean/g, "integer"));
  writeFileSync(join(repo.dir, "app.db"), db.export());
  db.close();
  return "sqlite3://app.db";
}

interface Case {
  dialect: "postgres" | "mysql" | "sqlite";
  missing: string | null;
  url: () => Promise<string> | string;
  table: string;
}

const CASES: Case[] = [
  {
    dialect: "postgres",
    missing: PG.missing,
    url: () => PG.url,
    table: "public.schema_migrations",
  },
  {
    dialect: "mysql",
    missing: MY_ADMIN ? null : "MW_TEST_MYSQL_ADMIN_URL not set",
    url: mysqlUrl,
    table: "schema_migrations",
  },
  { dialect: "sqlite", missing: null, url: sqliteUrl, table: "schema_migrations" },
];

async function withLive<T>(
  c: Case,
  limits: LiveLimits,
  fn: (live: Awaited<ReturnType<typeof openLive>>) => Promise<T>,
) {
  const url: DriftUrl = parseDriftUrl(await c.url());
  const live = await openLive(url, limits, repo.dir);
  try {
    return await fn(live);
  } finally {
    await live.close();
  }
}

for (const c of CASES)
  (c.missing ? describe.skip : describe)(
    `${c.dialect}: read-only after the transaction ends${c.missing ? ` (skipped: ${c.missing})` : ""}`,
    () => {
      for (const end of ["COMMIT", "ROLLBACK"])
        test(`${end} through drift's connection, then a write: refused`, async () => {
          for (const write of [
            `INSERT INTO ${c.table} (version, dirty) VALUES (99, false)`,
            `UPDATE ${c.table} SET dirty = true`,
            c.dialect === "postgres"
              ? "CREATE TABLE public.pwned (id int)"
              : "CREATE TABLE pwned (id int)",
          ])
            await withLive(c, LIMITS, async (live) => {
              // SQLite (sql.js) has no transaction open to end: an error, then the write.
              await live.query(end).catch(() => undefined);
              await expect(live.query(write)).rejects.toThrow(READ_ONLY);
            });
          // Nothing was written.
          await withLive(c, LIMITS, async (live) => {
            const { rows } = await live.query(`SELECT version, dirty FROM ${c.table}`);
            expect(rows.map((r) => String(r[0]))).toEqual(["1"]);
          });
        });
    },
  );

(PG.missing ? describe.skip : describe)(
  `postgres: the session's bounds${PG.missing ? ` (skipped: ${PG.missing})` : ""}`,
  () => {
    test("statement_timeout, lock_timeout and read-only are set; a statement past the bound is stopped", async () => {
      const pg = CASES[0]!;
      await withLive(pg, LIMITS, async (live) => {
        const { rows } = await live.query(
          "SELECT current_setting('statement_timeout'), current_setting('lock_timeout'), current_setting('transaction_read_only'), current_setting('default_transaction_read_only')",
        );
        expect(rows[0]).toEqual(["1500ms", "2s", "on", "on"]);
        await expect(live.query("SELECT pg_sleep(5)")).rejects.toThrow(/statement timeout/);
      });
    });
  },
);

(MY_ADMIN ? describe : describe.skip)(
  `mysql: the session's bounds${MY_ADMIN ? "" : " (skipped: MW_TEST_MYSQL_ADMIN_URL not set)"}`,
  () => {
    const myCase = CASES[1]!;

    test("max_statement_time, lock_wait_timeout and read-only are set; a statement past the bound is stopped", async () => {
      await withLive(myCase, LIMITS, async (live) => {
        const { rows } = await live.query(
          "SELECT @@SESSION.max_statement_time, @@SESSION.lock_wait_timeout, @@SESSION.tx_read_only",
        );
        expect(rows[0]!.map(Number)).toEqual([1.5, 2, 1]);
        const started = Date.now();
        // MariaDB stops SLEEP at max_statement_time (an error) or returns 1 (interrupted).
        const slept = await live.query("SELECT SLEEP(10)").then(
          (r) => String(r.rows[0]?.[0]),
          (err: Error) => err.message,
        );
        expect(slept).toMatch(/^1$|max_statement_time|interrupted/);
        expect(Date.now() - started).toBeLessThan(9_000);
      });
    });

    test("a migration holding golang-migrate's table: drift stops at its lock limit, exit 2", async () => {
      const holder = await mysqlAdmin(MY_ADMIN!);
      try {
        await holder.query(`USE ${MY_DATABASE}; LOCK TABLES schema_migrations WRITE`);
        const r = await runCli(["drift", "--dir", "my", "--ref", "main"], repo.dir, {
          MIGRATION_WARDEN_DRIFT_DATABASE_URL: mysqlUrl(),
          MIGRATION_WARDEN_CACHE_DIR: cacheDir,
        });
        expect(r.code).toBe(2);
        expect(r.stdout).toBe("");
        expect(r.stderr).toMatch(/lock wait timeout/i);
        expect(r.stderr).toContain("try again later");
      } finally {
        await holder.query("UNLOCK TABLES");
        await holder.end();
      }
    });
  },
);

// --- Credentials on error paths.

/** A password with every character a URL makes awkward. */
const ODD = "Sx9#p@ss:w/rd%?+&=q";
const FORMATS = ["text", "json", "markdown"];

function expectNoSecret(out: string, secrets: string[]) {
  for (const s of secrets) {
    expect(out).not.toContain(s);
    expect(out).not.toContain(encodeURIComponent(s));
  }
}

async function failing(args: string[], env: Record<string, string>, secrets: string[]) {
  for (const format of FORMATS) {
    const r = await runCli(["drift", "--ref", "main", "--format", format, ...args], repo.dir, {
      MIGRATION_WARDEN_CACHE_DIR: cacheDir,
      ...env,
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    // A message of drift's, not a stack trace.
    expect(r.stderr).not.toContain("internal error");
    expectNoSecret(r.stderr, secrets);
    if (format === "text") return r.stderr;
  }
  return "";
}

describe("credentials: malformed URLs and a URL given to the wrong option", () => {
  const forms = [
    `postgres://app:${encodeURIComponent(ODD)}@db.internal:99999/app`,
    `postgresql://app:${encodeURIComponent(ODD)}@[::1/app`,
    `postgres://app@db.internal/app?password=${encodeURIComponent(ODD)}&sslmode=bogus`,
    `mysql://app:${ODD}@tcp(db.internal:3306/app`,
    `mysql://app:${ODD}@unix(/run/mysqld.sock)/app`,
    `mysql://app:${encodeURIComponent(ODD)}@db.internal:3306`,
    `mysql://app:${ODD}@db.internal:3306/app?tls=custom`,
    `app:${ODD}@tcp(db.internal:3306)/app`,
  ];
  test.each(forms)("%s: a usage error without the password", async (url) => {
    const byFlag = await failing(["--database-url", url], {}, [ODD]);
    expect(byFlag).toContain("--database-url");
    const byEnv = await failing([], { MIGRATION_WARDEN_DRIFT_DATABASE_URL: url }, [ODD]);
    expect(byEnv).toMatch(/MIGRATION_WARDEN_DRIFT_DATABASE_URL|Usage/);
  });

  test.each(["--format", "--dir", "--ref", "--config", "--cwd", "--migrations-table"])(
    "the URL given to %s by mistake is not echoed with its password",
    async (flag) => {
      for (const url of [
        `postgres://app:${encodeURIComponent(ODD)}@db.internal/app`,
        `mysql://app:${ODD}@tcp(db.internal:3306)/app`,
        `app:${ODD}@tcp(db.internal:3306)/app`,
      ]) {
        const r = await runCli(
          ["drift", "--database-url", "sqlite3://app.db", "--dir", "lite", flag, url],
          repo.dir,
          { MIGRATION_WARDEN_CACHE_DIR: cacheDir },
        );
        expect(r.code).toBe(2);
        expectNoSecret(r.stdout + r.stderr, [ODD, "p@ss:w/rd"]);
      }
    },
  );
});

describe("scrubCredentials: passwords by their shape, nothing else", () => {
  test("masks scheme://user:password@, user:password@tcp(, password=, also in a resolved path", () => {
    expect(scrubCredentials('got "postgres://app:s3cr%40t@db/app"')).toBe(
      'got "postgres://app:***@db/app"',
    );
    expect(scrubCredentials("/repo/mysql:/app:p@ss:w/rd@tcp(h:3306)/app: ENOENT")).toBe(
      "/repo/mysql:/app:***@tcp(h:3306)/app: ENOENT",
    );
    expect(scrubCredentials("--dir app:p@ss@tcp(h)/db is not")).toBe(
      "--dir app:***@tcp(h)/db is not",
    );
    expect(scrubCredentials("/repo/app:pw@unix(/s)/db")).toBe("/repo/app:***@unix(/s)/db");
    expect(scrubCredentials("postgres://h/db?sslmode=disable&password=pw x")).toBe(
      "postgres://h/db?sslmode=disable&password=*** x",
    );
  });

  test("leaves redacted URLs, drivers' messages and the usage placeholders as they are", () => {
    for (const text of [
      "cannot connect to postgres://mw_drift@127.0.0.1:1/mw_drift: connect ECONNREFUSED 127.0.0.1:1",
      "cannot connect to mysql://mw_drift@tcp([::1]:3306)/mw_drift: Access denied for user 'mw_drift'@'127.0.0.1' (using password: YES)",
      "not a valid URL (expected postgres://user:password@host:port/database?sslmode=…)",
      "the URL names no database (user:password@tcp(host:port)/database)",
      "postgres://[::1]:5432/db and sqlite3:///var/lib/app.db",
    ])
      expect(scrubCredentials(text)).toBe(text);
  });
});

(PG.missing ? describe.skip : describe)(
  `credentials: postgres error paths${PG.missing ? ` (skipped: ${PG.missing})` : ""}`,
  () => {
    const real = () => {
      const u = parseDriftUrl(PG.url);
      if (u.dialect !== "postgres") throw new Error("not postgres");
      return u.address;
    };
    for (const scheme of ["postgres", "postgresql"])
      test(`${scheme}://: wrong password, unknown host, closed port, missing database`, async () => {
        const a = real();
        const at = (user: string, pw: string, host: string, port: number, db: string) =>
          `${scheme}://${user}:${encodeURIComponent(pw)}@${host}:${port}/${db}?sslmode=disable`;
        const wrong = await failing(
          ["--database-url", at(a.user, ODD, a.host, a.port, a.database), "--dir", "pg"],
          {},
          [ODD],
        );
        expect(wrong).toContain("password authentication failed");
        expect(wrong).toContain(`${scheme}://${a.user}@${a.host}:${a.port}/${a.database}`);
        const host = await failing(
          [
            "--database-url",
            at(a.user, ODD, "no-such-host.invalid", 5432, a.database),
            "--dir",
            "pg",
          ],
          {},
          [ODD],
        );
        expect(host).toContain("cannot connect to");
        const port = await failing(
          ["--database-url", at(a.user, ODD, a.host, 1, a.database), "--dir", "pg"],
          {},
          [ODD],
        );
        expect(port).toContain("cannot connect to");
        // The right password: the database is what is wrong, and the password still never shows.
        const db = await failing(
          ["--dir", "pg"],
          {
            MIGRATION_WARDEN_DRIFT_DATABASE_URL: at(
              a.user,
              a.password!,
              a.host,
              a.port,
              "mw_no_such_db",
            ),
          },
          [a.password!],
        );
        expect(db).toContain('database "mw_no_such_db" does not exist');
      });
  },
);

(MY_ADMIN ? describe : describe.skip)(
  `credentials: mysql error paths${MY_ADMIN ? "" : " (skipped: MW_TEST_MYSQL_ADMIN_URL not set)"}`,
  () => {
    const real = () => {
      const u = parseDriftUrl(MY_ADMIN!);
      if (u.dialect !== "mysql") throw new Error("not mysql");
      return u.address;
    };
    const dsn = (tcp: boolean, user: string, pw: string, host: string, port: number, db: string) =>
      tcp
        ? `mysql://${user}:${encodeURIComponent(pw)}@tcp(${host}:${port})/${db}`
        : `mysql://${user}:${encodeURIComponent(pw)}@${host}:${port}/${db}`;
    for (const tcp of [true, false])
      test(`${tcp ? "tcp(host:port)" : "host:port"}: wrong password, unknown host, closed port, missing database`, async () => {
        const a = real();
        const wrong = await failing(
          ["--database-url", dsn(tcp, a.user, ODD, a.host, a.port, MY_DATABASE), "--dir", "my"],
          {},
          [ODD],
        );
        expect(wrong).toContain("Access denied");
        expect(wrong).toContain(`mysql://${a.user}@tcp(${a.host}:${a.port})/${MY_DATABASE}`);
        const host = await failing(
          [
            "--database-url",
            dsn(tcp, a.user, ODD, "no-such-host.invalid", 3306, MY_DATABASE),
            "--dir",
            "my",
          ],
          {},
          [ODD],
        );
        expect(host).toContain("cannot connect to");
        const port = await failing(
          ["--database-url", dsn(tcp, a.user, ODD, a.host, 1, MY_DATABASE), "--dir", "my"],
          {},
          [ODD],
        );
        expect(port).toContain("cannot connect to");
        const db = await failing(
          ["--dir", "my"],
          {
            MIGRATION_WARDEN_DRIFT_DATABASE_URL: dsn(
              tcp,
              a.user,
              a.password!,
              a.host,
              a.port,
              "mw_no_such_db",
            ),
          },
          [a.password!],
        );
        expect(db).toMatch(/Unknown database 'mw_no_such_db'/);
      }, 60_000);
  },
);

(MY_ADMIN ? describe : describe.skip)(
  `a MySQL server refusing the password (the replay's too)${MY_ADMIN ? "" : " (skipped: MW_TEST_MYSQL_ADMIN_URL not set)"}`,
  () => {
    // mysql2's end() on a connection whose handshake failed never settled: drift ended with exit
    // 13 and no word, lint's replay hung. Each must answer well within this test's limit.
    test("lint's replay on a MySQL server with a wrong password: stopped, saying why", async () => {
      const u = parseDriftUrl(MY_ADMIN!);
      if (u.dialect !== "mysql") throw new Error("not mysql");
      const a = u.address;
      const lintRepo = new TempRepo();
      try {
        lintRepo
          .write({
            ".github/migration-warden.yml": "directories:\n  - path: my\n    dialect: mysql\n",
          })
          .commit("config");
        lintRepo.write({ "my/1_t.up.sql": "CREATE TABLE t (id int PRIMARY KEY);\n" });
        const r = await runCli(["lint", "--format", "text"], lintRepo.dir, {
          MIGRATION_WARDEN_DATABASE_URL: `mysql://${a.user}:${encodeURIComponent(ODD)}@${a.host}:${a.port}/${MY_DATABASE}`,
          MIGRATION_WARDEN_CACHE_DIR: cacheDir,
        });
        expect(r.stdout).toContain("Access denied");
        expectNoSecret(r.stdout + r.stderr, [ODD]);
      } finally {
        lintRepo.cleanup();
      }
    }, 60_000);
  },
);
