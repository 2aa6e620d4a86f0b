/**
 * The database URLs golang-migrate's `-database` takes, for drift detection: what to connect to,
 * which migrations table to read, and a form of the URL that is safe to print. Pure: parsing and
 * wording, no I/O (certificate files are named here and read by the caller).
 *
 * - postgres:// postgresql:// (and pgx://, pgx4://, pgx5://, the pgx driver's): lib/pq's URL, with
 *   its parameters (sslmode, whose default is require as in lib/pq; sslrootcert, sslcert, sslkey;
 *   connect_timeout; search_path; user, password, host, port, dbname) and golang-migrate's
 *   x-migrations-table / x-migrations-table-quoted.
 * - mysql://: go-sql-driver's DSN `user:password@tcp(host:port)/database?…` (user and password
 *   percent-decoded, as golang-migrate does), and the common `user:password@host:port/database`.
 * - sqlite3:// sqlite://: a file path (relative to the working directory, or absolute with three
 *   slashes).
 *
 * Server settings in a URL are never passed to the server (lib/pq and go-sql-driver send unknown
 * parameters as session settings, and one of them could switch read-only off): they are listed as
 * ignored. Messages never contain the password.
 *
 * A little over 500 lines: the three URL grammars share the redaction, which must see every one.
 */
import {
  DatabaseUrlError,
  percentDecode as decodePart,
  type ServerAddress,
  type TlsMode,
} from "../external/url.js";
import { DEFAULT_MIGRATIONS_TABLE } from "../golang-migrate.js";

export type DriftDialect = "postgres" | "mysql" | "sqlite";

/** golang-migrate's migrations table: `schema` only when the URL names one (quoted form). */
export interface MigrationsTable {
  schema?: string;
  name: string;
}

interface Common {
  /** The URL without its password (and without any parameter that carries one). */
  redacted: string;
  table: MigrationsTable;
  /** URL parameters drift does not use, for a note. */
  ignored: string[];
  /** Texts that must never be printed (the password as written and decoded). */
  secrets: string[];
}

export interface ServerUrl extends Common {
  dialect: "postgres" | "mysql";
  address: ServerAddress;
  /** Certificate files the URL names (read before connecting). */
  tlsPaths: { ca?: string; cert?: string; key?: string };
  /** TLS may fall back to a plain connection when the server offers none (sslmode=prefer). */
  tlsFallback: boolean;
  /** Postgres `search_path` (its first schema holds golang-migrate's table). */
  searchPath?: string;
  /** The pgx driver's lock table (`x-lock-strategy=table`): golang-migrate's bookkeeping too. */
  lockTable?: string;
  connectTimeoutMs?: number;
}

export interface SqliteUrl extends Common {
  dialect: "sqlite";
  /** As written: relative paths are resolved by the caller against its working directory. */
  path: string;
}

export type DriftUrl = ServerUrl | SqliteUrl;

export class DriftUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DriftUrlError";
  }
}

export { DEFAULT_MIGRATIONS_TABLE };

const SCHEMES: Record<string, DriftDialect> = {
  postgres: "postgres",
  postgresql: "postgres",
  pgx: "postgres",
  pgx4: "postgres",
  pgx5: "postgres",
  mysql: "mysql",
  sqlite3: "sqlite",
  sqlite: "sqlite",
};

/** golang-migrate's own driver options: about running migrations, nothing drift reads. */
const MIGRATE_OPTIONS = /^x-/;

/** The replay's percent-decoding, failing as a URL error (a usage error, exit 2). */
function percentDecode(part: string, what: string): string {
  try {
    return decodePart(part, what);
  } catch (err) {
    if (err instanceof DatabaseUrlError) throw new DriftUrlError(err.message);
    throw err;
  }
}

/** Go's strconv.ParseBool. */
function parseBool(v: string, what: string): boolean {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(v)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(v)) return false;
  throw new DriftUrlError(`${what} must be true or false`);
}

/** Go's url.QueryUnescape: percent-decoding, "+" is a space. */
function queryUnescape(s: string, what: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    throw new DriftUrlError(`the ${what} is not valid percent-encoding`);
  }
}

/** Query parameters as golang-migrate reads them (the last value of a repeated one wins). */
function queryOf(raw: string): Map<string, string> {
  const out = new Map<string, string>();
  if (raw === "") return out;
  for (const part of raw.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const key = queryUnescape(eq < 0 ? part : part.slice(0, eq), "URL parameter name");
    out.set(key, eq < 0 ? "" : queryUnescape(part.slice(eq + 1), `value of ${key.slice(0, 40)}`));
  }
  return out;
}

/**
 * A migrations table name; `quoted` (x-migrations-table-quoted, or a value that starts with a
 * double quote) reads the Postgres drivers' `"schema"."table"` form, which names the schema too.
 */
export function parseMigrationsTable(
  value: string,
  dialect: DriftDialect,
  quoted = value.startsWith('"'),
): MigrationsTable {
  if (value === "") throw new DriftUrlError("the migrations table name is empty");
  if (!quoted || dialect !== "postgres") return { name: value };
  const parts = [...value.matchAll(/"(.*?)"/g)].map((m) => m[1]!);
  if (parts.length === 0 || parts.length > 2 || parts.some((p) => p === ""))
    throw new DriftUrlError(
      'a quoted migrations table must be "table" or "schema"."table" (x-migrations-table-quoted)',
    );
  return parts.length === 2 ? { schema: parts[0]!, name: parts[1]! } : { name: parts[0]! };
}

/** golang-migrate's x-migrations-table and x-migrations-table-quoted. */
function migrationsTable(q: Map<string, string>, dialect: DriftDialect): MigrationsTable {
  const raw = q.get("x-migrations-table");
  if (raw === undefined || raw === "") return { name: DEFAULT_MIGRATIONS_TABLE };
  const quoted = parseBool(
    q.get("x-migrations-table-quoted") ?? "false",
    "x-migrations-table-quoted",
  );
  return parseMigrationsTable(raw, dialect, quoted);
}

function port(text: string, fallback: number): number {
  if (text === "") return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535)
    throw new DriftUrlError("invalid port (expected 1 to 65535)");
  return n;
}

function hostForUrl(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/** Parse a golang-migrate database URL; throws DriftUrlError with a message safe to print. */
export function parseDriftUrl(text: string): DriftUrl {
  const trimmed = text.trim();
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(trimmed);
  if (!m)
    throw new DriftUrlError(
      "not a database URL (expected postgres://…, mysql://… or sqlite3://…, as golang-migrate's -database takes)",
    );
  const scheme = m[1]!.toLowerCase();
  const dialect = SCHEMES[scheme];
  if (!dialect)
    throw new DriftUrlError(
      `unsupported scheme "${scheme.slice(0, 20)}://" (drift reads postgres://, postgresql://, mysql://, sqlite3:// and sqlite://)`,
    );
  const rest = trimmed.slice(m[0].length);
  if (dialect === "postgres") return parsePostgres(trimmed, scheme);
  if (dialect === "mysql") return parseMysql(rest);
  return parseSqlite(rest, scheme);
}

const PG_TLS: Record<string, { tls: TlsMode; fallback: boolean }> = {
  disable: { tls: "disable", fallback: false },
  allow: { tls: "disable", fallback: false },
  prefer: { tls: "require", fallback: true },
  require: { tls: "require", fallback: false },
  "verify-ca": { tls: "verify-ca", fallback: false },
  "verify-full": { tls: "verify-full", fallback: false },
};

/** lib/pq connection parameters drift uses, and the ones that change nothing it reads. */
const PG_USED = new Set([
  "sslmode",
  "sslrootcert",
  "sslcert",
  "sslkey",
  "connect_timeout",
  "search_path",
  "user",
  "password",
  "host",
  "port",
  "dbname",
  "options",
]);
const PG_HARMLESS = new Set(["application_name", "fallback_application_name"]);

function parsePostgres(text: string, scheme: string): ServerUrl {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    // The WHATWG parser's message would quote the input, password included.
    throw new DriftUrlError(
      "not a valid URL (expected postgres://user:password@host:port/database?sslmode=…)",
    );
  }
  if (u.hash) throw new DriftUrlError("the URL must not have a #fragment");
  const q = queryOf(u.search.replace(/^\?/, ""));
  const secrets: string[] = [];
  let password: string | undefined;
  if (u.password !== "") {
    secrets.push(u.password);
    password = percentDecode(u.password, "password");
  }
  if (q.has("password")) password = q.get("password");
  if (password !== undefined) secrets.push(password);
  const user = q.get("user") ?? percentDecode(u.username, "user name");
  if (!user) throw new DriftUrlError("the URL names no user (user@host)");
  const host = (q.get("host") ?? u.hostname).replace(/^\[(.*)\]$/, "$1");
  if (host === "" || host.startsWith("/"))
    throw new DriftUrlError("the URL names no host (Unix sockets are not supported: use a host)");
  const path = u.pathname.replace(/^\//, "");
  const database = q.get("dbname") ?? percentDecode(path, "database name");
  if (!database) throw new DriftUrlError("the URL names no database (…/database)");
  const mode = q.get("sslmode") ?? "require";
  const tls = PG_TLS[mode];
  if (!tls) throw new DriftUrlError(`sslmode must be one of ${Object.keys(PG_TLS).join(", ")}`);
  const ignored: string[] = [];
  for (const key of q.keys())
    if (!PG_USED.has(key) && !MIGRATE_OPTIONS.test(key) && !PG_HARMLESS.has(key)) ignored.push(key);
  let searchPath = q.get("search_path");
  const options = q.get("options");
  if (options !== undefined) {
    // libpq's options: "-c search_path=app" is the one setting drift honours.
    const sp = /(?:^|\s)(?:-c\s*|--)search_path=(\S+)/.exec(options);
    if (sp) searchPath ??= sp[1]!;
    if (options.replace(/(?:^|\s)(?:-c\s*|--)search_path=\S+/, "").trim() !== "")
      ignored.push("options");
  }
  const address: ServerAddress = {
    host,
    port: port(q.get("port") ?? u.port, 5432),
    user,
    database,
    tls: tls.tls,
  };
  if (password !== undefined) address.password = password;
  const tlsPaths: ServerUrl["tlsPaths"] = {};
  if (q.get("sslrootcert")) tlsPaths.ca = q.get("sslrootcert")!;
  if (q.get("sslcert")) tlsPaths.cert = q.get("sslcert")!;
  if (q.get("sslkey")) tlsPaths.key = q.get("sslkey")!;
  const table = migrationsTable(q, "postgres");
  const out: ServerUrl = {
    dialect: "postgres",
    address,
    tlsPaths,
    tlsFallback: tls.fallback,
    table,
    ignored,
    secrets,
    redacted: redactedServer(scheme, address, q, ["sslmode", "search_path", "x-migrations-table"]),
  };
  if (searchPath !== undefined && searchPath !== "") out.searchPath = searchPath;
  if (q.get("x-lock-strategy")?.toLowerCase() === "table")
    out.lockTable = q.get("x-lock-table") || "schema_lock";
  const timeout = q.get("connect_timeout");
  if (timeout !== undefined && timeout !== "") {
    if (!/^\d+$/.test(timeout)) throw new DriftUrlError("connect_timeout must be whole seconds");
    if (Number(timeout) > 0) out.connectTimeoutMs = Number(timeout) * 1000;
  }
  return out;
}

/** go-sql-driver settings that change nothing drift reads (the rest would be session variables). */
const MYSQL_HARMLESS = new Set([
  "parseTime",
  "charset",
  "collation",
  "loc",
  "readTimeout",
  "writeTimeout",
  "allowNativePasswords",
  "interpolateParams",
  "multiStatements",
  "clientFoundRows",
  "columnsWithAlias",
  "maxAllowedPacket",
  "rejectReadOnly",
  "checkConnLiveness",
  "timeTruncate",
  "connectionAttributes",
]);
const MYSQL_USED = new Set(["tls", "timeout"]);

/** Go's time.ParseDuration for the forms DSNs use ("10s", "500ms", "1m30s"). */
function durationMs(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = text;
  while (rest !== "") {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (!m) throw new DriftUrlError('timeout must be a duration such as "10s"');
    total += Number(m[1]) * units[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return Math.round(total);
}

/**
 * A go-sql-driver DSN's user info, network address and the rest (database and parameters). A
 * password may hold "@", "/", "?" or ":", so the user info ends at the last "@" that starts an
 * address followed by "/", unless a "?" (the parameters) came first.
 */
function splitDsn(rest: string): { userinfo: string; netaddr: string; tail: string } {
  // With a network: the last "@net(addr)/" (neither a password nor a parameter holds one).
  const networks = [...rest.matchAll(/@(\w+\([^)]*\))\//g)];
  let chosen: RegExpMatchArray | undefined = networks[networks.length - 1];
  if (!chosen) {
    // The common form user:password@host:port/database: the last "@host/" before the parameters.
    for (const m of rest.matchAll(/@([^@/?()]*)\//g)) {
      if (chosen && rest.slice(chosen.index! + chosen[0].length, m.index).includes("?")) break;
      chosen = m;
    }
  }
  if (chosen)
    return {
      userinfo: rest.slice(0, chosen.index),
      netaddr: chosen[1]!,
      tail: rest.slice(chosen.index! + chosen[0].length),
    };
  const bare = /^(\w+\([^)]*\)|[^@/?()]*)\//.exec(rest);
  if (!bare)
    throw new DriftUrlError("the URL names no database (user:password@tcp(host:port)/database)");
  return { userinfo: "", netaddr: bare[1]!, tail: rest.slice(bare[0].length) };
}

function parseMysql(rest: string): ServerUrl {
  const { userinfo, netaddr, tail } = splitDsn(rest);
  const qAt = tail.indexOf("?");
  const q = queryOf(qAt < 0 ? "" : tail.slice(qAt + 1));
  const database = percentDecode(qAt < 0 ? tail : tail.slice(0, qAt), "database name");
  if (!database || database.includes("/"))
    throw new DriftUrlError("the URL names no database (user:password@tcp(host:port)/database)");
  const colon = userinfo.indexOf(":");
  const rawUser = colon < 0 ? userinfo : userinfo.slice(0, colon);
  const rawPassword = colon < 0 ? undefined : userinfo.slice(colon + 1);
  const user = queryUnescape(rawUser, "user name");
  if (!user) throw new DriftUrlError("the URL names no user (user:password@tcp(host:port)/…)");
  const secrets: string[] = [];
  let password: string | undefined;
  if (rawPassword !== undefined && rawPassword !== "") {
    secrets.push(rawPassword);
    password = queryUnescape(rawPassword, "password");
    secrets.push(password);
  }

  let hostport: string;
  const net = /^(\w+)\((.*)\)$/.exec(netaddr);
  if (net) {
    if (net[1] !== "tcp")
      throw new DriftUrlError(
        "unsupported network (use tcp(host:port); Unix sockets are not supported)",
      );
    hostport = net[2]!;
  } else if (netaddr === "tcp" || netaddr === "") hostport = "";
  else if (/[()]/.test(netaddr)) throw new DriftUrlError("the address must be tcp(host:port)");
  else hostport = netaddr; // the common form user:password@host:port/database
  const hp = /^(?:\[([^\]]*)\]|([^:]*))(?::(.*))?$/.exec(hostport);
  const host = (hp?.[1] ?? hp?.[2] ?? "") || "127.0.0.1";
  const address: ServerAddress = {
    host,
    port: port(hp?.[3] ?? "", 3306),
    user,
    database,
    tls: "disable",
  };
  if (password !== undefined) address.password = password;

  const tlsPaths: ServerUrl["tlsPaths"] = {};
  let tlsFallback = false;
  const tls = q.get("tls");
  if (tls !== undefined && tls !== "") {
    const lower = tls.toLowerCase();
    if (lower === "skip-verify") address.tls = "require";
    else if (lower === "preferred") {
      address.tls = "require";
      tlsFallback = true;
    } else if (["1", "t", "true"].includes(lower)) address.tls = "verify-full";
    else if (["0", "f", "false"].includes(lower)) address.tls = "disable";
    else {
      // A named configuration: golang-migrate builds it from the x-tls-* files.
      const ca = q.get("x-tls-ca");
      if (!ca)
        throw new DriftUrlError(
          "a tls value other than true, false, skip-verify or preferred names a TLS configuration: give its certificate authority with x-tls-ca",
        );
      tlsPaths.ca = ca;
      const insecure = parseBool(
        q.get("x-tls-insecure-skip-verify") ?? "false",
        "x-tls-insecure-skip-verify",
      );
      address.tls = insecure ? "require" : "verify-full";
      if (q.get("x-tls-cert")) tlsPaths.cert = q.get("x-tls-cert")!;
      if (q.get("x-tls-key")) tlsPaths.key = q.get("x-tls-key")!;
    }
  }
  const ignored = [...q.keys()].filter(
    (k) => !MYSQL_USED.has(k) && !MIGRATE_OPTIONS.test(k) && !MYSQL_HARMLESS.has(k),
  );
  const out: ServerUrl = {
    dialect: "mysql",
    address,
    tlsPaths,
    tlsFallback,
    table: migrationsTable(q, "mysql"),
    ignored,
    secrets,
    redacted: redactedServer("mysql", address, q, ["tls", "x-migrations-table"]),
  };
  const timeout = q.get("timeout");
  if (timeout) out.connectTimeoutMs = durationMs(timeout);
  return out;
}

function parseSqlite(rest: string, scheme: string): SqliteUrl {
  const qAt = rest.indexOf("?");
  const q = queryOf(qAt < 0 ? "" : rest.slice(qAt + 1));
  let path = percentDecode(qAt < 0 ? rest : rest.slice(0, qAt), "path");
  path = path.replace(/^file:(\/\/)?/, "");
  if (path === "" || path === ":memory:" || /(^|&)mode=memory/.test(q.get("mode") ?? ""))
    throw new DriftUrlError("the URL names no database file (sqlite3://path/to/file.db)");
  const ignored = [...q.keys()].filter((k) => !MIGRATE_OPTIONS.test(k));
  const table = migrationsTable(q, "sqlite");
  const x = q.get("x-migrations-table");
  return {
    dialect: "sqlite",
    path,
    table,
    ignored,
    secrets: [],
    redacted: `${scheme}://${path}${x ? `?x-migrations-table=${encodeURIComponent(x)}` : ""}`,
  };
}

/** The URL rebuilt from what was parsed: no password, only parameters known to carry none. */
function redactedServer(
  scheme: string,
  a: ServerAddress,
  q: Map<string, string>,
  keep: readonly string[],
): string {
  const params = keep
    .filter((k) => q.has(k))
    .map((k) => `${k}=${encodeURIComponent(q.get(k)!)}`)
    .join("&");
  const user = encodeURIComponent(a.user);
  const db = encodeURIComponent(a.database);
  const where =
    scheme === "mysql" ? `tcp(${hostForUrl(a.host)}:${a.port})` : `${hostForUrl(a.host)}:${a.port}`;
  return `${scheme}://${user}@${where}/${db}${params ? `?${params}` : ""}`;
}

/** Replace every secret in a message (driver errors are printed; they must not carry one). */
export function redact(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const s of [...secrets].sort((a, b) => b.length - a.length))
    if (s !== "") out = out.split(s).join("***");
  return out;
}

/**
 * Passwords in text that holds a database URL where none was expected (a URL given to --dir or
 * --format by mistake, which the usage error quotes; a path resolved from one, which keeps one
 * slash): `scheme://user:password@`, go-sql-driver's `user:password@tcp(`, `password=…`. The
 * parsed URL's own secrets are known (redact); these are not, so each is masked by its shape.
 */
export function scrubCredentials(text: string): string {
  // Kept: the usage texts' placeholder, and what an earlier pattern masked already.
  const mask = (m: string, head: string, pw: string) =>
    pw === "password" || pw.endsWith("***") ? m : `${head}:***@`;
  return text
    .replace(/([A-Za-z][A-Za-z0-9+.-]*:\/+[^\s/:@'"]*):(\S*)@/g, mask)
    .replace(/((?:^|[\s'"(=/])[^\s/:@'"()]*):(?!\/\/)(\S*)@(?=\w+\()/g, mask)
    .replace(/([?&]password=)[^&\s'"]*/gi, "$1***");
}
