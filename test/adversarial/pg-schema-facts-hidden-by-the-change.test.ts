/**
 * Attacks on the SQL rules judged with the merged schema / replayed catalog: the change itself
 * removes what would make a finding go silent, in a way the model must follow.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../support/cli.js";
import { TempRepo } from "../support/git-repo.js";
import { seedCacheDir } from "../support/replay-templates.js";
import { shareSandbox } from "../support/shared-sandbox.js";

// The subject is what the replay finds in an attack, not the sandbox: one thread and one reset
// database for the file (test/support/shared-sandbox.ts; its isolation: shared-sandbox.test.ts).
const sandbox = shareSandbox();
afterAll(() => expect(sandbox.stats.jobs).toBeGreaterThan(0));

let repo: TempRepo;
/** The CLI's cache: only the shared fresh-database templates (no initdb in this file). */
let cache: string;
beforeEach(() => {
  cache = mkdtempSync(join(tmpdir(), "mw-adversarial-cache-"));
  seedCacheDir(cache);
  repo = new TempRepo();
  repo.write({
    "migrations/000001_users.up.sql":
      "CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, note text);\nCREATE INDEX orders_user_idx ON orders (user_id);\n",
    "migrations/000001_users.down.sql": "DROP TABLE orders;\nDROP TABLE users;\n",
  });
  repo.commit("base");
  repo.branch("feature");
});
afterEach(() => {
  repo.cleanup();
  rmSync(cache, { recursive: true, force: true });
});

/** `lint --format json` in git mode, with or without the replay (its catalog then decides). */
async function lintJson(args: string[], cwd: string): Promise<{ report: any }> {
  const r = await runCli(
    ["lint", "--format", "json", ...args.filter((a) => a !== "--replay")],
    cwd,
    { MIGRATION_WARDEN_CACHE_DIR: cache },
  );
  if (r.stdout === "") throw new Error(r.stderr);
  return { report: JSON.parse(r.stdout) };
}

/** Commit what was written as the change, lint it, and list its findings' rules and files. */
async function lintChange(
  mode: string,
  range = ["--base", "main", "--head", "feature"],
): Promise<string[]> {
  repo.commit("change");
  return ids((await lintJson([...range, mode], repo.dir)).report);
}

const ids = (r: { findings: Array<{ ruleId: string; path: string }> }) =>
  r.findings.map((f) => `${f.ruleId} ${f.path.replace("migrations/", "")}`).sort();

const LT = "SET lock_timeout = '2s';\n";

test.each([["--replay"], ["--no-replay"]])(
  "an index renamed then dropped no longer covers a foreign key (%s)",
  async (mode) => {
    repo.write({
      "migrations/000002_fk.up.sql": `${LT}ALTER INDEX orders_user_idx RENAME TO orders_u;\nDROP INDEX orders_u;\nALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n`,
      "migrations/000002_fk.down.sql": "SELECT 1;\n",
    });
    const found = await lintChange(mode);
    expect(found).toContain("fk-without-index 000002_fk.up.sql");
  },
);

test("an index created then dropped in the same file does not cover a foreign key", async () => {
  repo.write({
    "migrations/000002_fk.up.sql": `${LT}DROP INDEX orders_user_idx;\nCREATE INDEX orders_tmp ON orders (user_id);\nALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\nDROP INDEX orders_tmp;\n`,
    "migrations/000002_fk.down.sql": "SELECT 1;\n",
  });
  const found = await lintChange("--no-replay");
  expect(found).toContain("fk-without-index 000002_fk.up.sql");
});

test("an index created, then dropped by dynamic SQL in the same file, does not cover a foreign key", async () => {
  repo.write({
    "migrations/000002_fk.up.sql": `${LT}ALTER TABLE orders ADD COLUMN ref bigint;\nCREATE INDEX orders_tmp ON orders (ref);\nALTER TABLE orders ADD CONSTRAINT orders_ref_fk FOREIGN KEY (ref) REFERENCES users (id) NOT VALID;\nDO $$ BEGIN EXECUTE (SELECT string_agg('DROP INDEX ' || indexname, ';') FROM pg_indexes WHERE indexname LIKE 'orders_t%'); END $$;\n`,
    "migrations/000002_fk.down.sql": "SELECT 1;\n",
  });
  const found = await lintChange("--no-replay");
  expect(found).toContain("fk-without-index 000002_fk.up.sql");
});

test.each([["--replay"], ["--no-replay"]])(
  "a function declared qualified IMMUTABLE then replaced unqualified VOLATILE is volatile (%s)",
  async (mode) => {
    repo.write({
      "migrations/000002_f.up.sql":
        "CREATE FUNCTION public.pick() RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 1';\n",
      "migrations/000002_f.down.sql": "DROP FUNCTION public.pick();\n",
      "migrations/000003_f.up.sql":
        "CREATE OR REPLACE FUNCTION pick() RETURNS int LANGUAGE sql VOLATILE AS 'SELECT (random() * 10)::int';\n",
      "migrations/000003_f.down.sql": "SELECT 1;\n",
      "migrations/000004_col.up.sql": `${LT}ALTER TABLE orders ADD COLUMN n int DEFAULT public.pick();\n`,
      "migrations/000004_col.down.sql": `${LT}ALTER TABLE orders DROP COLUMN n;\n`,
    });
    const found = await lintChange(mode);
    expect(found).toContain("add-column-rewriting-default 000004_col.up.sql");
  },
);

test.each([["--replay"], ["--no-replay"]])(
  "a wider type drops a column's own collation: its indexes are rebuilt (%s)",
  async (mode) => {
    repo.write({
      "migrations/000002_c.up.sql": `CREATE TABLE tags (id bigint PRIMARY KEY, label varchar(50) COLLATE "C");\nCREATE INDEX tags_label_idx ON tags (label);\n`,
      "migrations/000002_c.down.sql": "DROP TABLE tags;\n",
    });
    repo.commit("collated");
    repo.branch("feature2");
    repo.write({
      "migrations/000003_t.up.sql": `${LT}ALTER TABLE tags ALTER COLUMN label TYPE varchar(100);\n`,
      "migrations/000003_t.down.sql": "SELECT 1;\n",
    });
    const found = await lintChange(mode, ["--base", "feature", "--head", "feature2"]);
    expect(found).toContain("alter-column-type 000003_t.up.sql");
  },
);

test("a NOT ENFORCED check (Postgres 18) proves nothing to SET NOT NULL, in the file or an earlier one", async () => {
  repo.write({
    "migrations/000002_chk.up.sql": `${LT}ALTER TABLE orders ADD CONSTRAINT orders_note_nn CHECK (note IS NOT NULL) NOT ENFORCED;\n`,
    "migrations/000002_chk.down.sql": `${LT}ALTER TABLE orders DROP CONSTRAINT orders_note_nn;\n`,
    "migrations/000003_nn.up.sql": `${LT}ALTER TABLE orders ALTER COLUMN note SET NOT NULL;\n`,
    "migrations/000003_nn.down.sql": `${LT}ALTER TABLE orders ALTER COLUMN note DROP NOT NULL;\n`,
    "migrations/000004_both.up.sql": `${LT}ALTER TABLE orders ADD CONSTRAINT orders_user_nn CHECK (user_id IS NOT NULL) NOT ENFORCED;\nALTER TABLE orders ALTER COLUMN user_id SET NOT NULL;\n`,
    "migrations/000004_both.down.sql": `${LT}ALTER TABLE orders ALTER COLUMN user_id DROP NOT NULL;\n`,
  });
  const found = await lintChange("--no-replay");
  expect(found).toContain("set-not-null 000003_nn.up.sql");
  expect(found).toContain("set-not-null 000004_both.up.sql");
});

test.each([
  ["dropped", "ALTER TABLE orders DROP CONSTRAINT orders_note_nn;"],
  [
    "renamed away and dropped",
    "ALTER TABLE orders RENAME CONSTRAINT orders_note_nn TO x;\nALTER TABLE orders DROP CONSTRAINT x;",
  ],
  [
    "dropped by dynamic SQL",
    "DO $$ BEGIN EXECUTE (SELECT 'ALTER TABLE orders DROP CONSTRAINT ' || conname FROM pg_constraint WHERE conname LIKE 'orders_note%'); END $$;",
  ],
])("a validated check %s earlier in the file does not excuse SET NOT NULL", async (_, drop) => {
  repo.write({
    "migrations/000002_nn.up.sql": `${LT}ALTER TABLE orders ADD CONSTRAINT orders_note_nn CHECK (note IS NOT NULL) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_note_nn;\n${drop}\nALTER TABLE orders ALTER COLUMN note SET NOT NULL;\n`,
    "migrations/000002_nn.down.sql": `${LT}ALTER TABLE orders ALTER COLUMN note DROP NOT NULL;\n`,
  });
  const found = await lintChange("--no-replay");
  expect(found).toContain("set-not-null 000002_nn.up.sql");
});
