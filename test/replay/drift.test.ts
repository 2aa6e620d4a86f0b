/**
 * `migration-warden drift` end to end, through the CLI, against live databases: SQLite files
 * (always), and the PostgreSQL and MariaDB servers .ci/start-databases.sh starts
 * (MW_TEST_POSTGRES_DRIFT_URL, MW_TEST_MYSQL_DRIFT_URL with MW_TEST_MYSQL_DRIFT_REPLAY_URL as the
 * MySQL replay database); without them their tests are skipped and say why.
 *
 * The shared scenarios are one table over the three databases: in sync, pending migrations, a
 * column added by hand, an index dropped by hand, dirty, an unknown version, a missing migrations
 * table, and a write through drift's own connection, which must fail. Each database's own cases
 * (schemas, DSN forms, WAL files, credentials) follow. One file on purpose, hence its length:
 * these tests reset and change the shared live and replay databases, which a test in a second
 * file could be reading at the same time.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from "@jest/globals";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mysql from "mysql2/promise";
import pg from "pg";
import initSqlJs from "sql.js";
import { openLive, readLive } from "../../src/replay/drift/live.js";
import { parseDriftUrl } from "../../src/replay/drift/url.js";
import { runCli, type CliResult } from "../support/cli.js";
import { TempRepo } from "../support/git-repo.js";
import { seedCacheDir } from "./support.js";

jest.setTimeout(120_000);

type Dialect = "postgres" | "mysql" | "sqlite";

/** A live database the tests migrate and change by hand, and drift reads. */
interface LiveDb {
  dialect: Dialect;
  /** Why its tests are skipped, or null. */
  missing: string | null;
  url: string;
  /** Environment for the CLI (the MySQL replay database). */
  env: Record<string, string>;
  /** Up migrations 1, 2, 3 (up to 2 applied by default). */
  ups: [string, string, string];
  /** Hand changes: a column added, an index dropped. */
  addColumn: string;
  dropIndex: string;
  /** What the differences name. */
  names: { column: string; index: string };
  reset(): Promise<void>;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

const SECRETS = ["mw-drift-password", "mw-test-password", "mw-admin-password"];

// --- SQLite: a file made with sql.js (what a driver would leave on disk).

const sqlite = await initSqlJs();
const sqliteRepo = new TempRepo();
const sqliteFile = join(sqliteRepo.dir, "app.db");
let sqliteDb = new sqlite.Database();

const SQLITE: LiveDb = {
  dialect: "sqlite",
  missing: null,
  url: "sqlite3://app.db",
  env: {},
  ups: [
    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\nCREATE UNIQUE INDEX users_email ON users (email);\n",
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));\nCREATE INDEX orders_user ON orders (user_id);\nCREATE VIEW user_orders AS SELECT u.email, o.id FROM users u JOIN orders o ON o.user_id = u.id;\n",
    "ALTER TABLE users ADD COLUMN name TEXT;\n",
  ],
  addColumn: "ALTER TABLE users ADD COLUMN nick TEXT",
  dropIndex: "DROP INDEX orders_user",
  names: { column: "users.nick", index: "orders_user" },
  async reset() {
    sqliteDb.close();
    sqliteDb = new sqlite.Database();
    writeFileSync(sqliteFile, sqliteDb.export());
  },
  async exec(sql) {
    sqliteDb.exec(sql);
    writeFileSync(sqliteFile, sqliteDb.export());
  },
  async close() {
    sqliteDb.close();
  },
};

// --- PostgreSQL: the drift account owns its database.

const PG_URL = process.env.MW_TEST_POSTGRES_DRIFT_URL;
let pgClient: pg.Client | undefined;
const pgConnect = async () => {
  const c = new pg.Client({ connectionString: PG_URL!.replace(/\?.*$/, "") });
  await c.connect();
  return c;
};

const POSTGRES: LiveDb = {
  dialect: "postgres",
  missing: PG_URL ? null : "MW_TEST_POSTGRES_DRIFT_URL not set",
  url: PG_URL ?? "",
  env: {},
  ups: [
    "CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());\nCREATE UNIQUE INDEX users_email_idx ON users (email);\n",
    "CREATE TYPE order_status AS ENUM ('new', 'paid');\n" +
      "CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id bigint REFERENCES users (id) ON DELETE CASCADE,\n" +
      "  status order_status NOT NULL DEFAULT 'new', total numeric(10,2) CHECK (total >= 0));\n" +
      "CREATE INDEX orders_user_idx ON orders (user_id) WHERE status <> 'paid';\n" +
      "CREATE VIEW paid_orders AS SELECT o.id, u.email FROM orders o JOIN users u ON u.id = o.user_id WHERE o.status = 'paid';\n" +
      "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.total := coalesce(NEW.total, 0); RETURN NEW; END $$;\n" +
      "CREATE TRIGGER orders_touch BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION touch();\n" +
      "CREATE EXTENSION IF NOT EXISTS pgcrypto;\n",
    "ALTER TABLE users ADD COLUMN name text;\n",
  ],
  addColumn: "ALTER TABLE users ADD COLUMN nick text",
  dropIndex: "DROP INDEX orders_user_idx",
  names: { column: "public.users.nick", index: "public.orders_user_idx" },
  async reset() {
    pgClient ??= await pgConnect();
    await pgClient.query(
      "DROP OWNED BY CURRENT_USER; CREATE SCHEMA IF NOT EXISTS public; SET search_path TO DEFAULT",
    );
  },
  async exec(sql) {
    await pgClient!.query(sql);
  },
  async close() {
    await pgClient?.end();
  },
};

// --- MariaDB / MySQL: replayed on a database of its own.

const MY_URL = process.env.MW_TEST_MYSQL_DRIFT_URL;
const MY_REPLAY = process.env.MW_TEST_MYSQL_DRIFT_REPLAY_URL;
let myConn: mysql.Connection | undefined;

const MYSQL: LiveDb = {
  dialect: "mysql",
  missing:
    MY_URL && MY_REPLAY
      ? null
      : "MW_TEST_MYSQL_DRIFT_URL or MW_TEST_MYSQL_DRIFT_REPLAY_URL not set",
  url: MY_URL ?? "",
  env: MY_REPLAY ? { MIGRATION_WARDEN_DATABASE_URL: MY_REPLAY } : {},
  ups: [
    "CREATE TABLE users (id bigint AUTO_INCREMENT PRIMARY KEY, email varchar(320) NOT NULL,\n  created_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP, UNIQUE KEY users_email (email)) ENGINE=InnoDB;\n",
    "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total decimal(10,2) CHECK (total >= 0),\n" +
      "  KEY orders_user (user_id), CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE);\n" +
      "CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;\n" +
      "CREATE TRIGGER orders_bi BEFORE INSERT ON orders FOR EACH ROW SET NEW.total = COALESCE(NEW.total, 0);\n",
    "ALTER TABLE users ADD COLUMN name varchar(100) NULL;\n",
  ],
  addColumn: "ALTER TABLE users ADD COLUMN nick varchar(50) NULL",
  dropIndex: "ALTER TABLE orders DROP FOREIGN KEY orders_user_fk, DROP INDEX orders_user",
  names: { column: "users.nick", index: "orders.orders_user" },
  async reset() {
    if (!myConn) {
      const u = parseDriftUrl(MY_URL!);
      if (u.dialect !== "mysql") throw new Error("not a mysql URL");
      myConn = await mysql.createConnection({
        host: u.address.host,
        port: u.address.port,
        user: u.address.user,
        password: u.address.password!,
        database: u.address.database,
        multipleStatements: true,
      });
    }
    const [rows] = await myConn.query<mysql.RowDataPacket[]>(
      "SELECT TABLE_NAME AS t, TABLE_TYPE AS y FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()",
    );
    const drops = rows.map(
      (r) => `DROP ${r.y === "VIEW" ? "VIEW" : "TABLE"} IF EXISTS \`${String(r.t)}\``,
    );
    await myConn.query(
      ["SET FOREIGN_KEY_CHECKS = 0", ...drops, "SET FOREIGN_KEY_CHECKS = 1"].join(";"),
    );
  },
  async exec(sql) {
    await myConn!.query(sql);
  },
  async close() {
    await myConn?.end();
  },
};

const DATABASES = [SQLITE, POSTGRES, MYSQL];
const repos = new Map<Dialect, TempRepo>();

/** The repository: versions 1–3 on main, with down files; SQLite's holds the database file. */
function repoFor(db: LiveDb): TempRepo {
  let repo = repos.get(db.dialect);
  if (repo) return repo;
  repo = db.dialect === "sqlite" ? sqliteRepo : new TempRepo();
  const names = ["1_users", "2_orders", "3_name"];
  const files: Record<string, string> = {
    ".github/migration-warden.yml": `directories:\n  - path: db/migrations\n    dialect: ${db.dialect}\n`,
  };
  db.ups.forEach((text, i) => {
    files[`db/migrations/${names[i]}.up.sql`] = text;
    files[`db/migrations/${names[i]}.down.sql`] = "-- not used by drift\n";
  });
  repo.write(files).commit("migrations");
  repos.set(db.dialect, repo);
  return repo;
}

afterAll(async () => {
  for (const db of DATABASES) await db.close().catch(() => undefined);
  for (const r of new Set([...repos.values(), sqliteRepo])) r.cleanup();
  rmSync(cacheDir, { recursive: true, force: true });
});

/** Migrate the live database like golang-migrate: files 1..n, then the version row. */
async function migrate(db: LiveDb, n: number, opts: { dirty?: boolean; version?: number } = {}) {
  await db.reset();
  await db.exec(
    db.dialect === "sqlite"
      ? "CREATE TABLE schema_migrations (version uint64, dirty bool)"
      : "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)",
  );
  for (const up of db.ups.slice(0, n)) await db.exec(up);
  const dirty = opts.dirty ? "true" : "false";
  await db.exec(
    `INSERT INTO schema_migrations (version, dirty) VALUES (${opts.version ?? n}, ${dirty})`,
  );
}

// Base states cached across the file's runs (each run is a CLI process of its own otherwise).
const cacheDir = mkdtempSync(join(tmpdir(), "mw-drift-cache-"));
seedCacheDir(cacheDir);

async function drift(db: LiveDb, args: string[] = [], env: Record<string, string> = {}) {
  const json = !args.includes("--format");
  const r = await runCli(
    ["drift", ...(json ? ["--format", "json"] : []), ...args],
    repoFor(db).dir,
    {
      MIGRATION_WARDEN_DRIFT_DATABASE_URL: db.url,
      MIGRATION_WARDEN_CACHE_DIR: cacheDir,
      ...db.env,
      ...env,
    },
  );
  for (const s of SECRETS) {
    expect(r.stdout).not.toContain(s);
    expect(r.stderr).not.toContain(s);
  }
  return { ...r, report: json && r.stdout ? JSON.parse(r.stdout) : null };
}

type Result = CliResult & { report: any };
const brief = (r: Result) =>
  r.report.differences.map((d: any) => `${d.change} ${d.kind} ${d.object}`);

for (const db of DATABASES) {
  (db.missing ? describe.skip : describe)(
    `${db.dialect}${db.missing ? ` (skipped: ${db.missing})` : ""}`,
    () => {
      beforeAll(() => {
        repoFor(db);
      });

      test("in sync at the latest version: exit 0, and the JSON shape of the contract", async () => {
        await migrate(db, 3);
        const r = await drift(db);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(Object.keys(r.report)).toEqual([
          "tool",
          "database",
          "expected",
          "status",
          "pending",
          "differences",
          "notes",
        ]);
        expect(r.report).toMatchObject({
          tool: { name: "migration-warden" },
          database: { dialect: db.dialect, version: "3", dirty: false },
          expected: { ref: "main", version: "3" },
          status: "in-sync",
          pending: [],
          differences: [],
        });
        expect(r.report.database.url).not.toMatch(/password/);
      });

      test("pending migrations are information, not drift: exit 0", async () => {
        await migrate(db, 2);
        const r = await drift(db);
        expect(r.code).toBe(0);
        expect(r.report.status).toBe("in-sync");
        expect(r.report.expected.version).toBe("2");
        expect(r.report.pending).toEqual([{ version: "3", path: "db/migrations/3_name.up.sql" }]);
        const text = await drift(db, ["--format", "text"]);
        expect(text.stdout).toContain(
          "pending (not applied yet, not drift): 3 db/migrations/3_name.up.sql",
        );
      });

      test("a column added by hand: drift, with the live definition", async () => {
        await migrate(db, 3);
        await db.exec(db.addColumn);
        const r = await drift(db);
        expect(r.code).toBe(1);
        expect(r.report.status).toBe("drift");
        expect(r.report.differences).toEqual([
          {
            kind: "column",
            object: db.names.column,
            change: "added",
            expected: null,
            actual: expect.stringMatching(/^(text|TEXT|varchar\(50\) default NULL)$/),
          },
        ]);
        const md = await drift(db, ["--format", "markdown"]);
        expect(md.code).toBe(1);
        expect(md.stdout).toContain("## Schema drift: drift");
        expect(md.stdout).toContain("| + | column |");
      });

      test("an index dropped by hand: missing, with the definition the migrations give", async () => {
        await migrate(db, 3);
        await db.exec(db.dropIndex);
        const r = await drift(db);
        expect(r.code).toBe(1);
        const index = r.report.differences.find((d: any) => d.kind === "index");
        expect(index).toEqual({
          kind: "index",
          object: db.names.index,
          change: "missing",
          expected: expect.stringContaining("user_id"),
          actual: null,
        });
      });

      test("dirty: status dirty, exit 1, even when the schema matches", async () => {
        await migrate(db, 2, { dirty: true });
        const r = await drift(db);
        expect(r.code).toBe(1);
        expect(r.report.status).toBe("dirty");
        expect(r.report.database).toMatchObject({ version: "2", dirty: true });
        expect(r.report.notes.join(" ")).toContain("migrate force");
      });

      test("a version the repository does not have: unknown-version, compared with the one below", async () => {
        await migrate(db, 3, { version: 7 });
        const r = await drift(db);
        expect(r.code).toBe(1);
        expect(r.report.status).toBe("unknown-version");
        expect(r.report.database.version).toBe("7");
        expect(r.report.expected.version).toBe("3");
        expect(r.report.differences).toEqual([]);
        expect(r.report.notes.join(" ")).toContain("the highest the repository has below 7");
      });

      test("no migrations table: a clear error, exit 2, nothing on stdout", async () => {
        await db.reset();
        const r = await drift(db);
        expect(r.code).toBe(2);
        expect(r.stdout).toBe("");
        expect(r.stderr).toContain("schema_migrations");
        expect(r.stderr).toContain("golang-migrate's migrations table is missing");
      });

      test("drift's own connection cannot write, whatever the account may do", async () => {
        await migrate(db, 2);
        const url = parseDriftUrl(db.url);
        const limits = {
          connectTimeoutMs: 10_000,
          statementTimeoutMs: 10_000,
          lockTimeoutMs: 2_000,
        };
        // The account owns the database: only drift's connection stands between it and a write.
        // Postgres reads with search_path = pg_catalog: names are qualified.
        const s = db.dialect === "postgres" ? "public." : "";
        for (const sql of [
          `INSERT INTO ${s}schema_migrations (version, dirty) VALUES (99, false)`,
          `UPDATE ${s}schema_migrations SET version = 99`,
          `CREATE TABLE ${s}pwned (id int)`,
          `DROP TABLE ${s}users`,
        ]) {
          const live = await openLive(url, limits, repoFor(db).dir);
          try {
            await expect(live.query(sql)).rejects.toThrow(/read.only|readonly|READ ONLY/i);
          } finally {
            await live.close();
          }
        }
        // Nothing changed: the same database is still at version 2, in sync.
        const r = await drift(db);
        expect(r.report).toMatchObject({ status: "in-sync", database: { version: "2" } });
      });
    },
  );
}

describe("sqlite", () => {
  test("a database in WAL mode: committed transactions still in the log are read", async () => {
    await migrate(SQLITE, 3);
    // The main file as it was before the hand change; the change only in the log.
    const before = Buffer.from(readFileSync(sqliteFile));
    sqliteDb.exec(SQLITE.addColumn);
    const after = Buffer.from(sqliteDb.export());
    writeFileSync(sqliteFile, walMode(before));
    writeFileSync(`${sqliteFile}-wal`, walOf(before, after));
    try {
      const r = await drift(SQLITE);
      expect(brief(r)).toEqual(["added column users.nick"]);
      // The files were only read.
      expect(readFileSync(`${sqliteFile}-wal`).length).toBeGreaterThan(32);
    } finally {
      rmSync(`${sqliteFile}-wal`, { force: true });
    }
  });

  test("a file that does not exist, or is not a database: exit 2", async () => {
    const missing = await drift(SQLITE, ["--database-url", "sqlite3://nope.db"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot read");
    writeFileSync(join(sqliteRepo.dir, "junk.db"), "not a database at all, just text".repeat(10));
    const junk = await drift(SQLITE, ["--database-url", "sqlite://junk.db"]);
    expect(junk.code).toBe(2);
    expect(junk.stderr).toContain("not an SQLite database");
  });

  test("a view named like the migrations table is refused, not read", async () => {
    await SQLITE.reset();
    await SQLITE.exec("CREATE VIEW schema_migrations AS SELECT 3 AS version, 0 AS dirty");
    const r = await drift(SQLITE);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("is a view, not golang-migrate's migrations table");
  });

  test("x-migrations-table and --migrations-table name another table", async () => {
    await migrate(SQLITE, 3);
    await SQLITE.exec("ALTER TABLE schema_migrations RENAME TO my_versions");
    const viaUrl = await drift(SQLITE, [
      "--database-url",
      "sqlite3://app.db?x-migrations-table=my_versions&_foreign_keys=on",
    ]);
    expect(viaUrl.report.status).toBe("in-sync");
    expect(viaUrl.report.notes.join(" ")).toContain("_foreign_keys");
    const viaFlag = await drift(SQLITE, ["--migrations-table", "my_versions"]);
    expect(viaFlag.report.status).toBe("in-sync");
  });
});

describe("the command", () => {
  test("--dir picks the directory; a URL of another dialect, or outside a repository: exit 2", async () => {
    await migrate(SQLITE, 3);
    const config = join(sqliteRepo.dir, "two-dirs.yml");
    writeFileSync(
      config,
      "directories:\n  - path: db/migrations\n    dialect: sqlite\n  - path: other\n    dialect: postgres\n",
    );
    const ambiguous = await drift(SQLITE, ["--config", config]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain(
      "the configuration has several migration directories: pass --dir (one of db/migrations, other)",
    );
    const unknown = await drift(SQLITE, ["--config", config, "--dir", "nope"]);
    expect(unknown.stderr).toContain("--dir nope is not a configured migration directory");
    const chosen = await drift(SQLITE, ["--config", config, "--dir", "./db/migrations/"]);
    expect(chosen.report.status).toBe("in-sync");
    // Checked before connecting to anything.
    const mismatch = await drift(SQLITE, [
      "--config",
      config,
      "--dir",
      "other",
      "--database-url",
      "sqlite3://app.db",
    ]);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toContain(
      "the database URL is sqlite, but other holds postgres migrations",
    );
    const outside = await runCli(["drift", "--database-url", "sqlite3://x.db"], tmpdir(), {});
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain("is not inside a git repository");
    const help = await runCli(["help", "drift"], tmpdir(), {});
    expect(help.stdout).toContain("Usage: migration-warden drift --database-url URL");
  });
});

/** A rollback-journal database file marked as WAL mode (file format versions 2). */
function walMode(main: Buffer): Buffer {
  const b = Buffer.from(main);
  b[18] = 2;
  b[19] = 2;
  return b;
}

/** A write-ahead log holding, as one committed transaction, every page that differs. */
function walOf(before: Buffer, after: Buffer): Buffer {
  const pageSize = after.readUInt16BE(16);
  const sum = (data: Buffer, s: [number, number]): [number, number] => {
    let [s0, s1] = s;
    for (let i = 0; i < data.length; i += 8) {
      s0 = (s0 + data.readUInt32BE(i) + s1) >>> 0;
      s1 = (s1 + data.readUInt32BE(i + 4) + s0) >>> 0;
    }
    return [s0, s1];
  };
  const header = Buffer.alloc(32);
  header.writeUInt32BE(0x377f0683, 0); // big-endian checksums
  header.writeUInt32BE(3007000, 4);
  header.writeUInt32BE(pageSize, 8);
  header.writeUInt32BE(1, 12);
  header.writeUInt32BE(0x12345678, 16);
  header.writeUInt32BE(0x9abcdef0, 20);
  let s = sum(header.subarray(0, 24), [0, 0]);
  header.writeUInt32BE(s[0], 24);
  header.writeUInt32BE(s[1], 28);
  const pages = after.length / pageSize;
  const changed: number[] = [];
  for (let n = 1; n <= pages; n++) {
    const a = after.subarray((n - 1) * pageSize, n * pageSize);
    const b = before.subarray((n - 1) * pageSize, n * pageSize);
    if (!a.equals(b)) changed.push(n);
  }
  const frames = changed.map((n, i) => {
    const page = walMode(after).subarray((n - 1) * pageSize, n * pageSize);
    const fh = Buffer.alloc(24);
    fh.writeUInt32BE(n, 0);
    fh.writeUInt32BE(i === changed.length - 1 ? pages : 0, 4);
    fh.writeUInt32BE(0x12345678, 8);
    fh.writeUInt32BE(0x9abcdef0, 12);
    s = sum(page, sum(fh.subarray(0, 8), s));
    fh.writeUInt32BE(s[0], 16);
    fh.writeUInt32BE(s[1], 20);
    return Buffer.concat([fh, page]);
  });
  // A frame after the commit that was never committed: it must not count.
  const stray = Buffer.alloc(24 + pageSize);
  stray.writeUInt32BE(1, 0);
  return Buffer.concat([header, ...frames, stray]);
}

(POSTGRES.missing ? describe.skip : describe)(
  `postgres: schemas, credentials, servers${POSTGRES.missing ? ` (skipped: ${POSTGRES.missing})` : ""}`,
  () => {
    const withQuery = (extra: string) =>
      `${POSTGRES.url}${POSTGRES.url.includes("?") ? "&" : "?"}${extra}`;

    test("the migrations table in another schema (x-migrations-table-quoted); objects in other schemas; drift.ignore", async () => {
      await migrate(POSTGRES, 3);
      await POSTGRES.exec("CREATE SCHEMA ops; ALTER TABLE schema_migrations SET SCHEMA ops");
      const url = withQuery(
        "x-migrations-table=%22ops%22.%22schema_migrations%22&x-migrations-table-quoted=1",
      );
      const moved = await drift(POSTGRES, ["--database-url", url]);
      expect(moved.code).toBe(0);
      expect(moved.report.notes).toContain(
        "schema ops holds only golang-migrate's table: not compared.",
      );
      // The pgx driver's lock table (x-lock-strategy=table) is golang-migrate's too.
      await POSTGRES.exec("CREATE TABLE ops.schema_lock (lock_id bigint PRIMARY KEY)");
      const locked = await drift(POSTGRES, ["--database-url", `${url}&x-lock-strategy=table`]);
      expect(locked.report.status).toBe("in-sync");
      expect(brief(await drift(POSTGRES, ["--database-url", url]))).toEqual([
        "added schema ops",
        "added table ops.schema_lock",
        "added column ops.schema_lock.lock_id",
        "added constraint ops.schema_lock.schema_lock_pkey",
        "added index ops.schema_lock_pkey",
      ]);
      await POSTGRES.exec("DROP TABLE ops.schema_lock");
      // Without the option golang-migrate would look in public, and so does drift.
      expect((await drift(POSTGRES)).stderr).toContain("has no table public.schema_migrations");

      await POSTGRES.exec("CREATE SCHEMA reporting; CREATE VIEW reporting.daily AS SELECT 1 AS x");
      const other = await drift(POSTGRES, ["--database-url", url]);
      expect(brief(other)).toEqual(["added schema reporting", "added view reporting.daily"]);
      const config = join(repoFor(POSTGRES).dir, "drift-config.yml");
      writeFileSync(
        config,
        'directories:\n  - path: db/migrations\n    dialect: postgres\ndrift:\n  ignore: ["reporting", "reporting.*"]\n',
      );
      const ignored = await drift(POSTGRES, ["--database-url", url, "--config", config]);
      expect(ignored.report.status).toBe("in-sync");
      expect(ignored.report.notes).toContain("Ignored by drift.ignore: 2 differences.");
    });

    test("a view named like the migrations table is refused; a view named like a table is drift", async () => {
      await migrate(POSTGRES, 3);
      await POSTGRES.exec(
        "ALTER TABLE schema_migrations RENAME TO real_versions; CREATE VIEW schema_migrations AS SELECT * FROM real_versions",
      );
      const refused = await drift(POSTGRES);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(
        "public.schema_migrations on postgres://mw_drift@127.0.0.1:",
      );
      expect(refused.stderr).toContain("is a view, not golang-migrate's migrations table");

      await migrate(POSTGRES, 3);
      await POSTGRES.exec(
        "ALTER TABLE users RENAME TO users_v2; CREATE VIEW users AS SELECT id, email, created_at, name FROM users_v2",
      );
      const r = await drift(POSTGRES);
      expect(brief(r)).toEqual(
        expect.arrayContaining(["missing table public.users", "added view public.users"]),
      );
    });

    test("a function named like a built-in, earlier in the search path, cannot hide a change", async () => {
      await migrate(POSTGRES, 3);
      // Someone who can change the database makes format_type() lie for drift's role.
      await POSTGRES.exec(
        "ALTER TABLE users ALTER COLUMN name TYPE varchar(100);" +
          "CREATE SCHEMA evil; CREATE FUNCTION evil.format_type(oid, integer) RETURNS text LANGUAGE sql AS $$ SELECT 'text' $$;" +
          "ALTER ROLE CURRENT_USER SET search_path = evil, pg_catalog, public",
      );
      try {
        const url = withQuery(
          "x-migrations-table=%22public%22.%22schema_migrations%22&x-migrations-table-quoted=true",
        );
        const r = await drift(POSTGRES, ["--database-url", url]);
        expect(r.stderr).toBe("");
        expect(r.report.differences).toEqual(
          expect.arrayContaining([
            {
              kind: "column",
              object: "public.users.name",
              change: "changed",
              expected: "text",
              actual: "character varying(100)",
            },
          ]),
        );
      } finally {
        await POSTGRES.exec("ALTER ROLE CURRENT_USER RESET search_path");
      }
    });

    test("catalog reads only: drift's session holds nothing stronger than ACCESS SHARE", async () => {
      await migrate(POSTGRES, 3);
      const url = parseDriftUrl(POSTGRES.url);
      const live = await openLive(
        url,
        { connectTimeoutMs: 10_000, statementTimeoutMs: 10_000, lockTimeoutMs: 2_000 },
        repoFor(POSTGRES).dir,
      );
      try {
        const state = await readLive(url, live);
        expect(state).toMatchObject({
          version: 3n,
          dirty: false,
          table: "public.schema_migrations",
        });
        const [[pid]] = (await live.query("SELECT pg_backend_pid()")).rows as [[number]];
        // Still inside drift's transaction: every lock it took is held until it ends.
        const modes = await pgClient!.query(
          "SELECT DISTINCT mode FROM pg_locks WHERE pid = $1 AND locktype = 'relation' ORDER BY 1",
          [pid],
        );
        expect(modes.rows.map((r) => r.mode)).toEqual(["AccessShareLock"]);
      } finally {
        await live.close();
      }
    });

    test("a migration holding its table, or a catalog too slow: drift gives up at its limits, exit 2", async () => {
      await migrate(POSTGRES, 3);
      const holder = await pgConnect();
      try {
        // golang-migrate's SetVersion: TRUNCATE in a transaction, an ACCESS EXCLUSIVE lock.
        await holder.query("BEGIN; LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE");
        const started = Date.now();
        const waited = await drift(POSTGRES);
        expect(Date.now() - started).toBeLessThan(60_000);
        expect(waited.code).toBe(2);
        expect(waited.stderr).toContain("lock timeout");
      } finally {
        await holder.query("ROLLBACK");
        await holder.end();
      }
      const config = join(repoFor(POSTGRES).dir, "slow-config.yml");
      writeFileSync(
        config,
        "directories:\n  - path: db/migrations\n    dialect: postgres\ndrift:\n  statementTimeoutMs: 1\n",
      );
      const slow = await drift(POSTGRES, ["--config", config]);
      expect(slow.code).toBe(2);
      expect(slow.stderr).toContain("statement timeout");
    });

    test("a wrong password or an unreachable server: exit 2, and no password anywhere", async () => {
      const wrong = POSTGRES.url.replace("mw-drift-password", "Wr0ng-s3cret-pw");
      const denied = await drift(POSTGRES, ["--database-url", wrong]);
      expect(denied.code).toBe(2);
      expect(denied.stderr).toContain('password authentication failed for user "mw_drift"');
      expect(denied.stderr).not.toContain("Wr0ng-s3cret-pw");
      const closed = await drift(POSTGRES, [
        "--database-url",
        "postgres://mw_drift:Wr0ng-s3cret-pw@127.0.0.1:1/mw_drift?sslmode=disable",
      ]);
      expect(closed.code).toBe(2);
      expect(closed.stderr).toContain("cannot connect to postgres://mw_drift@127.0.0.1:1/mw_drift");
      expect(closed.stderr).not.toContain("Wr0ng-s3cret-pw");
      // golang-migrate's default, like lib/pq's, is sslmode=require: this server has no TLS.
      const tls = await drift(POSTGRES, ["--database-url", POSTGRES.url.replace(/\?.*$/, "")]);
      expect(tls.code).toBe(2);
      expect(tls.stderr).toMatch(/does not support SSL/i);
    });

    test("a password in the query, or with @ : / % ? # in it, for a role that may only read the version", async () => {
      await migrate(POSTGRES, 3);
      const inQuery = POSTGRES.url
        .replace(":mw-drift-password@", "@")
        .replace("?", "?password=mw-drift-password&");
      const r = await drift(POSTGRES, ["--database-url", inQuery]);
      expect(r.report.status).toBe("in-sync");
      expect(r.report.database.url).not.toContain("password");

      const admin = process.env.MW_TEST_POSTGRES_ADMIN_URL;
      if (!admin)
        return console.warn("SKIPPED (odd password): MW_TEST_POSTGRES_ADMIN_URL is not set");
      const odd = "p@ss:w/rd%?#x";
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query("DROP ROLE IF EXISTS mw_drift_reader");
        await c.query(`CREATE ROLE mw_drift_reader LOGIN PASSWORD '${odd}'`);
        await POSTGRES.exec("GRANT SELECT ON schema_migrations TO mw_drift_reader");
        const url = POSTGRES.url.replace(
          "mw_drift:mw-drift-password@",
          `mw_drift_reader:${encodeURIComponent(odd)}@`,
        );
        const reader = await drift(POSTGRES, ["--database-url", url]);
        expect(reader.stderr).toBe("");
        expect(reader.report.status).toBe("in-sync");
        for (const out of [reader.stdout, reader.stderr]) {
          expect(out).not.toContain(odd);
          expect(out).not.toContain(encodeURIComponent(odd));
        }
      } finally {
        await POSTGRES.exec("REVOKE ALL ON schema_migrations FROM mw_drift_reader").catch(
          () => undefined,
        );
        await c.query("DROP ROLE IF EXISTS mw_drift_reader");
        await c.end();
      }
    });

    test("search_path: golang-migrate's table and the migrations' objects in another schema", async () => {
      const repo = new TempRepo();
      try {
        repo
          .write({
            "migrations/1_app.up.sql":
              "CREATE SCHEMA IF NOT EXISTS app;\nCREATE TABLE things (id int PRIMARY KEY);\n",
            "migrations/1_app.down.sql": "DROP TABLE things;\n",
          })
          .commit("app");
        await POSTGRES.reset();
        await POSTGRES.exec(
          "CREATE SCHEMA app; SET search_path TO app; CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);" +
            "CREATE SCHEMA IF NOT EXISTS app; CREATE TABLE things (id int PRIMARY KEY); INSERT INTO schema_migrations VALUES (1, false); SET search_path TO DEFAULT",
        );
        const r = await runCli(["drift", "--format", "json"], repo.dir, {
          MIGRATION_WARDEN_DRIFT_DATABASE_URL: withQuery("search_path=app"),
        });
        expect(r.stderr).toBe("");
        const report = JSON.parse(r.stdout);
        expect(report.status).toBe("in-sync");
        expect(report.database.url).toContain("search_path=app");
      } finally {
        repo.cleanup();
      }
    });

    test("expected on a disposable PostgreSQL server; never on the database under inspection", async () => {
      const replay = process.env.MW_TEST_POSTGRES_DRIFT_REPLAY_URL;
      if (!replay) return console.warn("SKIPPED: MW_TEST_POSTGRES_DRIFT_REPLAY_URL is not set");
      await migrate(POSTGRES, 3);
      const r = await drift(POSTGRES, [], { MIGRATION_WARDEN_DATABASE_URL: replay });
      expect(r.report.status).toBe("in-sync");
      expect(r.report.expected.engine).toMatch(/^PostgreSQL \d+/);
      const same = await drift(POSTGRES, [], { MIGRATION_WARDEN_DATABASE_URL: POSTGRES.url });
      expect(same.code).toBe(2);
      expect(same.stderr).toContain("is the database under inspection");
    });
  },
);

(MYSQL.missing ? describe.skip : describe)(
  `mysql: the replay server and DSN forms${MYSQL.missing ? ` (skipped: ${MYSQL.missing})` : ""}`,
  () => {
    test("without a disposable server there is nothing to replay in: exit 2, saying how", async () => {
      await migrate(MYSQL, 3);
      const r = await drift(MYSQL, [], { MIGRATION_WARDEN_DATABASE_URL: "" });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("no embedded MySQL");
      expect(r.stderr).toContain("MIGRATION_WARDEN_DATABASE_URL");
    });

    test("the replay database must not be the one under inspection", async () => {
      const u = parseDriftUrl(MYSQL.url);
      if (u.dialect !== "mysql") throw new Error("not mysql");
      const a = u.address;
      const same = `mysql://${a.user}:${a.password}@${a.host}:${a.port}/${a.database}`;
      const r = await drift(MYSQL, [], { MIGRATION_WARDEN_DATABASE_URL: same });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("is the database under inspection");
    });

    test("the common form mysql://user:password@host:port/database reads the same", async () => {
      await migrate(MYSQL, 3);
      const u = parseDriftUrl(MYSQL.url);
      if (u.dialect !== "mysql") throw new Error("not mysql");
      const a = u.address;
      const r = await drift(MYSQL, [
        "--database-url",
        `mysql://${a.user}:${a.password}@${a.host}:${a.port}/${a.database}?parseTime=true&x-no-lock=true`,
      ]);
      expect(r.report.status).toBe("in-sync");
      expect(r.report.database.url).toBe(`mysql://mw_drift@tcp(${a.host}:${a.port})/mw_drift`);
    });
  },
);
