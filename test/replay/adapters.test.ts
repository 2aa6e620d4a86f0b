/** The replay as users see it: `migration-warden lint` and the app's check run. */
import { afterEach, expect, jest, test } from "@jest/globals";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../support/cli.js";
import { TempRepo } from "../support/git-repo.js";
import {
  describeCall,
  createHarness,
  finish,
  helloWorld,
  mergedMigrations,
  pullRequestEvent,
  type Harness,
} from "../github/harness.js";
import { seedCacheDir } from "./support.js";

jest.setTimeout(120_000);

let repo: TempRepo | undefined;
let cacheDir: string | undefined;
let h: Harness | undefined;
afterEach(() => {
  repo?.cleanup();
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  finish(h);
  repo = cacheDir = h = undefined;
});

test("CLI: replay findings and section, base state cached on disk, --no-replay", async () => {
  repo = new TempRepo();
  cacheDir = mkdtempSync(join(tmpdir(), "mw-cli-cache-"));
  const seeded = seedCacheDir(cacheDir);
  const env = { MIGRATION_WARDEN_CACHE_DIR: cacheDir };
  repo.write({
    "migrations/1_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
    "migrations/1_users.down.sql": "DROP TABLE users;\n",
  });
  repo.commit("base");
  repo.branch("feature");
  repo.write({
    "migrations/2_idx.up.sql": "CREATE INDEX users_email_idx ON users (email);\n",
    "migrations/2_idx.down.sql": "SELECT 1;\n",
  });
  const first = await runCli(["lint", "--base", "main", "--format", "json"], repo.dir, env);
  expect(first.code).toBe(1);
  const report = JSON.parse(first.stdout);
  expect(report.findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(
    expect.arrayContaining(["down-does-not-restore-schema", "up-not-reapplicable"]),
  );
  expect(report.sections[0]).toMatchObject({ id: "replay:migrations", data: { fromCache: false } });
  // The base state was stored (besides the fresh-database templates it was seeded with).
  expect(readdirSync(join(cacheDir, "replay")).length).toBeGreaterThan(seeded);

  const second = JSON.parse(
    (await runCli(["lint", "--base", "main", "--format", "json"], repo.dir, env)).stdout,
  );
  expect(second.sections[0].data.fromCache).toBe(true);
  expect(second.findings).toEqual(report.findings);

  const off = await runCli(
    ["lint", "--base", "main", "--format", "json", "--no-replay"],
    repo.dir,
    env,
  );
  expect(JSON.parse(off.stdout).sections).toBeUndefined();

  const text = await runCli(["lint", "--base", "main"], repo.dir, env);
  expect(text.stdout).toContain("Sandbox replay: migrations (postgres)");
});

test("CLI: when the base gains migrations, the disk cache restores the old state and applies the new ones", async () => {
  repo = new TempRepo();
  cacheDir = mkdtempSync(join(tmpdir(), "mw-cli-cache-"));
  const env = { MIGRATION_WARDEN_CACHE_DIR: cacheDir };
  const config = "directories:\n  - path: migrations\n    dialect: sqlite\n";
  repo.write({
    ".github/migration-warden.yml": config,
    "migrations/1_a.up.sql": "CREATE TABLE a (id int);\n",
    "migrations/1_a.down.sql": "DROP TABLE a;\n",
  });
  repo.commit("base");
  repo.branch("feature");
  repo.write({
    // Applies only on top of the merged table c.
    "migrations/9_x.up.sql": "CREATE TABLE x (id int);\nINSERT INTO c VALUES (1);\n",
    "migrations/9_x.down.sql": "DELETE FROM c WHERE id = 1;\nDROP TABLE x;\n",
  });
  repo.commit("change");
  const lintJson = async () => {
    const r = await runCli(["lint", "--base", "main", "--format", "json"], repo!.dir, env);
    return JSON.parse(r.stdout).sections[0].data;
  };
  const first = await lintJson();
  expect(first.base).toMatchObject({ files: 1, restored: 0, applied: 1 });
  expect(first.ups[0].error.message).toContain("no such table: c");

  repo.checkout("main");
  repo.write({
    "migrations/2_b.up.sql": "CREATE TABLE b (id int);\n",
    "migrations/2_b.down.sql": "DROP TABLE b;\n",
    "migrations/3_c.up.sql": "CREATE TABLE c (id int);\n",
    "migrations/3_c.down.sql": "DROP TABLE c;\n",
  });
  repo.commit("two more");
  repo.checkout("feature");
  repo.git("merge", "-q", "--no-edit", "main");
  const grown = await lintJson();
  expect(grown.base).toMatchObject({ files: 3, restored: 1, applied: 2 });
  expect(grown.ups.map((u: { ok: boolean }) => u.ok)).toEqual([true]);
  expect(grown.schemaDiff.map((c: { name: string }) => c.name)).toEqual(["x", "x.id"]);
});

test("app: the lint check run shows replay findings; merged migrations are read once per base", async () => {
  // Without the process's git objects (git-object-cache.ts), which would answer every read of the
  // second evaluation: what is checked here is the replay's own cache of the base state.
  h = await createHarness({ app: { gitObjectCacheBytes: 0 } });
  const { repo: gh, number } = helloWorld(h.fake, mergedMigrations(2), {
    "migrations/0003_t3.up.sql": "ALTER TABLE t1 ADD COLUMN note text;\n",
    "migrations/0003_t3.down.sql": "SELECT 1;\n",
  });
  await h.receive("pull_request", pullRequestEvent("opened", gh, number));
  const run = h.fake.checkRuns[0]!;
  const titles = run.annotations.map((a: { title?: string }) => a.title);
  expect(titles).toEqual(
    expect.arrayContaining(["down-does-not-restore-schema", "lock-access-exclusive"]),
  );
  expect(JSON.stringify(run.output)).toContain("Sandbox replay");
  // Git objects only: the GraphQL gathers of trees and blobs, and blob reads (the pull request's
  // and the approval check's own queries read no git object).
  const gitObjects = /query MigrationWarden(Gather|BaseDirectory)\b/;
  const reads = () =>
    h!.fake.requests
      .filter(
        (r) =>
          /\/git\/blobs\//.test(r.path) ||
          (/graphql/.test(r.path) &&
            gitObjects.test(String((r.body as { query?: string } | undefined)?.query))),
      )
      .map(describeCall);
  // The change's git objects (trees and its two files) and the merged migrations, in one gather
  // (src/github/base-texts.ts: a process that has not read them for this base asks for them).
  const textsAsked = () =>
    h!.fake.requests.filter(
      (r) => (r.body as { variables?: { texts?: string } } | undefined)?.variables?.texts,
    ).length;
  expect(reads()).toEqual(["POST /graphql"]);
  expect(textsAsked()).toBe(1);
  const before = reads().length;
  await h.receive("pull_request", pullRequestEvent("synchronize", gh, number));
  // Second evaluation: only the change's git objects are read again, the base state is cached
  // (a replay without it would send its own MigrationWardenBaseDirectory query).
  expect(reads().slice(before)).toEqual(["POST /graphql"]);
  expect(textsAsked()).toBe(1);
});
