/**
 * Branch protection and rulesets remembered for a few minutes (src/github/enforcement-cache.ts):
 * a warm event reads neither `GET /branches/{base}` nor `GET /rules/branches/{base}`, and takes
 * the base tip from the first query. Attacks: the base moving between events (the fresh tip is
 * always used), a cached "enforced" state that must never change a conclusion, a first query
 * without a usable tip, a retargeted pull request, readings GitHub refused, the clock.
 */
import { afterEach, describe, expect, test } from "@jest/globals";
import {
  baseBranch,
  DEFAULT_ENFORCEMENT_TTL_MS,
  EnforcementCache,
  enforcementCacheFromEnv,
} from "../../src/github/enforcement-cache.js";
import type { GitHubClient } from "../../src/github/client.js";
import type { PullRequestInfo } from "../../src/github/pull-request.js";
import type { RequirementSource } from "../../src/core/approval/index.js";
import type { FakeRepo } from "../support/fake-github.mjs";
import { APP_ID, APPROVAL, createHarness, finish, LINT, type Harness } from "./harness.js";
import { bothPinned, cleanMigrationPullRequest, synchronized } from "./gate-event.js";

const SOURCE: RequirementSource = {
  readable: true,
  checks: [{ context: APPROVAL, appId: 1, where: "branch protection" }],
};

describe("EnforcementCache", () => {
  test("a reading is used within its time to live, per kind, repository and branch", () => {
    let now = 1_000;
    const cache = new EnforcementCache({ ttlMs: 100, now: () => now });
    expect(cache.get("protection", 7, "main")).toBeUndefined();
    cache.set("protection", 7, "main", SOURCE);
    expect(cache.get("protection", 7, "main")).toBe(SOURCE);
    expect(cache.get("rulesets", 7, "main")).toBeUndefined();
    expect(cache.get("protection", 8, "main")).toBeUndefined();
    expect(cache.get("protection", 7, "release")).toBeUndefined();
    now += 99;
    expect(cache.get("protection", 7, "main")).toBe(SOURCE);
    now += 1;
    expect(cache.get("protection", 7, "main")).toBeUndefined();
  });

  test("a clock that goes back expires the reading", () => {
    let now = 1_000;
    const cache = new EnforcementCache({ ttlMs: 100, now: () => now });
    cache.set("rulesets", 7, "main", SOURCE);
    now -= 1;
    expect(cache.get("rulesets", 7, "main")).toBeUndefined();
  });

  test("unreadable readings and a time to live of 0 remember nothing", async () => {
    const cache = new EnforcementCache({ ttlMs: 100, now: () => 0 });
    cache.set("rulesets", 7, "main", { readable: false, reason: "HTTP 500" });
    expect(cache.get("rulesets", 7, "main")).toBeUndefined();
    const off = new EnforcementCache({ ttlMs: 0, now: () => 0 });
    off.set("rulesets", 7, "main", SOURCE);
    expect(off.get("rulesets", 7, "main")).toBeUndefined();
    let reads = 0;
    const read = () => {
      reads++;
      return Promise.resolve(SOURCE);
    };
    await off.read("rulesets", 7, "main", read);
    await off.read("rulesets", 7, "main", read);
    expect(reads).toBe(2);
    await cache.read("rulesets", 7, "main", read);
    await cache.read("rulesets", 7, "main", read);
    expect(reads).toBe(3);
  });

  test("the default is 5 minutes; ENFORCEMENT_CACHE_SECONDS sets it or stops the process", () => {
    expect(new EnforcementCache().ttlMs).toBe(DEFAULT_ENFORCEMENT_TTL_MS);
    expect(DEFAULT_ENFORCEMENT_TTL_MS).toBe(300_000);
    expect(enforcementCacheFromEnv({})).toEqual({});
    expect(enforcementCacheFromEnv({ ENFORCEMENT_CACHE_SECONDS: "0" })).toEqual({
      enforcementCacheMs: 0,
    });
    expect(enforcementCacheFromEnv({ ENFORCEMENT_CACHE_SECONDS: "60" })).toEqual({
      enforcementCacheMs: 60_000,
    });
    for (const bad of ["-1", "1.5", "5m", "9999999"])
      expect(() => enforcementCacheFromEnv({ ENFORCEMENT_CACHE_SECONDS: bad })).toThrow(
        /ENFORCEMENT_CACHE_SECONDS must be a whole number of seconds/,
      );
  });
});

describe("baseBranch", () => {
  const PR: PullRequestInfo = {
    owner: "o",
    repo: "r",
    number: 2,
    open: true,
    headSha: "a".repeat(40),
    baseRef: "main",
    defaultBranch: "main",
    baseRepoId: 7,
    changedFiles: 1,
    commits: 1,
    author: "dev",
    headRepo: "o/r",
    baseTip: { ref: "main", sha: "b".repeat(40), treeSha: "c".repeat(40), config: null },
  };
  const branchAnswer = {
    commit: { sha: "d".repeat(40), commit: { tree: { sha: "e".repeat(40) } } },
    protected: false,
  };
  function client(): { octokit: GitHubClient; reads: () => number } {
    let reads = 0;
    const octokit = {
      rest: {
        repos: {
          getBranch: () => {
            reads++;
            return Promise.resolve({ data: branchAnswer });
          },
        },
      },
    } as unknown as GitHubClient;
    return { octokit, reads: () => reads };
  }

  test("cold: the branch is read and its protection remembered; warm: the query's tip", async () => {
    const { octokit, reads } = client();
    const cache = new EnforcementCache({ now: () => 0 });
    const cold = await baseBranch(octokit, PR, cache);
    expect([cold.sha, cold.treeSha, reads()]).toEqual(["d".repeat(40), "e".repeat(40), 1]);
    const warm = await baseBranch(octokit, PR, cache);
    expect([warm.sha, warm.treeSha, reads()]).toEqual(["b".repeat(40), "c".repeat(40), 1]);
    expect(warm.protection).toEqual({ readable: true, checks: [] });
  });

  test("no usable tip, a tip of another branch, or no cache: the branch is read", async () => {
    const { octokit, reads } = client();
    const cache = new EnforcementCache({ now: () => 0 });
    cache.set("protection", 7, "main", SOURCE);
    const { baseTip: _tip, ...rest } = PR;
    expect((await baseBranch(octokit, rest, cache)).sha).toBe("d".repeat(40));
    const other = { ...PR, baseTip: { ...PR.baseTip!, ref: "release" } };
    expect((await baseBranch(octokit, other, cache)).sha).toBe("d".repeat(40));
    expect((await baseBranch(octokit, PR, undefined)).sha).toBe("d".repeat(40));
    expect(reads()).toBe(3);
  });

  test("the first query's rules pinning both checks to this app: its tip, no protection", async () => {
    const rules = {
      branch: "main",
      checks: [LINT, APPROVAL].map((context) => ({ context, appId: APP_ID, where: "ruleset 1" })),
    };
    const { octokit: rest, reads } = client();
    const app = (appId: unknown) =>
      ({
        ...rest,
        auth: () => (appId instanceof Error ? Promise.reject(appId) : Promise.resolve({ appId })),
      }) as unknown as GitHubClient;
    const pinned = { ...PR, baseRules: rules };
    const read = await baseBranch(app(APP_ID), pinned, undefined);
    expect([read.sha, read.treeSha, read.protection, reads()]).toEqual([
      "b".repeat(40),
      "c".repeat(40),
      undefined,
      0,
    ]);
    // Another app, no app (token-only setups), rules of another branch, no usable tip: read.
    await baseBranch(app(APP_ID + 1), pinned, undefined);
    await baseBranch(app(new Error("no app")), pinned, undefined);
    await baseBranch(app(APP_ID), { ...pinned, baseRules: { ...rules, branch: "x" } }, undefined);
    const { baseTip: _tip, ...untipped } = pinned;
    await baseBranch(app(APP_ID), untipped, undefined);
    expect(reads()).toBe(4);
  });
});

describe("through the app", () => {
  let h: Harness | undefined;
  afterEach(() => {
    finish(h);
    h = undefined;
  });

  let now = 0;
  async function harness(ttlMs = DEFAULT_ENFORCEMENT_TTL_MS): Promise<Harness> {
    now = Date.parse("2026-01-01T00:00:00Z");
    h = await createHarness({
      app: { replay: false, enforcementCache: new EnforcementCache({ ttlMs, now: () => now }) },
    });
    return h;
  }

  /** A harness with the default time to live and a clean migration pull request in it. */
  async function pullRequest() {
    const h = await harness();
    return { h, ...cleanMigrationPullRequest(h.fake) };
  }

  /** Told as required and pinned by ruleset 42, and decided as `before` was (never decisive). */
  function expectPinnedByRuleset(seen: Seen, before: Seen): void {
    expect(seen.summary).not.toContain("[!WARNING]");
    expect(seen.summary).toContain("are required and pinned to this app (ruleset 42).");
    expect([seen.approval, seen.lint]).toEqual([before.approval, before.lint]);
  }

  /** The event as these tests see it (every request sent is not part of it). */
  async function event(h: Harness, repo: FakeRepo, number: number) {
    const { calls: _calls, ...seen } = await synchronized(h, repo, number);
    return seen;
  }
  type Seen = Awaited<ReturnType<typeof event>>;

  const ENFORCED = "are required and pinned to this app (branch protection).";
  const pinned = (ctx: string) => ({ context: ctx, app_id: APP_ID });

  test("a warm event reads neither the branch nor its rulesets; after the time to live, both", async () => {
    const { h, repo, number } = await pullRequest();
    const cold = await event(h, repo, number);
    expect(cold.reads).toEqual([
      "GET /repos/Codertocat/Hello-World/branches/master",
      "GET /repos/Codertocat/Hello-World/rules/branches/master?per_page=100",
    ]);
    now += DEFAULT_ENFORCEMENT_TTL_MS - 1;
    const warm = await event(h, repo, number);
    expect(warm.reads).toEqual([]);
    expect({ ...warm, reads: [] }).toEqual({ ...cold, reads: [] });
    now += 1;
    const expired = await event(h, repo, number);
    expect(expired.reads).toEqual(cold.reads);
  });

  test("a ruleset added shows once the time to live is over, never in the conclusion", async () => {
    const { h, repo, number } = await pullRequest();
    // The first query does not show it (first-read/base-rules.ts): only REST's remembered reading.
    repo.graphqlRules = "hidden";
    const before = await event(h, repo, number);
    expect(before.summary).toContain("**This gate is not enforced on `master`.**");
    repo.rulesets.push(bothPinned(42));
    now += 60_000;
    const within = await event(h, repo, number);
    expect(within.reads).toEqual([]);
    expect(within.summary).toBe(before.summary);
    now += DEFAULT_ENFORCEMENT_TTL_MS;
    const after = await event(h, repo, number);
    expectPinnedByRuleset(after, before);
  });

  test("a ruleset pinning both that the first query shows is told at once, nothing read by REST", async () => {
    const { h, repo, number } = await pullRequest();
    const before = await event(h, repo, number);
    expect(before.summary).toContain("**This gate is not enforced on `master`.**");
    repo.rulesets.push(bothPinned(42));
    now += 60_000;
    const within = await event(h, repo, number);
    expect(within.reads).toEqual([]);
    expectPinnedByRuleset(within, before);
  });

  test("the base moving between warm events: the first query's fresh tip is evaluated", async () => {
    const { h, repo, number } = await pullRequest();
    const cold = await event(h, repo, number);
    expect(cold.lintFindings.map(([, t]) => t)).not.toContain("out-of-order-migration");
    // Merged meanwhile: a version above the pull request's.
    repo.commit({
      branch: "master",
      files: {
        "migrations/0003_t3.up.sql": "CREATE TABLE t3 (id int);\n",
        "migrations/0003_t3.down.sql": "DROP TABLE t3;\n",
      },
    });
    const warm = await event(h, repo, number);
    expect(warm.reads).toEqual([]);
    // The pull request's 0002 is now below the latest merged version: golang-migrate skips it.
    expect(warm.lintFindings.map(([, t]) => t)).toContain("out-of-order-migration");
    expect(warm.lint[0]).toBe("failure");
  });

  test("a cached enforced state never changes a conclusion: same as a fresh read of none", async () => {
    const { h, repo, number } = await pullRequest();
    repo.protection.set("master", [pinned(LINT), pinned(APPROVAL)]);
    const enforced = await event(h, repo, number);
    expect(enforced.summary).toContain(ENFORCED);
    // The protection is removed and an eligible approval arrives: the cached "enforced" note
    // stays for its time to live, the decision follows the approval alone.
    repo.protection.delete("master");
    repo.review(number, { user: "alice", state: "APPROVED" });
    repo.setRole("alice", "admin");
    const cached = await event(h, repo, number);
    expect(cached.reads).toEqual([]);
    expect(cached.summary).toContain(ENFORCED);
    now += DEFAULT_ENFORCEMENT_TTL_MS;
    const fresh = await event(h, repo, number);
    expect(fresh.summary).toContain("**This gate is not enforced on `master`.**");
    expect(cached.approval).toEqual(fresh.approval);
    expect(cached.lint).toEqual(fresh.lint);
    expect(cached.approval).not.toEqual(enforced.approval);
  });

  test("without a usable tip in the first query, the branch is read even when cached", async () => {
    const { h, repo, number } = await pullRequest();
    await event(h, repo, number);
    h.fake.graphqlFault({ operation: "MigrationWardenPullRequest", error: "boom", executed: true });
    const warm = await event(h, repo, number);
    expect(warm.reads).toEqual(["GET /repos/Codertocat/Hello-World/branches/master"]);
  });

  test("a retargeted pull request reads its new base branch", async () => {
    const { h, repo, number } = await pullRequest();
    await event(h, repo, number);
    repo.commit({ branch: "release", parent: repo.branches.get("master")! });
    repo.retarget(number, "release");
    const moved = await event(h, repo, number);
    expect(moved.reads).toEqual([
      "GET /repos/Codertocat/Hello-World/branches/release",
      // The default branch's view of the head (guard.ts) reads the default branch's tip.
      "GET /repos/Codertocat/Hello-World/branches/master",
      "GET /repos/Codertocat/Hello-World/rules/branches/release?per_page=100",
    ]);
  });

  test("rulesets GitHub refused are read again on the next event", async () => {
    const { h, repo, number } = await pullRequest();
    repo.rulesStatus = 500;
    const failed = await event(h, repo, number);
    expect(failed.summary).toContain("could not be read (HTTP 500)");
    repo.rulesStatus = null;
    const next = await event(h, repo, number);
    expect(next.reads).toEqual([
      "GET /repos/Codertocat/Hello-World/rules/branches/master?per_page=100",
    ]);
    expect(next.summary).not.toContain("could not be read");
  });

  test("a time to live of 0 reads both on every event", async () => {
    const h = await harness(0);
    const { repo, number } = cleanMigrationPullRequest(h.fake);
    const cold = await event(h, repo, number);
    const again = await event(h, repo, number);
    expect(again.reads).toEqual(cold.reads);
    expect(again.reads).toHaveLength(2);
  });
});
