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

test("functions the application registers (replay.functions) get stand-ins that return NULL", async () => {
  const base = {
    ...BASE,
    "2_d.up.sql":
      "CREATE TABLE jobs (d INTEGER, t INTEGER);\nINSERT INTO jobs VALUES (90, 0);\nUPDATE jobs SET t = durationToTinyInt(d);\n",
    "2_d.down.sql": "DROP TABLE jobs;\n",
  };
  const add = {
    "3_x.up.sql": "ALTER TABLE jobs ADD COLUMN u INTEGER;\nUPDATE jobs SET u = pack(d, t, 1);\n",
    "3_x.down.sql": "ALTER TABLE jobs DROP COLUMN u;\n",
  };
  // Without them every replay of this history stops at the merged file.
  const without = await runScenario({ base, add, dialect: "sqlite", cache: testCache() });
  expect(summary(without.findings)).toEqual(["replay-skipped 3_x.up.sql:1"]);
  expect(without.findings[0]!.message).toContain("no such function: durationToTinyInt");

  const shared = testCache();
  const r = await runScenario({
    base,
    add,
    dialect: "sqlite",
    cache: shared,
    replay: { functions: ["durationToTinyInt", "pack"] },
  });
  expect(r.findings).toEqual([]);
  expect(r.section!.markdown).toContain("`durationToTinyInt`, `pack` (replay.functions)");
  // Another list is another sandbox state (the cache key holds it).
  const other = await runScenario({
    base,
    add,
    dialect: "sqlite",
    cache: shared,
    replay: { functions: ["pack"] },
  });
  expect(summary(other.findings)).toEqual(["replay-skipped 3_x.up.sql:1"]);
});

test("a down that rebuilds a table with other quoting, case and constraint placement restores it (issue 14)", async () => {
  const r = await run({
    "2_nn.up.sql": [
      'CREATE TABLE "posts_new" ("id" INTEGER, "user_id" INTEGER NOT NULL, PRIMARY KEY ("id"), FOREIGN KEY ("user_id") REFERENCES "users" ("id"));',
      'INSERT INTO "posts_new" SELECT * FROM posts;',
      "DROP TABLE posts;",
      'ALTER TABLE "posts_new" RENAME TO "posts";',
    ].join("\n"),
    "2_nn.down.sql": [
      "create table posts_old (id integer primary key, user_id integer references users);",
      "insert into posts_old select * from posts;",
      "drop table posts;",
      "alter table posts_old rename to posts;",
    ].join("\n"),
  });
  expect(summary(r.findings)).toEqual([]);
});

test("a down whose rebuild changes a foreign key's ON DELETE action does not restore the schema", async () => {
  const rebuild = (fk: string) =>
    [
      `CREATE TABLE posts_new (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id)${fk});`,
      "INSERT INTO posts_new SELECT id, user_id FROM posts;",
      "DROP TABLE posts;",
      "ALTER TABLE posts_new RENAME TO posts;",
    ].join("\n");
  const r = await run({
    "2_note.up.sql": "ALTER TABLE posts ADD COLUMN note TEXT;",
    "2_note.down.sql": rebuild(" ON DELETE CASCADE"),
  });
  expect(summary(r.findings)).toContain("down-does-not-restore-schema 2_note.down.sql:1");
  expect(r.findings.find((f) => f.ruleId === "down-does-not-restore-schema")!.message).toContain(
    "ON DELETE CASCADE",
  );
  const ok = await run({
    "2_note.up.sql": "ALTER TABLE posts ADD COLUMN note TEXT;",
    "2_note.down.sql": rebuild(""),
  });
  expect(summary(ok.findings)).toEqual([]);
});
