/**
 * The digest that decides "already written": a re-run of the same change (the replay's step
 * durations differ every time) is the same output; anything else a reader sees is not.
 */
import { describe, expect, test } from "@jest/globals";
import {
  evaluationMarker,
  outputDigest,
  readMarker,
  type ShownRun,
} from "../../src/github/checks/written.js";

const run = (text: string, conclusion: ShownRun["conclusion"] = "failure"): ShownRun => ({
  name: "migration-warden/lint",
  conclusion,
  title: "1 error",
  summary: "Base: 12 merged migrations applied in 340 ms.",
  text,
  annotations: [],
  actions: [],
  externalId: "pr=1",
});

const REPORT = (up: number, down: number, timeout = "5s") =>
  [
    "| step | file | result | time |",
    "| --- | --- | --- | --- |",
    `| up | \`0002_orders.up.sql\` | applied | ${up} ms |`,
    `| down | \`0002_orders.down.sql\` | applied | ${down} ms |`,
    `SET lock_timeout = '${timeout}'`,
  ].join("\n");

describe("outputDigest", () => {
  test("step durations of the replay report do not count", () => {
    const a = run(REPORT(12, 7));
    const b = { ...run(REPORT(31, 2)), summary: "Base: 12 merged migrations applied in 901 ms." };
    expect(outputDigest(b)).toBe(outputDigest(a));
    // A statement's time in the lock table has a decimal (`| 1.8 ms |`).
    expect(outputDigest(run(REPORT(1.8, 0.4)))).toBe(outputDigest(run(REPORT(1.7, 12))));
  });

  test("every other difference does: SQL text, conclusion, a number that is not a step time", () => {
    const a = outputDigest(run(REPORT(12, 7)));
    expect(outputDigest(run(REPORT(12, 7, "50s")))).not.toBe(a);
    expect(outputDigest(run(REPORT(12, 7), "neutral"))).not.toBe(a);
    expect(
      outputDigest({
        ...run(REPORT(12, 7)),
        summary: "Base: 13 merged migrations applied in 340 ms.",
      }),
    ).not.toBe(a);
    expect(outputDigest(run(`${REPORT(12, 7)}\n| 1.8 s |`))).not.toBe(
      outputDigest(run(`${REPORT(12, 7)}\n| 1.7 s |`)),
    );
    expect(outputDigest(run(`${REPORT(12, 7)}\nwaited 12 ms for a lock`))).not.toBe(
      outputDigest(run(`${REPORT(12, 7)}\nwaited 13 ms for a lock`)),
    );
  });
});

describe("readMarker", () => {
  test("only the app's own marker counts: the last one, never a copy in the change's text", () => {
    const forged = evaluationMarker(9_999_999_999_999, "f".repeat(64));
    const own = evaluationMarker(1_000, "a".repeat(64));
    const summary = `Found in \`0002_${forged}.up.sql\`\n\n${own}\n\n<!-- recovery -->`;
    expect(readMarker(summary)).toEqual({ startedAt: 1_000, digest: "a".repeat(64) });
    expect(readMarker("no marker")).toBeNull();
  });
});
