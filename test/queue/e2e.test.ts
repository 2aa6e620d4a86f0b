/**
 * Queue mode end to end: the real server (`probot run lib/app.js` with REDIS_URL) only verifies
 * and queues; `npm run worker` processes (lib/worker.js) evaluate against the fake GitHub, through
 * a real redis-server (MW_TEST_REDIS_URL, started by .ci/start-databases.sh; skipped without it).
 */
import { afterAll, beforeAll, describe, expect, jest, test } from "@jest/globals";
import { createHmac } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import {
  startAppServer,
  startWorker,
  type AppServer,
  type AppWorker,
} from "../support/app-server.mjs";
import { privateKey } from "../support/app-key.js";
import { FakeGitHub, type FakeRepo } from "../support/fake-github.mjs";
import { checkRunBodyErrors } from "../support/openapi.js";
import { pullRequestWebhook } from "../support/webhooks.js";

const REDIS_URL = process.env.MW_TEST_REDIS_URL;
if (!REDIS_URL)
  console.warn(
    "SKIPPED: MW_TEST_REDIS_URL is not set, so the queue tests against a real redis-server do not run (.ci/start-databases.sh starts one).",
  );
const describeRedis = REDIS_URL ? describe : describe.skip;

const SECRET = "queue-e2e-secret";
const APP_ID = 4545;
const LINT = "migration-warden/lint";
const APPROVAL = "migration-warden/approval";
// Every worker of this file with the same short lock, as docs/deployment.md asks of a queue's
// workers: BullMQ runs a queue's stalled check at most once per the interval of whichever worker
// ran it last (a shared key with that expiry), so a worker left on the default 30 s made the
// killed-worker case wait up to 30 s for its first check (28.6 s of its 30 alone).
const LOCK = { WORKER_LOCK_SECONDS: "1" };

// Each case starts server or worker processes (Node loading lib/app.js) and waits for what they
// write: on a loaded machine (load 15, session 15's full run) the first case took more than the
// default 30 s. Longer limits change nothing a case checks, only how long a slow one may take.
jest.setTimeout(180_000);
const WAIT_MS = 120_000;

describeRedis("queue mode: server intake, worker processes, redis-server", () => {
  let fake: FakeGitHub;
  let server: AppServer;
  const workers: AppWorker[] = [];
  let redis: Redis;
  // Each test file gets its own Redis database: BullMQ keys of other files never mix.
  const url = `${REDIS_URL}/3`;

  beforeAll(async () => {
    redis = new Redis(url);
    await redis.flushdb();
    fake = await new FakeGitHub({
      appId: APP_ID,
      privateKey,
      validateCheckRun: checkRunBodyErrors,
    }).start();
    server = await startAppServer({
      fake,
      appId: APP_ID,
      privateKey,
      secret: SECRET,
      env: { REDIS_URL: url },
    });
  });

  afterAll(async () => {
    for (const w of workers) await w.stop("SIGKILL");
    await server?.stop();
    await fake?.stop();
    await redis?.flushdb();
    redis?.disconnect();
  });

  const output = () => [server.output(), ...workers.map((w) => w.output())].join("\n");

  async function waitFor<T>(what: string, check: () => T | null, ms = WAIT_MS): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = check();
      if (v !== null) return v;
      if (Date.now() > deadline) throw new Error(`${what} did not happen; output:\n${output()}`);
      await sleep(50);
    }
  }

  function sign(body: string, secret = SECRET): string {
    return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  }

  async function deliver(event: string, payload: unknown, id: string, signature?: string) {
    const body = JSON.stringify(payload);
    const res = await fetch(server.webhookUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": event,
        "x-github-delivery": id,
        "x-hub-signature-256": signature ?? sign(body),
      },
      body,
    });
    return res.status;
  }

  function repoWithPullRequest(name: string): { repo: FakeRepo; number: number; head: string } {
    const repo = fake.createRepo("acme", name);
    const base = repo.commit({
      branch: "main",
      files: {
        ".github/migration-warden.yml":
          "directories:\n  - path: db/migrations\n    dialect: postgres\nreplay:\n  enabled: false\n",
        "db/migrations/001_t1.up.sql": "CREATE TABLE t1 (id bigint PRIMARY KEY);\n",
        "db/migrations/001_t1.down.sql": "DROP TABLE t1;\n",
      },
    });
    const head = repo.commit({
      parent: base,
      files: {
        "db/migrations/002_drop.up.sql": "DROP TABLE t1;\n",
        "db/migrations/002_drop.down.sql": "CREATE TABLE t1 (id bigint PRIMARY KEY);\n",
      },
    });
    return { repo, number: repo.openPullRequest({ base: "main", head }), head };
  }

  const pullRequestPayload = (repo: FakeRepo, number: number, action: string) =>
    pullRequestWebhook(fake, repo, number, action);

  const runsOf = (repo: FakeRepo) => fake.checkRuns.filter((r) => r.repo === repo);

  test("the server only queues: nothing is evaluated until a worker runs", async () => {
    const { repo, number } = repoWithPullRequest("queued-only");
    const before = fake.requests.length;
    expect(await deliver("pull_request", pullRequestPayload(repo, number, "opened"), "q-1")).toBe(
      200,
    );
    await waitFor("the queued log line", () =>
      /"msg":"queued".*"id":"q-1"|"id":"q-1".*"msg":"queued"/.test(server.output()) ? true : null,
    );
    await sleep(500);
    // Not even an installation token: the server holds no evaluation code path with REDIS_URL.
    expect(fake.requests.slice(before)).toEqual([]);
    expect(await redis.llen("mw:migration-warden:wait")).toBe(1);

    workers.push(
      await startWorker({ fake, appId: APP_ID, privateKey, redisUrl: url, env: LOCK }),
      await startWorker({ fake, appId: APP_ID, privateKey, redisUrl: url, env: LOCK }),
    );
    const runs = await waitFor("both checks completed", () => {
      const done = runsOf(repo).filter((r) => r.status === "completed");
      return done.length === 2 ? done : null;
    });
    expect(runs.map((r) => [r.name, r.conclusion])).toEqual([
      [LINT, "failure"],
      [APPROVAL, "action_required"],
    ]);
  });

  test("unsigned and forged deliveries are never queued", async () => {
    const { repo, number } = repoWithPullRequest("forged");
    const body = JSON.stringify(pullRequestPayload(repo, number, "opened"));
    const statuses = await Promise.all([
      deliver("pull_request", JSON.parse(body), "forged-1", sign(body, "not-the-secret")),
      deliver("pull_request", JSON.parse(body), "forged-2", "sha256="),
      fetch(server.webhookUrl, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": "pull_request",
          "x-github-delivery": "forged-3",
        },
        body,
      }).then((r) => r.status),
    ]);
    expect(statuses).toEqual([400, 400, 400]);
    await sleep(300);
    const lines = server.output().split("\n");
    expect(lines.filter((l) => /"msg":"(queued|coalesced)"/.test(l) && /forged-/.test(l))).toEqual(
      [],
    );
    expect(runsOf(repo)).toEqual([]);
  });

  test("a burst of synchronize events for one pull request costs far fewer evaluations", async () => {
    const { repo, number } = repoWithPullRequest("burst");
    const payload = pullRequestPayload(repo, number, "synchronize");
    const statuses = [];
    for (let i = 0; i < 10; i++)
      statuses.push(await deliver("pull_request", payload, `burst-${i}`));
    expect(statuses).toEqual(statuses.map(() => 200));
    const coalesced = () =>
      output()
        .split("\n")
        .filter((l) => /"msg":"coalesced"/.test(l) && /"id":"burst-\d"/.test(l));
    const reviewed = () =>
      output()
        .split("\n")
        .filter((l) => /"msg":"reviewed"/.test(l) && /"id":"burst-\d"/.test(l));
    await waitFor("every burst delivery reviewed or coalesced", () =>
      reviewed().length + coalesced().length === 10 ? true : null,
    );
    const lints = runsOf(repo).filter((r) => r.name === LINT);
    // The first may start at once and one more waits behind it; the other eight were replaced.
    expect(reviewed().length).toBeLessThanOrEqual(3);
    expect(coalesced().length).toBe(10 - reviewed().length);
    // An evaluation whose result the newest run already shows writes nothing.
    expect(lints.length).toBeGreaterThanOrEqual(1);
    expect(lints.length).toBeLessThanOrEqual(reviewed().length);
    expect(runsOf(repo).every((r) => r.status === "completed")).toBe(true);
    expect(lints.at(-1)!.conclusion).toBe("failure");
  });

  test("SIGTERM drains: the running evaluation finishes, then the worker exits", async () => {
    const { repo, number } = repoWithPullRequest("drain");
    // The check-run write (one mutation creating both runs) waits, so the evaluation is running
    // when SIGTERM arrives.
    const hold = fake.holdNext({ method: "POST", path: /\/graphql$/, body: /createCheckRun/ });
    expect(
      await deliver("pull_request", pullRequestPayload(repo, number, "opened"), "drain-1"),
    ).toBe(200);
    await hold.reached;
    const exits = workers.map(
      (w) => new Promise<number | null>((resolve) => w.child.once("exit", (code) => resolve(code))),
    );
    for (const w of workers) w.child.kill("SIGTERM");
    await sleep(300);
    hold.release();
    expect(await Promise.all(exits)).toEqual(workers.map(() => 0));
    expect(runsOf(repo).map((r) => [r.name, r.status, r.conclusion])).toEqual([
      [LINT, "completed", "failure"],
      [APPROVAL, "completed", "action_required"],
    ]);
    workers.length = 0;
  });

  test("a worker killed mid-job: the job runs again elsewhere and no run stays in progress", async () => {
    // Runs in_progress before evaluating (a quick evaluation would write them completed at once).
    const fast = { ...LOCK, CHECK_PENDING_AFTER_MS: "0" };
    const first = await startWorker({ fake, appId: APP_ID, privateKey, redisUrl: url, env: fast });
    const { repo, number, head } = repoWithPullRequest("crash");
    // Both runs are created in progress; completing them (one updateCheckRun mutation) never
    // reaches GitHub.
    const hold = fake.holdNext({ method: "POST", path: /\/graphql$/, body: /updateCheckRun/ });
    expect(
      await deliver("pull_request", pullRequestPayload(repo, number, "opened"), "crash-1"),
    ).toBe(200);
    await hold.reached;
    expect(runsOf(repo).map((r) => r.status)).toEqual(["in_progress", "in_progress"]);
    await first.stop("SIGKILL");
    workers.push(await startWorker({ fake, appId: APP_ID, privateKey, redisUrl: url, env: fast }));
    // Within about twice the lock (LOCK above); the patience is for a loaded machine.
    const runs = await waitFor(
      "four completed runs",
      () => {
        const all = runsOf(repo);
        return all.length === 4 && all.every((r) => r.status === "completed") ? all : null;
      },
      60_000,
    );
    // The dead worker's runs end as failure saying why; the new ones carry the result.
    expect(runs.map((r) => [r.name, r.head_sha, r.conclusion])).toEqual([
      [LINT, head, "failure"],
      [APPROVAL, head, "failure"],
      [LINT, head, "failure"],
      [APPROVAL, head, "action_required"],
    ]);
    for (const orphan of runs.slice(0, 2)) {
      expect(orphan.output.title).toBe("Could not check this pull request");
      expect(orphan.output.summary).toContain(
        "the worker evaluating this stopped before finishing",
      );
    }
    expect(runs[2]!.output.title).not.toBe("Could not check this pull request");
  }, 90_000);
});
