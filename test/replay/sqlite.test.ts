/** Sandbox replay on sql.js: golang-migrate's sqlite drivers wrap each file in a transaction. */
import { afterAll, expect, jest, test } from "@jest/globals";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryCache } from "../../src/replay/index.js";
import { runScenario, summary } from "./support.js";

jest.setTimeout(60_000);

const cache = new MemoryCache();
const BASE = {
  "1_users.up.sql":
    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\nCREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));\n",
  "1_users.down.sql": "DROP TABLE posts;\nDROP TABLE users;\n",
};
const run = (add: Record<string, string>) =>
  runScenario({ base: BASE, add, cache, dialect: "sqlite" });

const host = mkdtempSync(join(tmpdir(), "mw-sqlite-escape-"));
afterAll(() => rmSync(host, { recursive: true, force: true }));

test("an up/down round trip that restores the schema", async () => {
  const r = await run({
    "2_name.up.sql":
      "ALTER TABLE users ADD COLUMN name TEXT;\nCREATE UNIQUE INDEX users_email ON users (email);\n",
    "2_name.down.sql": "DROP INDEX users_email;\nALTER TABLE users DROP COLUMN name;\n",
  });
  expect(r.findings).toEqual([]);
  expect(r.data!.engine).toMatch(/^sql\.js 1\.16\.0 \(SQLite 3\.\d+/);
  expect(r.data!.schemaDiff!.map((c) => `${c.change} ${c.kind} ${c.name}`)).toEqual([
    "added column users.name",
    "added index users_email",
  ]);
  expect(r.data!.ups[0]!.statements.map((s) => s.line)).toEqual([1, 2]);
  expect(r.data!.reupDifferences).toEqual([]);
});

test("a down that forgets an index", async () => {
  const r = await run({
    "2_idx.up.sql": "CREATE INDEX users_email ON users (email);\n",
    "2_idx.down.sql": "SELECT 1;\n",
  });
  expect(summary(r.findings)).toEqual([
    "down-does-not-restore-schema 2_idx.down.sql:1",
    "up-not-reapplicable 2_idx.up.sql:1",
  ]);
  expect(r.findings[0]!.message).toContain("index `users_email` exists");
});

test("an up that fails: the statement's line, and the file's transaction rolled back", async () => {
  const r = await run({
    "2_bad.up.sql": "CREATE TABLE tags (id INTEGER);\n\nALTER TABLE nope ADD COLUMN x TEXT;\n",
    "2_bad.down.sql": "DROP TABLE tags;\n",
  });
  expect(summary(r.findings)).toEqual(["replay-up-failed 2_bad.up.sql:3"]);
  expect(r.findings[0]!.message).toContain("no such table: nope");
});

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
