/**
 * A database of a test file's own on the live PostgreSQL server, for `migration-warden drift`:
 * MW_TEST_POSTGRES_ADMIN_URL creates it, owned by the drift account of
 * MW_TEST_POSTGRES_DRIFT_URL, so files that reset their database (test/replay/drift.test.ts resets
 * the shared one) can run at the same time. `missing` says why the file must be skipped.
 */
import pg from "pg";

export interface DriftDatabase {
  /** Why the servers are not there, or null. */
  missing: string | null;
  /** The drift account's URL, on this database ("" when missing). */
  url: string;
  /** Creates the database if needed and connects `client` as the drift account. */
  open(): Promise<void>;
  close(): Promise<void>;
  /** The drift account's connection (after open()). */
  client(): pg.Client;
}

export function driftDatabase(name: string): DriftDatabase {
  const driftUrl = process.env.MW_TEST_POSTGRES_DRIFT_URL;
  const adminUrl = process.env.MW_TEST_POSTGRES_ADMIN_URL;
  const missing = !driftUrl
    ? "MW_TEST_POSTGRES_DRIFT_URL not set"
    : !adminUrl
      ? "MW_TEST_POSTGRES_ADMIN_URL not set"
      : null;
  const url = driftUrl ? driftUrl.replace(/\/[^/?]+(\?|$)/, `/${name}$1`) : "";
  let client: pg.Client | undefined;
  return {
    missing,
    url,
    async open() {
      if (missing) return;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      try {
        const user = new URL(driftUrl!).username;
        const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
        if (exists.rows.length === 0)
          await admin.query(`CREATE DATABASE ${name} OWNER "${user.replace(/"/g, '""')}"`);
      } finally {
        await admin.end();
      }
      client = new pg.Client({ connectionString: url.replace(/\?.*$/, "") });
      await client.connect();
    },
    async close() {
      await client?.end();
    },
    client() {
      if (!client) throw new Error(`drift database ${name}: not open`);
      return client;
    },
  };
}
