/**
 * replay-down-failed: the down migration fails when run right after its up migration (the sandbox
 * replay, on sql.js here; every engine's shared behaviour is in test/replay/engines.test.ts).
 */
import { expect, jest, test } from "@jest/globals";
import { BASES, runScenario, summary, testCache } from "../../../replay/support.js";

jest.setTimeout(60_000);

const cache = testCache();
const run = (add: Record<string, string>) =>
  runScenario({ base: BASES.sqlite, add, cache, dialect: "sqlite" });

test("a down file that fails after its up is reported at the failing statement", async () => {
  const r = await run({
    "2_tags.up.sql": "CREATE TABLE tags (id INTEGER PRIMARY KEY);\n",
    "2_tags.down.sql": "DROP TABLE tags;\nDROP TABLE labels;\n",
  });
  expect(summary(r.findings)).toEqual(["replay-down-failed 2_tags.down.sql:2"]);
  const [f] = r.findings;
  expect(f).toMatchObject({ ruleId: "replay-down-failed", severity: "error", endLine: 2 });
  expect(f!.message).toMatch(
    /^Run right after 2_tags\.up\.sql, this down migration fails: .*no such table: labels.*\. A rollback would stop here with a dirty version\.$/,
  );
  expect(f!.suggestion).toMatch(/^Make the down file undo exactly what the up file does/);
});

test("a down file that undoes its up is not reported", async () => {
  const r = await run({
    "2_tags.up.sql": "CREATE TABLE tags (id INTEGER PRIMARY KEY);\n",
    "2_tags.down.sql": "DROP TABLE tags;\n",
  });
  expect(r.findings.filter((f) => f.ruleId === "replay-down-failed")).toEqual([]);
});

test("a failing down file can be suppressed with a reason", async () => {
  const r = await run({
    "2_tags.up.sql": "CREATE TABLE tags (id INTEGER PRIMARY KEY);\n",
    "2_tags.down.sql":
      "-- migration-warden:ignore-file replay-down-failed -- labels is dropped by hand\nDROP TABLE tags;\nDROP TABLE labels;\n",
  });
  expect(r.findings).toEqual([
    expect.objectContaining({
      ruleId: "replay-down-failed",
      suppressed: { reason: "labels is dropped by hand" },
    }),
  ]);
});
