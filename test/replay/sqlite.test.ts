/**
 * Sandbox replay on sql.js: golang-migrate's sqlite drivers wrap each file in a transaction. What
 * only the SQLite sandbox does; behaviours every engine shares are rows of engines.test.ts.
 */
import { afterAll, expect, jest, test } from "@jest/globals";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BASES, runScenario, summary, testCache } from "./support.js";

jest.setTimeout(60_000);

const cache = testCache();
const BASE = BASES.sqlite;
const run = (add: Record<string, string>) =>
  runScenario({ base: BASE, add, cache, dialect: "sqlite" });

const host = mkdtempSync(join(tmpdir(), "mw-sqlite-escape-"));
afterAll(() => rmSync(host, { recursive: true, force: true }));

test("BEGIN inside a file fails, as under the driver's own transaction", async () => {
  const r = await run({
    "2_tx.up.sql": "BEGIN;\nCREATE TABLE t (id INTEGER);\nCOMMIT;\n",
    "2_tx.down.sql": "DROP TABLE t;\n",
  });
  expect(summary(r.findings)).toEqual(["replay-up-failed 2_tx.up.sql:1"]);
  expect(r.findings[0]!.message).toContain("cannot start a transaction within a transaction");
});

test("ATTACH DATABASE with a host path and load_extension stay inside the engine", async () => {
  const target = join(host, "attached.db");
  const attach = await run({
    "2_attach.up.sql": `ATTACH DATABASE '${target}' AS outside;\nCREATE TABLE outside.t (id INTEGER);\n`,
    "2_attach.down.sql": "SELECT 1;\n",
  });
  // The file is created in Emscripten's in-memory filesystem (or refused); never on the host.
  expect(existsSync(target)).toBe(false);
  expect(attach.report.findings.every((f) => f.ruleId !== "replay-skipped")).toBe(true);

  const ext = await run({
    "2_ext.up.sql": `SELECT load_extension('${join(host, "evil")}');\n`,
    "2_ext.down.sql": "SELECT 1;\n",
  });
  expect(summary(ext.findings)).toEqual(["replay-up-failed 2_ext.up.sql:1"]);
  expect(ext.findings[0]!.message).toMatch(/load_extension|not authorized/);
});
