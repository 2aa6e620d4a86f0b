/**
 * Merge queues (`merge_group.checks_requested`) through the webhook handler against the in-memory
 * GitHub: both checks on the group head, and every way around the group's approval we could think
 * of (src/github/merge-group.ts, src/core/approval/group.ts).
 */
import { describe, expect, test } from "@jest/globals";
import type { FakeCheckRun, FakeQueueEntry, FakeRepo } from "../support/fake-github.mjs";
import {
  APPROVAL,
  APP_ID,
  example,
  LINT,
  pullRequestEvent,
  pushEvent,
  reviewEvent,
  ATTEMPTS,
  type Harness,
  useHarness,
} from "./harness.js";
import { DEFAULT_PENDING_AFTER_MS } from "../../src/github/review.js";
import { AUDIT, dbaRepository, groupEvent } from "./repositories.js";
import { until } from "../support/until.js";

let h: Harness;
useHarness((created) => (h = created), { app: { replay: false } });

function migration(version: string, table: string): Record<string, string> {
  return {
    [`migrations/${version}_${table}.up.sql`]: `CREATE TABLE ${table} (id bigint PRIMARY KEY);\n`,
    [`migrations/${version}_${table}.down.sql`]: `DROP TABLE ${table};\n`,
  };
}

function setup(): { repo: FakeRepo; baseSha: string } {
  const { repo, master } = dbaRepository(h.fake, "Hello-World");
  return { repo, baseSha: master };
}

/** A pull request by "dev" with `files` on top of `parent`, evaluated by the app once. */
async function open(
  repo: FakeRepo,
  number: number,
  parent: string,
  files: Record<string, string | null>,
  base = "master",
): Promise<number> {
  const head = repo.commit({ parent, files, author: "dev" });
  repo.openPullRequest({ number, base, head, user: "dev", headRef: `change-${number}` });
  await h.receive("pull_request", pullRequestEvent("opened", repo, number));
  return number;
}

async function approve(repo: FakeRepo, number: number): Promise<void> {
  const id = repo.review(number, { user: "alice", state: "APPROVED" });
  await h.receive("pull_request_review", reviewEvent("submitted", repo, number, id));
}

function latestApproval(repo: FakeRepo, number: number): FakeCheckRun {
  const head = repo.pullJSON(number).head.sha;
  return h
    .runs(APPROVAL)
    .filter((r) => r.head_sha === head)
    .at(-1)!;
}

/** The repository with pull request #2 by "dev" adding `files`, evaluated once. */
async function openedPullRequest(
  files: Record<string, string | null> = migration("0002", "audit"),
): Promise<{ repo: FakeRepo; baseSha: string }> {
  const s = setup();
  await open(s.repo, 2, s.baseSha, files);
  return s;
}

/** Pull request `number` enqueued, and its group's checks requested. */
async function enqueued(
  repo: FakeRepo,
  number = 2,
  options?: Parameters<FakeRepo["enqueue"]>[1],
): Promise<FakeQueueEntry> {
  const entry = repo.enqueue(number, options);
  await h.receive("merge_group", groupEvent(repo, entry));
  return entry;
}

/** The runs on a group head: [name, conclusion, title] in creation order. */
function onGroup(entry: FakeQueueEntry): Array<[string, string | null, string | null]> {
  return h.fake.checkRuns
    .filter((r) => r.head_sha === entry.headSha)
    .map((r) => [r.name, r.conclusion, r.output.title]);
}

function groupRun(entry: FakeQueueEntry, name: string): FakeCheckRun {
  return h.fake.checkRuns.filter((r) => r.head_sha === entry.headSha && r.name === name).at(-1)!;
}

function queryOf(body: unknown): string {
  return String((body as { query?: unknown } | null)?.query ?? "");
}

describe("a merge group", () => {
  test("with one approved migration pull request passes both checks on the group head", async () => {
    const { repo } = await openedPullRequest();
    await approve(repo, 2);
    expect(latestApproval(repo, 2).conclusion).toBe("success");
    const entry = await enqueued(repo);
    expect(onGroup(entry)).toEqual([
      // The down file's DROP TABLE is a notice.
      [LINT, "neutral", "0 errors, 0 warnings, 1 notice"],
      [APPROVAL, "success", "Approved: 2 migration changes in 1 pull request"],
    ]);
    const approval = groupRun(entry, APPROVAL);
    expect(approval.external_id).toMatch(/^mw-merge-group\/1;digest=[0-9a-f]{64};base=master$/);
    expect(groupRun(entry, LINT).external_id).toBe("mw-merge-group/1;base=master");
    expect(approval.output.summary).toContain("| `migrations/0002_audit.up.sql` |");
    expect(approval.output.summary).toContain("| #2 |");
    expect(approval.appId).toBe(APP_ID);
    expect(h.schemaErrors()).toEqual([]);
    // One GraphQL request reads the queue (the others read git objects in bulk, or the pull
    // request, its base config and its approval facts when it was opened, or write the pull
    // request's check runs: checks/batch-create.ts, batch-update.ts).
    const graphql = h.fake.requests.filter((r) => r.path.endsWith("/graphql"));
    expect(graphql.filter((r) => /\bmergeQueue\b/.test(queryOf(r.body)))).toHaveLength(1);
    expect(
      graphql.filter(
        (r) =>
          !/MigrationWarden(PullRequest|Gather|PullFacts|CreateCheckRuns|UpdateCheckRuns)\b/.test(
            queryOf(r.body),
          ),
      ),
    ).toHaveLength(1);
  });

  test("with an unapproved migration pull request fails the approval, naming it", async () => {
    const { repo } = await openedPullRequest();
    expect(latestApproval(repo, 2).conclusion).toBe("action_required");
    const entry = await enqueued(repo);
    const approval = groupRun(entry, APPROVAL);
    expect([approval.conclusion, approval.output.title]).toEqual([
      "failure",
      "2 migration changes not approved in the group",
    ]);
    expect(approval.output.summary).toContain(
      "#2 is not approved for this group: its latest approval run",
    );
    expect(approval.output.summary).toContain("concluded `action_required`, not success");
  });

  test("changing no migration passes both checks", async () => {
    const { repo } = await openedPullRequest({ "README.md": "# Hello again\n" });
    expect(latestApproval(repo, 2).conclusion).toBe("success");
    const entry = await enqueued(repo);
    expect(onGroup(entry)).toEqual([
      [LINT, "success", "No migration changes"],
      [APPROVAL, "success", "No migration changed"],
    ]);
    expect(groupRun(entry, LINT).output.summary).toContain(
      "This merge group changes no file in the migration directories",
    );
  });

  test("lint judges the group's change against the base tip with the base's configuration", async () => {
    const { repo, baseSha } = setup();
    // Edits a merged migration and turns the approval off in its own head: neither counts.
    await open(repo, 2, baseSha, {
      "migrations/0001_t1.up.sql": "DROP TABLE t1;\n",
      ".github/migration-warden.yml":
        "directories:\n  - path: migrations\n    dialect: postgres\napproval:\n  required: never\n",
    });
    const entry = await enqueued(repo);
    const lint = groupRun(entry, LINT);
    expect(lint.conclusion).toBe("failure");
    expect(lint.annotations.map((a) => a.title)).toContain("modified-merged-migration");
    expect(groupRun(entry, APPROVAL).conclusion).toBe("failure");
  });

  test("Re-run on a group run (and Re-run all) evaluates the group again on its head", async () => {
    const { repo } = await openedPullRequest();
    const entry = await enqueued(repo, 2, { squash: true });
    expect(groupRun(entry, APPROVAL).conclusion).toBe("failure");
    // Approved meanwhile; the team re-runs the group's failed approval check.
    await approve(repo, 2);
    const failed = groupRun(entry, APPROVAL);
    const rerun = example("check_run", "rerequested");
    rerun.repository = { ...rerun.repository, ...repo.toJSON() };
    rerun.check_run = { ...rerun.check_run, ...h.fake.runJSON(failed), pull_requests: [] };
    await h.receive("check_run", rerun);
    expect(onGroup(entry).map(([n, c]) => [n, c])).toEqual([
      [LINT, "neutral"],
      [APPROVAL, "failure"],
      [LINT, "neutral"],
      [APPROVAL, "success"],
    ]);
    const suite = example("check_suite", "rerequested");
    suite.repository = { ...suite.repository, ...repo.toJSON() };
    suite.installation = h.fake.installationPayload();
    suite.check_suite = {
      ...suite.check_suite,
      id: failed.suiteId,
      head_sha: entry.headSha,
      pull_requests: [],
    };
    await h.receive("check_suite", suite);
    expect(onGroup(entry)).toHaveLength(6);
    expect(groupRun(entry, APPROVAL).conclusion).toBe("success");
  });

  test("merge_group.destroyed writes nothing", async () => {
    const { repo } = await openedPullRequest();
    const entry = repo.enqueue(2);
    const before = h.fake.checkRuns.length;
    await h.receive("merge_group", groupEvent(repo, entry, "destroyed"));
    expect(h.fake.checkRuns.length).toBe(before);
  });
});

describe("getting around the group's approval", () => {
  test("a group of two pull requests where only the first is approved fails", async () => {
    const { repo, baseSha } = await openedPullRequest();
    await approve(repo, 2);
    await open(repo, 3, baseSha, migration("0003", "payments"));
    const first = repo.enqueue(2);
    const second = repo.enqueue(3);
    await h.receive("merge_group", groupEvent(repo, first));
    await h.receive("merge_group", groupEvent(repo, second));
    expect(groupRun(first, APPROVAL).conclusion).toBe("success");
    const approval = groupRun(second, APPROVAL);
    expect(approval.conclusion).toBe("failure");
    // The second group carries both pull requests: #2's files are covered, #3's are not.
    expect(approval.output.summary).toContain("#3 is not approved for this group");
    expect(approval.output.summary).toContain("`migrations/0003_payments.up.sql` (blob");
    expect(approval.output.summary).not.toContain("#2 is not approved");
  });

  test("a group of two approved pull requests passes, covering each file by its pull request", async () => {
    const { repo, baseSha } = await openedPullRequest();
    await approve(repo, 2);
    await open(repo, 3, baseSha, migration("0003", "payments"));
    await approve(repo, 3);
    repo.enqueue(2);
    const second = repo.enqueue(3);
    await h.receive("merge_group", groupEvent(repo, second));
    const approval = groupRun(second, APPROVAL);
    expect([approval.conclusion, approval.output.title]).toEqual([
      "success",
      "Approved: 4 migration changes in 2 pull requests",
    ]);
  });

  test("a queue commit whose content differs from the approved head fails", async () => {
    const { repo } = await openedPullRequest();
    await approve(repo, 2);
    const entry = repo.enqueue(2, {
      files: { "migrations/0002_audit.up.sql": "DROP TABLE t1;\n" },
    });
    await h.receive("merge_group", groupEvent(repo, entry));
    const approval = groupRun(entry, APPROVAL);
    expect([approval.conclusion, approval.output.title]).toEqual([
      "failure",
      "1 migration change not approved in the group",
    ]);
    expect(approval.output.summary).toMatch(
      /`migrations\/0002_audit\.up\.sql` \(blob `[0-9a-f]{12}` in the group\) is not content any approved pull request of the group has \(#2 has blob `[0-9a-f]{12}`\)/,
    );
  });

  test("another pull request of the group editing the approved file after it fails", async () => {
    const { repo } = await openedPullRequest();
    await approve(repo, 2);
    // #3 is stacked on #2 and rewrites its migration; its own approval is only for a README.
    const readme = repo.commit({
      parent: repo.pullJSON(2).head.sha,
      files: { "README.md": "# docs\n" },
    });
    await open(repo, 3, readme, { "migrations/0002_audit.up.sql": "DROP TABLE t1;\n" });
    repo.enqueue(2);
    const second = repo.enqueue(3);
    await h.receive("merge_group", groupEvent(repo, second));
    const approval = groupRun(second, APPROVAL);
    expect(approval.conclusion).toBe("failure");
    expect(approval.output.summary).toContain("#3 is not approved for this group");
    expect(approval.output.summary).toMatch(
      /`migrations\/0002_audit\.up\.sql` \(blob `[0-9a-f]{12}` in the group\) is not content any approved pull request of the group has \(#2 has blob `[0-9a-f]{12}`; #3 has blob/,
    );
  });

  test("a pull request approved against another base fails", async () => {
    const { repo, baseSha } = setup();
    repo.commit({ branch: "develop", parent: baseSha, files: {} });
    await open(repo, 2, baseSha, migration("0002", "audit"), "develop");
    await approve(repo, 2);
    expect(latestApproval(repo, 2).conclusion).toBe("success");
    // Retargeted to master, and queued before any evaluation against master.
    repo.retarget(2, "master");
    const entry = await enqueued(repo);
    const approval = groupRun(entry, APPROVAL);
    expect(approval.conclusion).toBe("failure");
    expect(approval.output.summary).toContain("was given against another base than `master`");
  });

  test("a group whose entry is not in the queue (destroyed, dequeued) fails closed", async () => {
    const { repo } = await openedPullRequest();
    await approve(repo, 2);
    const entry = repo.enqueue(2);
    repo.dequeue(2);
    await h.receive("merge_group", groupEvent(repo, entry));
    const approval = groupRun(entry, APPROVAL);
    expect([approval.conclusion, approval.output.title]).toEqual([
      "failure",
      "Merge group could not be resolved",
    ]);
    expect(approval.output.summary).toContain(
      `no entry of the merge queue of master has the head ${entry.headSha}`,
    );
  });

  test("a branch without a merge queue fails closed", async () => {
    const { repo } = await openedPullRequest();
    await approve(repo, 2);
    const entry = repo.enqueue(2);
    repo.mergeQueues.delete("master");
    await h.receive("merge_group", groupEvent(repo, entry));
    expect(groupRun(entry, APPROVAL).output.summary).toContain(
      "master has no merge queue GitHub shows",
    );
  });

  test("a payload naming another (approved) pull request than the queue's entry fails", async () => {
    const { repo, baseSha } = await openedPullRequest();
    await approve(repo, 2);
    await open(repo, 3, baseSha, migration("0003", "payments"));
    const entry = repo.enqueue(3);
    await h.receive(
      "merge_group",
      groupEvent(repo, entry, "checks_requested", {
        head_ref: `refs/heads/gh-readonly-queue/master/pr-2-${baseSha}`,
      }),
    );
    const approval = groupRun(entry, APPROVAL);
    expect(approval.conclusion).toBe("failure");
    expect(approval.output.summary).toContain(
      "the event names pull request #2 (refs/heads/gh-readonly-queue/master/pr-2-",
    );
    expect(approval.output.summary).toContain("is #3");
  });

  test("a passing approval run by another app is not trusted", async () => {
    const { repo } = await openedPullRequest();
    const own = latestApproval(repo, 2);
    h.fake.addCheckRun(repo, {
      appId: 15368,
      name: APPROVAL,
      head_sha: own.head_sha,
      external_id: own.external_id,
      conclusion: "success",
    });
    const entry = await enqueued(repo);
    expect(groupRun(entry, APPROVAL).conclusion).toBe("failure");
  });

  test("a group not built on the base branch's tip fails both checks", async () => {
    const { repo } = await openedPullRequest();
    await approve(repo, 2);
    const entry = repo.enqueue(2);
    // The base branch moved under the queue (a direct push).
    repo.commit({ branch: "master", files: { "README.md": "# moved\n" } });
    await h.receive("merge_group", groupEvent(repo, entry));
    expect(onGroup(entry).map(([n, c]) => [n, c])).toEqual([
      [LINT, "failure"],
      [APPROVAL, "failure"],
    ]);
    expect(groupRun(entry, APPROVAL).output.summary).toContain("is not built on the tip of master");
  });

  test("a GraphQL error fails the approval, never passes it", async () => {
    const { repo } = await openedPullRequest();
    await approve(repo, 2);
    const entry = repo.enqueue(2);
    h.fake.failNext({ method: "POST", path: /^\/graphql$/, status: 502, times: 10 });
    await h.receive("merge_group", groupEvent(repo, entry));
    expect(groupRun(entry, APPROVAL).conclusion).toBe("failure");
    expect(groupRun(entry, LINT).conclusion).toBe("neutral");
    expect(groupRun(entry, APPROVAL).output.title).toBe("Could not check this merge group");
  });
});

// Issue 15 "write less": a quick evaluation writes each run once, already completed; a slow one
// shows them in_progress first. Whatever fails, both end completed. (The other tests of this file
// start the runs before evaluating, pendingAfterMs 0.) The helpers below serve the next two blocks.

/** Check-run writes on the group head: [method, name, status written]. */
function writes(entry: FakeQueueEntry): string[] {
  const ids = new Set(
    h.fake.checkRuns.filter((r) => r.head_sha === entry.headSha).map((r) => r.id),
  );
  return h
    .checkRunBodies()
    .filter((b) =>
      b.method === "POST"
        ? b.body.head_sha === entry.headSha
        : ids.has(Number(/\d+$/.exec(b.path)![0])),
    )
    .map((b) => `${b.method} ${b.body.status ?? (b.body.conclusion ? "completed" : "")}`);
}

const history = (entry: FakeQueueEntry) =>
  h.fake.checkRuns
    .filter((r) => r.head_sha === entry.headSha)
    .map((r) => [r.name, r.history.map((x) => x.conclusion ?? x.status)]);

async function approvedGroup(): Promise<{ repo: FakeRepo; entry: FakeQueueEntry }> {
  const { repo } = await openedPullRequest();
  await approve(repo, 2);
  return { repo, entry: repo.enqueue(2) };
}

/** Holds the evaluation's first read until both runs show in_progress, then lets it go on. */
async function slowly(repo: FakeRepo, entry: FakeQueueEntry, event = groupEvent(repo, entry)) {
  const held = h.pause("GET", /\/branches\/master$/);
  const delivered = h.receive("merge_group", event);
  await held.reached;
  await until(
    "both runs in progress",
    () =>
      h.fake.checkRuns.filter((r) => r.head_sha === entry.headSha && r.status === "in_progress")
        .length === 2,
  );
  held.resume();
  await delivered;
}

describe("the writes of a merge group", () => {
  // Quick: the evaluation finishes long before the runs would be started in_progress, however
  // loaded the machine (a timing bound of 2 s made these fail under load).
  useHarness((created) => (h = created), {
    app: { replay: false, pendingAfterMs: 20 * DEFAULT_PENDING_AFTER_MS },
  });

  test("a quick evaluation: one completed create per check, no update", async () => {
    const { repo, entry } = await approvedGroup();
    await h.receive("merge_group", groupEvent(repo, entry));
    expect(writes(entry)).toEqual(["POST completed", "POST completed"]);
    expect(history(entry)).toEqual([
      [LINT, ["neutral"]],
      [APPROVAL, ["success"]],
    ]);
  });

  test("an evaluation that throws at once: both created completed as failure", async () => {
    const { repo, entry } = await approvedGroup();
    await h.receive(
      "merge_group",
      groupEvent(repo, entry, "checks_requested", { base_ref: "refs/tags/v1" }),
    );
    expect(writes(entry)).toEqual(["POST completed", "POST completed"]);
    expect(onGroup(entry)).toEqual([
      [LINT, "failure", "Could not check this merge group"],
      [APPROVAL, "failure", "Could not check this merge group"],
    ]);
  });

  test("a create GitHub keeps refusing: that check is reported failed, the other written", async () => {
    const { repo, entry } = await approvedGroup();
    h.fake.failNext({
      method: "POST",
      path: /\/check-runs$/,
      match: (r) => (r.body as { head_sha?: string }).head_sha === entry.headSha,
      status: 500,
      times: ATTEMPTS,
    });
    await h.receive("merge_group", groupEvent(repo, entry));
    expect(onGroup(entry)).toEqual([
      [LINT, "failure", "Could not check this merge group"],
      [APPROVAL, "success", expect.any(String)],
    ]);
    expect(h.fake.checkRuns.filter((r) => r.status !== "completed")).toEqual([]);
  });

  test("a quick write of more than 50 annotations that fails half-way: its run ends failed, not in progress", async () => {
    const { repo, baseSha } = setup();
    const files: Record<string, string> = {};
    // 60 new versions without down files: 60 warnings, two annotation batches.
    for (let v = 2; v < 62; v++)
      files[`migrations/${String(v).padStart(4, "0")}_t${v}.up.sql`] =
        `CREATE TABLE t${v} (id bigint PRIMARY KEY);\n`;
    await open(repo, 2, baseSha, files);
    const entry = repo.enqueue(2);
    h.fake.failNext({ method: "PATCH", path: /\/check-runs\/\d+$/, status: 500, times: ATTEMPTS });
    await h.receive("merge_group", groupEvent(repo, entry));
    expect(history(entry)).toEqual([
      [LINT, ["in_progress", "failure"]],
      [APPROVAL, ["failure"]],
    ]);
  });
});

describe("the writes of a slow merge-group evaluation", () => {
  // Slow: the first read is held (slowly) until the runs show in_progress.
  useHarness((created) => (h = created), { app: { replay: false, pendingAfterMs: 100 } });

  test("a slow evaluation: in_progress first, each completed once", async () => {
    const { repo, entry } = await approvedGroup();
    await slowly(repo, entry);
    expect(writes(entry)).toEqual([
      "POST in_progress",
      "POST in_progress",
      "PATCH completed",
      "PATCH completed",
    ]);
    expect(history(entry)).toEqual([
      [LINT, ["in_progress", "neutral"]],
      [APPROVAL, ["in_progress", "success"]],
    ]);
  });

  test("a slow evaluation that fails: both started runs end completed as failure", async () => {
    const { repo, entry } = await approvedGroup();
    h.fake.failNext({ method: "GET", path: /\/branches\/master$/, status: 500, times: ATTEMPTS });
    await slowly(repo, entry);
    expect(history(entry)).toEqual([
      [LINT, ["in_progress", "failure"]],
      [APPROVAL, ["in_progress", "failure"]],
    ]);
    expect(groupRun(entry, LINT).output.title).toBe("Could not check this merge group");
  });

  test("a second run that cannot be started: the first ends completed, the second reported", async () => {
    const { repo, entry } = await approvedGroup();
    h.fake.failNext({
      method: "POST",
      path: /\/check-runs$/,
      match: (r) => {
        const b = r.body as { head_sha?: string; name?: string; status?: string };
        return b.head_sha === entry.headSha && b.name === APPROVAL && b.status === "in_progress";
      },
      status: 422,
    });
    const held = h.pause("GET", /\/branches\/master$/);
    const delivered = h.receive("merge_group", groupEvent(repo, entry));
    await held.reached;
    await until("the approval run reported", () => onGroup(entry).length === 2);
    held.resume();
    await delivered;
    expect(history(entry)).toEqual([
      [LINT, ["in_progress", "failure"]],
      [APPROVAL, ["failure"]],
    ]);
    expect(h.fake.checkRuns.filter((r) => r.status !== "completed")).toEqual([]);
  });
});

describe("after the queue merges: the push audit (issue 12 §2) reads the group's approval run", () => {
  /** The queue fast-forwards the branch to the group head: the push GitHub then sends. */
  async function land(repo: FakeRepo, entry: FakeQueueEntry): Promise<FakeCheckRun | undefined> {
    const before = repo.branches.get("master")!;
    repo.branches.set("master", entry.headSha);
    await h.receive(
      "push",
      pushEvent(h.fake, repo, "master", before, entry.headSha, { pusher: "web-flow" }),
    );
    return h.fake.checkRuns.filter((r) => r.head_sha === entry.headSha && r.name === AUDIT).at(-1);
  }

  test.each([
    ["merge", false],
    ["squash (the pull request's commits are not pushed)", true],
  ])("a group whose approval passed lands covered (%s)", async (_name, squash) => {
    const { repo } = await openedPullRequest();
    await approve(repo, 2);
    const entry = await enqueued(repo, 2, { squash });
    expect(groupRun(entry, APPROVAL).conclusion).toBe("success");
    const audit = await land(repo, entry);
    expect([audit?.conclusion, audit?.output.title]).toEqual([
      "success",
      "Every migration change is covered by an approval",
    ]);
  });

  test("a group whose approval failed lands uncovered", async () => {
    const { repo } = await openedPullRequest();
    const entry = await enqueued(repo, 2, { squash: true });
    expect(groupRun(entry, APPROVAL).conclusion).toBe("failure");
    const audit = await land(repo, entry);
    expect(audit?.conclusion).toBe("failure");
    expect(audit?.output.summary).toContain("migrations/0002_audit.up.sql");
  });

  test("a queue commit altered after its approval run lands uncovered", async () => {
    const { repo } = await openedPullRequest();
    await approve(repo, 2);
    const entry = await enqueued(repo, 2, { squash: true });
    expect(groupRun(entry, APPROVAL).conclusion).toBe("success");
    // Another commit on the same group ref (its approval run is on the old head only).
    const altered = repo.commit({
      parent: entry.headSha,
      files: { "migrations/0002_audit.up.sql": "DROP TABLE t1;\n" },
    });
    const before = repo.branches.get("master")!;
    repo.branches.set("master", altered);
    await h.receive("push", pushEvent(h.fake, repo, "master", before, altered));
    const audit = h.fake.checkRuns.filter((r) => r.head_sha === altered && r.name === AUDIT).at(-1);
    expect(audit?.conclusion).toBe("failure");
  });
});
