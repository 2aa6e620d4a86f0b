/**
 * Which database server, if any, a directory is replayed on. The repository's configuration
 * (`replay.databaseUrl`) asks; the adapter decides:
 *
 * - CLI: the user runs it with their own credentials, so a URL in the configuration is used, and
 *   `env` (or no setting) takes MIGRATION_WARDEN_DATABASE_URL from the environment.
 * - App: the operator's environment alone names servers (REPLAY_DATABASE_URL_POSTGRES,
 *   REPLAY_DATABASE_URL_MYSQL). A repository can only opt in with `env`; a URL in its
 *   configuration is never connected to, so a repository admin cannot make the app reach other
 *   hosts (SSRF) or use credentials from a repository. REPLAY_DATABASE_OWNERS can restrict which
 *   accounts' repositories may opt in.
 */
import { GITHUB_LOGIN } from "../../core/approval/types.js";
import type { ServerTarget } from "./sandbox.js";
import {
  DatabaseUrlError,
  FROM_ENVIRONMENT,
  parseDatabaseUrl,
  redactedUrl,
  type DatabaseUrl,
  type ServerDialect,
} from "./url.js";

export type DatabaseChoice =
  | { kind: "server"; target: ServerTarget }
  /** No server: the embedded engine (postgres) or no replay (mysql); `reason` when one was asked for. */
  | { kind: "none"; reason?: string };

/** `configured` is the repository's `replay.databaseUrl`. */
export type DatabaseResolver = (
  dialect: ServerDialect,
  configured: string | undefined,
) => DatabaseChoice;

export const CLI_ENV = "MIGRATION_WARDEN_DATABASE_URL";
export const APP_ENV: Record<ServerDialect, string> = {
  postgres: "REPLAY_DATABASE_URL_POSTGRES",
  mysql: "REPLAY_DATABASE_URL_MYSQL",
};
export const APP_OWNERS_ENV = "REPLAY_DATABASE_OWNERS";

const NAMES: Record<ServerDialect, string> = { postgres: "PostgreSQL", mysql: "MySQL" };

/** A variable's URL, checked; the error names the variable, never the value. */
function urlFromEnv(name: string, value: string, dialect?: ServerDialect): DatabaseUrl {
  let url: DatabaseUrl;
  try {
    url = parseDatabaseUrl(value);
  } catch (err) {
    if (err instanceof DatabaseUrlError) throw new DatabaseUrlError(`${name}: ${err.message}`);
    throw err;
  }
  if (dialect && url.dialect !== dialect)
    throw new DatabaseUrlError(`${name}: expected a ${dialect}:// URL, got ${url.dialect}://`);
  return url;
}

/**
 * The CLI's resolver. Throws DatabaseUrlError (naming the variable) when
 * MIGRATION_WARDEN_DATABASE_URL is set but invalid: a typo must not silently mean "no server".
 */
export function cliDatabases(env: Record<string, string | undefined>): DatabaseResolver {
  const raw = env[CLI_ENV]?.trim();
  const fromEnv = raw ? urlFromEnv(CLI_ENV, raw) : null;
  const target = (url: DatabaseUrl): DatabaseChoice => ({
    kind: "server",
    target: { url, label: redactedUrl(url) },
  });
  return (dialect, configured) => {
    if (configured !== undefined && configured !== FROM_ENVIRONMENT) {
      // Validated with the configuration; a URL for the other dialect is not this directory's.
      const url = parseDatabaseUrl(configured);
      return url.dialect === dialect ? target(url) : { kind: "none" };
    }
    if (fromEnv?.dialect === dialect) return target(fromEnv);
    if (configured === FROM_ENVIRONMENT && !fromEnv)
      return {
        kind: "none",
        reason: `replay.databaseUrl is "env" but ${CLI_ENV} is not set`,
      };
    return { kind: "none" };
  };
}

export interface AppDatabases {
  servers: Partial<Record<ServerDialect, DatabaseUrl>>;
  /** Lower-cased account logins whose repositories may use them; null: every installation. */
  owners: string[] | null;
}

/** The operator's settings; throws DatabaseUrlError naming the variable (the app must not start). */
export function appDatabasesFromEnv(env: Record<string, string | undefined>): AppDatabases {
  const servers: AppDatabases["servers"] = {};
  for (const dialect of ["postgres", "mysql"] as const) {
    const raw = env[APP_ENV[dialect]]?.trim();
    if (raw) servers[dialect] = urlFromEnv(APP_ENV[dialect], raw, dialect);
  }
  const rawOwners = env[APP_OWNERS_ENV]?.trim();
  let owners: string[] | null = null;
  if (rawOwners) {
    owners = rawOwners.split(/[\s,]+/).filter((o) => o !== "");
    const bad = owners.find((o) => !GITHUB_LOGIN.test(o));
    if (bad !== undefined)
      throw new DatabaseUrlError(
        `${APP_OWNERS_ENV}: "${bad.slice(0, 40)}" is not a GitHub account login (expected a comma-separated list)`,
      );
    owners = owners.map((o) => o.toLowerCase());
  }
  return { servers, owners };
}

/** The app's resolver for one repository. */
export function appDatabases(settings: AppDatabases, repoOwner: string): DatabaseResolver {
  return (dialect, configured) => {
    if (configured === undefined) return { kind: "none" };
    if (configured !== FROM_ENVIRONMENT)
      return {
        kind: "none",
        reason: `replay.databaseUrl names a server, but the app connects only to the replay database its operator configured: set \`replay.databaseUrl: env\` to use it`,
      };
    const url = settings.servers[dialect];
    if (!url)
      return {
        kind: "none",
        reason: `the app's operator has not configured a ${NAMES[dialect]} replay database (${APP_ENV[dialect]})`,
      };
    if (settings.owners && !settings.owners.includes(repoOwner.toLowerCase()))
      return {
        kind: "none",
        reason: `the app's ${NAMES[dialect]} replay database is not available to repositories of ${repoOwner} (${APP_OWNERS_ENV})`,
      };
    // No host name in reports: check runs may be public, the server is the operator's.
    return {
      kind: "server",
      target: { url, label: `the app's ${NAMES[dialect]} replay database` },
    };
  };
}
