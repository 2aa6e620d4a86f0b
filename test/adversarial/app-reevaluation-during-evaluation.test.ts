/**
 * Verdicts that change without a pull-request event (issue 11), raced: an evaluation that read
 * the facts before they changed is still running when the event that changes them (a DBA leaving
 * the team, the policy tightened on the base branch) is handled. A quick evaluation writes no run
 * until it is done, so the event's handler cannot see from the runs that a pass is coming: it
 * found the pull request waiting, left it alone, and the older evaluation then wrote a success
 * that no event would ever revisit. The handler must count evaluations in progress as passes to
 * come (checks/in-flight.ts): every open pull request of the repository is evaluated again, and
 * that newer evaluation decides over the older one's pass. Both registries: this process's (one
 * server) and Redis (queue mode, the workers share it).
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeEach, describe, expect, test } from "@jest/globals";
import { Redis } from "ioredis";
import type { InFlight } from "../../src/github/checks/in-flight.js";
import { RedisInFlight } from "../../src/queue/in-flight-redis.js";
import type { FakeRepo } from "../support/fake-github.mjs";
import {
  APPROVAL,
  example,
  mergedMigrations,
  pullRequestEvent,
  pushEvent,
  reviewEvent,
  type Harness,
  useHarness,
} from "../github/harness.js";

let h: Harness;

const REDIS_URL = process.env.MW_TEST_REDIS_URL ? `${process.env.MW_TEST_REDIS_URL}/11` : null;
const clients: Redis[] = [];
afterAll(() => {
  for (const c of clients) c.disconnect();
});

/** The app's registry of evaluations in progress: none given (this process's), or Redis. */
const REGISTRIES: ReadonlyArray<readonly [string, () => InFlight | undefined]> = [
  ["in-process", () => undefined],
  ...(REDIS_URL
    ? [
        [
          "Redis",
          () => {
            const c = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, commandTimeout: 2_000 });
            c.on("error", () => undefined);
            clients.push(c);
            return new RedisInFlight(c, { prefix: `mw-test-reevaluation:${randomUUID()}:` });
          },
        ] as const,
      ]
    : []),
];

const OWNER = "Codertocat";
const CONFIG = (approval: string) =>
  `directories:\n  - path: migrations\n    dialect: postgres\napproval:\n${approval}`;

/** PR #1 into master adds a migration and waits for a DBA; alice is one. */
async function waiting(): Promise<{ repo: FakeRepo; head: string; n: number }> {
  const repo = h.fake.createRepo(OWNER, "Hello-World", { defaultBranch: "master" });
  const master = repo.commit({
    branch: "master",
    files: { ".github/migration-warden.yml": CONFIG("  teams: [dba]\n"), ...mergedMigrations(1) },
  });
  h.fake.setTeamMembership(OWNER, "dba", "alice", "active");
  h.fake.setTeamMembership(OWNER, "dba", "bob", "active");
  const head = repo.commit({
    parent: master,
    author: "dev",
    files: {
      "migrations/0002_note.up.sql": "CREATE TABLE note (id int);\n",
      "migrations/0002_note.down.sql": "DROP TABLE note;\n",
    },
  });
  const n = repo.openPullRequest({ number: 1, base: "master", head, user: "dev" });
  await h.receive("pull_request", pullRequestEvent("opened", repo, n));
  expect(newest(head).conclusion).toBe("action_required");
  return { repo, head, n };
}

function newest(head: string) {
  const run = h
    .runs(APPROVAL)
    .filter((r) => r.head_sha === head)
    .at(-1);
  if (!run) throw new Error("no approval run");
  return run;
}

/**
 * How the evaluation writes its result: at once, as a completed run (a quick evaluation, the
 * default), or by completing the run it created in_progress before it read anything (a slow one;
 * the harness's default). Either way the write that carries the pass is the one held back.
 */
const MODES = [
  ["a quick evaluation (completed run created at once)", 3000, /MigrationWardenCreateCheckRuns/],
  ["a slow evaluation (its run in_progress meanwhile)", 0, /MigrationWardenUpdateCheckRuns/],
] as const;
let write: RegExp;

/**
 * `trigger` starts an evaluation of #1; once it has read everything and decided, its write waits
 * while `meanwhile` runs, then goes on. Returns once both are handled.
 */
async function whileWriting(
  trigger: () => Promise<void>,
  meanwhile: () => Promise<void>,
): Promise<void> {
  const pass = h.pause("POST", /^\/graphql$/, write);
  const older = trigger();
  await pass.reached;
  await meanwhile();
  pass.resume();
  await older;
}

const CASES = REGISTRIES.flatMap(([registry, make]) =>
  MODES.map(
    ([mode, pendingAfterMs, mutation]) => [mode, registry, pendingAfterMs, mutation, make] as const,
  ),
);

describe.each(CASES)(
  "%s, registry %s, then an event that changes its verdict",
  (_mode, _registry, pendingAfterMs, mutation, make) => {
    const inFlight = make();
    useHarness((created) => (h = created), {
      app: { replay: false, pendingAfterMs, ...(inFlight ? { inFlight } : {}) },
    });
    beforeEach(() => {
      write = mutation;
    });

    test("a DBA removed from the team: no success remains", async () => {
      const w = await waiting();
      const review = w.repo.review(w.n, { user: "alice", state: "APPROVED" });
      const approve = () =>
        h.receive("pull_request_review", reviewEvent("submitted", w.repo, w.n, review));
      await whileWriting(approve, async () => {
        h.fake.setTeamMembership(OWNER, "dba", "alice", null);
        const payload = example("membership", "removed");
        payload.organization = { ...payload.organization, login: OWNER };
        payload.member = { ...payload.member, login: "alice" };
        payload.team = { ...payload.team, slug: "dba" };
        payload.installation = h.fake.installationPayload();
        delete payload.repository;
        await h.receive("membership", payload);
      });
      expect(newest(w.head).conclusion).not.toBe("success");
      // A later event of the pull request shows the verdict the facts give now.
      await h.receive("pull_request", pullRequestEvent("synchronize", w.repo, w.n));
      expect([newest(w.head).conclusion, newest(w.head).output.title]).toEqual([
        "action_required",
        "Waiting for DBA approval (0 of 1)",
      ]);
    });

    test("the policy tightened on the base branch: no success remains", async () => {
      // alice approved #1; the author then pushes a README edit (the approval carries over).
      const w = await waiting();
      const review = w.repo.review(w.n, { user: "alice", state: "APPROVED" });
      await h.receive("pull_request_review", reviewEvent("submitted", w.repo, w.n, review));
      expect(newest(w.head).conclusion).toBe("success");
      const head = w.repo.commit({ parent: w.head, author: "dev", files: { "README.md": "x\n" } });
      w.repo.pushToPullRequest(w.n, head);
      const pushed = () => h.receive("pull_request", pullRequestEvent("synchronize", w.repo, w.n));
      await whileWriting(pushed, async () => {
        const before = w.repo.branches.get("master")!;
        const after = w.repo.commit({
          branch: "master",
          files: { ".github/migration-warden.yml": CONFIG("  teams: [dba]\n  count: 2\n") },
        });
        await h.receive("push", pushEvent(h.fake, w.repo, "master", before, after));
      });
      expect(newest(head).conclusion).not.toBe("success");
      await h.receive("pull_request", pullRequestEvent("synchronize", w.repo, w.n));
      expect([newest(head).conclusion, newest(head).output.title]).toEqual([
        "action_required",
        "Waiting for DBA approval (1 of 2)",
      ]);
    });

    test("an event with no evaluation in progress re-evaluates only passing pull requests", async () => {
      const w = await waiting();
      const runs = h.runs(APPROVAL).length;
      h.fake.setTeamMembership(OWNER, "dba", "bob", null);
      const payload = example("membership", "removed");
      payload.organization = { ...payload.organization, login: OWNER };
      payload.installation = h.fake.installationPayload();
      delete payload.repository;
      await h.receive("membership", payload);
      // #1 waits: nothing passes and nothing runs, so nothing is evaluated again.
      expect(h.runs(APPROVAL)).toHaveLength(runs);
      expect(newest(w.head).conclusion).toBe("action_required");
    });
  },
);
