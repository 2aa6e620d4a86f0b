/**
 * Attack on the lint run of a head shared by pull requests into different bases: check runs
 * belong to commits, so the lint run on a head is what branch protection on every base of that
 * head reads. H passes into `release-1` (its config turns `drop-table` and `require-lock-timeout` off) and fails into
 * `release-2` (default rules: `drop-table` is an error). Before, lint evaluated its own pull
 * request (and the default branch's view) only: whichever pull request was evaluated last wrote
 * the run, and when that was the one into release-1, branch protection on release-2 saw a pass.
 * Every test asserts what GitHub shows on the head after each step (the newest lint run).
 */
import { describe, expect, test } from "@jest/globals";
import type { FakeRepo } from "../support/fake-github.mjs";
import { MAX_RECORD_PULL_REQUESTS } from "../../src/core/approval/index.js";
import {
  ATTEMPTS,
  LINT,
  pullRequestEvent,
  readByRest,
  type Harness,
  useHarness,
} from "../github/harness.js";
import { DROP_TABLE, twoReleases } from "../github/shared-head.js";

let h: Harness;
// Quick evaluations written as completed runs (production's flow), so a repeated identical result
// can be left unwritten (checks/written.ts).
useHarness((created) => (h = created), { app: { replay: false, pendingAfterMs: 60_000 } });

interface World {
  repo: FakeRepo;
  head: string;
  /** Into release-1 (passes there). */
  a: number;
  /** Into release-2 (fails there). */
  b: number;
}

/**
 * master and release-1 lenient, release-2 strict, all three at one merged migration; the head
 * adds a migration that drops a table. `openB`: B is open from the start.
 */
function world({ openB = true, fork = false } = {}): World & { openB(): void } {
  const { repo, base } = twoReleases(h, "Shared-Head");
  const from = fork ? h.fake.createRepo("forker", "Shared-Head", { fork: true }) : repo;
  if (fork) from.branches.set("master", base);
  const head = from.commit({
    branch: "feature",
    parent: base,
    files: DROP_TABLE,
  });
  const a = repo.openPullRequest({ number: 2, base: "release-1", head });
  const open = () => {
    repo.openPullRequest({ number: 3, base: "release-2", head, headRepo: from });
  };
  if (openB) open();
  return { repo, head, a, b: 3, openB: open };
}

/** The lint run GitHub shows on the head: the newest one. */
function shown(w: World) {
  const run = h
    .runs(LINT)
    .filter((r) => r.head_sha === w.head && r.repo === w.repo)
    .at(-1)!;
  return { conclusion: run.conclusion, title: run.output.title, summary: run.output.summary };
}

const event = (w: World, n: number, action = "synchronize") =>
  h.receive("pull_request", pullRequestEvent(action, w.repo, n));

/** A `pull_request.edited` event that moved `n`'s base from `from`. */
async function retargeted(w: World, n: number, from: string): Promise<void> {
  const payload = pullRequestEvent("edited", w.repo, n);
  payload.changes = { base: { ref: { from }, sha: { from: w.repo.branches.get(from) } } };
  await h.receive("pull_request", payload);
}

const BLOCKED = expect.objectContaining({
  conclusion: "failure",
  title: expect.stringMatching(/^#3 into release-2: /),
});

describe("the lint run on a head shared by pull requests into different bases", () => {
  test("A then B: neither event leaves a pass", async () => {
    const w = world();
    await event(w, w.a, "opened");
    expect(shown(w)).toEqual(BLOCKED);
    expect(shown(w).summary).toContain("## As proposed in #3 into `release-2`");
    await event(w, w.b, "opened");
    expect(shown(w).conclusion).toBe("failure");
  });

  test("B then A: the last event, into the lenient base, still blocks", async () => {
    const w = world();
    await event(w, w.b, "opened");
    expect(shown(w).conclusion).toBe("failure");
    // B's own result comes first; A's (a pass) is shown beside it.
    expect(shown(w).summary).toContain("## As proposed in #2 into `release-1`");
    await event(w, w.a, "opened");
    expect(shown(w)).toEqual(BLOCKED);
  });

  test("B opened after A passed: B's event turns the head's run to failure, and A's next one keeps it", async () => {
    const w = world({ openB: false });
    await event(w, w.a, "opened");
    expect(shown(w).conclusion).toBe("success");
    expect(shown(w).summary).not.toContain("As proposed in");
    w.openB();
    await event(w, w.b, "opened");
    expect(shown(w).conclusion).toBe("failure");
    await event(w, w.a);
    expect(shown(w)).toEqual(BLOCKED);
  });

  test("B retargeted to release-2 after both passed", async () => {
    const w = world({ openB: false });
    w.repo.openPullRequest({ number: 3, base: "release-1", head: w.head });
    await event(w, w.a, "opened");
    await event(w, w.b, "opened");
    expect(shown(w).conclusion).toBe("success");
    w.repo.retarget(w.b, "release-2");
    // A's event lands before B's edited one: it sees B's new base.
    await event(w, w.a);
    expect(shown(w)).toEqual(BLOCKED);
    await retargeted(w, w.b, "release-1");
    expect(shown(w).conclusion).toBe("failure");
  });

  test("B closed: A alone passes again on its next event", async () => {
    const w = world();
    await event(w, w.a, "opened");
    await event(w, w.b, "opened");
    expect(shown(w).conclusion).toBe("failure");
    w.repo.closePullRequest(w.b);
    await event(w, w.a);
    expect(shown(w).conclusion).toBe("success");
    expect(shown(w).summary).not.toContain("As proposed in");
  });

  test("a fork's pull request with the same head into release-2", async () => {
    const w = world({ fork: true });
    await event(w, w.b, "opened");
    await event(w, w.a, "opened");
    expect(shown(w)).toEqual(BLOCKED);
  });

  test("a repeated event: an identical result writes nothing, a different one is written", async () => {
    const w = world({ openB: false });
    await event(w, w.a, "opened");
    const runs = () => h.runs(LINT).filter((r) => r.head_sha === w.head).length;
    expect(shown(w).conclusion).toBe("success");
    const written = runs();
    // Nothing changed: the pass shown is this result.
    await event(w, w.a);
    expect(runs()).toBe(written);
    // B opened, its own event not (yet) delivered: A's repeated event must not keep the pass.
    w.openB();
    await event(w, w.a);
    expect(runs()).toBe(written + 1);
    expect(shown(w)).toEqual(BLOCKED);
    await event(w, w.a);
    expect(shown(w)).toEqual(BLOCKED);
  });
});

describe("an older evaluation's pass landing after a newer one's block", () => {
  test("A's evaluation, from before B was opened, does not stay the newest run", async () => {
    const w = world({ openB: false });
    // A's evaluation saw no B and passes; its create is held until B's evaluation has written.
    const held = h.pause("POST", /\/graphql$/, /MigrationWardenCreateCheckRuns/);
    const older = event(w, w.a, "opened");
    await held.reached;
    w.openB();
    await event(w, w.b, "opened");
    held.resume();
    await older;
    // B's run names #3 only, yet its evaluation decided for #2 too: A's pass ends superseded.
    expect(shown(w).conclusion).toBe("failure");
    const passes = h.runs(LINT).filter((r) => r.head_sha === w.head && r.conclusion === "success");
    expect(passes).toEqual([]);
  });
});

describe("fails closed", () => {
  test("the head's pull requests cannot be listed: lint fails with the reason", async () => {
    const w = world({ openB: false });
    readByRest(h.fake, "associatedPullRequests");
    h.fake.failNext({
      method: "GET",
      path: new RegExp(`/commits/${w.head}/pulls$`),
      status: 502,
      message: "Bad Gateway",
      times: ATTEMPTS,
    });
    await event(w, w.a, "opened");
    expect(shown(w).conclusion).toBe("failure");
    expect(shown(w).title).toBe("Could not check this pull request");
    expect(shown(w).summary).toContain("502");
  });

  test("an invalid configuration on the other pull request's base fails lint", async () => {
    const w = world();
    w.repo.commit({
      branch: "release-2",
      files: { ".github/migration-warden.yml": "directories: 7\n" },
    });
    await event(w, w.a, "opened");
    expect(shown(w)).toEqual({
      conclusion: "failure",
      title: "#3 into release-2: Invalid configuration on release-2",
      summary: expect.stringContaining("## As proposed in #3 into `release-2`"),
    });
  });

  test(`more than ${MAX_RECORD_PULL_REQUESTS} open pull requests on the head: lint fails`, async () => {
    const w = world({ openB: false });
    for (let n = 3; n < 3 + MAX_RECORD_PULL_REQUESTS; n++)
      w.repo.openPullRequest({ number: n, base: "release-1", head: w.head });
    await event(w, w.a, "opened");
    expect(shown(w).conclusion).toBe("failure");
    expect(shown(w).summary).toContain(`evaluates at most ${MAX_RECORD_PULL_REQUESTS} together`);
  });
});
