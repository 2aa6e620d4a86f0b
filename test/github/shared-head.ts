/**
 * Set-up shared by the attacks on a head commit that several pull requests (or a merge group)
 * share (test/adversarial/app-lint-shared-head.test.ts, app-lint-group-*.test.ts): the two
 * configurations a head passes under and fails under, the migration that tells them apart, and
 * the ordering of two evaluations started at once.
 */
import type { FakeRepo } from "../support/fake-github.mjs";
import { mergedMigrations, pullRequestEvent, type Harness } from "./harness.js";

/** A configuration for `migrations` (Postgres), no replay; `rules` and `approval` as given. */
export const headConfig = (rules: string, approval = "  required: never\n") =>
  `directories:\n  - path: migrations\n    dialect: postgres\n${rules}approval:\n${approval}replay:\n  enabled: false\n`;

/** Passes the table drop below (its rules off). */
export const LENIENT = headConfig("rules:\n  drop-table: off\n  require-lock-timeout: off\n");
/** The default rules: the table drop below is an error. */
export const STRICT = headConfig("");

/** A migration pair after `mergedMigrations(1)` that drops its table. */
export const DROP_TABLE = {
  "migrations/0002_drop.up.sql": "DROP TABLE t1;\n",
  "migrations/0002_drop.down.sql": "CREATE TABLE t1 (id bigint PRIMARY KEY);\n",
};

/** A migration pair after `mergedMigrations(1)` that only adds a column (no finding). */
export const ADD_COLUMN = {
  "migrations/0002_add.up.sql": "ALTER TABLE t1 ADD COLUMN note text;\n",
  "migrations/0002_add.down.sql": "ALTER TABLE t1 DROP COLUMN note;\n",
};

/**
 * `opened` events of pull requests `first` and `second`, evaluated at once: `first`'s evaluation
 * reads everything and holds its check-run create; `second`'s then starts, reads while `first`
 * has written nothing, and holds its own; `first` writes, then `second`.
 */
export async function evaluatedAtOnce(
  h: Harness,
  repo: FakeRepo,
  first: number,
  second: number,
): Promise<void> {
  const create = /MigrationWardenCreateCheckRuns/;
  const heldFirst = h.pause("POST", /\/graphql$/, create);
  const a = h.receive("pull_request", pullRequestEvent("opened", repo, first));
  await heldFirst.reached;
  const heldSecond = h.pause("POST", /\/graphql$/, create);
  const b = h.receive("pull_request", pullRequestEvent("opened", repo, second));
  await heldSecond.reached;
  heldFirst.resume();
  await a;
  heldSecond.resume();
  await b;
}

/**
 * A repository whose default branch `master` (LENIENT, one merged migration) is also release-1,
 * and release-2 its child with `release2` as config (STRICT unless given): a head that passes
 * into release-1 and fails into release-2. Returns the commit both release branches start from.
 */
export function twoReleases(
  h: Harness,
  name: string,
  release2 = STRICT,
  owner = "Codertocat",
): { repo: FakeRepo; base: string } {
  const repo = h.fake.createRepo(owner, name, { defaultBranch: "master" });
  const base = repo.commit({
    branch: "master",
    files: { ".github/migration-warden.yml": LENIENT, ...mergedMigrations(1) },
  });
  repo.branches.set("release-1", base);
  repo.commit({
    branch: "release-2",
    parent: base,
    files: { ".github/migration-warden.yml": release2 },
  });
  return { repo, base };
}

/**
 * release-1 (with `release1` as its config and one merged migration) and release-2 (its child,
 * `release2` as config); the default branch's tip adds `headFiles` on release-1. #2 proposes the
 * tip to release-1, #3 to release-2. GitHub lists neither for the tip (a commit already on the
 * default branch lists only its merged pull request), so their group is what the app's runs name.
 */
export function defaultTipIntoTwoReleases(
  h: Harness,
  name: string,
  configs: { release1: string; release2: string },
  headFiles: Record<string, string>,
): { repo: FakeRepo; head: string } {
  const repo = h.fake.createRepo("Codertocat", name, { defaultBranch: "master" });
  const base = repo.commit({
    branch: "release-1",
    files: { ".github/migration-warden.yml": configs.release1, ...mergedMigrations(1) },
  });
  repo.commit({
    branch: "release-2",
    parent: base,
    files: { ".github/migration-warden.yml": configs.release2 },
  });
  const head = repo.commit({ branch: "master", parent: base, files: headFiles });
  repo.openPullRequest({ number: 2, base: "release-1", head });
  repo.openPullRequest({ number: 3, base: "release-2", head });
  return { repo, head };
}
