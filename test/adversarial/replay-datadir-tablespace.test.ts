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
import { afterAll, beforeAll, expect, jest, test } from "@jest/globals";
import type { PgliteEngine, PgliteModules } from "../../src/replay/engines/pglite.js";
import { pgliteTemplate } from "../replay/support.js";
import { inThread, type Thread } from "../support/in-thread.js";
import { pgliteJob } from "../support/replay-job.js";

jest.setTimeout(120_000);

// The sandboxes run in a thread of the file's own (test/support/in-thread.ts), as the sandbox's
// own worker runs them, not in the Jest worker's thread: each start allocates hundreds of MB of
// buffers, and in a Jest worker grown by earlier files every 64 MB of them cost a full collection
// of that worker's heap (this file: about 6 CPU-s alone, 25 late in a full run). The functions
// below return what they saw; every check is still made here.

/** The thread's own state, on its `globalThis` (functions sent to it see nothing else). */
interface Kept {
  /** PGlite's WASM compiled as production compiles it (Liftoff alone), once for the file. */
  modules: PgliteModules;
  template: Uint8Array;
  /**
   * CREATE TABLESPACE and COPY to a server file need a superuser, which migrations no longer are
   * (engines/pglite-owner.ts): the snapshot's handling of what such SQL leaves stays tested with
   * the owner switch off.
   */
  asSuperuser(engine: PgliteEngine): PgliteEngine;
}

let thread: Thread;

beforeAll(async () => {
  thread = inThread();
  await thread.run(
    async ({ pgliteModules }, { template }) => {
      const k = globalThis as unknown as Kept;
      k.modules = await pgliteModules();
      k.template = template;
      k.asSuperuser = (engine) => {
        (engine as unknown as { owner: unknown }).owner = {
          run: (f: () => Promise<unknown>) => f(),
        };
        return engine;
      };
    },
    { template: await pgliteTemplate() },
  );
});

afterAll(async () => {
  await thread?.close();
});

test("a table in a tablespace outside the data directory survives the base state's snapshot", async () => {
  const seen = await thread.run(async ({ PgliteEngine, readTar, zlib }) => {
    const k = globalThis as unknown as Kept;
    const progress = () => undefined;
    // One migration file at a time, as the base state's replay applies them.
    const run = (engine: PgliteEngine, text: string) =>
      engine.runFile(
        { path: "m/1_a.up.sql", version: "1", text },
        { phase: "base", observeLocks: false, multiStatement: false },
      );
    const engine = k.asSuperuser(
      await PgliteEngine.create({
        extensions: [],
        progress,
        snapshot: k.template,
        modules: k.modules,
      }),
    );
    let state: Uint8Array;
    const errors: Record<string, string | undefined> = {};
    try {
      // CREATE TABLESPACE runs outside a transaction: a file of its own, as golang-migrate needs.
      errors.tablespace = (await run(engine, "CREATE TABLESPACE ts LOCATION '/tmp';")).error
        ?.message;
      errors.made = (
        await run(
          engine,
          "CREATE TABLE t (id int) TABLESPACE ts;\nINSERT INTO t SELECT generate_series(1, 100);",
        )
      ).error?.message;
      errors.checkpoint = (await run(engine, "CHECKPOINT;")).error?.message;
      state = await engine.snapshot();
    } finally {
      await engine.close();
    }
    const names = readTar(zlib.gunzipSync(state)).map((e) => e.parts.join("/"));
    const restored = k.asSuperuser(
      await PgliteEngine.create({
        extensions: [],
        progress,
        snapshot: state,
        modules: k.modules,
      }),
    );
    try {
      const read = await run(
        restored,
        "DO $$ BEGIN IF (SELECT count(*) FROM t) <> 100 THEN RAISE EXCEPTION 'rows lost'; END IF; END $$;",
      );
      errors.read = read.error?.message;
    } finally {
      await restored.close();
    }
    return { errors, tablespaceEntries: names.filter((n) => n.startsWith("pg_tblspc/")).length };
  }, null);
  expect(seen.errors.tablespace).toBeUndefined();
  expect(seen.errors.made).toBeUndefined();
  expect(seen.errors.checkpoint).toBeUndefined();
  expect(seen.tablespaceEntries).toBeGreaterThan(1);
  expect(seen.errors.read).toBeUndefined();
});

test("a tablespace linked back into the data directory fails the snapshot instead of looping or dropping it", async () => {
  const seen = await thread.run(async ({ PgliteEngine }) => {
    const k = globalThis as unknown as Kept;
    const engine = k.asSuperuser(
      await PgliteEngine.create({
        extensions: [],
        progress: () => undefined,
        snapshot: k.template,
        modules: k.modules,
      }),
    );
    try {
      const made = await engine.runFile(
        {
          path: "m/1_a.up.sql",
          version: "1",
          text: "CREATE TABLESPACE inside LOCATION '/pglite/data';",
        },
        { phase: "base", observeLocks: false, multiStatement: false },
      );
      try {
        await engine.snapshot();
        return { made: made.error?.message, snapshot: "made" };
      } catch (err) {
        return {
          made: made.error?.message,
          snapshot: err instanceof Error ? `Error: ${err.message}` : `not an Error: ${String(err)}`,
        };
      }
    } finally {
      await engine.close();
    }
  }, null);
  expect(seen.made).toBeUndefined();
  // What `rejects.toThrow(/cycle|loop/i)` checked: an Error, with that message.
  expect(seen.snapshot).toMatch(/^Error: [\s\S]*(cycle|loop)/i);
});

test("a base the snapshot cannot store is replayed anyway: the change's findings stay, only the state is not cached", async () => {
  const job = pgliteJob({
    base: {
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
  const result = await thread.run(
    async ({ PgliteEngine, runReplay }, { job }) => {
      const k = globalThis as unknown as Kept;
      const r = await runReplay(
        { ...job, base: { ...job.base, template: k.template } },
        {
          createEngine: async (opts) =>
            k.asSuperuser(await PgliteEngine.create({ ...opts, modules: k.modules })),
          progress: () => undefined,
          partial: () => undefined,
        },
      );
      return {
        baseFailure: r.baseFailure,
        applied: r.base.applied,
        ups: r.ups,
        snapshot: r.snapshot,
      };
    },
    { job },
  );
  expect(result.baseFailure).toBeUndefined();
  expect(result.applied).toBe(2);
  expect(result.ups[0]?.ok).toBe(true);
  expect(JSON.stringify(result.ups[0])).toMatch(/AccessExclusiveLock/);
  expect(result.snapshot).toBeUndefined();
});
