/**
 * The registry of evaluations in progress (checks/in-flight.ts) is keyed by repository: when
 * the key is the name only, a repository renamed (or transferred to another owner) while an
 * evaluation runs splits it in two. A started before the rename (its delivery named the old
 * name; GitHub redirects its requests, so it reads and writes the same repository) and saw a
 * pass; C had blocked; B starts after the rename, sees the dismissal (the same block as C's
 * run) and finds nobody under the new name: it leaves the block unwritten, and A's stale pass
 * becomes the newest run. Evaluations must also register under the repository's id, which a
 * rename or transfer keeps (every webhook delivery about a repository carries it).
 */
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, test } from "@jest/globals";
import { Redis } from "ioredis";
import { InProcessInFlight, type InFlight } from "../../src/github/checks/in-flight.js";
import { writeResults } from "../../src/github/checks/write.js";
import type { RepoRef } from "../../src/github/client.js";
import { RedisInFlight } from "../../src/queue/in-flight-redis.js";
import {
  APPROVAL,
  helloWorld,
  pullRequestEvent,
  type Harness,
  useHarness,
} from "../github/harness.js";
import { approvalWriting, block, check, LEASE, pass, REPO } from "../github/in-flight-world.js";

const REDIS_URL = process.env.MW_TEST_REDIS_URL ? `${process.env.MW_TEST_REDIS_URL}/11` : null;
const clients: Redis[] = [];
afterAll(() => {
  for (const c of clients) c.disconnect();
});

const KINDS: Array<{ name: string; make: () => () => InFlight }> = [
  {
    name: "in-process",
    make: () => {
      const r = new InProcessInFlight();
      return () => r;
    },
  },
  ...(REDIS_URL
    ? [
        {
          name: "Redis",
          make: () => {
            const prefix = `mw-test-rev9b:${randomUUID()}:`;
            return () => {
              const c = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, commandTimeout: 2_000 });
              c.on("error", () => undefined);
              clients.push(c);
              return new RedisInFlight(c, { prefix });
            };
          },
        },
      ]
    : []),
];

const REPO_ID = 1296269;
/** The same repository before it was renamed and transferred. */
const BEFORE: RepoRef = { owner: "octo-org", repo: "hello-world-old" };

let h: Harness;

describe.each(KINDS)("a repository renamed while an evaluation runs ($name)", (kind) => {
  useHarness((created) => (h = created), { app: { replay: false } });

  test("B, under the new name, does not skip its block while A, under the old one, runs", async () => {
    const { writing } = await approvalWriting(h);
    const reg = kind.make();
    const now = Date.now();
    const c = await reg().begin(REPO, [APPROVAL], LEASE);
    await writeResults(writing(now - 2000, c), [check], [{ check, result: block }]);
    await c.end();

    // Each registers under the name its delivery gave, and the repository's id (events.ts).
    const a = await reg().begin(BEFORE, [APPROVAL], LEASE, REPO_ID);
    const b = await reg().begin(REPO, [APPROVAL], LEASE, REPO_ID);
    await writeResults(writing(now, b), [check], [{ check, result: block }]);
    await b.end();
    await writeResults(writing(now - 1000, a), [check], [{ check, result: pass }]);
    await a.end();
    expect(h.runs(APPROVAL).map((r) => r.conclusion)).not.toContain("success");
  });

  test("keys: alone only when alone under both; one without the id is still seen by name", async () => {
    const reg = kind.make();
    // A delivery without the repository's id (an installation event's re-evaluation).
    const byName = await reg().begin(REPO, [APPROVAL], LEASE);
    const b = await reg().begin(REPO, [APPROVAL, "other"], LEASE, REPO_ID);
    expect(await b.alone([APPROVAL, "other"])).toEqual(new Set(["other"]));
    await byName.end();
    // It ended during B: the name key's epoch moved.
    expect(await b.alone([APPROVAL])).toEqual(new Set());
    await b.end();
    // Another repository's id under the same name (a name reused after a rename): counted too.
    const x = await reg().begin(REPO, [APPROVAL], LEASE, 42);
    const y = await reg().begin(BEFORE, [APPROVAL], LEASE, 42);
    const z = await reg().begin({ owner: "acme", repo: "z" }, [APPROVAL], LEASE, 43);
    expect(await z.alone([APPROVAL])).toEqual(new Set([APPROVAL]));
    expect(await x.alone([APPROVAL])).toEqual(new Set());
    await Promise.all([x.end(), y.end(), z.end()]);
  });
});

describe("a pull request delivery registers under its repository's id", () => {
  const seen: Array<{ repo: RepoRef; id: number | undefined }> = [];
  const inner = new InProcessInFlight();
  const recording: InFlight = {
    begin: (repo, names, leaseMs, id) => {
      seen.push({ repo, id });
      return inner.begin(repo, names, leaseMs, id);
    },
  };
  useHarness((created) => (h = created), { app: { replay: false, inFlight: recording } });

  test("the payload's repository id, beside its name", async () => {
    const { repo, number } = helloWorld(h.fake, {}, { "README.md": "# changed\n" });
    const payload = pullRequestEvent("synchronize", repo, number);
    await h.receive("pull_request", payload);
    const id = (payload as { repository: { id: number } }).repository.id;
    expect(typeof id).toBe("number");
    expect(seen.length).toBeGreaterThan(0);
    for (const s of seen) expect(s.id).toBe(id);
  });
});
