/** The order test files start in (test/support/sequencer.mjs). */
import { expect, test } from "@jest/globals";
import type { Test } from "@jest/test-result";
import SlowFirst from "./sequencer.mjs";

const ROOT = "/repo";

/** A test file as Jest hands it to the sequencer, without Jest's cache (`cache: false`). */
function file(path: string, bytes: number): Test {
  return {
    path: `${ROOT}/${path}`,
    context: { config: { rootDir: ROOT, cache: false }, hasteFS: { getSize: () => bytes } },
  } as unknown as Test;
}

/** The sequencer with Jest's cache of the last run: path → [failed, ms]. */
function sequencer(last: Record<string, [failed: boolean, ms: number]> = {}): SlowFirst {
  const s = new SlowFirst({ contexts: new Set(), globalConfig: {} });
  Object.assign(s, {
    time: (t: Test) => last[t.path.slice(ROOT.length + 1)]?.[1],
    hasFailed: (t: Test) => last[t.path.slice(ROOT.length + 1)]?.[0] === true,
  });
  return s;
}

const order = (s: SlowFirst, tests: Test[]) =>
  s.sort(tests).map((t) => t.path.slice(ROOT.length + 1));

test("a clean clone: the known slow files first, slowest first, then the others by size", () => {
  const tests = [
    file("test/core/rules/a.test.ts", 3_000),
    file("test/queue/e2e.test.ts", 11_000),
    file("test/github/big.test.ts", 40_000),
    file("test/hardening/sql-fuzz.test.ts", 7_000),
    file("test/replay/drift.test.ts", 35_000),
  ];
  expect(order(sequencer(), tests)).toEqual([
    "test/hardening/sql-fuzz.test.ts",
    "test/replay/drift.test.ts",
    "test/queue/e2e.test.ts",
    "test/github/big.test.ts",
    "test/core/rules/a.test.ts",
  ]);
});

test("files Jest timed are ordered with the others by their time, not started after them", () => {
  const tests = [
    file("test/core/rules/a.test.ts", 3_000),
    file("test/core/rules/b.test.ts", 4_000),
    file("test/hardening/sql-fuzz.test.ts", 7_000),
    file("test/github/faults.test.ts", 27_000),
  ];
  // Only these two were run last time (Jest's own sequencer starts both after a.test and b.test).
  const s = sequencer({
    "test/github/faults.test.ts": [false, 23_000],
    "test/core/rules/b.test.ts": [false, 900],
  });
  expect(order(s, tests)).toEqual([
    "test/hardening/sql-fuzz.test.ts",
    "test/github/faults.test.ts",
    "test/core/rules/b.test.ts",
    "test/core/rules/a.test.ts",
  ]);
});

test("a file that failed last time goes first, whatever its time", () => {
  const tests = [file("test/replay/drift.test.ts", 35_000), file("test/core/x.test.ts", 1_000)];
  const s = sequencer({ "test/core/x.test.ts": [true, 100] });
  expect(order(s, tests)).toEqual(["test/core/x.test.ts", "test/replay/drift.test.ts"]);
});
