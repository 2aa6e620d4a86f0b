/** The replay as users see it: `migration-warden lint` and the app's check run. */
import { afterEach, expect, jest, test } from "@jest/globals";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../support/cli.js";
import { TempRepo } from "../support/git-repo.js";
import {
  createHarness,
  finish,
  helloWorld,
  mergedMigrations,
  pullRequestEvent,
  type Harness,
} from "../github/harness.js";

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
  expect(readdirSync(join(cacheDir, "replay")).length).toBeGreaterThan(0);

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

test("app: the lint check run shows replay findings; merged migrations are read once per base", async () => {
  h = await createHarness();
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
  const baseReads = () => h!.calls().filter((c) => c.includes("/git/blobs/")).length;
  const before = baseReads();
  await h.receive("pull_request", pullRequestEvent("synchronize", gh, number));
  // Second evaluation: only the change's two files are read again, the base state is cached.
  expect(baseReads() - before).toBe(2);
});
