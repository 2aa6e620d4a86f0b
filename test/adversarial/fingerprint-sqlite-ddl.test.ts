/**
 * What a SQLite CREATE TABLE says that no pragma returns, which the fingerprint did not compare:
 * a column's COLLATE (NOCASE changes what UNIQUE and = mean), a generated column's expression,
 * ON CONFLICT clauses (REPLACE deletes the conflicting rows), and a foreign key checked at COMMIT
 * (DEFERRABLE INITIALLY DEFERRED). Each is seen by the fingerprint however the DDL is written,
 * by the replay's down check, and by drift on a database file.
 */
import { afterAll, describe, expect, jest, test } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import initSqlJs from "sql.js";
import { sqliteFingerprint } from "../../src/replay/fingerprint/sqlite.js";
import {
  diffSchemas,
  describeChange,
  type AttrValue,
  type Schema,
} from "../../src/replay/schema.js";
import { BASES, runScenario, testCache } from "../replay/support.js";
import { runCli } from "../support/cli.js";
import { TempRepo } from "../support/git-repo.js";
import { seedCacheDir } from "../support/replay-templates.js";

jest.setTimeout(120_000);

const SQL = await initSqlJs();

async function fingerprint(ddl: string): Promise<Schema> {
  const db = new SQL.Database();
  try {
    db.exec(ddl);
    return await sqliteFingerprint(async (sql, params = []) => {
      const [r] = db.exec(sql, params as (string | number | null)[]);
      return r
        ? { columns: r.columns, rows: r.values as AttrValue[][] }
        : { columns: [], rows: [] };
    });
  } finally {
    db.close();
  }
}

const differences = async (a: string, b: string) =>
  diffSchemas(await fingerprint(a), await fingerprint(b)).map(describeChange);

const P = "CREATE TABLE p (id INTEGER PRIMARY KEY);\n";

// [before, after, what the difference says]
const DIFFERENT: Array<[string, string, RegExp]> = [
  [
    "CREATE TABLE t (a TEXT)",
    "CREATE TABLE t (a TEXT COLLATE NOCASE)",
    /column `t.a` differs: collation none → `NOCASE`/,
  ],
  [
    "CREATE TABLE t (a TEXT NOT NULL COLLATE nocase)",
    "CREATE TABLE t (a TEXT NOT NULL COLLATE RTRIM)",
    /collation `NOCASE` → `RTRIM`/,
  ],
  [
    "CREATE TABLE t (a INT, b INT AS (a * 2))",
    "CREATE TABLE t (a INT, b INT AS (a * 3))",
    /column `t.b` differs: generatedAs `A \* 2` → `A \* 3`/,
  ],
  [
    "CREATE TABLE t (a INT UNIQUE)",
    "CREATE TABLE t (a INT UNIQUE ON CONFLICT REPLACE)",
    /table `t` differs: onConflict none → `UNIQUE \(a\) REPLACE`/,
  ],
  [
    "CREATE TABLE t (a INT NOT NULL)",
    "CREATE TABLE t (a INT NOT NULL ON CONFLICT IGNORE)",
    /onConflict none → `NOT NULL \(a\) IGNORE`/,
  ],
  [
    "CREATE TABLE t (a INT, b INT, PRIMARY KEY (a, b))",
    "CREATE TABLE t (a INT, b INT, CONSTRAINT k PRIMARY KEY (a, b) ON CONFLICT REPLACE)",
    /onConflict none → `PRIMARY KEY \(a, b\) REPLACE`/,
  ],
  [
    `${P}CREATE TABLE t (a INT REFERENCES p (id))`,
    `${P}CREATE TABLE t (a INT REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED)`,
    /constraint `t.fk\(a\)` differs: deferred none → true/,
  ],
  [
    `${P}CREATE TABLE t (a INT, b INT, FOREIGN KEY (b) REFERENCES p)`,
    `${P}CREATE TABLE t (a INT, b INT, FOREIGN KEY ("B") REFERENCES p DEFERRABLE INITIALLY DEFERRED)`,
    /constraint `t.fk\(B\)` is missing|constraint `t.fk\(b\)` differs: deferred none → true/,
  ],
];

test.each(DIFFERENT)("%s → %s: a difference", async (a, b, says) => {
  expect((await differences(a, b)).join("\n")).toMatch(says);
});

// The same schema written otherwise, and what does not change behaviour: no difference.
test.each([
  ["CREATE TABLE t (a TEXT COLLATE NOCASE)", 'CREATE TABLE "t" ("a" text collate "nocase")'],
  ["CREATE TABLE t (a TEXT)", "CREATE TABLE t (a TEXT COLLATE BINARY)"],
  [
    "CREATE TABLE t (a INT, b INT AS (a * 2))",
    "CREATE TABLE t (a INT, b INT GENERATED ALWAYS AS (\n  a*2 -- doubled\n) VIRTUAL)",
  ],
  ["CREATE TABLE t (a INT UNIQUE)", "CREATE TABLE t (a INT UNIQUE ON CONFLICT ABORT)"],
  // Comments between the keywords, and a column named like a keyword.
  [
    "CREATE TABLE t (a INT UNIQUE ON CONFLICT REPLACE)",
    "CREATE TABLE t (a INT UNIQUE /* c */ ON -- x\n CONFLICT replace)",
  ],
  [
    'CREATE TABLE t ("collate" TEXT COLLATE NOCASE)',
    "CREATE TABLE t ([collate] TEXT COLLATE nocase)",
  ],
  [
    "CREATE TABLE t (a INT UNIQUE ON CONFLICT REPLACE)",
    "CREATE TABLE t (a INT, UNIQUE (a) on conflict replace)",
  ],
  [
    `${P}CREATE TABLE t (a INT REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED)`,
    `${P}CREATE TABLE t (a INT, FOREIGN KEY (a) REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED)`,
  ],
  // Neither is deferred: NOT DEFERRABLE, and DEFERRABLE INITIALLY IMMEDIATE, check each statement.
  [
    `${P}CREATE TABLE t (a INT REFERENCES p (id))`,
    `${P}CREATE TABLE t (a INT REFERENCES p (id) NOT DEFERRABLE INITIALLY DEFERRED)`,
  ],
  [
    `${P}CREATE TABLE t (a INT REFERENCES p (id))`,
    `${P}CREATE TABLE t (a INT REFERENCES p (id) DEFERRABLE INITIALLY IMMEDIATE)`,
  ],
  // A COLLATE or AS inside a CHECK or DEFAULT is not the column's.
  [
    "CREATE TABLE t (a TEXT CHECK (a = 'x'), b INT DEFAULT 1)",
    "CREATE TABLE t (a TEXT CHECK (a = 'x'), b INT DEFAULT 1)",
  ],
])("%s and %s: the same", async (a, b) => {
  expect(await differences(a, b)).toEqual([]);
});

test("a column named like a keyword keeps its own COLLATE", async () => {
  const s = await fingerprint('CREATE TABLE t ("collate" TEXT COLLATE NOCASE, "as" INT AS (1))');
  expect(s["column t.collate"]?.attrs.collation).toBe("NOCASE");
  expect(s["column t.as"]?.attrs.generatedAs).toBe("1");
});

test("a COLLATE inside a CHECK, or a CAST … AS inside a default, is not read as the column's", async () => {
  const s = await fingerprint(
    "CREATE TABLE t (a TEXT CHECK (a COLLATE NOCASE = 'x'), b INT DEFAULT (CAST('1' AS INT)))",
  );
  expect(s["column t.a"]?.attrs.collation).toBeUndefined();
  expect(s["column t.b"]?.attrs.generatedAs).toBeUndefined();
});

describe("the replay and drift", () => {
  const cache = testCache();
  const repo = new TempRepo();
  const cacheDir = mkdtempSync(join(tmpdir(), "mw-sqlite-ddl-cache-"));
  seedCacheDir(cacheDir);
  afterAll(() => {
    repo.cleanup();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  test("a down that does not restore a column's collation: down-does-not-restore-schema", async () => {
    const rebuild = (collate: string) =>
      "CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL" +
      `${collate});\nINSERT INTO users_new SELECT id, email FROM users;\n` +
      "ALTER TABLE posts RENAME TO posts_old;\nDROP TABLE users;\nALTER TABLE users_new RENAME TO users;\n" +
      "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));\n" +
      "INSERT INTO posts SELECT * FROM posts_old;\nDROP TABLE posts_old;\n";
    const run = (down: string) =>
      runScenario({
        base: BASES.sqlite,
        add: { "2_nocase.up.sql": rebuild(" COLLATE NOCASE"), "2_nocase.down.sql": down },
        dialect: "sqlite",
        cache,
      });
    const left = await run("SELECT 1;\n");
    expect(left.findings.filter((f) => f.ruleId.startsWith("replay-"))).toEqual([]);
    expect(left.findings.find((f) => f.ruleId === "down-does-not-restore-schema")?.message).toMatch(
      /column `users.email` differs: collation none → `NOCASE`/,
    );
    const restored = await run(rebuild(""));
    expect(restored.findings.filter((f) => f.ruleId.startsWith("replay-"))).toEqual([]);
    expect(restored.findings.some((f) => f.ruleId === "down-does-not-restore-schema")).toBe(false);
  });

  test("drift: a foreign key made deferred and a generated column changed by hand", async () => {
    const up =
      "CREATE TABLE p (id INTEGER PRIMARY KEY);\n" +
      "CREATE TABLE t (id INTEGER PRIMARY KEY, a INT REFERENCES p (id), b INT AS (a * 2));\n";
    repo
      .write({
        ".github/migration-warden.yml": "directories:\n  - path: lite\n    dialect: sqlite\n",
        "lite/1_t.up.sql": up,
      })
      .commit("migrations");
    const live = (ddl: string) => {
      const db = new SQL.Database();
      db.exec(
        `CREATE TABLE schema_migrations (version integer, dirty integer);\nINSERT INTO schema_migrations VALUES (1, 0);\n${ddl}`,
      );
      writeFileSync(join(repo.dir, "app.db"), db.export());
      db.close();
    };
    const drift = async () => {
      const r = await runCli(["drift", "--format", "json", "--dir", "lite"], repo.dir, {
        MIGRATION_WARDEN_DRIFT_DATABASE_URL: "sqlite3://app.db",
        MIGRATION_WARDEN_CACHE_DIR: cacheDir,
      });
      expect(r.stderr).toBe("");
      return JSON.parse(r.stdout).differences as Array<Record<string, string | null>>;
    };
    live(up);
    expect(await drift()).toEqual([]);
    live(
      "CREATE TABLE p (id INTEGER PRIMARY KEY);\n" +
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a INT REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED, b INT AS (a * 20));\n",
    );
    const d = await drift();
    expect(d.map((x) => `${x.change} ${x.kind} ${x.object}`).sort()).toEqual([
      "changed column t.b",
      "changed constraint t.fk(a)",
    ]);
    expect(d.find((x) => x.kind === "column")).toMatchObject({
      expected: expect.stringContaining("generatedAs: A * 2"),
      actual: expect.stringContaining("generatedAs: A * 20"),
    });
    expect(d.find((x) => x.kind === "constraint")).toMatchObject({
      expected: expect.stringContaining("deferred: none"),
      actual: expect.stringContaining("deferred: true"),
    });
  });
});
