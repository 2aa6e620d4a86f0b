/**
 * `migration-warden drift` on PostgreSQL: changes made by hand that the fingerprint did not read,
 * so drift said "in sync" while production behaved differently — a grant to a role (`GRANT ALL ON
 * users TO reporting`, exactly what a security reviewer wants to see), FORCE ROW LEVEL SECURITY
 * alone, a replica identity, a column's storage settings, an index to CLUSTER on, an inheritance
 * parent, extended statistics, a publication. Role names differ between the sandbox and production:
 * the object's owner compares as `(owner)` (the control case: the migrations' own grants and
 * revokes are in sync, although PGlite's owner is not the live one), other grantees by name, and
 * `drift.ignore` leaves out the grants to a role the operator manages (`** TO role`), without
 * hiding a table whose name merely ends like such a pattern.
 *
 * On a database of its own (MW_TEST_POSTGRES_ADMIN_URL creates it, and the role grants go to, for
 * the drift account of MW_TEST_POSTGRES_DRIFT_URL). Skipped, saying why, without those servers.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from "@jest/globals";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { runCli } from "../support/cli.js";
import { driftDatabase } from "../support/drift-database.js";
import { TempRepo } from "../support/git-repo.js";
import { seedCacheDir } from "../support/replay-templates.js";

jest.setTimeout(180_000);

const database = driftDatabase("mw_drift_unread_settings");
const { missing, url } = database;
/** A role the operator manages (cluster-wide, so named for this file). */
const ROLE = "mw_drift_reporting";

const SCHEMA =
  "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n" +
  "CREATE TABLE audit (id bigint, email text);\n" +
  "CREATE SEQUENCE tickets;\n" +
  "CREATE FUNCTION one() RETURNS int LANGUAGE sql AS 'SELECT 1';\n" +
  // The migrations' own grants: the owner differs between PGlite and the live database.
  "GRANT SELECT ON users TO PUBLIC;\n" +
  // ALL: MAINTAIN too on PGlite (PostgreSQL 18), not on a live server before 17.
  "GRANT ALL ON audit TO PUBLIC;\n" +
  "REVOKE TRUNCATE ON users FROM CURRENT_USER;\n";

const repo = new TempRepo();
repo
  .write({
    ".github/migration-warden.yml":
      "directories:\n  - path: db/migrations\n    dialect: postgres\n",
    "db/migrations/1_users.up.sql": SCHEMA,
    "db/migrations/1_users.down.sql":
      "DROP FUNCTION one();\nDROP SEQUENCE tickets;\nDROP TABLE audit;\nDROP TABLE users;\n",
  })
  .commit("migrations");
const cacheDir = mkdtempSync(join(tmpdir(), "mw-drift-settings-cache-"));
seedCacheDir(cacheDir);

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: process.env.MW_TEST_POSTGRES_ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  if (missing) return;
  await admin((c) =>
    c.query(
      `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${ROLE}') THEN CREATE ROLE ${ROLE} NOLOGIN; END IF; END $$`,
    ),
  );
  await database.open();
});

afterAll(async () => {
  if (!missing) {
    await database
      .client()
      .query("DROP OWNED BY CURRENT_USER; CREATE SCHEMA IF NOT EXISTS public")
      .catch(() => undefined);
    await database.close();
  }
  repo.cleanup();
  rmSync(cacheDir, { recursive: true, force: true });
});

/** golang-migrate's state after 1_users, then `byHand`; drift's JSON report from `dir`. */
async function drift(byHand: string, dir = repo.dir) {
  await database.client().query(
    "DROP OWNED BY CURRENT_USER; CREATE SCHEMA IF NOT EXISTS public;\n" +
      // public belongs to pg_database_owner: DROP OWNED leaves grants on it.
      `REVOKE ALL ON SCHEMA public FROM ${ROLE};\n` +
      "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);\n" +
      "INSERT INTO schema_migrations VALUES (1, false);\n" +
      SCHEMA +
      byHand,
  );
  const r = await runCli(["drift", "--format", "json", "--ref", "main"], dir, {
    MIGRATION_WARDEN_DRIFT_DATABASE_URL: url,
    MIGRATION_WARDEN_CACHE_DIR: cacheDir,
  });
  return { ...r, report: r.stdout ? JSON.parse(r.stdout) : null };
}

const brief = (r: { report: any }) =>
  r.report.differences.map((d: any) => `${d.change} ${d.kind} ${d.object}`);

(missing ? describe.skip : describe)(
  `drift: what the fingerprint did not read${missing ? ` (skipped: ${missing})` : ""}`,
  () => {
    test("control: the migrations' own grants and revokes, under another owner, are in sync", async () => {
      const r = await drift("");
      expect(r.stderr).toBe("");
      expect(r.report.differences).toEqual([]);
      expect(r.report.status).toBe("in-sync");
      expect(r.code).toBe(0);
    });

    test("grants to a role, on a table, a column, a sequence, a schema, a function, and by default: drift", async () => {
      const r = await drift(
        `GRANT ALL ON users TO ${ROLE};\n` +
          `GRANT UPDATE (email) ON audit TO ${ROLE} WITH GRANT OPTION;\n` +
          `GRANT USAGE ON SEQUENCE tickets TO ${ROLE};\n` +
          `GRANT CREATE ON SCHEMA public TO ${ROLE};\n` +
          `REVOKE EXECUTE ON FUNCTION one() FROM PUBLIC;\n` +
          `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ${ROLE};\n`,
      );
      expect(r.code).toBe(1);
      expect(r.report.status).toBe("drift");
      expect(brief(r).sort()).toEqual(
        [
          `added privilege (default) IN SCHEMA public ON TABLES TO ${ROLE}`,
          `added privilege public TO ${ROLE}`,
          `added privilege public.audit.email TO ${ROLE}`,
          "added privilege public.one() TO PUBLIC",
          `added privilege public.tickets TO ${ROLE}`,
          `added privilege public.users TO ${ROLE}`,
        ].sort(),
      );
      const actual = (object: string) =>
        r.report.differences.find((d: any) => d.object === object)?.actual;
      expect(actual(`public.users TO ${ROLE}`)).toBe("ALL");
      expect(actual(`public.audit.email TO ${ROLE}`)).toBe("UPDATE WITH GRANT OPTION");
      expect(actual("public.one() TO PUBLIC")).toMatch(/^none/);
    });

    test("the migrations' grant revoked by hand, the owner's revoked privilege given back: drift", async () => {
      const r = await drift(
        "REVOKE SELECT ON users FROM PUBLIC;\nGRANT TRUNCATE ON users TO CURRENT_USER;\n",
      );
      expect(r.code).toBe(1);
      expect(brief(r).sort()).toEqual([
        "missing privilege public.users TO (owner)",
        "missing privilege public.users TO PUBLIC",
      ]);
    });

    test("drift.ignore leaves out the grants to a role the operator manages, and nothing else", async () => {
      const ignoring = TempRepo.copyOf(repo);
      try {
        ignoring
          .write({
            ".github/migration-warden.yml":
              "directories:\n  - path: db/migrations\n    dialect: postgres\n" +
              `drift:\n  ignore:\n    - "** TO ${ROLE}"\n`,
          })
          .commit("ignore the reporting role's grants");
        const grants = await drift(
          `GRANT ALL ON users TO ${ROLE};\nGRANT USAGE ON SCHEMA public TO ${ROLE};\n` +
            `ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO ${ROLE};\n`,
          ignoring.dir,
        );
        expect(grants.report.differences).toEqual([]);
        expect(grants.report.status).toBe("in-sync");
        // A table named to read like the pattern is still drift; so is a grant to anyone else.
        const hiding = await drift(
          `CREATE TABLE "stash TO ${ROLE}" (x int);\nGRANT SELECT ON tickets TO PUBLIC;\n`,
          ignoring.dir,
        );
        expect(brief(hiding).sort()).toEqual([
          `added column public.stash TO ${ROLE}.x`,
          "added privilege public.tickets TO PUBLIC",
          `added table public.stash TO ${ROLE}`,
        ]);
      } finally {
        ignoring.cleanup();
      }
    });

    test("FORCE ROW LEVEL SECURITY alone, and a replica identity: drift on the table", async () => {
      const force = await drift("ALTER TABLE users FORCE ROW LEVEL SECURITY;");
      expect(brief(force)).toEqual(["changed table public.users"]);
      expect(force.report.differences[0].actual).toContain(
        "rowSecurity: disabled (forced when enabled)",
      );
      const replica = await drift("ALTER TABLE audit REPLICA IDENTITY FULL;");
      expect(brief(replica)).toEqual(["changed table public.audit"]);
      expect(replica.report.differences[0].actual).toContain("replicaIdentity: full");
      const byIndex = await drift("ALTER TABLE users REPLICA IDENTITY USING INDEX users_pkey;");
      expect(byIndex.report.differences[0].actual).toContain(
        "replicaIdentity: using index public.users_pkey",
      );
    });

    test("a column's storage, compression, statistics target and options; CLUSTER ON: drift", async () => {
      const r = await drift(
        "ALTER TABLE users ALTER email SET STORAGE EXTERNAL, ALTER email SET COMPRESSION pglz;\n" +
          "ALTER TABLE audit ALTER id SET STATISTICS 1000, ALTER id SET (n_distinct = 100);\n" +
          "ALTER TABLE users CLUSTER ON users_pkey;\n",
      );
      expect(r.code).toBe(1);
      expect(brief(r)).toEqual([
        "changed column public.audit.id",
        "changed column public.users.email",
        "changed index public.users_pkey",
      ]);
      const [audit, email, index] = r.report.differences;
      expect(audit.actual).toMatch(
        /statistics: 1000.*options: n_distinct=100|options: n_distinct=100.*statistics: 1000/,
      );
      expect(email.actual).toMatch(/storage: external/);
      expect(email.actual).toMatch(/compression: pglz/);
      expect(index.actual).toMatch(/clustered: true/);
    });

    test("an inheritance parent, extended statistics, a publication: drift", async () => {
      const r = await drift(
        "CREATE TABLE base ();\nALTER TABLE audit INHERIT base;\n" +
          "CREATE STATISTICS audit_dep (dependencies) ON id, email FROM audit;\n" +
          "CREATE PUBLICATION outbound FOR TABLE users;\n",
      );
      expect(brief(r).sort()).toEqual(
        [
          "changed table public.audit",
          "added statistics public.audit_dep",
          "added table public.base",
          "added publication outbound",
        ].sort(),
      );
      const audit = r.report.differences.find((d: any) => d.object === "public.audit");
      expect(audit.actual).toContain("inherits: public.base");
    });
  },
);
