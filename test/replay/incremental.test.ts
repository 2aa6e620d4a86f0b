/**
 * Incremental base states: the cache keys every prefix of the merged history, so a base that
 * gains migrations restores its old state and applies only the new files, and a base whose merged
 * files were edited or removed falls back to the longest prefix that is still valid. Whatever is
 * restored, the result must equal a cold replay of the same base.
 */
import { describe, expect, jest, test } from "@jest/globals";
import type { DirectoryConfig } from "../../src/config/types.js";
import type { SnapshotCache } from "../../src/replay/index.js";
import { runScenario, testCache, type ReplayRun } from "./support.js";

jest.setTimeout(120_000);

/** Merged migrations 1…n (up and down), with tables, a foreign key, an index and a view. */
function history(n: number, edits: Record<number, string> = {}): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 1; i <= n; i++) {
    const up =
      edits[i] ??
      (i === 1
        ? "CREATE TABLE t1 (id bigint PRIMARY KEY, name text);\n"
        : `CREATE TABLE t${i} (id bigint PRIMARY KEY, t1_id bigint REFERENCES t1 (id));\n` +
          `CREATE INDEX t${i}_t1_idx ON t${i} (t1_id);\n` +
          `CREATE VIEW v${i} AS SELECT id FROM t${i};\n`);
    files[`${i}_m${i}.up.sql`] = up;
    files[`${i}_m${i}.down.sql`] =
      i === 1 ? "DROP TABLE t1;\n" : `DROP VIEW v${i};\nDROP TABLE t${i};\n`;
  }
  return files;
}

/** A change touching tables from early and late in the history, with a down that forgets one. */
const CHANGE = {
  "9_change.up.sql":
    "ALTER TABLE t1 ADD COLUMN note text;\nALTER TABLE t5 ADD COLUMN note text;\nCREATE INDEX t4_note_idx ON t4 (id);\n",
  "9_change.down.sql": "DROP INDEX t4_note_idx;\nALTER TABLE t1 DROP COLUMN note;\n",
};

/** What must not depend on where the base state came from (timings and cache use aside). */
function outcome(r: ReplayRun): unknown {
  const strip = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(strip)
      : v && typeof v === "object"
        ? Object.fromEntries(
            Object.entries(v)
              .filter(([k]) => k !== "ms" && k !== "base" && k !== "fromCache")
              .map(([k, x]) => [k, strip(x)]),
          )
        : v;
  return { findings: r.findings, data: strip(r.data) };
}

const up = (...versions: number[]) => versions.map((v) => `migrations/${v}_m${v}.up.sql`);

describe.each<DirectoryConfig["dialect"]>(["postgres", "sqlite"])("%s", (dialect) => {
  test("a base that gains migrations: the old state plus the new files, equal to a cold replay", async () => {
    const cache = testCache();
    const first = await runScenario({ dialect, cache, base: history(3), add: CHANGE });
    expect(first.data!.base).toMatchObject({ files: 3, restored: 0, applied: 3 });
    expect(first.reads).toEqual(up(1, 2, 3));

    const grown = await runScenario({ dialect, cache, base: history(5), add: CHANGE });
    expect(grown.data!.base).toMatchObject({ files: 5, restored: 3, applied: 2 });
    expect(grown.data!.fromCache).toBe(true);
    expect(grown.reads).toEqual(up(4, 5));
    expect(grown.batches).toBe(1);
    expect(grown.section!.markdown).toContain(
      "5 merged migrations (3 restored from cache, the 2 after them applied in",
    );
    // The down forgets t5.note: found the same way as from scratch.
    expect(grown.findings.map((f) => f.ruleId)).toContain("down-does-not-restore-schema");

    const cold = await runScenario({ dialect, base: history(5), add: CHANGE });
    expect(cold.data!.base).toMatchObject({ restored: 0, applied: 5 });
    expect(outcome(grown)).toEqual(outcome(cold));

    // The grown base was stored too: the next run reads nothing.
    const warm = await runScenario({ dialect, cache, base: history(5), add: CHANGE });
    expect(warm.data!.base).toMatchObject({ files: 5, restored: 5, applied: 0 });
    expect(warm.reads).toEqual([]);
    expect(warm.batches).toBe(0);
    expect(outcome(warm)).toEqual(outcome(cold));
  });
});

describe("merged files edited or removed (the chain diverges)", () => {
  // States cached for the first 3 and the first 5 merged migrations.
  const dialect = "sqlite" as const;
  async function seeded(): Promise<SnapshotCache> {
    const cache = testCache();
    for (const n of [3, 5]) await runScenario({ dialect, cache, base: history(n), add: CHANGE });
    return cache;
  }

  test("an edit after a cached prefix: that prefix is restored, the rest applied", async () => {
    const cache = await seeded();
    const edited = history(5, {
      4: "CREATE TABLE t4 (id bigint PRIMARY KEY, extra int);\nCREATE VIEW v4 AS SELECT id FROM t4;\n",
    });
    const r = await runScenario({ dialect, cache, base: edited, add: CHANGE });
    expect(r.data!.base).toMatchObject({ files: 5, restored: 3, applied: 2 });
    expect(r.reads).toEqual(up(4, 5));
    const cold = await runScenario({ dialect, base: edited, add: CHANGE });
    expect(outcome(r)).toEqual(outcome(cold));
  });

  test("an edit of an early file invalidates every later state: a full replay", async () => {
    const cache = await seeded();
    const edited = history(5, { 2: "CREATE TABLE t2 (id bigint PRIMARY KEY);\n" });
    const r = await runScenario({ dialect, cache, base: edited, add: CHANGE });
    expect(r.data!.base).toMatchObject({ files: 5, restored: 0, applied: 5 });
    expect(outcome(r)).toEqual(outcome(await runScenario({ dialect, base: edited, add: CHANGE })));
  });

  test("a removed file: the longest prefix before it", async () => {
    const cache = await seeded();
    const removed = history(5);
    delete removed["4_m4.up.sql"];
    delete removed["4_m4.down.sql"];
    const change = {
      "9_change.up.sql": "ALTER TABLE t5 ADD COLUMN note text;\n",
      "9_change.down.sql": "ALTER TABLE t5 DROP COLUMN note;\n",
    };
    const r = await runScenario({ dialect, cache, base: removed, add: change });
    expect(r.data!.base).toMatchObject({ files: 4, restored: 3, applied: 1 });
    expect(r.reads).toEqual(up(5));
    expect(r.findings).toEqual([]);
    expect(outcome(r)).toEqual(outcome(await runScenario({ dialect, base: removed, add: change })));
  });
});

test("a merged file that does not apply is remembered for every base that extends it", async () => {
  const dialect = "sqlite" as const;
  const cache = testCache();
  const broken = history(4, { 2: "CREATE TABLE t1 (id int);\n" });
  const first = await runScenario({ dialect, cache, base: broken, add: CHANGE });
  const skippedFor = (r: ReplayRun) =>
    r.findings.filter((f) => f.ruleId === "replay-skipped").map((f) => f.message);
  expect(skippedFor(first)).toEqual([
    expect.stringContaining(
      "Replay skipped: the merged migration migrations/2_m2.up.sql does not apply in the sandbox (line 1: table t1 already exists)",
    ),
  ]);

  // Two more merged migrations: still skipped, without running anything; the merged files are
  // read for the SQL rules only (the test's change set has none of them, as on GitHub).
  const grown = await runScenario({
    dialect,
    cache,
    base: { ...history(6), ...{ "2_m2.up.sql": broken["2_m2.up.sql"]! } },
    add: CHANGE,
  });
  expect(skippedFor(grown)).toEqual(skippedFor(first));
  expect(grown.reads).toEqual(up(1, 2, 3, 4, 5, 6));
  expect(grown.data!.base).toMatchObject({
    files: 6,
    restored: 0,
    applied: 0,
    failureCached: true,
  });
  expect(grown.section!.markdown).toContain(
    "Base history does not apply: `migrations/2_m2.up.sql` line 1: table t1 already exists",
  );

  // Fixing the merged file changes its key: the history is replayed again.
  const fixed = await runScenario({ dialect, cache, base: history(6), add: CHANGE });
  expect(skippedFor(fixed)).toEqual([]);
  expect(fixed.data!.base).toMatchObject({ files: 6, restored: 0, applied: 6 });
});
