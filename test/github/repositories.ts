/**
 * The repository most app tests review, on the harness's fake GitHub: Codertocat's, on master,
 * with a policy whose approvals come from team dba (alice, active) and one merged migration; and
 * what those tests do with it: pushes, approved pull requests, merge queue groups, the newest run
 * of a check on a commit.
 */
import { expect } from "@jest/globals";
import type {
  FakeCheckRun,
  FakeGitHub,
  FakeQueueEntry,
  FakeRepo,
} from "../support/fake-github.mjs";
import {
  APPROVAL,
  example,
  type Harness,
  mergedMigrations,
  pullRequestEvent,
  pushEvent,
} from "./harness.js";

export const OWNER = "Codertocat";
export const AUDIT = "migration-warden/audit";

/** A policy with these Postgres directories, approved by team dba; `more` is appended. */
export function dbaConfig(directories: string[] = ["migrations"], more = ""): string {
  const listed = directories.map((d) => `  - path: ${d}\n    dialect: postgres\n`).join("");
  return `directories:\n${listed}approval:\n  teams: [dba]\n${more}`;
}

export const DBA_CONFIG = dbaConfig();

/**
 * OWNER/`name` with `config` and one merged migration (plus `files`) on master, its tip
 * `master`; team dba: alice (active).
 */
export function dbaRepository(
  fake: FakeGitHub,
  name: string,
  config = DBA_CONFIG,
  files: Record<string, string> = {},
): { repo: FakeRepo; master: string } {
  const repo = fake.createRepo(OWNER, name, { defaultBranch: "master" });
  const master = repo.commit({
    branch: "master",
    files: { ".github/migration-warden.yml": config, ...files, ...mergedMigrations(1) },
  });
  fake.setTeamMembership(OWNER, "dba", "alice", "active");
  return { repo, master };
}

/** The newest run of check `name` on commit `sha`. */
export function latestOn(h: Harness, name: string, sha: string): FakeCheckRun | undefined {
  return h
    .runs(name)
    .filter((x) => x.head_sha === sha)
    .at(-1);
}

/** Moves (or deletes, after = null) `branch` and delivers the push (from where it was). */
export async function push(
  h: Harness,
  repo: FakeRepo,
  branch: string,
  after: string | null,
  opts: { forced?: boolean; pusher?: string } = {},
): Promise<void> {
  const before = repo.branches.get(branch) ?? null;
  // A branch already moved (mergePullRequest moves it) would deliver a push from the new tip to
  // itself, which audits nothing: refused, so such a test cannot pass by auditing nothing.
  if (before === after)
    throw new Error(`${branch} is already at ${after}: deliver the push itself`);
  if (after === null) repo.branches.delete(branch);
  else repo.branches.set(branch, after);
  await h.receive("push", pushEvent(h.fake, repo, branch, before, after, opts));
}

/**
 * A pull request by dev into `base` adding `files`, approved by alice (a DBA), delivered; its
 * approval run is asserted to pass.
 */
export async function approvedPullRequest(
  h: Harness,
  repo: FakeRepo,
  files: Record<string, string>,
  base = "master",
): Promise<{ head: string; number: number }> {
  const head = repo.commit({ parent: repo.branches.get(base)!, files, author: "dev" });
  const n = repo.openPullRequest({ base, head, user: "dev" });
  repo.review(n, { user: "alice", state: "APPROVED" });
  await h.receive("pull_request", pullRequestEvent("opened", repo, n));
  expect(latestOn(h, APPROVAL, head)?.conclusion).toBe("success");
  return { head, number: n };
}

/** The merge_group event of a queue entry (`checks_requested` unless `action` says otherwise). */
export function groupEvent(
  repo: FakeRepo,
  entry: FakeQueueEntry,
  action = "checks_requested",
  override: Partial<FakeQueueEntry["payload"]> = {},
): any {
  const payload = example("merge_group", "checks_requested");
  payload.action = action;
  payload.merge_group = { ...payload.merge_group, ...entry.payload, ...override };
  payload.repository = { ...payload.repository, ...repo.toJSON() };
  return payload;
}
