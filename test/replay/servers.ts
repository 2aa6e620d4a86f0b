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
