/**
 * A repeated blocking result left unwritten (checks/in-flight.ts), from the attacker's side: an
 * older evaluation A that saw a pass finds a newer evaluation B only by B's run, so B may leave
 * its identical block unwritten only when the registry of evaluations in progress proves that no
 * other evaluation of the check overlapped it. C blocks, A starts and sees a pass, B starts and
 * sees the block again: B must write when A is in flight, when A began and ended during B, when
 * the registry cannot be read; it skips only when provably alone. A stalled A whose lease ended
 * writes no pass. Each case runs on the in-process registry and, with MW_TEST_REDIS_URL, on Redis
 * (db 9, a key prefix of its own per run).
 */
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, test } from "@jest/globals";
import { Redis } from "ioredis";
import { InProcessInFlight, type InFlight } from "../../src/github/checks/in-flight.js";
import { writeResults } from "../../src/github/checks/write.js";
import { runsOnCommit } from "../../src/github/checks/written.js";
import { DEFAULT_PENDING_AFTER_MS } from "../../src/github/review.js";
import { RedisInFlight } from "../../src/queue/in-flight-redis.js";
import {
  APPROVAL,
  LINT,
  mergedMigrations,
  pullRequestEvent,
  type Harness,
  useHarness,
} from "./harness.js";
import { approvalWriting, block, check, LEASE, pass, REPO } from "./in-flight-world.js";

const REDIS_URL = process.env.MW_TEST_REDIS_URL ? `${process.env.MW_TEST_REDIS_URL}/9` : null;
if (!REDIS_URL)
  console.warn("SKIPPED: MW_TEST_REDIS_URL is not set, so the Redis registry cases do not run.");

const clients: Redis[] = [];
afterAll(() => {
  for (const c of clients) c.disconnect();
});

function redisClient(url: string): Redis {
  const c = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 2_000 });
  c.on("error", () => undefined);
  clients.push(c);
  return c;
}

interface Kind {
  name: string;
  /** A registry: every call of make() in one test shares its store (two workers, one Redis). */
  make(): () => InFlight;
  /** True when leases end in this registry (Redis); the in-process one never expires. */
  leases: boolean;
}

const KINDS: Kind[] = [
  {
    name: "in-process",
    make: () => {
      const r = new InProcessInFlight();
      return () => r;
    },
    leases: false,
  },
  ...(REDIS_URL
    ? [
        {
          name: "Redis",
          make: () => {
            const prefix = `mw-test-lane9:${randomUUID()}:`;
            return () => new RedisInFlight(redisClient(REDIS_URL), { prefix });
          },
          leases: true,
        },
      ]
    : []),
];

describe.each(KINDS)("the registry of evaluations in progress ($name)", (kind) => {
  test("alone: nothing else registered, begun or ended", async () => {
    const reg = kind.make();
    const b = await reg().begin(REPO, [LINT, APPROVAL], LEASE);
    expect([...(await b.alone([LINT, APPROVAL]))].sort()).toEqual([APPROVAL, LINT]);
    expect(b.live()).toBe(true);
    await b.end();
    // Ended: proves nothing any more.
    expect(await b.alone([LINT])).toEqual(new Set());
  });

  test("another evaluation in flight when B began: never alone, even once it ended", async () => {
    const reg = kind.make();
    const a = await reg().begin(REPO, [APPROVAL], LEASE);
    const b = await reg().begin(REPO, [LINT, APPROVAL], LEASE);
    expect(await b.alone([LINT, APPROVAL])).toEqual(new Set([LINT]));
    await a.end();
    expect(await b.alone([APPROVAL])).toEqual(new Set());
    await b.end();
  });

  test("one that began and ended during B: not alone (the epoch moved)", async () => {
    const reg = kind.make();
    const b = await reg().begin(REPO, [APPROVAL], LEASE);
    const a = await reg().begin(REPO, [APPROVAL], LEASE);
    await a.end();
    expect(await b.alone([APPROVAL])).toEqual(new Set());
    await b.end();
  });

  test("one that began during B and is still in flight: not alone", async () => {
    const reg = kind.make();
    const b = await reg().begin(REPO, [APPROVAL], LEASE);
    const a = await reg().begin(REPO, [APPROVAL], LEASE);
    expect(await b.alone([APPROVAL])).toEqual(new Set());
    await Promise.all([a.end(), b.end()]);
  });

  test("keys: another repository or another check does not count; case does not matter", async () => {
    const reg = kind.make();
    const other = await reg().begin({ owner: "acme", repo: "other" }, [APPROVAL], LEASE);
    const lint = await reg().begin(REPO, [LINT], LEASE);
    const b = await reg().begin(
      { owner: "codertocat", repo: "hello-world" },
      [APPROVAL, LINT],
      LEASE,
    );
    expect(await b.alone([APPROVAL, LINT])).toEqual(new Set([APPROVAL]));
    await Promise.all([other.end(), lint.end(), b.end()]);
  });
});

describe("the Redis registry, when it cannot prove anything", () => {
  test("Redis unreachable: no check is alone and no pass may be written", async () => {
    const errors: string[] = [];
    const reg = new RedisInFlight(
      (() => {
        // Nothing listens on port 1: every command fails at once.
        const c = new Redis("redis://127.0.0.1:1", {
          maxRetriesPerRequest: 0,
          enableOfflineQueue: false,
          lazyConnect: true,
        });
        c.on("error", () => undefined);
        clients.push(c);
        return c;
      })(),
      { onError: (_err, step) => errors.push(step) },
    );
    const b = await reg.begin(REPO, [APPROVAL], LEASE);
    expect(await b.alone([APPROVAL])).toEqual(new Set());
    expect(b.live()).toBe(false);
    await b.end();
    expect(errors).toEqual(["begin", "end"]);
  });

  (REDIS_URL ? test : test.skip)(
    "Redis lost after B registered: B is not alone (its check fails closed)",
    async () => {
      const prefix = `mw-test-lane9:${randomUUID()}:`;
      const client = redisClient(REDIS_URL!);
      const reg = new RedisInFlight(client, { prefix });
      const b = await reg.begin(REPO, [APPROVAL], LEASE);
      client.disconnect();
      expect(await b.alone([APPROVAL])).toEqual(new Set());
    },
  );

  (REDIS_URL ? test : test.skip)(
    "a registration whose lease ended: others no longer wait for it, and it is no longer live",
    async () => {
      const prefix = `mw-test-lane9:${randomUUID()}:`;
      let clock = 0;
      const stalled = new RedisInFlight(redisClient(REDIS_URL!), { prefix, now: () => clock });
      const a = await stalled.begin(REPO, [APPROVAL], 300);
      expect(a.live()).toBe(true);
      // Its own clock says the lease (less the margin) is over: no pass from it any more.
      clock = 271;
      expect(a.live()).toBe(false);
      await new Promise((r) => setTimeout(r, 400));
      const b = await new RedisInFlight(redisClient(REDIS_URL!), { prefix }).begin(
        REPO,
        [APPROVAL],
        LEASE,
      );
      expect(await b.alone([APPROVAL])).toEqual(new Set([APPROVAL]));
      await Promise.all([a.end(), b.end()]);
    },
  );
});

let h: Harness;

describe.each(KINDS)(
  "C blocks, A starts and sees a pass, B sees the block again ($name)",
  (kind) => {
    useHarness((created) => (h = created), { app: { replay: false } });

    async function world() {
      const { headSha, octokit, writing } = await approvalWriting(h);
      const reg = kind.make();
      const now = Date.now();
      // C: an earlier evaluation's block, written and ended.
      const c = await reg().begin(REPO, [APPROVAL], LEASE);
      await writeResults(writing(now - 2000, c), [check], [{ check, result: block }]);
      await c.end();
      expect(h.runs(APPROVAL)).toHaveLength(1);
      return { reg, now, writing, octokit, headSha };
    }

    const shown = () => h.runs(APPROVAL).reduce((a, r) => (r.id > a.id ? r : a));

    test("B alone: the identical block is not written again", async () => {
      const { reg, now, writing } = await world();
      const b = await reg().begin(REPO, [APPROVAL], LEASE);
      const w = writing(now, b);
      await writeResults(w, [check], [{ check, result: block }]);
      await b.end();
      expect(h.runs(APPROVAL)).toHaveLength(1);
      expect(w.outcome.unchanged).toEqual([APPROVAL]);
      expect(w.outcome.conclusions[APPROVAL]).toBe("action_required");
    });

    test("A in flight: B writes, and A's pass then ends superseded", async () => {
      const { reg, now, writing } = await world();
      const a = await reg().begin(REPO, [APPROVAL], LEASE);
      const b = await reg().begin(REPO, [APPROVAL], LEASE);
      await writeResults(writing(now, b), [check], [{ check, result: block }]);
      await b.end();
      expect(h.runs(APPROVAL)).toHaveLength(2);
      await writeResults(writing(now - 1000, a), [check], [{ check, result: pass }]);
      await a.end();
      // Whichever GitHub ranks as the latest, no run of this check passes.
      expect(h.runs(APPROVAL).map((r) => r.conclusion)).not.toContain("success");
    });

    test("A ended between B's read of the runs and its decision: B writes over A's pass", async () => {
      const { reg, now, writing, octokit, headSha } = await world();
      const a = await reg().begin(REPO, [APPROVAL], LEASE);
      const b = await reg().begin(REPO, [APPROVAL], LEASE);
      // B reads the runs (its first read): C's block is the newest.
      const runs = await runsOnCommit(octokit, REPO, headSha);
      // A writes its pass and leaves before B decides.
      await writeResults(writing(now - 1000, a), [check], [{ check, result: pass }]);
      await a.end();
      expect(shown().conclusion).toBe("success");
      const wb = writing(now, b);
      (wb.pr as { headRuns?: unknown }).headRuns = { sha: headSha, names: [APPROVAL], runs };
      await writeResults(wb, [check], [{ check, result: block }]);
      await b.end();
      expect(shown().conclusion).toBe("action_required");
    });

    test("A began after B registered and ended before B decided: B writes (the epoch moved)", async () => {
      const { reg, now, writing, octokit, headSha } = await world();
      const b = await reg().begin(REPO, [APPROVAL], LEASE);
      const runs = await runsOnCommit(octokit, REPO, headSha);
      const a = await reg().begin(REPO, [APPROVAL], LEASE);
      await writeResults(writing(now - 1000, a), [check], [{ check, result: pass }]);
      await a.end();
      const wb = writing(now, b);
      (wb.pr as { headRuns?: unknown }).headRuns = { sha: headSha, names: [APPROVAL], runs };
      await writeResults(wb, [check], [{ check, result: block }]);
      await b.end();
      expect(shown().conclusion).toBe("action_required");
    });

    test("two pull requests on one head: PR 3's block is written while PR 2's approval evaluation runs", async () => {
      const { reg, now, writing } = await world();
      const a = await reg().begin(REPO, [APPROVAL], LEASE);
      const b = await reg().begin(REPO, [APPROVAL], LEASE);
      // C wrote PR 2's run; PR 3's identical block first, so that it is what B finds.
      await writeResults(
        writing(now - 1500, await reg().begin(REPO, [], LEASE), 3),
        [check],
        [{ check, result: block }],
      );
      const before = h.runs(APPROVAL).length;
      await writeResults(writing(now, b, 3), [check], [{ check, result: block }]);
      expect(h.runs(APPROVAL)).toHaveLength(before + 1);
      await Promise.all([a.end(), b.end()]);
    });

    (kind.leases ? test : test.skip)(
      "a stalled A whose lease ended: B skips, and A writes no pass",
      async () => {
        const { now, writing } = await world();
        let clock = 0;
        const prefix = `mw-test-lane9:${randomUUID()}:`;
        const a = await new RedisInFlight(redisClient(REDIS_URL!), {
          prefix,
          now: () => clock,
        }).begin(REPO, [APPROVAL], 300);
        await new Promise((r) => setTimeout(r, 400));
        clock = 400;
        const b = await new RedisInFlight(redisClient(REDIS_URL!), { prefix }).begin(
          REPO,
          [APPROVAL],
          LEASE,
        );
        await writeResults(writing(now, b), [check], [{ check, result: block }]);
        await b.end();
        expect(h.runs(APPROVAL)).toHaveLength(1);
        const wa = writing(now - 1000, a);
        await writeResults(wa, [check], [{ check, result: pass }]);
        await a.end();
        expect(shown().conclusion).toBe("failure");
        expect(shown().output.title).toBe("Evaluation took too long to be trusted");
        expect(wa.outcome.conclusions[APPROVAL]).toBe("failure");
      },
    );
  },
);

/** Proves nothing: every evaluation's block is written, as before the registry. */
const neverAlone: InFlight = {
  begin: () =>
    Promise.resolve({
      alone: () => Promise.resolve(new Set<string>()),
      live: () => true,
      held: () => Promise.resolve(true),
      end: () => Promise.resolve(),
    }),
};

const CONFIG =
  "directories:\n  - path: migrations\n    dialect: postgres\napproval:\n  teams: [dba]\n";
const BLOCKING = {
  "migrations/0002_t2.up.sql": "CREATE TABLE t2 (id bigint PRIMARY KEY);\nDROP TABLE t1;\n",
  "migrations/0002_t2.down.sql": "DROP TABLE t2;\n",
};

function blockingPullRequest() {
  const repo = h.fake.createRepo("Codertocat", "Hello-World", { defaultBranch: "master" });
  const base = repo.commit({
    branch: "master",
    files: { ".github/migration-warden.yml": CONFIG, ...mergedMigrations(1) },
  });
  const head = repo.commit({ parent: base, files: BLOCKING, author: "dev" });
  const number = repo.openPullRequest({ number: 2, base: "master", head, user: "dev" });
  return { repo, number };
}

async function deliveredTwice(): Promise<number> {
  const { repo, number } = blockingPullRequest();
  await h.receive("pull_request", pullRequestEvent("opened", repo, number));
  expect(h.runs(LINT).at(-1)?.conclusion).toBe("failure");
  const before = h.fake.checkRuns.length;
  await h.receive("pull_request", pullRequestEvent("synchronize", repo, number));
  return h.fake.checkRuns.length - before;
}

const QUICK = { pendingAfterMs: 20 * DEFAULT_PENDING_AFTER_MS, replay: false };

describe("a repeated blocking event through the app", () => {
  describe("a registry that proves nothing", () => {
    useHarness((created) => (h = created), { app: { ...QUICK, inFlight: neverAlone } });
    test("both blocks are written again (the guard of before)", async () => {
      expect(await deliveredTwice()).toBe(2);
    });
  });
  (REDIS_URL ? describe : describe.skip)("the Redis registry, nothing else running", () => {
    useHarness((created) => (h = created), {
      app: {
        ...QUICK,
        inFlight: REDIS_URL
          ? new RedisInFlight(redisClient(REDIS_URL), { prefix: `mw-test-lane9:${randomUUID()}:` })
          : neverAlone,
      },
    });
    test("nothing is written", async () => {
      expect(await deliveredTwice()).toBe(0);
    });
  });
});
