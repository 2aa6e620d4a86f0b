/**
 * How the PGlite sandbox stores and restores its data directory: snapshots are gzipped tars made
 * with zlib (level 1); every gzip loads (the cache's entries from before, made at PGlite's default
 * level), so does a plain tar; a damaged snapshot fails the start instead of giving an empty or
 * partial database. The start's settings (shared buffers) are not part of the snapshot.
 */
import { beforeAll, expect, jest, test } from "@jest/globals";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { PgliteEngine, type PgliteModules } from "../../src/replay/engines/pglite.js";
import { pgliteTemplate } from "./support.js";

jest.setTimeout(120_000);

const progress = () => undefined;
let state: Uint8Array;
/** The global WebAssembly object (the ES2023 lib without DOM types declares only the namespace). */
const wasm = (
  globalThis as unknown as { WebAssembly: { compile(b: Uint8Array): Promise<WebAssembly.Module> } }
).WebAssembly;
/** PGlite's WASM compiled once for the file, as the sandbox host does (run-in-worker.ts). */
let modules: PgliteModules;
/** What the snapshot as made restores to. */
let now: Awaited<ReturnType<typeof restored>>;

beforeAll(async () => {
  const dist = dirname(createRequire(import.meta.url).resolve("@electric-sql/pglite"));
  modules = { pglite: await wasm.compile(await readFile(join(dist, "pglite.wasm"))) };
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
