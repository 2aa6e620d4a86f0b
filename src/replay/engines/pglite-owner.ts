/**
 * The sandbox replays migrations as the database's owner, not as a superuser.
 *
 * PGlite opens its one session as initdb's superuser (oid 10) whatever its `username` option says
 * (that option only sends `SET ROLE`, which `RESET ROLE` undoes), and a superuser can write the
 * system catalogs with plain DML: a down file could `DELETE FROM pg_attribute` until the schema
 * fingerprint, read from those catalogs, looks restored. `SET SESSION AUTHORIZATION` is no
 * way out either: the session can always go back to the user it authenticated as.
 *
 * So each of the migrations' statements runs the way Postgres runs a SECURITY DEFINER function's:
 * the host sets the current user to the owner role and the SECURITY_LOCAL_USERID_CHANGE flag
 * (`SetUserIdAndSecContext`, called from JavaScript: SQL cannot reach it), and takes both back
 * before its own reads. Under that flag Postgres refuses every change of role or session
 * authorization (`SET ROLE`, `RESET ROLE`, `SET SESSION AUTHORIZATION`, `DISCARD ALL`,
 * `set_config('role', …)`, a function's `SET role` clause), and every place that saves the user
 * (transactions, subtransactions, SECURITY DEFINER calls, maintenance commands) restores the
 * owner. The fingerprint, the lock reads and the roles the sandbox provides keep the superuser.
 *
 * The owner role is named `postgres`, like the master account of RDS, Cloud SQL or Azure (which
 * is no superuser there either): migrations written against that account (`OWNER TO postgres`,
 * `ALTER DEFAULT PRIVILEGES FOR ROLE postgres`) do what they do in production. initdb's superuser
 * is renamed out of its way. The owner has CREATEROLE and CREATEDB like those accounts, and owns
 * the database (so `public`, which belongs to pg_database_owner).
 */
import type { PGlite } from "@electric-sql/pglite";
import { CONTRIB } from "./embedded.js";
import { EngineAborted } from "./engine.js";

/** The role the migrations run as. */
export const OWNER_ROLE = "postgres";
/** initdb's superuser, renamed: the sandbox's own role. */
export const SANDBOX_SUPERUSER = "migration_warden_sandbox";

/** Postgres's fixed oid of initdb's superuser, the user every PGlite session starts as. */
const BOOTSTRAP_SUPERUSERID = 10;
/** miscadmin.h: the flag SECURITY DEFINER calls set. */
const SECURITY_LOCAL_USERID_CHANGE = 0x0001;

/** The C functions of PGlite's build used here (exported for extensions' side modules). */
interface UserIdExports {
  _SetUserIdAndSecContext(userid: number, secContext: number): void;
  _GetUserIdAndSecContext(useridPtr: number, secContextPtr: number): void;
  _malloc(bytes: number): number;
  getValue(ptr: number, type: "i32"): number;
}

interface ExtensionFs {
  readdir(path: string): string[];
  readFile(path: string, opts: { encoding: "utf8" }): string;
  writeFile(path: string, data: string): void;
}

const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * PGlite's contrib extensions, marked `trusted` in the sandbox's (virtual) share directory: the
 * owner creates them as an RDS master account creates the extensions its provider allows, and
 * Postgres runs their install scripts (fixed files of PGlite's, not the migration's) as the
 * superuser. Extensions that need a superuser on any server stay out of reach: they are not
 * shipped (PostGIS aside, which is a limitation either way).
 */
export function trustContribExtensions(fs: ExtensionFs, shareDir: string): void {
  const dir = `${shareDir}/extension`;
  for (const file of fs.readdir(dir)) {
    const name = file.endsWith(".control") ? file.slice(0, -".control".length) : null;
    if (!name || !(name in CONTRIB)) continue;
    const path = `${dir}/${file}`;
    const text = fs.readFile(path, { encoding: "utf8" });
    // The control file's last assignment wins.
    if (!/^\s*trusted\s*=\s*true\s*$/m.test(text)) fs.writeFile(path, `${text}\ntrusted = true\n`);
  }
}

export class OwnerRole {
  private readonly ptr: number;

  private constructor(
    private readonly mod: UserIdExports,
    readonly oid: number,
  ) {
    this.ptr = mod._malloc(8);
  }

  /**
   * Make (a fresh database) or check (a restored state) the owner role, and return the switch.
   * A state whose owner could do more than an owner throws: the sandbox then fails at its start,
   * and the replay runs again from the merged files (jobs.ts), as for any state that does not load.
   */
  static async setUp(db: PGlite): Promise<OwnerRole> {
    const boot = await db.query<{ rolname: string }>(
      "SELECT rolname FROM pg_catalog.pg_authid WHERE oid = $1",
      [BOOTSTRAP_SUPERUSERID],
    );
    if (boot.rows[0]?.rolname === OWNER_ROLE) {
      // A fresh database (the template). ALTER ROLE cannot rename the session's own user.
      await db.query("UPDATE pg_catalog.pg_authid SET rolname = $1 WHERE oid = $2", [
        SANDBOX_SUPERUSER,
        BOOTSTRAP_SUPERUSERID,
      ]);
      await db.exec(`CREATE ROLE ${q(OWNER_ROLE)} LOGIN CREATEDB CREATEROLE`);
      // CHECKPOINT (harmless here, and a migration's to run) without a superuser.
      await db.exec(`GRANT pg_checkpoint TO ${q(OWNER_ROLE)}`);
    }
    const r = await db.query<{ oid: number; ok: boolean; dbname: string; owned: boolean }>(
      `SELECT a.oid::int4 AS oid, d.datname AS dbname, d.datdba = a.oid AS owned,
              a.oid <> $2 AND NOT (a.rolsuper OR a.rolreplication OR a.rolbypassrls)
              AND NOT pg_catalog.pg_has_role(a.oid, 'pg_read_server_files', 'MEMBER')
              AND NOT pg_catalog.pg_has_role(a.oid, 'pg_write_server_files', 'MEMBER')
              AND NOT pg_catalog.pg_has_role(a.oid, 'pg_execute_server_program', 'MEMBER') AS ok
         FROM pg_catalog.pg_authid a, pg_catalog.pg_database d
        WHERE a.rolname = $1 AND d.datname = pg_catalog.current_database()`,
      [OWNER_ROLE, BOOTSTRAP_SUPERUSERID],
    );
    const row = r.rows[0];
    if (!row?.ok)
      throw new Error(`the sandbox's role ${OWNER_ROLE} is missing or has a superuser's powers`);
    if (!row.owned) await db.exec(`ALTER DATABASE ${q(row.dbname)} OWNER TO ${q(OWNER_ROLE)}`);
    // Roles a migration creates can own its objects, as they can for a PostgreSQL 15 master
    // account (PostgreSQL 16 made this opt-in).
    await db.exec("SET createrole_self_grant = 'set, inherit'");
    return new OwnerRole(db.Module as unknown as UserIdExports, row.oid);
  }

  /** Run `fn` (one of the migrations' Query messages) as the owner. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    this.mod._SetUserIdAndSecContext(this.oid, SECURITY_LOCAL_USERID_CHANGE);
    let out: T;
    try {
      out = await fn();
    } catch (err) {
      this.leave(); // a role change outweighs the database's error
      throw err;
    }
    this.leave();
    return out;
  }

  private leave(): void {
    const [user, context] = this.current();
    this.mod._SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID, 0);
    // Nothing SQL can do should change these; if something did, nothing after it is trusted:
    // the replay ends as a failed sandbox (an error once the change's files ran).
    if (user !== this.oid || context !== SECURITY_LOCAL_USERID_CHANGE)
      throw new EngineAborted(
        `a migration left the sandbox's owner role (user ${user}, security context ${context})`,
      );
  }

  private current(): [number, number] {
    this.mod._GetUserIdAndSecContext(this.ptr, this.ptr + 4);
    return [this.mod.getValue(this.ptr, "i32"), this.mod.getValue(this.ptr + 4, "i32")];
  }
}
