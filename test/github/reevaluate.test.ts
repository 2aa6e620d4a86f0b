/**
 * Verdicts that change without an event of the pull request (issue 11): a DBA leaving the team or
 * the organization, a team deleted, a collaborator's role lowered, the policy tightened by a push
 * to a base branch. No stale success may remain: the passing checks of the open pull requests
 * they decide are evaluated again. Pull requests whose checks do not pass are left alone.
 */
import { describe, expect, test } from "@jest/globals";
import {
  APPROVAL,
  example,
  LINT,
  mergedMigrations,
  pullRequestEvent,
  pushEvent,
  type Harness,
  useHarness,
} from "./harness.js";

let h: Harness;
useHarness((created) => (h = created), { app: { replay: false } });

const OWNER = "Codertocat";
const CONFIG = (approval: string, rules = "") =>
  `directories:\n  - path: migrations\n    dialect: postgres\n${rules}approval:\n${approval}`;
const NOTE = {
  "migrations/0002_note.up.sql": "CREATE TABLE note (id int);\n",
  "migrations/0002_note.down.sql": "DROP TABLE note;\n",
};

/** Hello-World with PR #1 (into master) approved by alice, a DBA; PR #2 waits for approval. */
async function approved(config = CONFIG("  teams: [dba]\n")) {
  const repo = h.fake.createRepo(OWNER, "Hello-World", { defaultBranch: "master" });
  const master = repo.commit({
    branch: "master",
    files: { ".github/migration-warden.yml": config, ...mergedMigrations(1) },
  });
  h.fake.setTeamMembership(OWNER, "dba", "alice", "active");
  repo.setRole("alice", "admin");
  const head = repo.commit({ parent: master, files: NOTE, author: "dev" });
  const n = repo.openPullRequest({ number: 1, base: "master", head, user: "dev" });
  repo.review(n, { user: "alice", state: "APPROVED" });
  await h.receive("pull_request", pullRequestEvent("opened", repo, n));
  const waiting = repo.commit({
    parent: master,
    files: { "migrations/0003_x.up.sql": "SELECT 1;\n" },
    author: "dev",
  });
  const other = repo.openPullRequest({ number: 2, base: "master", head: waiting, user: "dev" });
  await h.receive("pull_request", pullRequestEvent("opened", repo, other));
  expect(latest(APPROVAL, head).conclusion).toBe("success");
  expect(latest(APPROVAL, waiting).conclusion).toBe("action_required");
  return { repo, head, waiting };
}

function latest(name: string, sha: string) {
  const r = h
    .runs(name)
    .filter((x) => x.head_sha === sha)
    .at(-1);
  if (!r) throw new Error(`no ${name} run on ${sha}`);
  return r;
}

/** GitHub's example payload for an organization-level event, pointed at the fake. */
function orgEvent(name: string, action: string, source: string = action): any {
  const payload = example(name, source);
  payload.action = action;
  payload.organization = { ...payload.organization, login: OWNER };
  payload.installation = h.fake.installationPayload();
  delete payload.repository;
  return payload;
}

describe("eligibility taken away", () => {
  test("a DBA removed from the team: the passing approval is evaluated again and waits", async () => {
    const { head, waiting } = await approved();
    const before = h.runs(APPROVAL).filter((r) => r.head_sha === waiting).length;
    h.fake.setTeamMembership(OWNER, "dba", "alice", null);
    const payload = orgEvent("membership", "removed");
    payload.member = { ...payload.member, login: "alice" };
    payload.team = { ...payload.team, slug: "dba" };
    await h.receive("membership", payload);
    expect([latest(APPROVAL, head).conclusion, latest(APPROVAL, head).output.title]).toEqual([
      "action_required",
      "Waiting for DBA approval (0 of 1)",
    ]);
    // Only the approval is evaluated again, and only where it passed.
    expect(h.runs(LINT).filter((r) => r.head_sha === head)).toHaveLength(1);
    expect(h.runs(APPROVAL).filter((r) => r.head_sha === waiting)).toHaveLength(before);
  });

  test("a DBA removed from the organization", async () => {
    const { head } = await approved();
    h.fake.setTeamMembership(OWNER, "dba", "alice", null);
    await h.receive("organization", orgEvent("organization", "member_removed", "member_added"));
    expect(latest(APPROVAL, head).conclusion).toBe("action_required");
  });

  test("the team deleted", async () => {
    const { head } = await approved();
    h.fake.setTeamMembership(OWNER, "dba", "alice", null);
    await h.receive("team", orgEvent("team", "deleted"));
    expect(latest(APPROVAL, head).conclusion).toBe("action_required");
  });

  test("an admin's role lowered (no teams configured: admins and maintainers approve)", async () => {
    const { repo, head } = await approved(CONFIG("  required: always\n"));
    repo.setRole("alice", "write");
    const payload = example("member", "added");
    payload.action = "edited";
    payload.repository = { ...payload.repository, ...repo.toJSON() };
    payload.installation = h.fake.installationPayload();
    await h.receive("member", payload);
    expect(latest(APPROVAL, head).conclusion).toBe("action_required");
  });

  test("a removal that changes nothing leaves the result as it was, in a fresh run", async () => {
    const { head } = await approved();
    const runs = h.runs(APPROVAL).filter((r) => r.head_sha === head).length;
    await h.receive("team", orgEvent("team", "deleted"));
    expect(h.runs(APPROVAL).filter((r) => r.head_sha === head)).toHaveLength(runs + 1);
    expect(latest(APPROVAL, head).conclusion).toBe("success");
  });
});

describe("the policy changed by a push to a base branch", () => {
  test("tightened on master: its passing pull request is evaluated again under the new policy", async () => {
    const { repo, head } = await approved();
    const before = repo.branches.get("master")!;
    const after = repo.commit({
      branch: "master",
      files: { ".github/migration-warden.yml": CONFIG("  teams: [dba]\n  count: 2\n") },
    });
    await h.receive("push", pushEvent(h.fake, repo, "master", before, after));
    expect([latest(APPROVAL, head).conclusion, latest(APPROVAL, head).output.title]).toEqual([
      "action_required",
      "Waiting for DBA approval (1 of 2)",
    ]);
    expect(h.runs(LINT).filter((r) => r.head_sha === head)).toHaveLength(2);
  });

  test("a rule turned into an error fails a lint check that passed", async () => {
    const { repo, head } = await approved();
    expect(latest(LINT, head).conclusion).not.toBe("failure");
    const before = repo.branches.get("master")!;
    const after = repo.commit({
      branch: "master",
      files: {
        ".github/migration-warden.yml": CONFIG(
          "  teams: [dba]\n",
          "rules:\n  require-lock-timeout: error\n  drop-table: error\n",
        ),
      },
    });
    await h.receive("push", pushEvent(h.fake, repo, "master", before, after));
    // The down migration's DROP TABLE is an error now.
    expect(latest(LINT, head).conclusion).toBe("failure");
  });

  test("a push that leaves the policy alone re-evaluates nothing", async () => {
    const { repo, head } = await approved();
    const runs = h.fake.checkRuns.length;
    const before = repo.branches.get("master")!;
    const after = repo.commit({ branch: "master", files: { "README.md": "# changed\n" } });
    h.fake.clearRequests();
    await h.receive("push", pushEvent(h.fake, repo, "master", before, after));
    expect(h.fake.checkRuns).toHaveLength(runs);
    expect(h.calls().filter((c) => c.includes("/pulls"))).toEqual([]);
    expect(latest(APPROVAL, head).conclusion).toBe("success");
  });

  test("the default branch's policy also decides pull requests into other branches", async () => {
    const repo = h.fake.createRepo(OWNER, "Hello-World", { defaultBranch: "master" });
    const master = repo.commit({
      branch: "master",
      files: {
        ".github/migration-warden.yml": CONFIG("  required: never\n"),
        ...mergedMigrations(1),
      },
    });
    repo.commit({ branch: "release", parent: master, files: { "docs/r.md": "1\n" } });
    const head = repo.commit({ parent: master, files: NOTE, author: "dev" });
    const n = repo.openPullRequest({ number: 1, base: "release", head, user: "dev" });
    await h.receive("pull_request", pullRequestEvent("opened", repo, n));
    expect(latest(APPROVAL, head).conclusion).toBe("success");
    const after = repo.commit({
      branch: "master",
      files: { ".github/migration-warden.yml": CONFIG("  teams: [dba]\n") },
    });
    await h.receive("push", pushEvent(h.fake, repo, "master", master, after));
    expect(latest(APPROVAL, head).conclusion).toBe("action_required");
    expect(latest(APPROVAL, head).output.title).toBe(
      "#1 as proposed to master: Waiting for DBA approval (0 of 1)",
    );
  });

  test("a deleted branch or a tag needs nothing", async () => {
    const { repo } = await approved();
    h.fake.clearRequests();
    const payload = pushEvent(h.fake, repo, "master", repo.branches.get("master")!, "0".repeat(40));
    payload.deleted = true;
    await h.receive("push", payload);
    const tag = pushEvent(h.fake, repo, "master", "0".repeat(40), repo.branches.get("master")!);
    tag.ref = "refs/tags/v1";
    await h.receive("push", tag);
    expect(h.calls().filter((c) => !c.includes("access_tokens"))).toEqual([]);
  });
});
