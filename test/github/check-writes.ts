/**
 * Set-up shared by the tests of how check runs are written (writes, batch-writes,
 * batch-writes-slow and the adversarial races between evaluations): the pull request they review,
 * the newest run of a check, and an evaluation of another process that writes its results
 * straight through the writer (write.ts) against the harness's fake GitHub.
 */
import type { Logger } from "probot";
import type { Generation } from "../../src/github/checks/in-flight.js";
import type { CheckDefinition, CheckResult } from "../../src/github/checks/types.js";
import { writeResults, type Writing } from "../../src/github/checks/write.js";
import type { GitHubClient } from "../../src/github/client.js";
import { createClientFactory } from "../../src/github/octokit.js";
import type { PullRequestInfo } from "../../src/github/pull-request.js";
import type { ReviewEnv } from "../../src/github/review.js";
import type { FakeCheckRun, FakeGitHub, FakeRepo } from "../support/fake-github.mjs";
import { APP_ID, APPROVAL, ATTEMPTS, FAST_REQUESTS, type Harness } from "./harness.js";
import { DBA_CONFIG, dbaRepository, OWNER } from "./repositories.js";

export { OWNER };

/** A migration with a failing finding (drop-table): the lint run carries annotations. */
export const DROPPING_MIGRATION = {
  "migrations/0002_t2.up.sql": "CREATE TABLE t2 (id bigint PRIMARY KEY);\nDROP TABLE t1;\n",
  "migrations/0002_t2.down.sql": "DROP TABLE t2;\n",
};
/** A change touching no migration. */
export const README_CHANGE = { "README.md": "# changed\n" };

export interface PullRequestSetup {
  repo: FakeRepo;
  headSha: string;
  number: number;
}

/** PR #2 by "dev" with `change` on one merged migration; team dba: alice (active). */
export function dbaPullRequest(fake: FakeGitHub, change: Record<string, string>): PullRequestSetup {
  const { repo, master } = dbaRepository(fake, "Hello-World", DBA_CONFIG, {
    "README.md": "# Hello\n",
  });
  const headSha = repo.commit({ parent: master, files: change, author: "dev" });
  const number = repo.openPullRequest({ number: 2, base: "master", head: headSha, user: "dev" });
  return { repo, headSha, number };
}

/** New migrations from version 2 up to `below` (exclusive), each creating a table: no findings. */
export function newTables(below: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let v = 2; v < below; v++)
    files[`migrations/${String(v).padStart(4, "0")}_t${v}.up.sql`] =
      `CREATE TABLE t${v} (id bigint PRIMARY KEY);\n`;
  return files;
}

/** The newest run of check `name` (throws when there is none). */
export function newestRun(h: Harness, name: string): FakeCheckRun {
  const r = h.runs(name).at(-1);
  if (!r) throw new Error(`no ${name} run`);
  return r;
}

export const SILENT = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Logger;
/** Another process's view: no evaluation of its own is newer. */
export const ALONE: Generation = { seq: 1, keys: [], superseded: () => null };
export const APPROVAL_CHECK = { name: APPROVAL } as unknown as CheckDefinition;
export const PASS: CheckResult = {
  conclusion: "success",
  title: "Approved by @alice",
  summary: "ok",
};
/** What a newer evaluation that saw the approval dismissed writes. */
export const BLOCK: CheckResult = {
  conclusion: "action_required",
  title: "Waiting for DBA approval (0 of 1)",
  summary: "the approval was dismissed",
};

export interface OtherProcess {
  octokit: GitHubClient;
  pr: PullRequestInfo;
  /** What the writer gets from an evaluation of this process started at `startedAt`. */
  writing(startedAt: number): Writing;
}

/**
 * An evaluation in another process (its own client, no in-flight knowledge of this one) writing
 * the checks of PR #2 of Codertocat/Hello-World at `headSha`. Without `baseRepoNodeId` the writer
 * has no repository id for the mutation and creates by REST. `appId: null` is a token-only set-up
 * (the credentials name no app).
 */
export async function otherProcess(
  h: Harness,
  target: { headSha: string; baseRepoNodeId?: string },
  appId: number | null = APP_ID,
): Promise<OtherProcess> {
  const base = (await h.probot.auth(h.fake.installationId)) as unknown as GitHubClient;
  const octokit = createClientFactory(FAST_REQUESTS)({
    octokit: base,
    payload: { installation: { id: h.fake.installationId } },
  });
  const env = { octokit, log: SILENT } as unknown as ReviewEnv;
  const repo = { owner: OWNER, repo: "Hello-World" };
  const pr = { ...repo, number: 2, ...target } as PullRequestInfo;
  const writing = (startedAt: number): Writing => ({
    env,
    repo,
    pr,
    startedAt,
    appId,
    generation: ALONE,
    log: SILENT,
    outcome: { target: pr, conclusions: {}, requests: 0 },
  });
  return { octokit, pr, writing };
}

/**
 * The race of two evaluations of one head in different processes: the older one, which saw a
 * pass, has listed the runs (none newer) and is about to create its pass; its create request
 * (`create`, paused) waits while the newer one, which saw the approval dismissed, writes its
 * block; then the older create goes on. Returns once both have written.
 */
export async function olderPassAfterNewerBlock(
  h: Harness,
  writing: OtherProcess["writing"],
  create: { path: RegExp; body?: RegExp },
): Promise<void> {
  const check = APPROVAL_CHECK;
  const now = Date.now();
  const paused = h.pause("POST", create.path, create.body);
  const older = writeResults(writing(now - 1000), [check], [{ check, result: PASS }]);
  await paused.reached;
  await writeResults(writing(now), [check], [{ check, result: BLOCK }]);
  paused.resume();
  await older;
}

const OPERATION = {
  create: "MigrationWardenCreateCheckRuns",
  update: "MigrationWardenUpdateCheckRuns",
} as const;

/**
 * The next check-run mutation of this kind (batch-create.ts, batch-update.ts) carried out, but
 * the fields of the runs whose name matches `run` answered with an error (and left undone).
 */
export function fieldFails(h: Harness, kind: keyof typeof OPERATION, run: RegExp): void {
  h.fake.graphqlFault({
    executed: true,
    operation: OPERATION[kind],
    [kind === "create" ? "createError" : "updateError"]: run,
  });
}

/** The next check-run mutation of this kind answered with errors and no data at all. */
export function mutationAnswersNoData(h: Harness, kind: keyof typeof OPERATION): void {
  h.fake.graphqlFault({
    executed: true,
    operation: OPERATION[kind],
    error: "Something went wrong",
  });
}

/** Every attempt of a REST check-run create (POST) or update (PATCH) fails: 500, `message`. */
export function restWritesFail(h: Harness, method: "POST" | "PATCH", message: string): void {
  h.fake.failNext({
    method,
    path:
      method === "POST"
        ? /^\/repos\/[^/]+\/[^/]+\/check-runs$/
        : /^\/repos\/[^/]+\/[^/]+\/check-runs\/\d+$/,
    status: 500,
    times: ATTEMPTS,
    message,
  });
}
