/**
 * `DELETE FROM users WHERE id IS NOT NULL` on the primary key deletes every row
 * (dml-without-where), but only a schema tells that id is NOT NULL. In the GitHub App the SQL
 * rules got one from the replay: the replayed catalog (Postgres only), else the merged files the
 * replay happened to read. SQLite from a cached base state read none, and MySQL without a replay
 * server was skipped before reading any: no schema, the statement passed for a filter, and
 * `required: risky` asked for no DBA. Now SQLite's catalog gives the schema, and a directory
 * whose replay gives no catalog has its merged files read for the static model.
 */
import { describe, expect, test } from "@jest/globals";
import type { Finding } from "../../src/core/types.js";
import { lint } from "../helpers/lint.js";
import { runScenario, testCache } from "../replay/support.js";
import { testServer } from "../replay/servers.js";

const rules = (r: { report: { findings: Finding[] } }) => r.report.findings.map((f) => f.ruleId);
const dml = (r: { report: { findings: Finding[] } }) =>
  r.report.findings.filter((f) => f.ruleId === "dml-without-where");

describe("SQLite: the replayed catalog, first evaluation and from the cached base state", () => {
  const base = {
    "1_users.up.sql":
      "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, nick text);\n",
    "1_users.down.sql": "DROP TABLE users;\n",
  };
  const run = (cache: ReturnType<typeof testCache>, up: string, b: Record<string, string> = base) =>
    runScenario({
      dialect: "sqlite",
      cache,
      base: b,
      add: { "9_x.up.sql": up, "9_x.down.sql": "SELECT 1;\n" },
    });

  test.each([
    ["the INTEGER PRIMARY KEY", "DELETE FROM users WHERE id IS NOT NULL;\n"],
    [
      "a NOT NULL column, names in another case",
      "UPDATE USERS SET nick = NULL WHERE EMAIL IS NOT NULL;\n",
    ],
    ["NOT … IS NULL, qualified", "DELETE FROM users WHERE NOT users.id IS NULL;\n"],
  ])("%s", async (_name, up) => {
    const cache = testCache();
    const first = await run(cache, up);
    expect(first.data?.fromCache).toBe(false);
    const later = await run(cache, up);
    expect(later.data?.fromCache).toBe(true);
    expect(later.reads).toEqual([]);
    for (const r of [first, later]) {
      expect(r.report.approvalRequired).toBe(true);
      expect(dml(r)).toHaveLength(1);
      expect(dml(r)[0]!.message).toContain("(decided from the replayed catalog)");
    }
  });

  test("a nullable column's IS NOT NULL stays a filter, cached or not", async () => {
    const cache = testCache();
    for (let i = 0; i < 2; i++)
      expect(rules(await run(cache, "DELETE FROM users WHERE nick IS NOT NULL;\n"))).not.toContain(
        "dml-without-where",
      );
  });

  test("a key the static model lost track of (a virtual table it does not model)", async () => {
    const blind = {
      ...base,
      "2_fts.up.sql": "CREATE VIRTUAL TABLE notes USING fts4(body);\n",
      "2_fts.down.sql": "DROP TABLE notes;\n",
    };
    const up = "DELETE FROM users WHERE id IS NOT NULL;\n";
    // The merged history's text alone no longer vouches for users.
    const merged = Object.fromEntries(Object.entries(blind).filter(([n]) => n.endsWith(".up.sql")));
    const statics = await lint({ dialect: "sqlite", files: { "3_x.up.sql": up }, merged });
    expect(statics.map((f) => f.ruleId)).not.toContain("dml-without-where");
    const cache = testCache();
    for (let i = 0; i < 2; i++) {
      const r = await run(cache, up, blind);
      expect(r.findings).toEqual([]);
      expect(dml(r)).toHaveLength(1);
    }
  });

  test("a column the change's earlier file rebuilds as nullable is followed from the catalog", async () => {
    // The change loosens email first (copy-and-swap), then tests it: a filter again.
    const cache = testCache();
    const loosen =
      "CREATE TABLE users_new (id integer PRIMARY KEY, email text, nick text);\n" +
      "INSERT INTO users_new SELECT id, email, nick FROM users;\n" +
      "DROP TABLE users;\nALTER TABLE users_new RENAME TO users;\n";
    for (let i = 0; i < 2; i++) {
      const r = await run(cache, loosen + "DELETE FROM users WHERE email IS NOT NULL;\n");
      expect(dml(r)).toEqual([]);
      expect(r.report.findings.filter((f) => f.ruleId === "drop-column")).toEqual([]);
    }
  });
});

describe("no catalog for another reason: the merged files read for the static model", () => {
  const base = {
    "1_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
    "1_users.down.sql": "DROP TABLE users;\n",
  };
  const add = {
    "2_x.up.sql": "DELETE FROM users WHERE id IS NOT NULL;\n",
    "2_x.down.sql": "SELECT 1;\n",
  };

  test("the replay's time budget already spent (another directory can spend it)", async () => {
    for (const dialect of ["sqlite", "postgres"] as const) {
      const r = await runScenario({ dialect, base, add, replay: { timeBudgetMs: 0 } });
      expect(r.findings.map((f) => f.message)).toEqual([
        expect.stringContaining("replay time budget"),
      ]);
      expect(r.reads).toEqual(["migrations/1_users.up.sql"]);
      expect(dml(r)).toHaveLength(1);
      expect(dml(r)[0]!.message).toContain("(decided from the merged history)");
    }
  });

  test("a dialect the replay does not run (CockroachDB)", async () => {
    const r = await runScenario({ dialect: "cockroachdb", base, add });
    expect(r.findings).toEqual([]);
    expect(r.batches).toBe(1);
    expect(dml(r)).toHaveLength(1);
  });

  test("merged files that cannot be read: judged by the text, one attempt", async () => {
    for (const dialect of ["sqlite", "mysql"] as const) {
      const r = await runScenario({
        dialect,
        base,
        add,
        readBase: () => Promise.reject(new Error("GitHub is down")),
      });
      expect(r.batches).toBe(1);
      expect(r.findings.map((f) => f.ruleId)).toEqual(["replay-skipped"]);
      expect(dml(r)).toEqual([]);
    }
  });
});

describe("MySQL: no replayed catalog, the merged files read for the static model", () => {
  const base = {
    "1_users.up.sql":
      "CREATE TABLE users (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, email varchar(255) NOT NULL, nick varchar(64) NULL);\n",
    "1_users.down.sql": "DROP TABLE users;\n",
  };
  const add = (up: string) => ({ "2_x.up.sql": up, "2_x.down.sql": "SELECT 1;\n" });

  test.each([
    ["the primary key", "DELETE FROM users WHERE id IS NOT NULL;\n"],
    [
      "a NOT NULL column, NOT … IS NULL",
      "UPDATE users SET nick = NULL WHERE NOT users.email IS NULL;\n",
    ],
  ])("no replay server (the replay skipped): %s", async (_name, up) => {
    const cache = testCache();
    for (let i = 0; i < 2; i++) {
      const r = await runScenario({ dialect: "mysql", cache, base, add: add(up) });
      expect(r.findings.map((f) => f.ruleId)).toEqual(["replay-skipped"]);
      expect(r.reads).toEqual(["migrations/1_users.up.sql"]);
      expect(r.batches).toBe(1);
      expect(r.report.approvalRequired).toBe(true);
      expect(dml(r)).toHaveLength(1);
      expect(dml(r)[0]!.message).toContain("(decided from the merged history)");
    }
  });

  test("no replay server: a nullable column's IS NOT NULL stays a filter", async () => {
    const r = await runScenario({
      dialect: "mysql",
      base,
      add: add("DELETE FROM users WHERE nick IS NOT NULL;\n"),
    });
    expect(rules(r)).not.toContain("dml-without-where");
  });

  const MY = testServer("MW_TEST_MYSQL_URL", "MW_TEST_MYSQL_ADMIN_URL");
  (MY ? test : test.skip)(
    "on a replay server (no cached state: every evaluation reads the history)",
    async () => {
      const cache = testCache();
      for (let i = 0; i < 2; i++) {
        const r = await runScenario({
          dialect: "mysql",
          cache,
          base,
          databases: MY!.databases,
          add: add("DELETE FROM users WHERE id IS NOT NULL;\n"),
        });
        expect(r.findings).toEqual([]);
        expect(r.data?.engine).toMatch(/MySQL|MariaDB/);
        expect(r.batches).toBe(1);
        expect(dml(r)).toHaveLength(1);
        expect(dml(r)[0]!.message).toContain("(decided from the merged history)");
      }
    },
    120_000,
  );
});
