/**
 * The registry of evaluations in progress (checks/in-flight.ts) in Redis forgets an older
 * evaluation A that still believes it is registered: Redis restarted without persistence (or
 * from a snapshot taken before A registered), failed over to a replica that had not received A's
 * registration, evicted the hash (a maxmemory policy other than noeviction), or its clock jumped
 * forward so A's lease ended early by Redis's clock. A's own clock (live()) still says it is
 * registered. C blocked; A started and saw a pass; B starts, sees the same block, finds nobody
 * in the registry and leaves it unwritten; A then writes its pass, which is the newest run:
 * a pass computed from facts B already knew were stale (the approval was dismissed).
 * A must ask the store, not only its clock, before writing a pass, and look again after.
 */
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, test } from "@jest/globals";
import { Redis } from "ioredis";
import { inFlightKey } from "../../src/github/checks/in-flight.js";
import { writeResults } from "../../src/github/checks/write.js";
import { RedisInFlight } from "../../src/queue/in-flight-redis.js";
import { APPROVAL, type Harness, useHarness } from "../github/harness.js";
import { approvalWriting, block, check, LEASE, pass, REPO } from "../github/in-flight-world.js";

const REDIS_URL = process.env.MW_TEST_REDIS_URL ? `${process.env.MW_TEST_REDIS_URL}/11` : null;
if (!REDIS_URL) console.warn("SKIPPED: MW_TEST_REDIS_URL is not set (Redis registry attacks).");

const clients: Redis[] = [];
afterAll(() => {
  for (const c of clients) c.disconnect();
});
function redisClient(): Redis {
  const c = new Redis(REDIS_URL!, { maxRetriesPerRequest: 1, commandTimeout: 2_000 });
  c.on("error", () => undefined);
  clients.push(c);
  return c;
}

let h: Harness;

(REDIS_URL ? describe : describe.skip)(
  "the Redis registry forgets an older evaluation still running",
  () => {
    useHarness((created) => (h = created), { app: { replay: false } });

    async function world() {
      const { writing } = await approvalWriting(h);
      const prefix = `mw-test-rev9b:${randomUUID()}:`;
      const key = prefix + inFlightKey(REPO, APPROVAL);
      const worker = () => new RedisInFlight(redisClient(), { prefix });
      const now = Date.now();
      const c = await worker().begin(REPO, [APPROVAL], LEASE);
      await writeResults(writing(now - 2000, c), [check], [{ check, result: block }]);
      await c.end();
      return { now, key, worker, writing, redis: redisClient() };
    }

    const shown = () => h.runs(APPROVAL).reduce((a, r) => (r.id > a.id ? r : a));

    async function attack(forget: (redis: Redis, key: string) => Promise<unknown>) {
      const { now, key, worker, writing, redis } = await world();
      // A: started before B, saw a pass (the approval not yet dismissed), still running.
      const a = await worker().begin(REPO, [APPROVAL], LEASE);
      await forget(redis, key);
      expect(a.live()).toBe(true); // its own clock cannot tell
      // B: saw the dismissal, the same block as C's run; nothing in the registry.
      const b = await worker().begin(REPO, [APPROVAL], LEASE);
      const wb = writing(now, b);
      await writeResults(wb, [check], [{ check, result: block }]);
      await b.end();
      expect(wb.outcome.unchanged).toEqual([APPROVAL]); // the attack's precondition
      const wa = writing(now - 1000, a);
      await writeResults(wa, [check], [{ check, result: pass }]);
      await a.end();
      // Whatever B did, no stale pass is the newest run.
      expect(shown().conclusion).not.toBe("success");
      expect(wa.outcome.conclusions[APPROVAL]).toBe("failure");
    }

    test("Redis restarted empty (or flushed, or the hash evicted) while A ran", async () => {
      await attack((redis, key) => redis.del(key));
    });

    test("Redis's clock jumped forward: A's lease ended early by Redis's clock", async () => {
      await attack(async (redis, key) => {
        const fields = await redis.hgetall(key);
        for (const f of Object.keys(fields)) if (f.startsWith("m:")) await redis.hset(key, f, 1);
      });
    });

    test("A's registration lost while its pass is being created: the pass does not stay", async () => {
      const { now, key, worker, writing, redis } = await world();
      const a = await worker().begin(REPO, [APPROVAL], LEASE);
      // A's create is sent (the registry still had A); Redis loses A before it lands, and B
      // reads the runs, decides and skips before it lands too.
      let runsForB: unknown = null;
      const wb = writing(now, undefined);
      const originalHeld = a.held.bind(a);
      let first = true;
      const held = async () => {
        const ok = await originalHeld();
        if (first) {
          first = false;
          await redis.del(key);
          const b = await worker().begin(REPO, [APPROVAL], LEASE);
          wb.inFlight = b;
          await writeResults(wb, [check], [{ check, result: block }]);
          await b.end();
          runsForB = wb.outcome.unchanged;
        }
        return ok;
      };
      const wa = writing(now - 1000, { ...a, alone: a.alone, live: a.live, end: a.end, held });
      await writeResults(wa, [check], [{ check, result: pass }]);
      await a.end();
      expect(runsForB).toEqual([APPROVAL]);
      expect(shown().conclusion).not.toBe("success");
    });
  },
);
