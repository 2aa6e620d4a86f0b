/**
 * The external-database replay without a server: URL checks, who may name a server (CLI vs app),
 * the wipe SQL, account checks and the marker protocol.
 */
import { describe, expect, test } from "@jest/globals";
import { NO_BASE } from "../../src/changeset/source.js";
import { cliReplay } from "../../src/cli/replay.js";
import { ConfigError, parseConfig } from "../../src/config/load.js";
import {
  mysqlAccountProblems,
  mysqlWipeStatements,
  quoteMysqlIdent,
} from "../../src/replay/external/mysql.js";
import {
  postgresAccountProblems,
  postgresWipeStatements,
  POSTGRES_RESET_DATABASE,
} from "../../src/replay/external/postgres.js";
import {
  claimSandbox,
  SandboxRefused,
  ServerUnavailable,
  type Inventory,
  type MarkerState,
  type SandboxOps,
} from "../../src/replay/external/sandbox.js";
import {
  appDatabases,
  appDatabasesFromEnv,
  cliDatabases,
} from "../../src/replay/external/select.js";
import { parseDatabaseUrl, redactedUrl } from "../../src/replay/external/url.js";
import { describeChange, diffSchemas, schemaOf } from "../../src/replay/schema.js";
import { runScenario } from "./support.js";

const SECRET = "s3cr3t-pa55";

function urlError(text: string): string {
  try {
    parseDatabaseUrl(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`accepted ${text}`);
}

describe("database URLs", () => {
  test("postgres and mysql URLs are parsed into explicit options", () => {
    expect(
      parseDatabaseUrl(`postgresql://mw:${SECRET}@db.internal/replay?sslmode=verify-full`),
    ).toEqual({
      dialect: "postgres",
      host: "db.internal",
      port: 5432,
      user: "mw",
      password: SECRET,
      database: "replay",
      tls: "verify-full",
    });
    expect(parseDatabaseUrl("mysql://mw@[::1]:3307/replay_sandbox")).toEqual({
      dialect: "mysql",
      host: "::1",
      port: 3307,
      user: "mw",
      database: "replay_sandbox",
      tls: "disable",
    });
    expect(parseDatabaseUrl("mysql://m%40w:p%2Fw@h/d%2Dx")).toMatchObject({
      user: "m@w",
      password: "p/w",
      database: "d-x",
    });
  });

  test.each([
    ["mysql://mw:x@127.0.0.1:3306", "names no database"],
    ["mysql://mw:x@127.0.0.1:3306/", "names no database"],
    ["postgres://mw:x@host/postgres", `"postgres" is the server's own database`],
    ["postgres://mw:x@host/template1", "server's own database"],
    ["mysql://mw:x@host/mysql", "server's own database"],
    ["mysql://mw:x@host/a/b", "must not contain '/'"],
    ["mysql://:x@host/db", "names no user"],
    ["mysql:///db", "names no host"],
    ["sqlite://mw:x@host/db", 'unsupported scheme "sqlite:"'],
    ["mysql://mw:x@host/db?localInfile=1", 'unsupported URL parameter "localInfile"'],
    ["postgres://mw:x@host/db?sslrootcert=/etc/shadow", 'unsupported URL parameter "sslrootcert"'],
    [
      "postgres://mw:x@host/db?sslmode=prefer",
      "sslmode must be one of disable, require, verify-full",
    ],
    ["postgres://mw:x@host:99999/db", "not a valid URL"],
    ["postgres://mw:x@host/db#frag", "#fragment"],
    ["not a url", "not a valid URL"],
  ])("%s is refused: %s", (text, message) => {
    expect(urlError(text)).toContain(message);
  });

  test("messages and the redacted form never contain the password", () => {
    for (const text of [
      `mysql://mw:${SECRET}@host`,
      `mysql://mw:${SECRET}@host/mysql`,
      `postgres://mw:${SECRET}@host/db?x=1`,
      `postgres://mw:${SECRET}@ho st/db`,
      `mysql://mw:${SECRET}%zz@host/db`,
    ])
      expect(urlError(text)).not.toContain(SECRET);
    expect(redactedUrl(parseDatabaseUrl(`mysql://mw:${SECRET}@[::1]/db?sslmode=require`))).toBe(
      "mysql://mw@[::1]:3306/db?sslmode=require",
    );
  });

  test("replay.databaseUrl in the configuration: env or a checked URL, the password never echoed", () => {
    const config = (v: string) =>
      parseConfig(`replay:\n  databaseUrl: "${v}"\n`, { ref: "main" }).replay.databaseUrl;
    expect(config("env")).toBe("env");
    expect(config("mysql://mw@127.0.0.1/replay")).toBe("mysql://mw@127.0.0.1/replay");
    const problems = (v: string) => {
      try {
        config(v);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).problems;
      }
      throw new Error(`accepted ${v}`);
    };
    expect(problems(`mysql://mw:${SECRET}@127.0.0.1`)).toEqual([
      "replay.databaseUrl: the URL names no database: give the throwaway database to use (…/replay_sandbox); it is wiped before every replay",
    ]);
    expect(problems("ENV")[0]).toContain('expected "env"');
    expect(problems("http://x/y")[0]).toContain('expected "env"');
    expect(problems(`mysql://mw:${SECRET}@h/db?flags=LOCAL_FILES`).join(" ")).not.toContain(SECRET);
  });
});

describe("who may name a database server", () => {
  const PG = `postgres://mw:${SECRET}@10.0.0.5:5432/replay`;
  const MY = `mysql://mw:${SECRET}@10.0.0.6:3306/replay`;

  test("CLI: a URL in the configuration, else MIGRATION_WARDEN_DATABASE_URL; each serves its dialect", () => {
    const none = cliDatabases({});
    expect(none("mysql", undefined)).toEqual({ kind: "none" });
    expect(none("mysql", "env")).toEqual({
      kind: "none",
      reason: 'replay.databaseUrl is "env" but MIGRATION_WARDEN_DATABASE_URL is not set',
    });
    expect(none("mysql", MY)).toEqual({
      kind: "server",
      target: { url: parseDatabaseUrl(MY), label: "mysql://mw@10.0.0.6:3306/replay" },
    });
    expect(none("postgres", MY)).toEqual({ kind: "none" });

    const env = cliDatabases({ MIGRATION_WARDEN_DATABASE_URL: PG });
    for (const configured of [undefined, "env"])
      expect(env("postgres", configured)).toMatchObject({
        kind: "server",
        target: { label: "postgres://mw@10.0.0.5:5432/replay" },
      });
    expect(env("mysql", undefined)).toEqual({ kind: "none" });
    // The configuration's URL wins over the environment's.
    expect(env("postgres", "postgres://other@127.0.0.1/x")).toMatchObject({
      target: { label: "postgres://other@127.0.0.1:5432/x" },
    });
  });

  test("CLI: an invalid MIGRATION_WARDEN_DATABASE_URL is a configuration error naming the variable, not its value", () => {
    const factory = cliReplay({
      env: {
        MIGRATION_WARDEN_DATABASE_URL: `mysql://mw:${SECRET}@host/`,
        MIGRATION_WARDEN_CACHE_DIR: "off",
      },
    });
    let error: unknown;
    try {
      factory(NO_BASE);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(
      "MIGRATION_WARDEN_DATABASE_URL: the URL names no database",
    );
    expect((error as Error).message).not.toContain(SECRET);
  });

  test("app: only the operator's servers, only with `env`, and never a URL from the repository", () => {
    const settings = appDatabasesFromEnv({
      REPLAY_DATABASE_URL_POSTGRES: PG,
      REPLAY_DATABASE_URL_MYSQL: MY,
    });
    const resolve = appDatabases(settings, "acme");
    expect(resolve("mysql", undefined)).toEqual({ kind: "none" });
    const literal = resolve("mysql", "mysql://root:pw@169.254.169.254/x");
    expect(literal.kind).toBe("none");
    expect(literal.kind === "none" && literal.reason).toContain(
      "the app connects only to the replay database its operator configured: set `replay.databaseUrl: env`",
    );
    expect(resolve("mysql", "env")).toEqual({
      kind: "server",
      // No host name in what the pull request shows.
      target: { url: parseDatabaseUrl(MY), label: "the app's MySQL replay database" },
    });
    expect(appDatabases(appDatabasesFromEnv({}), "acme")("postgres", "env")).toEqual({
      kind: "none",
      reason:
        "the app's operator has not configured a PostgreSQL replay database (REPLAY_DATABASE_URL_POSTGRES)",
    });
  });

  test("app: REPLAY_DATABASE_OWNERS limits which accounts' repositories may opt in", () => {
    const settings = appDatabasesFromEnv({
      REPLAY_DATABASE_URL_MYSQL: MY,
      REPLAY_DATABASE_OWNERS: "Acme, other-org",
    });
    expect(appDatabases(settings, "ACME")("mysql", "env").kind).toBe("server");
    expect(appDatabases(settings, "mallory")("mysql", "env")).toEqual({
      kind: "none",
      reason:
        "the app's MySQL replay database is not available to repositories of mallory (REPLAY_DATABASE_OWNERS)",
    });
  });

  test("app: invalid settings stop the app at startup, naming the variable and not the password", () => {
    const fail = (env: Record<string, string>) => {
      try {
        appDatabasesFromEnv(env);
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error("accepted");
    };
    expect(fail({ REPLAY_DATABASE_URL_POSTGRES: MY })).toBe(
      "REPLAY_DATABASE_URL_POSTGRES: expected a postgres:// URL, got mysql://",
    );
    const m = fail({ REPLAY_DATABASE_URL_MYSQL: `mysql://mw:${SECRET}@h/sys` });
    expect(m).toContain("REPLAY_DATABASE_URL_MYSQL:");
    expect(m).not.toContain(SECRET);
    expect(fail({ REPLAY_DATABASE_OWNERS: "acme;drop" })).toContain("REPLAY_DATABASE_OWNERS");
  });
});

describe("the wipe and the account checks", () => {
  test("MySQL: every view, sequence, table, routine and event of the URL's database, qualified, foreign keys off", () => {
    expect(
      mysqlWipeStatements(
        "mw`db",
        [
          { kind: "table", name: "users" },
          { kind: "view", name: "v" },
          { kind: "table", name: "odd`name" },
          { kind: "procedure", name: "p" },
          { kind: "function", name: "f" },
          { kind: "event", name: "e" },
          { kind: "sequence", name: "s" },
        ],
        "replaying",
      ),
    ).toEqual([
      "SET FOREIGN_KEY_CHECKS = 0",
      "DROP VIEW IF EXISTS `mw``db`.`v`",
      "DROP SEQUENCE IF EXISTS `mw``db`.`s`",
      "DROP TABLE IF EXISTS `mw``db`.`users`, `mw``db`.`odd``name`, `mw``db`.`migration_warden_sandbox`",
      "DROP PROCEDURE IF EXISTS `mw``db`.`p`",
      "DROP FUNCTION IF EXISTS `mw``db`.`f`",
      "DROP EVENT IF EXISTS `mw``db`.`e`",
      "SET FOREIGN_KEY_CHECKS = 1",
      "CREATE TABLE `mw``db`.`migration_warden_sandbox` (state varchar(16) NOT NULL, updated_at timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3))",
      "INSERT INTO `mw``db`.`migration_warden_sandbox` (state) VALUES ('replaying')",
    ]);
    // The database's defaults back to the server's (test/adversarial/replay-server-mysql-database-defaults.test.ts).
    expect(
      mysqlWipeStatements("mw`db", [], "clean", {
        charset: "utf8mb4",
        collation: "utf8mb4_bin",
      })[1],
    ).toBe("ALTER DATABASE `mw``db` CHARACTER SET `utf8mb4` COLLATE `utf8mb4_bin`");
    expect(quoteMysqlIdent("a`b")).toBe("`a``b`");
  });

  test("Postgres: DROP OWNED BY CURRENT_USER and a fresh marker in one transaction", () => {
    const sql = postgresWipeStatements("clean");
    expect(sql.slice(0, 3)).toEqual(["ROLLBACK", "BEGIN READ WRITE", "DROP OWNED BY CURRENT_USER"]);
    // What DROP OWNED leaves (settings, connection limit, database privileges) is reset too:
    // test/adversarial/replay-server-persistent-settings.test.ts.
    expect(sql).toContain(POSTGRES_RESET_DATABASE);
    expect(sql).toContain("INSERT INTO public.migration_warden_sandbox (state) VALUES ('clean')");
    expect(sql[sql.length - 1]).toBe("COMMIT");
  });

  test("MySQL accounts: privileges on the replay database only", () => {
    expect(
      mysqlAccountProblems({ global: ["USAGE"], databases: ["mw\\_test"] }, "mw_test"),
    ).toEqual([]);
    expect(
      mysqlAccountProblems(
        { global: ["USAGE", "FILE", "SUPER"], databases: ["mw_test", "app\\_%"] },
        "mw_test",
      ),
    ).toEqual([
      "the account has global privileges (FILE, SUPER): grant it privileges on its database only",
      "the account has privileges on other databases (app\\_%): their objects would not be wiped",
    ]);
  });

  test("Postgres accounts: no superuser or server-file roles, and the database's owner", () => {
    const fine = {
      superuser: false,
      createRole: false,
      createDb: false,
      replication: false,
      bypassRls: false,
      ownsDatabase: true,
      serverRoles: [],
    };
    expect(postgresAccountProblems(fine)).toEqual([]);
    expect(
      postgresAccountProblems({
        ...fine,
        superuser: true,
        serverRoles: ["pg_read_server_files"],
        ownsDatabase: false,
      }),
    ).toEqual([
      "the account is a superuser (it could run programs and read files on the server, and reach every database)",
      "the account is a member of pg_read_server_files (server files and programs)",
      "the account does not own the database (make it the owner: DROP OWNED BY CURRENT_USER, which empties the database, would also revoke privileges granted to it)",
    ]);
  });
});

describe("the marker protocol", () => {
  class FakeServer implements SandboxOps {
    wiped: MarkerState[] = [];
    constructor(
      private inv: Inventory,
      private readonly opts: { lock?: boolean; problems?: string[]; stubborn?: string[] } = {},
    ) {}
    async lock() {
      return this.opts.lock ?? true;
    }
    async accountProblems() {
      return this.opts.problems ?? [];
    }
    async inventory() {
      return this.inv;
    }
    async wipe(state: MarkerState) {
      this.wiped.push(state);
      this.inv = { marker: state, objects: this.opts.stubborn ?? [] };
    }
  }
  const target = { url: parseDatabaseUrl("mysql://mw@h/db"), label: "the test database" };
  const claim = (s: FakeServer) => claimSandbox(s, target, { lockWaitMs: 30_000 });

  test("an empty database gets the marker; leftovers of an interrupted replay or a hand-made marker are wiped", async () => {
    for (const inv of [
      { marker: null, objects: [] },
      { marker: "replaying", objects: ["table users"] },
      { marker: "", objects: ["table users"] },
      { marker: "clean", objects: [] },
    ]) {
      const s = new FakeServer(inv);
      await claim(s);
      expect(s.wiped).toEqual(["replaying"]);
    }
  });

  test("objects without a marker, or after a clean replay, are refused before anything is dropped", async () => {
    const noMarker = new FakeServer({ marker: null, objects: ["table users", "view v"] });
    await expect(claim(noMarker)).rejects.toThrow(
      "refusing to replay on the test database: the database is not empty (table users, view v) and has no migration_warden_sandbox table",
    );
    const appeared = new FakeServer({
      marker: "clean",
      objects: ["table a", "table b", "table c", "table d", "table e", "table f", "table g"],
    });
    await expect(claim(appeared)).rejects.toThrow(
      "objects appeared since migration-warden's last replay left it empty (table a, table b, table c, table d, table e and 2 more)",
    );
    expect([...noMarker.wiped, ...appeared.wiped]).toEqual([]);
  });

  test("busy, too powerful, or not emptied: refused or unavailable", async () => {
    await expect(
      claim(new FakeServer({ marker: null, objects: [] }, { lock: false })),
    ).rejects.toBeInstanceOf(ServerUnavailable);
    const powerful = new FakeServer(
      { marker: null, objects: [] },
      { problems: ["the account is a superuser"] },
    );
    await expect(claim(powerful)).rejects.toBeInstanceOf(SandboxRefused);
    expect(powerful.wiped).toEqual([]);
    await expect(
      claim(new FakeServer({ marker: "replaying", objects: [] }, { stubborn: ["table theirs"] })),
    ).rejects.toThrow("dropping everything left table theirs");
  });
});

describe("without a database server", () => {
  const add = { "1_t.up.sql": "CREATE TABLE t (id int);\n", "1_t.down.sql": "DROP TABLE t;\n" };

  test("MySQL is skipped with a notice that says how to replay it", async () => {
    const r = await runScenario({ add, dialect: "mysql" });
    expect(r.findings.map((f) => [f.ruleId, f.severity, f.message])).toEqual([
      [
        "replay-skipped",
        "notice",
        "Replay skipped: there is no embedded MySQL. To replay MySQL migrations, point replay.databaseUrl at a disposable MySQL server (docs/replay.md).",
      ],
    ]);
  });

  test("in the app, a repository's URL is never connected to: MySQL skipped, Postgres replayed in PGlite with a note", async () => {
    const databases = appDatabases(appDatabasesFromEnv({}), "acme");
    const replay = { databaseUrl: "mysql://root@169.254.169.254:3306/x" };
    const my = await runScenario({ add, dialect: "mysql", databases, replay });
    expect(my.findings[0]!.message).toContain(
      "Replay skipped: replay.databaseUrl names a server, but the app connects only to the replay database its operator configured",
    );
    const pg = await runScenario({
      add,
      databases,
      replay: { databaseUrl: "postgres://root@169.254.169.254/x" },
    });
    expect(pg.findings).toEqual([]);
    expect(pg.data!.engine).toMatch(/^PGlite/);
    expect(pg.section!.markdown).toContain(
      "- Not replayed on a database server: replay.databaseUrl names a server, but the app connects only",
    );
  });
});

describe("MySQL fingerprints compare like the others", () => {
  test("a forgotten index, a changed default and a new event are told apart", () => {
    const table = { kind: "table" as const, name: "users", attrs: { engine: "InnoDB" } };
    const before = schemaOf([
      table,
      {
        kind: "column",
        name: "users.plan",
        table: "users",
        attrs: { type: "varchar(20)", notNull: true, default: "'free'" },
      },
    ]);
    const after = schemaOf([
      table,
      {
        kind: "column",
        name: "users.plan",
        table: "users",
        attrs: { type: "varchar(20)", notNull: true, default: "'trial'" },
      },
      {
        kind: "index",
        name: "users.users_plan_idx",
        table: "users",
        attrs: { definition: "BTREE (plan)", unique: false, primary: false },
      },
      {
        kind: "event",
        name: "purge",
        attrs: {
          schedule: "EVERY 1 DAY",
          status: "ENABLED",
          onCompletion: "NOT PRESERVE",
          definitionMd5: "x",
        },
      },
    ]);
    expect(diffSchemas(before, after).map(describeChange)).toEqual([
      "event `purge` exists (new)",
      "column `users.plan` differs: default `'free'` → `'trial'`",
      "index `users.users_plan_idx` exists (BTREE (plan))",
    ]);
    expect(diffSchemas(after, after)).toEqual([]);
  });
});
