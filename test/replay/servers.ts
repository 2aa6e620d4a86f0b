/**
 * Real database servers for the external-replay integration tests: MW_TEST_MYSQL_URL and
 * MW_TEST_POSTGRES_URL (.ci/start-databases.sh starts both). Without them the tests are skipped
 * and say why.
 */
import mysql from "mysql2/promise";
import pg from "pg";
import { cliDatabases, type DatabaseResolver } from "../../src/replay/external/select.js";
import { parseDatabaseUrl } from "../../src/replay/external/url.js";

export interface TestServer {
  url: string;
  /** Optional: an account with every privilege on the same server (for the refusal tests). */
  adminUrl: string | undefined;
  databases: DatabaseResolver;
}

/** The server from `variable`, or null after printing why its tests are skipped. */
export function testServer(variable: string, adminVariable: string): TestServer | null {
  const url = process.env[variable];
  if (!url) {
    console.warn(
      `SKIPPED: ${variable} is not set, so the integration tests against a real server do not run (.ci/start-databases.sh starts one).`,
    );
    return null;
  }
  return {
    url,
    adminUrl: process.env[adminVariable] || undefined,
    databases: cliDatabases({ MIGRATION_WARDEN_DATABASE_URL: url }),
  };
}

/** A plain connection for setting up and inspecting the test database. */
export async function mysqlAdmin(url: string): Promise<mysql.Connection> {
  const u = parseDatabaseUrl(url);
  return mysql.createConnection({
    host: u.host,
    port: u.port,
    user: u.user,
    password: u.password ?? "",
    database: u.database,
    multipleStatements: true,
  });
}

export async function postgresAdmin(url: string): Promise<pg.Client> {
  const u = parseDatabaseUrl(url);
  const c = new pg.Client({
    host: u.host,
    port: u.port,
    user: u.user,
    password: u.password ?? "",
    database: u.database,
  });
  await c.connect();
  return c;
}

/**
 * A login role and a database it owns, both named `name`, made through the admin account (a
 * test whose migrations change what the account or its database carry must not reach the shared
 * test account): the admin connection and the role's URL on `serverUrl`'s server.
 */
export async function createOwnPostgresAccount(
  serverUrl: string,
  adminUrl: string,
  name: string,
): Promise<{ admin: pg.Client; url: string }> {
  const admin = await postgresAdmin(adminUrl);
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`DROP ROLE IF EXISTS ${name}`);
  await admin.query(`CREATE ROLE ${name} LOGIN PASSWORD 'own-pw'`);
  await admin.query(`CREATE DATABASE ${name} OWNER ${name}`);
  const u = new URL(serverUrl);
  u.username = name;
  u.password = "own-pw";
  u.pathname = `/${name}`;
  return { admin, url: u.toString() };
}

/** Drops what createOwnPostgresAccount made (also a database a migration made a template). */
export async function dropOwnPostgresAccount(admin: pg.Client, name: string): Promise<void> {
  await admin.query(`ALTER DATABASE ${name} IS_TEMPLATE false`).catch(() => undefined);
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
  await admin.query(`DROP ROLE IF EXISTS ${name}`).catch(() => undefined);
  await admin.end();
}
