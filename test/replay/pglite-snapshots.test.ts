/**
 * How the PGlite sandbox stores and restores its data directory: snapshots are gzipped tars made
 * with zlib (level 1); every gzip loads (the cache's entries from before, made at PGlite's default
 * level), so does a plain tar; a damaged snapshot fails the start instead of giving an empty or
 * partial database. The start's settings (shared buffers) are not part of the snapshot. The data
 * directory is read and written by the sandbox itself (pglite-datadir.ts) in the form PGlite's
 * own dumpDataDir/loadDataDir use, and the template is initdb's cleanly shut down directory.
 *
 * The engines run in a thread of the file's own (test/support/in-thread.ts, over lib/ as the
 * sandbox's worker runs them), not in the Jest worker's thread: each PGlite start allocates
 * hundreds of MB of buffers, and a Jest worker late in a full run made every one cost a full
 * garbage collection of its grown heap. What each test checks is returned and asserted here.
 */
import { afterAll, beforeAll, expect, jest, test } from "@jest/globals";
import type { PgliteModules } from "../../src/replay/engines/pglite.js";
import type { ReplayJob, ReplayResult } from "../../src/replay/types.js";
import { pgliteTemplate } from "./support.js";
import { inThread, type Thread } from "../support/in-thread.js";
import { pgliteJob } from "../support/replay-job.js";

jest.setTimeout(120_000);

/** The tables of a sandbox started from a snapshot, and its shared_buffers. */
interface Restored {
  tables: string[];
  buffers: string;
}

/** The thread's own state, on its `globalThis` (functions sent to it see nothing else). */
interface Kept {
  /** PGlite's WASM compiled once for the file by the sandbox host's own function. */
  modules: PgliteModules;
  /** The snapshot made in beforeAll: the template plus one table. */
  state: Uint8Array;
  restored(snapshot: Uint8Array): Promise<Restored>;
}

let thread: Thread;
/** The snapshot's first two bytes. */
let head: number[];
/** What the snapshot as made restores to. */
let now: Restored;

beforeAll(async () => {
  thread = inThread();
  const made = await thread.run(
    async ({ PgliteEngine, pgliteModules }, { template }) => {
      const k = globalThis as unknown as Kept;
      k.modules = await pgliteModules();
      k.restored = async (snapshot) => {
        const engine = await PgliteEngine.create({
          extensions: [],
          progress: () => undefined,
          snapshot,
          modules: k.modules,
        });
        try {
          const schema = await engine.schema();
          const run = await engine.runFile(
            {
              path: "m/2_b.up.sql",
              version: "2",
              text: "DO $$ BEGIN IF current_setting('shared_buffers') <> '32MB' THEN RAISE EXCEPTION 'shared_buffers is %', current_setting('shared_buffers'); END IF; END $$;",
            },
            { phase: "up", observeLocks: false, multiStatement: false },
          );
          return {
            tables: Object.keys(schema).sort(),
            buffers: run.ok ? "32MB" : (run.error?.message ?? "?"),
          };
        } finally {
          await engine.close();
        }
      };
      const engine = await PgliteEngine.create({
        extensions: [],
        progress: () => undefined,
        snapshot: template,
        modules: k.modules,
      });
      let ok: boolean;
      try {
        const run = await engine.runFile(
          { path: "m/1_a.up.sql", version: "1", text: "CREATE TABLE kept (id int PRIMARY KEY);" },
          { phase: "base", observeLocks: false, multiStatement: false },
        );
        ok = run.ok;
        if (ok) k.state = await engine.snapshot();
      } finally {
        await engine.close();
      }
      if (!ok) return { ok, head: [], now: { tables: [], buffers: "" } };
      return { ok, head: [k.state[0]!, k.state[1]!], now: await k.restored(k.state) };
    },
    { template: await pgliteTemplate() },
  );
  expect(made.ok).toBe(true);
  head = made.head;
  now = made.now;
});

afterAll(async () => {
  await thread?.close();
});

test("a snapshot is a gzip that restores the state, with the sandbox's own settings", async () => {
  expect(head).toEqual([0x1f, 0x8b]);
  expect(now.tables.join(" ")).toMatch(/kept/);
  expect(now.buffers).toBe("32MB");
});

test("a snapshot gzipped at another level (the cache's older entries) and a plain tar load alike", async () => {
  const { asBefore, plain } = await thread.run(async ({ zlib }) => {
    const k = globalThis as unknown as Kept;
    const tar = zlib.gunzipSync(k.state);
    return {
      asBefore: await k.restored(zlib.gzipSync(tar, { level: 6 })),
      plain: await k.restored(tar),
    };
  }, null);
  expect(asBefore).toEqual(now);
  expect(plain).toEqual(now);
});

test("a damaged snapshot fails the start: never an empty or partial database", async () => {
  const [half, garbage, gzipped] = await thread.run(async ({ PgliteEngine, zlib }) => {
    const k = globalThis as unknown as Kept;
    const start = async (snapshot: Uint8Array) => {
      try {
        await (
          await PgliteEngine.create({ extensions: [], progress: () => undefined, snapshot })
        ).close();
        return "started";
      } catch (err) {
        return String((err as Error).message);
      }
    };
    const garbage = new Uint8Array(k.state.length).fill(0x41);
    return [
      await start(k.state.subarray(0, Math.floor(k.state.length / 2))),
      await start(garbage),
      await start(zlib.gzipSync(garbage)),
    ];
  }, null);
  expect(half).toMatch(/unexpected end of file/);
  expect(garbage).toMatch(/not a data directory/);
  expect(gzipped).toMatch(/not a data directory/);
});

test("PGlite's own dumpDataDir loads here, and what the sandbox writes loads in PGlite's own loadDataDir", async () => {
  const r = await thread.run(async ({ PGlite, PgliteEngine, readTar, zlib }) => {
    const k = globalThis as unknown as Kept;
    const engine = await PgliteEngine.create({
      extensions: [],
      progress: () => undefined,
      snapshot: k.state,
      modules: k.modules,
    });
    let theirs: Uint8Array;
    try {
      // PGlite itself, under the engine (its dumpDataDir, its Emscripten FS).
      const db = (engine as unknown as { db: InstanceType<typeof PGlite> }).db;
      theirs = new Uint8Array(await (await db.dumpDataDir("none")).arrayBuffer());
    } finally {
      await engine.close();
    }
    const theirsRestored = await k.restored(theirs);
    const names = (tar: Uint8Array) => readTar(tar).map((e) => e.parts.join("/"));
    const db = new PGlite({
      loadDataDir: new Blob([zlib.gunzipSync(k.state)]),
      pgliteWasmModule: k.modules.pglite!,
    });
    let count: string | undefined;
    try {
      count = (await db.query<{ n: string }>("SELECT count(*)::text AS n FROM kept")).rows[0]?.n;
    } finally {
      await db.close();
    }
    return {
      theirsRestored,
      ours: names(zlib.gunzipSync(k.state)),
      theirs: names(theirs),
      count,
    };
  }, null);
  expect(r.theirsRestored).toEqual(now);
  // The same entries, in the same order, with the same bytes, as PGlite's tinytar writes them.
  expect(r.ours).toEqual(r.theirs);
  expect(r.count).toBe("0");
});

test("a sandbox started on a tar its caller holds never writes into those bytes", async () => {
  const r = await thread.run(async ({ PgliteEngine, zlib }) => {
    const k = globalThis as unknown as Kept;
    const tar = new Uint8Array(zlib.gunzipSync(k.state));
    const before = Buffer.from(tar);
    const first = await PgliteEngine.create({
      extensions: [],
      progress: () => undefined,
      snapshot: tar,
      modules: k.modules,
    });
    let ok: boolean;
    try {
      const run = await first.runFile(
        {
          path: "m/3_c.up.sql",
          version: "3",
          text: "INSERT INTO kept SELECT g FROM generate_series(1, 5000) g;\nCREATE TABLE later (id int);\nCHECKPOINT;",
        },
        { phase: "up", observeLocks: false, multiStatement: false },
      );
      ok = run.ok;
    } finally {
      await first.close();
    }
    return { ok, unchanged: Buffer.from(tar).equals(before), restored: await k.restored(tar) };
  }, null);
  expect(r.ok).toBe(true);
  expect(r.unchanged).toBe(true);
  expect(r.restored).toEqual(now);
});

/** One change replayed from a template, or from initdb (null). */
function job(fromTemplate: boolean): ReplayJob {
  return pgliteJob({
    base: { files: [] },
    ups: [
      {
        path: "m/1_t.up.sql",
        version: "1",
        text: "CREATE TABLE t (id serial PRIMARY KEY, name text NOT NULL);\nCREATE INDEX t_name ON t (name);\nCREATE ROLE app_reader;\nGRANT SELECT ON t TO app_reader;\nINSERT INTO t (name) VALUES ('a'), ('b');\n",
      },
    ],
    downs: [{ path: "m/1_t.down.sql", version: "1", text: "DROP TABLE t;\n" }],
    wantTemplate: !fromTemplate,
  });
}

test("the template is initdb's data directory, shut down cleanly; a replay from it reports what the replay that ran initdb did", async () => {
  const r = await thread.run(
    async ({ PgliteEngine, readTar, runReplay, zlib }, { cold: coldJob, warm: warmJob }) => {
      const k = globalThis as unknown as Kept;
      // As the sandbox's worker runs a job, in this thread.
      const replay = (job: ReplayJob) =>
        runReplay(job, {
          createEngine: (opts) => PgliteEngine.create({ ...opts, modules: k.modules }),
          progress: () => undefined,
          partial: () => undefined,
        });
      const cold = await replay(coldJob);
      const template = cold.template!;
      const entries = readTar(zlib.gunzipSync(template));
      const control = entries.find((e) => e.parts.join("/") === "global/pg_control")!.data;
      const warm = await replay({ ...warmJob, base: { ...warmJob.base, template } });
      return {
        head: [template[0]!, template[1]!],
        names: entries.map((e) => e.parts.join("/")),
        state: new DataView(control.buffer, control.byteOffset).getUint32(16, true),
        cold: { ...cold, template: undefined },
        warm,
      };
    },
    { cold: job(false), warm: job(true) },
  );
  expect(r.head).toEqual([0x1f, 0x8b]);
  expect(r.names).toContain("PG_VERSION");
  // No postmaster.pid, and pg_control's state is DB_SHUTDOWNED (1): no crash recovery at start.
  expect(r.names).not.toContain("postmaster.pid");
  expect(r.state).toBe(1);

  const same = (x: ReplayResult) =>
    JSON.parse(
      JSON.stringify({ ...x, template: undefined }, (key, v: unknown) =>
        key === "ms" ? undefined : v,
      ),
    ) as unknown;
  expect(r.warm.template).toBeUndefined();
  expect(same(r.warm)).toEqual(same(r.cold));
  expect(r.cold.ups[0]?.ok).toBe(true);
});
