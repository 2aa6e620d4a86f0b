/**
 * How the PGlite sandbox stores and restores its data directory: snapshots are gzipped tars made
 * with zlib (level 1); every gzip loads (the cache's entries from before, made at PGlite's default
 * level), so does a plain tar; a damaged snapshot fails the start instead of giving an empty or
 * partial database. The start's settings (shared buffers) are not part of the snapshot. The data
 * directory is read and written by the sandbox itself (pglite-datadir.ts) in the form PGlite's
 * own dumpDataDir/loadDataDir use, and the template is initdb's cleanly shut down directory.
 */
import { beforeAll, expect, jest, test } from "@jest/globals";
import { gunzipSync, gzipSync } from "node:zlib";
import { PGlite } from "@electric-sql/pglite";
import { PgliteEngine, type PgliteModules } from "../../src/replay/engines/pglite.js";
import { pgliteModules } from "../../src/replay/run-in-worker.js";
import { readTar } from "../../src/replay/engines/pglite-datadir.js";
import { runReplay } from "../../src/replay/runner.js";
import type { ReplayResult } from "../../src/replay/types.js";
import { pgliteTemplate } from "./support.js";
import { pgliteJob } from "../support/replay-job.js";

jest.setTimeout(120_000);

const progress = () => undefined;
let state: Uint8Array;
/** PGlite's WASM compiled once for the file by the sandbox host's own function. */
let modules: PgliteModules;
/** What the snapshot as made restores to. */
let now: Awaited<ReturnType<typeof restored>>;

beforeAll(async () => {
  modules = await pgliteModules();
  const engine = await PgliteEngine.create({
    extensions: [],
    progress,
    snapshot: await pgliteTemplate(),
    modules,
  });
  try {
    const run = await engine.runFile(
      { path: "m/1_a.up.sql", version: "1", text: "CREATE TABLE kept (id int PRIMARY KEY);" },
      { phase: "base", observeLocks: false, multiStatement: false },
    );
    expect(run.ok).toBe(true);
    state = await engine.snapshot();
  } finally {
    await engine.close();
  }
  now = await restored(state);
});

/** The tables of a sandbox started from `snapshot`, and its shared_buffers. */
async function restored(snapshot: Uint8Array): Promise<{ tables: string[]; buffers: string }> {
  const engine = await PgliteEngine.create({ extensions: [], progress, snapshot, modules });
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
}

test("a snapshot is a gzip that restores the state, with the sandbox's own settings", async () => {
  expect([state[0], state[1]]).toEqual([0x1f, 0x8b]);
  expect(now.tables.join(" ")).toMatch(/kept/);
  expect(now.buffers).toBe("32MB");
});

test("a snapshot gzipped at another level (the cache's older entries) and a plain tar load alike", async () => {
  const tar = gunzipSync(state);
  const asBefore = await restored(gzipSync(tar, { level: 6 }));
  const plain = await restored(tar);
  expect(asBefore).toEqual(now);
  expect(plain).toEqual(now);
});

test("a damaged snapshot fails the start: never an empty or partial database", async () => {
  const start = (snapshot: Uint8Array) =>
    PgliteEngine.create({ extensions: [], progress, snapshot });
  await expect(start(state.subarray(0, Math.floor(state.length / 2)))).rejects.toThrow(
    /unexpected end of file/,
  );
  const garbage = new Uint8Array(state.length).fill(0x41);
  await expect(start(garbage)).rejects.toThrow(/not a data directory/);
  await expect(start(gzipSync(garbage))).rejects.toThrow(/not a data directory/);
});

/** PGlite itself, under the engine (its dumpDataDir, its Emscripten FS). */
const dbOf = (engine: PgliteEngine) => (engine as unknown as { db: PGlite }).db;

test("PGlite's own dumpDataDir loads here, and what the sandbox writes loads in PGlite's own loadDataDir", async () => {
  const engine = await PgliteEngine.create({ extensions: [], progress, snapshot: state, modules });
  let theirs: Uint8Array;
  try {
    theirs = new Uint8Array(await (await dbOf(engine).dumpDataDir("none")).arrayBuffer());
  } finally {
    await engine.close();
  }
  expect(await restored(theirs)).toEqual(now);
  // The same entries, in the same order, with the same bytes, as PGlite's tinytar writes them.
  const ours = readTar(gunzipSync(state));
  expect(ours.map((e) => e.parts.join("/"))).toEqual(readTar(theirs).map((e) => e.parts.join("/")));
  const db = new PGlite({
    loadDataDir: new Blob([gunzipSync(state)]),
    pgliteWasmModule: modules.pglite!,
  });
  try {
    const r = await db.query<{ n: string }>("SELECT count(*)::text AS n FROM kept");
    expect(r.rows[0]?.n).toBe("0");
  } finally {
    await db.close();
  }
});

test("a sandbox started on a tar its caller holds never writes into those bytes", async () => {
  const tar = new Uint8Array(gunzipSync(state));
  const before = Buffer.from(tar);
  const first = await PgliteEngine.create({ extensions: [], progress, snapshot: tar, modules });
  try {
    const run = await first.runFile(
      {
        path: "m/3_c.up.sql",
        version: "3",
        text: "INSERT INTO kept SELECT g FROM generate_series(1, 5000) g;\nCREATE TABLE later (id int);\nCHECKPOINT;",
      },
      { phase: "up", observeLocks: false, multiStatement: false },
    );
    expect(run.ok).toBe(true);
  } finally {
    await first.close();
  }
  expect(Buffer.from(tar).equals(before)).toBe(true);
  expect(await restored(tar)).toEqual(now);
});

/** One change replayed in this thread (as the worker does), from `template` or from initdb. */
async function replay(template: Uint8Array | null): Promise<ReplayResult> {
  const job = pgliteJob({
    base: template ? { template, files: [] } : { files: [] },
    ups: [
      {
        path: "m/1_t.up.sql",
        version: "1",
        text: "CREATE TABLE t (id serial PRIMARY KEY, name text NOT NULL);\nCREATE INDEX t_name ON t (name);\nCREATE ROLE app_reader;\nGRANT SELECT ON t TO app_reader;\nINSERT INTO t (name) VALUES ('a'), ('b');\n",
      },
    ],
    downs: [{ path: "m/1_t.down.sql", version: "1", text: "DROP TABLE t;\n" }],
    wantTemplate: template === null,
  });
  return runReplay(job, {
    createEngine: (opts) => PgliteEngine.create({ ...opts, modules }),
    progress,
    partial: () => undefined,
  });
}

test("the template is initdb's data directory, shut down cleanly; a replay from it reports what the replay that ran initdb did", async () => {
  const cold = await replay(null);
  const template = cold.template!;
  expect([template[0], template[1]]).toEqual([0x1f, 0x8b]);
  const entries = readTar(gunzipSync(template));
  const names = entries.map((e) => e.parts.join("/"));
  expect(names).toContain("PG_VERSION");
  // No postmaster.pid, and pg_control's state is DB_SHUTDOWNED (1): no crash recovery at start.
  expect(names).not.toContain("postmaster.pid");
  const control = entries.find((e) => e.parts.join("/") === "global/pg_control")!.data;
  expect(new DataView(control.buffer, control.byteOffset).getUint32(16, true)).toBe(1);

  const warm = await replay(template);
  const same = (r: ReplayResult) =>
    JSON.parse(
      JSON.stringify({ ...r, template: undefined }, (k, v: unknown) =>
        k === "ms" ? undefined : v,
      ),
    ) as unknown;
  expect(warm.template).toBeUndefined();
  expect(same(warm)).toEqual(same(cold));
  expect(cold.ups[0]?.ok).toBe(true);
});
