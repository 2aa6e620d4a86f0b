/**
 * A sandbox that fails once the change's own SQL has run must not be a notice. In PGlite, a SQL
 * function that calls itself without end ("stack depth limit exceeded" on a server) is answered
 * as if the statement had succeeded, and the engine is broken from then on: the next catalog
 * read fails, the worker reports a crash, and the report said "Replay stopped during the inspect
 * step" as a notice, which passes the check, while the up would fail in production. Whatever
 * makes the sandbox fail there, the change chose the SQL that ran before it: an error.
 */
import { expect, jest, test } from "@jest/globals";
import { BASES, runScenario, testCache } from "../replay/support.js";

jest.setTimeout(120_000);

test("an up whose SQL breaks the sandbox is an error, not a notice", async () => {
  const r = await runScenario({
    base: BASES.postgresServer,
    cache: testCache(),
    add: {
      "3_x.up.sql":
        "CREATE FUNCTION r2(n int) RETURNS int LANGUAGE sql AS 'SELECT r2($1 + 1)';\nSELECT r2(1);\n",
      "3_x.down.sql": "DROP FUNCTION r2(int);\n",
    },
  });
  expect(r.report.summary.error).toBeGreaterThan(0);
  const errors = r.findings.filter((f) => f.severity === "error");
  expect(errors.map((f) => f.ruleId)).toEqual(["replay-skipped"]);
  expect(errors[0]!.message).toMatch(/sandbox failed/);
});

test("a sandbox that fails before the change ran stays a notice (not the change's doing)", async () => {
  // The same failure in a merged migration: nothing of the change has run yet.
  const r = await runScenario({
    base: {
      ...BASES.postgresServer,
      "3_r.up.sql":
        "CREATE FUNCTION r2(n int) RETURNS int LANGUAGE sql AS 'SELECT r2($1 + 1)';\nSELECT r2(1);\n",
    },
    cache: testCache(),
    add: { "4_x.up.sql": "SELECT 1;\n", "4_x.down.sql": "SELECT 1;\n" },
  });
  expect(r.data!.abort).toMatchObject({ reason: "crashed" });
  expect(r.findings.map((f) => [f.ruleId, f.severity])).toEqual([["replay-skipped", "notice"]]);
});
