/**
 * The sandbox worker of test/support/shared-sandbox.ts: one thread for a whole test file, running
 * its replay jobs one after the other (production starts a thread per job: src/replay/worker.ts).
 *
 * A job that starts from the fresh-database template reuses the PGlite database of the last such
 * job (starting PGlite from the template is about 0.9 CPU-s, three quarters of a small replay).
 * Before it is reused the database is reset and then *proven* equal to what the template started
 * as: a digest of every pg_catalog table's rows, the server's settings and the files outside the
 * data directory's storage must equal the digest taken right after the start. Anything else
 * (a digest that differs, a reset that fails) closes it and the job gets a fresh one, as in
 * production. Jobs that restore a cached base state start a PGlite of their own (in this thread);
 * a job with another set of extensions replaces the kept database.
 *
 * Plain JavaScript over lib/ (like src/replay/worker.ts's build): Jest does not load worker
 * threads.
 */
import { createHash } from "node:crypto";
import { parentPort } from "node:worker_threads";
import { PgliteEngine } from "../../lib/replay/engines/pglite.js";
import { SqljsEngine } from "../../lib/replay/engines/sqljs.js";
import { runReplay } from "../../lib/replay/runner.js";

const port = parentPort;
if (!port) throw new Error("shared-sandbox-worker.mjs must run in a worker thread");

/** The kept database: { key, engine (the first job's), baseline, dirty }. */
let kept = null;
const stats = { jobs: 0, started: 0, reused: 0, discarded: 0, own: 0, lastDiscard: "" };

/**
 * The data directory's storage (relation files, WAL, commit logs, statistics) changes with every
 * write and is covered by the catalog digest; every other file (a COPY … TO target, lo_export, a
 * file in the data directory's top level) must be as it was.
 */
const VOLATILE =
  /^\/pglite\/data\/(base|global|pg_wal|pg_xact|pg_multixact|pg_subtrans|pg_stat|pg_stat_tmp|pg_logical|pg_notify|pg_serial|pg_snapshots)(\/|$)|^\/(proc|dev)(\/|$)/;

function files(fs) {
  const out = [];
  const walk = (dir) => {
    for (const name of fs.readdir(dir)) {
      if (name === "." || name === "..") continue;
      const p = dir === "/" ? `/${name}` : `${dir}/${name}`;
      if (VOLATILE.test(p)) continue;
      const st = fs.stat(p);
      if (fs.isDir(st.mode)) {
        out.push(`${p}/`);
        walk(p);
      } else {
        const bytes = st.size <= 1 << 20 ? fs.readFile(p) : new Uint8Array(0);
        out.push(`${p} ${st.size} ${createHash("sha256").update(bytes).digest("hex")}`);
      }
    }
  };
  walk("/");
  return out.sort();
}

async function digest(engine) {
  const db = engine.db;
  const tables = await db.query(
    "SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'r' ORDER BY 1",
  );
  const parts = tables.rows.map(
    ({ relname }) =>
      `SELECT '${relname}' AS t, md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), '')) AS h FROM pg_catalog.${relname} x`,
  );
  parts.push(
    "SELECT 'settings', md5(string_agg(name || '=' || coalesce(setting, '') || ' ' || source, E'\\n' ORDER BY name)) FROM pg_settings",
    "SELECT 'file settings', md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), '')) FROM pg_file_settings x",
  );
  const r = await db.query(parts.join(" UNION ALL "));
  const settings = await db.query(
    "SELECT name, coalesce(setting, '') || ' ' || source AS v FROM pg_settings",
  );
  const h = createHash("sha256");
  for (const row of r.rows) h.update(`${row.t}:${row.h}\n`);
  const list = files(db.mod.FS);
  h.update(list.join("\n"));
  return {
    hash: h.digest("hex"),
    tables: Object.fromEntries(r.rows.map((row) => [row.t, row.h])),
    settings: Object.fromEntries(settings.rows.map((row) => [row.name, row.v])),
    files: list,
  };
}

/** Undo what a migration may leave behind; what this misses, the digest catches. */
const RESET = String.raw`
DO $reset$
DECLARE r record;
BEGIN
  FOR r IN SELECT evtname FROM pg_event_trigger LOOP
    EXECUTE format('DROP EVENT TRIGGER %I', r.evtname);
  END LOOP;
  FOR r IN SELECT pubname FROM pg_publication LOOP
    EXECUTE format('DROP PUBLICATION %I', r.pubname);
  END LOOP;
  FOR r IN SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' LOOP
    EXECUTE format('DROP EXTENSION IF EXISTS %I CASCADE', r.extname);
  END LOOP;
  FOR r IN SELECT nspname FROM pg_namespace
      WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'public')
        AND nspname NOT LIKE 'pg\_temp\_%' AND nspname NOT LIKE 'pg\_toast\_temp\_%' LOOP
    EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', r.nspname);
  END LOOP;
  -- Every object in public, by the identity Postgres gives it (public itself is kept: its oid
  -- and privileges are the template's).
  FOR r IN SELECT o.type, o.identity FROM pg_depend d, pg_identify_object(d.classid, d.objid, 0) o
      WHERE d.refclassid = 'pg_namespace'::regclass AND d.refobjid = 'public'::regnamespace
        AND d.deptype = 'n' LOOP
    BEGIN
      EXECUTE format('DROP %s IF EXISTS %s CASCADE',
        CASE r.type WHEN 'composite type' THEN 'TYPE' WHEN 'statistics object' THEN 'STATISTICS'
          ELSE upper(r.type) END,
        r.identity);
    EXCEPTION WHEN undefined_object OR undefined_table OR undefined_function OR wrong_object_type
      OR syntax_error OR dependent_objects_still_exist THEN NULL;
      -- gone with an earlier CASCADE; a column's own sequence (serial, identity) goes with its
      -- table's later; anything else is left for the digest
    END;
  END LOOP;
  PERFORM lo_unlink(oid) FROM pg_largeobject_metadata;
  FOR r IN SELECT rolname FROM pg_roles WHERE oid >= 16384 LOOP
    EXECUTE format('DROP OWNED BY %I CASCADE', r.rolname);
    -- postgres: the sandbox's owner role (src/replay/engines/pglite-owner.ts), made at the start
    IF r.rolname <> 'postgres' THEN EXECUTE format('DROP ROLE %I', r.rolname); END IF;
  END LOOP;
  -- Every role's settings, in any database (ALTER ROLE ALL only resets those for all roles).
  FOR r IN SELECT s.setrole::regrole::text AS role, d.datname FROM pg_db_role_setting s
      LEFT JOIN pg_database d ON d.oid = s.setdatabase WHERE s.setrole <> 0 LOOP
    EXECUTE format('ALTER ROLE %s %s RESET ALL', r.role,
      CASE WHEN r.datname IS NULL THEN '' ELSE format('IN DATABASE %I', r.datname) END);
  END LOOP;
  EXECUTE format('ALTER DATABASE %I RESET ALL', current_database());
  ALTER ROLE ALL RESET ALL;
  EXECUTE format('ALTER ROLE %I RESET ALL', current_user);
END
$reset$;
`;

async function reset(engine, baseline) {
  const db = engine.db;
  // Files a case wrote (COPY … TO, lo_export) outside the data directory's storage.
  const had = new Set(baseline.files.map((f) => f.split(" ")[0]));
  for (const f of files(db.mod.FS)) {
    const path = f.split(" ")[0];
    if (!had.has(path) && !path.endsWith("/")) db.mod.FS.unlink(path);
  }
  if (db.isInTransaction()) await db.exec("ROLLBACK");
  await db.exec("DISCARD ALL");
  await db.exec(RESET);
  const auto = await db.query(
    "SELECT count(*)::int AS n FROM pg_file_settings WHERE sourcefile LIKE '%postgresql.auto.conf'",
  );
  if (auto.rows[0].n > 0) {
    await db.exec("ALTER SYSTEM RESET ALL");
    await db.exec("SELECT pg_reload_conf()");
  }
  await db.exec("DISCARD ALL");
  // What DISCARD ALL reset that the engine's start set for the session (pglite-owner.ts).
  await db.exec("SET createrole_self_grant = 'set, inherit'");
}

async function close(engine) {
  await engine.close().catch(() => undefined);
}

function keyOf(template, extensions) {
  return createHash("sha256")
    .update(template)
    .update(`\n${extensions.join(",")}`)
    .digest("hex");
}

/** A database for this job: the kept one reset and proven, or a new one. */
async function pglite(job, opts, modules) {
  const template = job.base.template;
  if (job.base.restore || !template || opts.snapshot !== template || opts.functions) {
    stats.own++;
    return PgliteEngine.create({ ...opts, modules });
  }
  const key = keyOf(template, opts.extensions);
  if (kept && kept.key !== key) {
    await close(kept.engine);
    kept = null;
  }
  if (kept) {
    let why = "";
    try {
      await reset(kept.engine, kept.baseline);
      const now = await digest(kept.engine);
      if (now.hash !== kept.baseline.hash) {
        const differ = Object.keys(now.tables).filter(
          (t) => now.tables[t] !== kept.baseline.tables[t],
        );
        const settings = Object.keys(now.settings).filter(
          (n) => now.settings[n] !== kept.baseline.settings[n],
        );
        const changed = now.files
          .filter((f) => !kept.baseline.files.includes(f))
          .concat(kept.baseline.files.filter((f) => !now.files.includes(f)).map((f) => `-${f}`));
        why = `differs after reset: ${differ.concat(changed).join(", ")}${settings.length ? ` (${settings.map((n) => `${n}: ${kept.baseline.settings[n]} → ${now.settings[n]}`).join(", ")})` : ""}`;
      }
    } catch (err) {
      why = `reset failed: ${err?.message ?? err}`;
    }
    if (why) {
      stats.discarded++;
      stats.lastDiscard = why;
      await close(kept.engine);
      kept = null;
    } else stats.reused++;
  }
  if (!kept) {
    const engine = await PgliteEngine.create({ ...opts, modules });
    // The reset's DO block loads PL/pgSQL, which adds its settings to the session: loaded before
    // the baseline (a migration's first DO block or function loads it in production too).
    await engine.db.exec("DO $$ BEGIN END $$");
    kept = { key, engine, baseline: await digest(engine) };
    stats.started++;
  }
  // A new engine object over the kept database: none of the last job's bookkeeping (roles it
  // created, relations it marked) carries over.
  const Engine = kept.engine.constructor;
  const engine = new Engine(
    kept.engine.db,
    kept.engine.owner,
    kept.engine.description,
    opts.progress,
  );
  engine.close = async () => undefined; // reset before the next job, not inside this one's budget
  return engine;
}

/** Every message carries the counts so far (the host reads them after a job). */
const send = (id, m) => port.postMessage({ id, m, stats: { ...stats } });

let queue = Promise.resolve();
port.on("message", (req) => {
  queue = queue.then(() => run(req));
});

async function run({ id, job, modules }) {
  stats.jobs++;
  try {
    const result = await runReplay(job, {
      createEngine: (opts) =>
        job.engine === "pglite" ? pglite(job, opts, modules) : SqljsEngine.create(opts),
      progress: (phase, path, line) => {
        const m = { type: "progress", phase, statement: line !== undefined };
        if (path !== undefined) m.path = path;
        if (line !== undefined) m.line = line;
        send(id, m);
      },
      partial: (result) => {
        send(id, {
          type: "partial",
          result: { ...result, snapshot: undefined, template: undefined },
        });
      },
    });
    send(id, { type: "done", result });
  } catch (err) {
    send(id, { type: "error", message: err?.stack ?? String(err) });
  }
}
