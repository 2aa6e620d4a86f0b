/**
 * Drift detection's URLs and command line: golang-migrate's URL forms, passwords in odd places,
 * what is never printed, and the arguments of `migration-warden drift`.
 */
import { describe, expect, test } from "@jest/globals";
import { parseDriftArgs } from "../../src/cli/drift.js";
import {
  parseDriftUrl,
  parseMigrationsTable,
  redact,
  type DriftUrl,
} from "../../src/replay/drift/url.js";

const SECRET = "s3cr3t-Pa55";

function urlError(text: string): string {
  try {
    parseDriftUrl(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`accepted ${text}`);
}

const server = (u: DriftUrl) => {
  if (u.dialect === "sqlite") throw new Error("not a server URL");
  return u;
};

describe("golang-migrate database URLs", () => {
  test("postgres: lib/pq's URL, sslmode require by default, golang-migrate's table options", () => {
    const u = server(
      parseDriftUrl(
        `postgres://app:${SECRET}@db.internal:6543/prod?sslmode=verify-full&sslrootcert=/etc/ca.pem&search_path=app&x-migrations-table=versions&x-multi-statement=true&TimeZone=UTC`,
      ),
    );
    expect(u).toMatchObject({
      dialect: "postgres",
      address: {
        host: "db.internal",
        port: 6543,
        user: "app",
        password: SECRET,
        database: "prod",
        tls: "verify-full",
      },
      tlsPaths: { ca: "/etc/ca.pem" },
      searchPath: "app",
      table: { name: "versions" },
      ignored: ["TimeZone"],
    });
    expect(u.redacted).toBe(
      "postgres://app@db.internal:6543/prod?sslmode=verify-full&search_path=app&x-migrations-table=versions",
    );
    expect(server(parseDriftUrl("postgresql://app@h/db")).address.tls).toBe("require");
    expect(server(parseDriftUrl("pgx5://app@h/db?x-lock-strategy=table")).lockTable).toBe(
      "schema_lock",
    );
    expect(
      server(parseDriftUrl("pgx5://app@h/db?x-lock-strategy=table&x-lock-table=locks")).lockTable,
    ).toBe("locks");
    expect(server(parseDriftUrl("pgx5://app@h/db?sslmode=prefer")).tlsFallback).toBe(true);
  });

  test("postgres: passwords in the query, with @ : / % in the user info, options' search_path", () => {
    const inQuery = server(
      parseDriftUrl(`postgres://app@h/db?password=${encodeURIComponent(SECRET)}&sslmode=disable`),
    );
    expect(inQuery.address.password).toBe(SECRET);
    expect(inQuery.redacted).toBe("postgres://app@h:5432/db?sslmode=disable");
    const odd = "p@ss:w/rd%?";
    const u = server(parseDriftUrl(`postgres://a%40b:${encodeURIComponent(odd)}@h/db`));
    expect(u.address).toMatchObject({ user: "a@b", password: odd });
    expect(u.secrets).toEqual(expect.arrayContaining([odd, encodeURIComponent(odd)]));
    expect(u.redacted).not.toContain("p%40ss");
    // A raw "@" in the password: the last "@" ends the user info, as in Go's net/url.
    expect(server(parseDriftUrl("postgres://a:p@ss@h/db")).address).toMatchObject({
      host: "h",
      password: "p@ss",
    });
    const options = server(parseDriftUrl("postgres://a@h/db?options=-c%20search_path%3Dtenant"));
    expect(options.searchPath).toBe("tenant");
    expect(options.ignored).toEqual([]);
    expect(
      server(parseDriftUrl("postgres://a@h/db?options=-c%20statement_timeout%3D0")).ignored,
    ).toEqual(["options"]);
  });

  test("the migrations table: quoted names a schema (Postgres), unquoted is one name", () => {
    const quoted = server(
      parseDriftUrl(
        'postgres://a@h/db?x-migrations-table="ops"."versions"&x-migrations-table-quoted=1',
      ),
    );
    expect(quoted.table).toEqual({ schema: "ops", name: "versions" });
    expect(
      server(parseDriftUrl("postgres://a@h/db?x-migrations-table=ops.versions")).table,
    ).toEqual({ name: "ops.versions" });
    expect(parseMigrationsTable('"ops"."v"', "postgres")).toEqual({ schema: "ops", name: "v" });
    expect(parseMigrationsTable('"a"."b"', "mysql")).toEqual({ name: '"a"."b"' });
    expect(() => parseMigrationsTable('"a"."b"."c"', "postgres")).toThrow(
      'must be "table" or "schema"."table"',
    );
  });

  test("mysql: go-sql-driver's DSN (tcp(…), percent-decoded, + is a space) and the common form", () => {
    const dsn = server(
      parseDriftUrl(`mysql://app:${SECRET}@tcp(10.0.0.7:3307)/shop?parseTime=true&tls=skip-verify`),
    );
    expect(dsn).toMatchObject({
      dialect: "mysql",
      address: { host: "10.0.0.7", port: 3307, user: "app", database: "shop", tls: "require" },
      ignored: [],
    });
    expect(dsn.redacted).toBe("mysql://app@tcp(10.0.0.7:3307)/shop?tls=skip-verify");
    expect(server(parseDriftUrl("mysql://app@db:3306/shop")).address).toMatchObject({
      host: "db",
      port: 3306,
    });
    expect(server(parseDriftUrl("mysql://app@/shop")).address.host).toBe("127.0.0.1");
    expect(server(parseDriftUrl("mysql://app:a+b%21@tcp([::1]:3306)/shop")).address).toMatchObject({
      host: "::1",
      password: "a b!",
    });
    // "@", "/", "?" and ":" in a password; "@" and "/" in a parameter.
    const odd = server(
      parseDriftUrl("mysql://app:p@s/s?w:d@tcp(h:1)/shop?x-tls-ca=/etc/a@b/ca.pem&tls=custom"),
    );
    expect(odd.address).toMatchObject({
      host: "h",
      port: 1,
      password: "p@s/s?w:d",
      tls: "verify-full",
    });
    expect(odd.tlsPaths.ca).toBe("/etc/a@b/ca.pem");
    expect(odd.redacted).toBe("mysql://app@tcp(h:1)/shop?tls=custom");
    // Server settings never reach the server: listed as ignored.
    expect(
      server(parseDriftUrl("mysql://app@tcp(h)/shop?autocommit=1&transaction_read_only=0")).ignored,
    ).toEqual(["autocommit", "transaction_read_only"]);
  });

  test("sqlite: relative and absolute paths, golang-migrate's options, driver options ignored", () => {
    expect(parseDriftUrl("sqlite3://data/app.db?x-no-tx-wrap=true")).toMatchObject({
      dialect: "sqlite",
      path: "data/app.db",
      ignored: [],
    });
    expect(parseDriftUrl("sqlite:///var/lib/app.db?_journal=WAL")).toMatchObject({
      path: "/var/lib/app.db",
      ignored: ["_journal"],
    });
    expect(parseDriftUrl("sqlite3://file:my%20app.db")).toMatchObject({ path: "my app.db" });
  });

  test.each([
    ["", "not a database URL"],
    ["db.example.com:5432", "not a database URL"],
    ["cockroachdb://u@h/db", 'unsupported scheme "cockroachdb://"'],
    ["postgres://h/db", "names no user"],
    ["postgres://u@h", "names no database"],
    ["postgres:///db?user=u&host=/var/run/postgresql", "Unix sockets are not supported"],
    ["postgres://u@h/db?sslmode=maybe", "sslmode must be one of"],
    ["postgres://u@h:99999/db", "not a valid URL"],
    ["postgres://u@h/db?connect_timeout=soon", "connect_timeout must be whole seconds"],
    ["mysql://u@unix(/tmp/mysql.sock)/db", "unsupported network"],
    ["mysql://u@tcp(h:3306)", "names no database"],
    ["mysql://u@tcp(h:3306)/db?tls=mine", "give its certificate authority with x-tls-ca"],
    ["mysql://u@tcp(h:70000)/db", "invalid port"],
    ["mysql://u@tcp(h:3306)/db?timeout=later", 'a duration such as "10s"'],
    ["sqlite3://:memory:", "names no database file"],
  ])("%s is refused: %s", (text, message) => {
    expect(urlError(text)).toContain(message);
  });

  test("messages never contain the password", () => {
    for (const text of [
      `postgres://u:${SECRET}@h`,
      `postgres://u:${SECRET}@h:99999/db`,
      `postgres://u:${SECRET}@h/db?sslmode=${SECRET}`,
      `postgres://u:${SECRET}%zz@h/db`,
      `mysql://u:${SECRET}@unix(/x)/db`,
      `mysql://u:${SECRET}%zz@tcp(h)/db`,
      `mysql://u:${SECRET}@tcp(h)/db?timeout=${SECRET}`,
    ])
      expect(urlError(text)).not.toContain(SECRET);
  });

  test("redact replaces every form of every secret", () => {
    const u = parseDriftUrl(`postgres://u:${encodeURIComponent("a/b c")}@h/db`);
    expect(redact("auth a/b c failed; a%2Fb%20c again", u.secrets)).toBe(
      "auth *** failed; *** again",
    );
  });
});

describe("the command line", () => {
  const parse = (argv: string[], env: Record<string, string> = {}) =>
    parseDriftArgs(argv, "/repo", env);
  const usage = (argv: string[], env: Record<string, string> = {}) => {
    try {
      parse(argv, env);
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error("accepted");
  };

  test("the URL from the flag or MIGRATION_WARDEN_DRIFT_DATABASE_URL; --migrations-table wins", () => {
    const fromEnv = parse([], { MIGRATION_WARDEN_DRIFT_DATABASE_URL: "sqlite3://a.db" });
    expect(fromEnv).toMatchObject({ url: { path: "a.db" }, format: "text", cwd: "/repo" });
    const flag = parse(
      [
        "--database-url",
        "postgres://u@h/db?x-migrations-table=a",
        "--migrations-table",
        '"ops"."v"',
        "--format",
        "markdown",
        "--cwd",
        "sub",
        "--dir",
        "db",
      ],
      { MIGRATION_WARDEN_DRIFT_DATABASE_URL: "sqlite3://a.db" },
    );
    expect(flag).toMatchObject({
      url: { dialect: "postgres", table: { schema: "ops", name: "v" } },
      format: "markdown",
      cwd: "/repo/sub",
      dir: "db",
    });
    expect(parse(["-h"])).toBe("help");
  });

  test("usage errors name the flag or variable, never the password", () => {
    expect(usage([])).toContain(
      "--database-url is required (or set MIGRATION_WARDEN_DRIFT_DATABASE_URL)",
    );
    expect(usage(["--database-url", "sqlite3://a.db", "--format", "sarif"])).toContain(
      "--format must be one of text, json, markdown",
    );
    const bad = usage([], {
      MIGRATION_WARDEN_DRIFT_DATABASE_URL: `postgres://u:${SECRET}@h:99999/db`,
    });
    expect(bad).toContain("MIGRATION_WARDEN_DRIFT_DATABASE_URL: not a valid URL");
    expect(bad).not.toContain(SECRET);
    const unknown = usage([
      `--password=${SECRET}`,
      "--database-url",
      `postgres://u:${SECRET}@h/db`,
    ]);
    expect(unknown).toContain("Unknown option");
    expect(unknown).not.toContain(SECRET);
    const positional = usage(["--database-url", "sqlite3://a.db", `postgres://u:${SECRET}@h/db`]);
    expect(positional).toContain("Unexpected argument");
    expect(positional).not.toContain(SECRET);
    // go-sql-driver's DSN without golang-migrate's scheme, pasted as an argument.
    const dsn = usage(["--database-url", "sqlite3://a.db", `u:${SECRET}@tcp(h:3306)/db`]);
    expect(dsn).toContain("Unexpected argument");
    expect(dsn).not.toContain(SECRET);
  });
});
