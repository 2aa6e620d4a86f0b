/**
 * End to end (issue 12 §2, done-means): the push audit through the real server process
 * (`probot run lib/app.js`) against the fake GitHub Enterprise Server, fed signed webhooks.
 */
import { describe, expect, test } from "@jest/globals";
import type { FakeRepo } from "../support/fake-github.mjs";
import { useE2E } from "../support/e2e.js";
import { example } from "../support/webhooks.js";

const SECRET = "e2e-audit-secret";
const APP_ID = 4343;
const AUDIT = "migration-warden/audit";
const APPROVAL = "migration-warden/approval";
const CONFIG =
  "directories:\n  - path: db/migrations\n    dialect: postgres\nreplay:\n  enabled: false\napproval:\n  teams: [dba]\n";

const e2e = useE2E({ secret: SECRET, appId: APP_ID });
const { deliver, waitFor } = e2e;
let n = 0;

function repository() {
  const repo = e2e.fake.createRepo("acme", `audited-${++n}`);
  const main = repo.commit({
    branch: "main",
    files: {
      ".github/migration-warden.yml": CONFIG,
      "db/migrations/001_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",
      "db/migrations/001_users.down.sql": "DROP TABLE users;\n",
    },
  });
  e2e.fake.setTeamMembership("acme", "dba", "alice", "active");
  return { repo, main };
}

/** Moves the branch and delivers the push event GitHub would send. */
async function push(repo: FakeRepo, after: string, forced = false): Promise<void> {
  const before = repo.branches.get("main")!;
  repo.branches.set("main", after);
  const payload = example("push", undefined as unknown as string);
  Object.assign(payload, {
    ref: "refs/heads/main",
    before,
    after,
    created: false,
    deleted: false,
    forced,
    pusher: { name: "mallory", email: "mallory@example.com" },
    sender: { ...payload.sender, login: "mallory" },
  });
  payload.repository = {
    ...payload.repository,
    ...repo.toJSON(),
    owner: { ...payload.repository.owner, login: repo.owner, name: repo.owner },
  };
  payload.installation = e2e.fake.installationPayload();
  await deliver("push", payload);
}

function runsOn(name: string, sha: string) {
  return e2e.fake.checkRuns.filter((r) => r.name === name && r.head_sha === sha);
}

function settledAudit(sha: string) {
  return waitFor(`${AUDIT} on ${sha.slice(0, 7)}`, () => {
    const r = runsOn(AUDIT, sha).at(-1);
    return r && r.status === "completed" ? r : null;
  });
}

/** A pull request adding a migration pair, approved by alice through the server. */
async function approvedPullRequest(repo: FakeRepo, main: string) {
  const head = repo.commit({
    parent: main,
    author: "dev",
    files: {
      "db/migrations/002_note.up.sql": "CREATE TABLE note (id int);\n",
      "db/migrations/002_note.down.sql": "DROP TABLE note;\n",
    },
  });
  const number = repo.openPullRequest({ base: "main", head, user: "dev" });
  repo.review(number, { user: "alice", state: "APPROVED" });
  const payload = example("pull_request", "opened");
  payload.number = number;
  payload.pull_request = { ...payload.pull_request, ...repo.pullJSON(number) };
  payload.repository = { ...payload.repository, ...repo.toJSON() };
  payload.installation = e2e.fake.installationPayload();
  await deliver("pull_request", payload);
  const approval = await waitFor("the approval", () => {
    const r = runsOn(APPROVAL, head).at(-1);
    return r && r.status === "completed" ? r : null;
  });
  expect(approval.conclusion).toBe("success");
  return number;
}

describe("the push audit through the real server", () => {
  test("a direct push editing a merged migration: failure naming the file", async () => {
    const { repo, main } = repository();
    const edit = repo.commit({
      parent: main,
      files: { "db/migrations/001_users.up.sql": "CREATE TABLE users (id int PRIMARY KEY);\n" },
    });
    await push(repo, edit);
    const run = await settledAudit(edit);
    expect([run.conclusion, run.output.title]).toEqual(["failure", "1 merged migration altered"]);
    expect(run.output.summary).toContain("| `db/migrations/001_users.up.sql` | edited |");
    expect(run.output.summary).toContain("mallory");
  });

  test("a push of a merged, approved pull request: success", async () => {
    const { repo, main } = repository();
    const number = await approvedPullRequest(repo, main);
    const merge = repo.mergePullRequest(number);
    repo.branches.set("main", main);
    await push(repo, merge);
    const run = await settledAudit(merge);
    expect([run.conclusion, run.output.title]).toEqual([
      "success",
      "Every migration change is covered by an approval",
    ]);
  });

  test("a force push over migration history: failure", async () => {
    const { repo, main } = repository();
    const number = await approvedPullRequest(repo, main);
    repo.mergePullRequest(number);
    const rewritten = repo.commit({ parent: main, files: { "README.md": "reset\n" } });
    await push(repo, rewritten, true);
    const run = await settledAudit(rewritten);
    expect([run.conclusion, run.output.title]).toEqual(["failure", "migration history rewritten"]);
  });

  test("a push touching no migration: nothing written", async () => {
    const { repo, main } = repository();
    const docs = repo.commit({ parent: main, files: { "README.md": "docs\n" } });
    // A push that is audited after it shows that the first was handled and skipped.
    const edit = repo.commit({ parent: docs, files: { "db/migrations/001_users.down.sql": "" } });
    await push(repo, docs);
    await push(repo, edit);
    await settledAudit(edit);
    expect(runsOn(AUDIT, docs)).toEqual([]);
  });
});
