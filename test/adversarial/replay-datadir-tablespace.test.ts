/**
 * A merged migration that puts a table in a tablespace outside the data directory
 * (`CREATE TABLESPACE ts LOCATION '/tmp'`: Postgres links pg_tblspc/<oid> to it, and PGlite's
 * Emscripten FS makes the symlink). The base state's snapshot must restore that table: PGlite's
 * own dumpDataDir stat()s through the link and stores the tablespace's files as a directory, so a
 * snapshot made by the sandbox itself (pglite-datadir.ts tarDataDir) must too, or every later
 * replay restores a state whose table has no files ("could not open file") and reports an error
 * the migration would not have. A link that leads back into the data directory is a cycle: the
 * snapshot fails (PGlite's own ran out of links, ELOOP), never a partial state.
 */
import { beforeAll, expect, jest, test } from "@jest/globals";
import { gunzipSync } from "node:zlib";
import { PgliteEngine, type PgliteModules } from "../../src/replay/engines/pglite.js";
import { readTar } from "../../src/replay/engines/pglite-datadir.js";
import { runReplay } from "../../src/replay/runner.js";
import { pgliteModules } from "../../src/replay/run-in-worker.js";
import { pgliteTemplate } from "../replay/support.js";
import { pgliteJob } from "../support/replay-job.js";

jest.setTimeout(120_000);

const progress = () => undefined;
let modules: PgliteModules;
let template: Uint8Array;

beforeAll(async () => {
  // Compiled as production compiles it (Liftoff alone), once per process.
  modules = await pgliteModules();
  template = await pgliteTemplate();
});

/**
 * CREATE TABLESPACE needs a superuser, which migrations no longer are (engines/pglite-owner.ts):
 * the snapshot's handling of a tablespace stays tested as a superuser's SQL would leave it.
 */
function asSuperuser(engine: PgliteEngine): PgliteEngine {
  (engine as unknown as { owner: unknown }).owner = { run: (f: () => Promise<unknown>) => f() };
  return engine;
}

async function run(engine: PgliteEngine, text: string) {
  return engine.runFile(
    { path: "m/1_a.up.sql", version: "1", text },
    { phase: "base", observeLocks: false, multiStatement: false },
  );
}

test("a table in a tablespace outside the data directory survives the base state's snapshot", async () => {
  const engine = asSuperuser(
    await PgliteEngine.create({
      extensions: [],
      progress,
      snapshot: template,
      modules,
    }),
  );
  let state: Uint8Array;
  try {
    // CREATE TABLESPACE runs outside a transaction: a file of its own, as golang-migrate needs.
    expect((await run(engine, "CREATE TABLESPACE ts LOCATION '/tmp';")).error).toBeUndefined();
    const made = await run(
      engine,
      "CREATE TABLE t (id int) TABLESPACE ts;\nINSERT INTO t SELECT generate_series(1, 100);",
    );
    expect(made.error?.message).toBeUndefined();
    expect((await run(engine, "CHECKPOINT;")).error).toBeUndefined();
    state = await engine.snapshot();
  } finally {
    await engine.close();
  }
  const names = readTar(gunzipSync(state)).map((e) => e.parts.join("/"));
  expect(names.filter((n) => n.startsWith("pg_tblspc/")).length).toBeGreaterThan(1);

  const restored = asSuperuser(
    await PgliteEngine.create({
      extensions: [],
      progress,
      snapshot: state,
      modules,
    }),
  );
  try {
    const read = await run(
      restored,
      "DO $$ BEGIN IF (SELECT count(*) FROM t) <> 100 THEN RAISE EXCEPTION 'rows lost'; END IF; END $$;",
    );
    expect(read.error?.message).toBeUndefined();
  } finally {
    await restored.close();
  }
});

test("a tablespace linked back into the data directory fails the snapshot instead of looping or dropping it", async () => {
  const engine = asSuperuser(
    await PgliteEngine.create({
      extensions: [],
      progress,
      snapshot: template,
      modules,
    }),
  );
  try {
    const made = await run(engine, "CREATE TABLESPACE inside LOCATION '/pglite/data';");
    expect(made.error?.message).toBeUndefined();
    await expect(engine.snapshot()).rejects.toThrow(/cycle|loop/i);
  } finally {
    await engine.close();
  }
});

test("a base the snapshot cannot store is replayed anyway: the change's findings stay, only the state is not cached", async () => {
  const job = pgliteJob({
    base: {
      template,
      files: [
        { path: "m/1_a.up.sql", version: "1", text: "CREATE TABLE users (id int, email text);" },
        {
          path: "m/2_b.up.sql",
          version: "2",
          text: `COPY (SELECT 1) TO '/pglite/data/${"n".repeat(120)}';`,
        },
      ],
    },
    ups: [
      {
        path: "m/3_c.up.sql",
        version: "3",
        text: "ALTER TABLE users ALTER COLUMN email TYPE varchar(200);",
      },
    ],
    wantSnapshot: true,
  });
  const result = await runReplay(job, {
    createEngine: async (opts) => asSuperuser(await PgliteEngine.create({ ...opts, modules })),
    progress,
    partial: () => undefined,
  });
  expect(result.baseFailure).toBeUndefined();
  expect(result.base.applied).toBe(2);
  expect(result.ups[0]?.ok).toBe(true);
  expect(JSON.stringify(result.ups[0])).toMatch(/AccessExclusiveLock/);
  expect(result.snapshot).toBeUndefined();
});
