/**
 * End to end, merge queues: the real server process (`probot run lib/app.js`) against the fake
 * GitHub Enterprise Server, fed signed `merge_group` webhooks over HTTP. The queue, its group
 * commits and the GraphQL answer come from the fake (FakeRepo.enqueue).
 */
import { afterEach, beforeAll, describe, expect, test } from "@jest/globals";
import type { FakeCheckRun, FakeQueueEntry, FakeRepo } from "../support/fake-github.mjs";
import { useE2E } from "../support/e2e.js";
import { example } from "../support/webhooks.js";

const SECRET = "e2e-merge-group-secret";
const APP_ID = 4343;
const LINT = "migration-warden/lint";
const APPROVAL = "migration-warden/approval";

const e2e = useE2E({ secret: SECRET, appId: APP_ID });
const { deliver } = e2e;

/** The completed runs named `names` on `sha`, once all are there (the server works async). */
async function completed(
  sha: string,
  names: readonly string[],
  after = 0,
): Promise<FakeCheckRun[]> {
  return e2e.waitFor(
    `completed ${names.join(", ")} on ${sha}`,
    () => {
      const runs = names.map((n) =>
        e2e.fake.checkRuns
          .slice(after)
          .filter((r) => r.head_sha === sha && r.name === n && r.status === "completed")
          .at(-1),
      );
      return runs.every((r) => r !== undefined) ? (runs as FakeCheckRun[]) : null;
    },
    30_000,
  );
}

function withRepo(repo: FakeRepo, payload: any): any {
  payload.repository = { ...payload.repository, ...repo.toJSON() };
  payload.installation = e2e.fake.installationPayload();
  return payload;
}

async function open(
  repo: FakeRepo,
  number: number,
  files: Record<string, string>,
): Promise<string> {
  const head = repo.commit({ parent: repo.branches.get("main")!, files, author: "dev" });
  repo.openPullRequest({ number, base: "main", head, user: "dev", headRef: `pr-${number}` });
  const payload = example("pull_request", "opened");
  payload.number = number;
  payload.pull_request = { ...payload.pull_request, ...repo.pullJSON(number) };
  const before = e2e.fake.checkRuns.length;
  await deliver("pull_request", withRepo(repo, payload));
  await completed(head, [LINT, APPROVAL], before);
  return head;
}

async function approve(repo: FakeRepo, number: number, head: string): Promise<void> {
  const id = repo.review(number, { user: "db-admin", state: "APPROVED" });
  const payload = example("pull_request_review", "submitted");
  payload.review = repo.reviewJSON(number, id, { webhook: true });
  payload.pull_request = { ...payload.pull_request, ...repo.pullJSON(number) };
  const before = e2e.fake.checkRuns.length;
  await deliver("pull_request_review", withRepo(repo, payload));
  const [run] = await completed(head, [APPROVAL], before);
  expect(run!.conclusion).toBe("success");
}

async function checkGroup(repo: FakeRepo, entry: FakeQueueEntry): Promise<FakeCheckRun[]> {
  const payload = example("merge_group", "checks_requested");
  payload.merge_group = { ...payload.merge_group, ...entry.payload };
  await deliver("merge_group", withRepo(repo, payload));
  return completed(entry.headSha, [LINT, APPROVAL]);
}

describe("merge queue groups through the real server", () => {
  let repo: FakeRepo;
  beforeAll(() => {
    repo = e2e.fake.createRepo("acme", "ledger");
    repo.commit({
      branch: "main",
      files: {
        ".github/migration-warden.yml":
          "directories:\n  - path: db/migrations\n    dialect: postgres\nreplay:\n  enabled: false\n",
        "db/migrations/001_t1.up.sql": "CREATE TABLE t1 (id bigint PRIMARY KEY);\n",
        "db/migrations/001_t1.down.sql": "DROP TABLE t1;\n",
      },
    });
    repo.setRole("db-admin", "admin");
  });
  // Each test queues into an empty queue.
  afterEach(() => {
    repo.mergeQueues.delete("main");
  });

  test("a group with one approved migration pull request passes both checks", async () => {
    const head = await open(repo, 1, {
      "db/migrations/002_t2.up.sql": "CREATE TABLE t2 (id bigint PRIMARY KEY);\n",
      "db/migrations/002_t2.down.sql": "SELECT 1;\n",
    });
    await approve(repo, 1, head);
    const entry = repo.enqueue(1);
    const [lint, approval] = await checkGroup(repo, entry);
    expect([lint!.conclusion, lint!.output.title]).toEqual([
      "success",
      "No problems in 2 changed migration files",
    ]);
    expect([approval!.conclusion, approval!.output.title]).toEqual([
      "success",
      "Approved: 2 migration changes in 1 pull request",
    ]);
    expect(approval!.external_id).toMatch(/^mw-merge-group\/1;digest=[0-9a-f]{64};base=main$/);
  });

  test("a group with an unapproved migration pull request fails the approval", async () => {
    await open(repo, 2, {
      "db/migrations/003_t3.up.sql": "CREATE TABLE t3 (id bigint PRIMARY KEY);\n",
      "db/migrations/003_t3.down.sql": "SELECT 1;\n",
    });
    const entry = repo.enqueue(2);
    const [lint, approval] = await checkGroup(repo, entry);
    expect(lint!.conclusion).toBe("success");
    expect([approval!.conclusion, approval!.output.title]).toEqual([
      "failure",
      "2 migration changes not approved in the group",
    ]);
    expect(approval!.output.summary).toContain("#2 is not approved for this group");
  });

  test("a group with no migration change passes both checks", async () => {
    await open(repo, 3, { "README.md": "# Ledger\n" });
    const entry = repo.enqueue(3);
    const [lint, approval] = await checkGroup(repo, entry);
    expect([lint!.conclusion, lint!.output.title]).toEqual(["success", "No migration changes"]);
    expect([approval!.conclusion, approval!.output.title]).toEqual([
      "success",
      "No migration changed",
    ]);
    // Every call went to the enterprise layout (GraphQL at /api/graphql) and succeeded.
    expect(e2e.fake.requests.every((r) => r.status < 400)).toBe(true);
    expect(e2e.fake.requests.some((r) => r.path === "/api/graphql")).toBe(true);
  });
});
