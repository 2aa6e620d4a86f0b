/**
 * URLs of disposable database servers for the replay (`replay.databaseUrl`, the app's
 * REPLAY_DATABASE_URL_* and the CLI's MIGRATION_WARDEN_DATABASE_URL). Pure: parsing and wording.
 *
 * The URL is parsed here and the drivers get explicit options, never the URL itself: both
 * drivers read options from a URL's query string, and some of those would act on this host
 * (pg's `sslrootcert=/path` reads a file; mysql2 takes `flags=LOCAL_FILES`, `localInfile`, …).
 * Only `sslmode` is accepted. Messages never contain the password.
 */

export const SERVER_DIALECTS = ["postgres", "mysql"] as const;
export type ServerDialect = (typeof SERVER_DIALECTS)[number];

/**
 * disable; require (encrypted, certificate not checked); verify-ca (certificate checked, host name
 * not); verify-full. Replay URLs take disable, require and verify-full.
 */
export type TlsMode = "disable" | "require" | "verify-ca" | "verify-full";

/** Where a server is and how to log in: what a driver is given, never the URL itself. */
export interface ServerAddress {
  host: string;
  port: number;
  user: string;
  /** Absent: the driver's own default (PGPASSWORD / ~/.pgpass for postgres; none for mysql). */
  password?: string;
  database: string;
  tls: TlsMode;
  /** PEM texts (certificate authority, client certificate and key) when the URL names files. */
  tlsFiles?: { ca?: string; cert?: string; key?: string };
  /** The name the server's certificate must carry, when not the host. */
  tlsServerName?: string;
}

export interface DatabaseUrl extends ServerAddress {
  dialect: ServerDialect;
}

export class DatabaseUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DatabaseUrlError";
  }
}

const SCHEMES: Record<string, ServerDialect> = {
  "postgres:": "postgres",
  "postgresql:": "postgres",
  "mysql:": "mysql",
};
const DEFAULT_PORT: Record<ServerDialect, number> = { postgres: 5432, mysql: 3306 };

/** Databases every server has for itself: wiping one would break the server or other users. */
const SYSTEM_DATABASES: Record<ServerDialect, readonly string[]> = {
  postgres: ["postgres", "template0", "template1"],
  mysql: ["mysql", "information_schema", "performance_schema", "sys"],
};

const TLS_MODES: readonly TlsMode[] = ["disable", "require", "verify-full"];

/** Percent-decoding; the error names what was decoded, never its text. */
export function percentDecode(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new DatabaseUrlError(`the ${what} is not valid percent-encoding`);
  }
}

/** Parse and check a database URL; throws DatabaseUrlError with a message safe to print. */
export function parseDatabaseUrl(text: string): DatabaseUrl {
  const trimmed = text.trim();
  let u: URL;
  try {
    u = new URL(trimmed);
  } catch {
    // The WHATWG parser's message would quote the input, password included.
    throw new DatabaseUrlError(
      "not a valid URL (expected postgres://user:password@host:port/database or mysql://…)",
    );
  }
  const dialect = SCHEMES[u.protocol];
  if (!dialect)
    throw new DatabaseUrlError(
      `unsupported scheme "${u.protocol.slice(0, 20)}" (expected postgres://, postgresql:// or mysql://)`,
    );
  if (!u.hostname)
    throw new DatabaseUrlError("the URL names no host (sockets are not supported: use 127.0.0.1)");
  const port = u.port === "" ? DEFAULT_PORT[dialect] : Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new DatabaseUrlError(`invalid port "${u.port}"`);
  const user = percentDecode(u.username, "user name");
  if (!user) throw new DatabaseUrlError("the URL names no user (user@host)");
  const path = u.pathname.replace(/^\//, "");
  if (!path)
    throw new DatabaseUrlError(
      "the URL names no database: give the throwaway database to use (…/replay_sandbox); it is wiped before every replay",
    );
  if (path.includes("/")) throw new DatabaseUrlError("the database name must not contain '/'");
  const database = percentDecode(path, "database name");
  if (!/^[^\0]{1,63}$/u.test(database))
    throw new DatabaseUrlError("the database name must be 1 to 63 characters");
  if (SYSTEM_DATABASES[dialect].includes(database.toLowerCase()))
    throw new DatabaseUrlError(
      `"${database}" is the server's own database: create a dedicated throwaway database (it is wiped before every replay)`,
    );
  if (u.hash) throw new DatabaseUrlError("the URL must not have a #fragment");

  let tls: TlsMode = "disable";
  for (const [key, value] of u.searchParams) {
    if (key !== "sslmode")
      throw new DatabaseUrlError(
        `unsupported URL parameter "${key.slice(0, 40)}" (only sslmode is accepted)`,
      );
    if (!(TLS_MODES as readonly string[]).includes(value))
      throw new DatabaseUrlError(`sslmode must be one of ${TLS_MODES.join(", ")}`);
    tls = value as TlsMode;
  }
  const out: DatabaseUrl = { dialect, host: hostOf(u), port, user, database, tls };
  if (u.password !== "") out.password = percentDecode(u.password, "password");
  return out;
}

/** "[::1]" → "::1": drivers want the bare address. */
function hostOf(u: URL): string {
  return u.hostname.replace(/^\[(.*)\]$/, "$1");
}

/** The URL without its password, for messages: `mysql://mw@127.0.0.1:3306/replay`. */
export function redactedUrl(u: DatabaseUrl): string {
  const host = u.host.includes(":") ? `[${u.host}]` : u.host;
  const tls = u.tls === "disable" ? "" : `?sslmode=${u.tls}`;
  return `${u.dialect}://${encodeURIComponent(u.user)}@${host}:${u.port}/${encodeURIComponent(u.database)}${tls}`;
}

/** The value `replay.databaseUrl` takes to use the URL the environment provides. */
export const FROM_ENVIRONMENT = "env";
