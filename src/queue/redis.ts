/**
 * The queue on Redis (BullMQ), when REDIS_URL is set: the server only adds jobs; `npm run worker`
 * processes on any number of machines run them. BullMQ gives persistence, retries with a delay,
 * and stalled-job detection (a worker that dies mid-job loses its lock and the job runs again).
 * On top of it, with plain Redis keys next to BullMQ's:
 *
 * - group order: each group's unfinished jobs are listed by arrival in a sorted set ("order").
 *   A worker runs a job only when it is its group's oldest and the worker holds the group's lock
 *   (SET NX with a TTL it renews), both checked in one script, so two workers never take one
 *   group and a newer job never overtakes an older one. Any other job goes back to the delayed
 *   set ("parked"), where it can still be replaced, so a burst for one pull request waits as one
 *   job. BullMQ gives delayed jobs back by due time, not by arrival, so a parked job coming back
 *   early only parks again; the worker that finishes a group's job promotes the next one. A job
 *   waiting for its retry stays its group's oldest: the group waits for it, as in MemoryQueue;
 * - coalescing: each group's not-yet-started jobs are listed in a sorted set; a new job removes
 *   the ones it supersedes, or itself when a queued one supersedes it. BullMQ's remove refuses a
 *   job a worker holds, so a started job is never dropped.
 */
import { DelayedError, Job, Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { jobKey, supersedes, type JobKey, type Queued, type WebhookJob } from "./job.js";
import { logCoalesced, type QueueLog } from "./log.js";
import {
  DEFAULT_QUEUE_POLICY,
  retryDelay,
  runAttempt,
  type AddResult,
  type JobHandlers,
  type JobQueue,
  type QueuedJob,
  type QueuePolicy,
} from "./queue.js";

interface JobData extends WebhookJob {
  key: JobKey;
  seq: number;
}

export interface RedisQueueOptions {
  url: string;
  policy?: Partial<QueuePolicy>;
  log: QueueLog;
  /** BullMQ queue name (default "migration-warden"); tests use their own. */
  name?: string;
  /**
   * How long a running job's locks (BullMQ's, and its group's) live without renewal, and how
   * often stalled jobs are looked for: a dead worker's job runs again within about twice this.
   */
  lockMs?: number;
  /** A job whose group is busy looks again after this long. */
  groupWaitMs?: number;
  /** Intake gives up on Redis after this long (the delivery then fails and can be redelivered). */
  addTimeoutMs?: number;
}

/** States of a job that has not started (a busy group's job waits in "delayed"). */
const NOT_STARTED = new Set(["waiting", "delayed", "prioritized", "wait"]);

const RELEASE = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`;
/** A group key outlives no job by much: refreshed on each add and each try. */
const GROUP_TTL_MS = 7 * 24 * 3600 * 1000;
/**
 * KEYS: order, lock, parked. ARGV: job id, its seq, lock value, lock ms. "OK" when the job is
 * its group's oldest and got the lock; else it is parked and the oldest job's id is returned.
 * The job lists itself (NX: its arrival seq) in case intake's listing has not happened yet.
 */
const ACQUIRE = `
redis.call("ZADD", KEYS[1], "NX", ARGV[2], ARGV[1])
redis.call("PEXPIRE", KEYS[1], ${GROUP_TTL_MS})
local head = redis.call("ZRANGE", KEYS[1], 0, 0)[1]
if head == ARGV[1] and redis.call("SET", KEYS[2], ARGV[3], "PX", ARGV[4], "NX") then
  redis.call("SREM", KEYS[3], ARGV[1])
  return "OK"
end
redis.call("SADD", KEYS[3], ARGV[1])
redis.call("PEXPIRE", KEYS[3], ${GROUP_TTL_MS})
return head`;
/** KEYS: order, lock, parked. ARGV: job id, lock value. The job is done: off the list, unlocked. */
const FINISH = `
redis.call("ZREM", KEYS[1], ARGV[1])
redis.call("SREM", KEYS[3], ARGV[1])
if redis.call("GET", KEYS[2]) == ARGV[2] then redis.call("DEL", KEYS[2]) end
return 1`;
/**
 * KEYS: order, lock, parked. The group's oldest job when it is parked and the group is free
 * (taken off the parked set: its promoter, or itself, moves it back to waiting), else nil.
 */
const WAKE = `
local head = redis.call("ZRANGE", KEYS[1], 0, 0)[1]
if head and redis.call("EXISTS", KEYS[2]) == 0 and redis.call("SREM", KEYS[3], head) == 1 then
  return head
end
return false`;
const RENEW = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) else return 0 end`;

export class RedisQueue implements JobQueue {
  readonly policy: QueuePolicy;
  readonly #log: QueueLog;
  readonly #name: string;
  readonly #queue: Queue<JobData>;
  readonly #redis: Redis;
  readonly #url: string;
  readonly #options: RedisQueueOptions;
  #worker: Worker<JobData> | null = null;
  /** Renewals of the group locks of running jobs. */
  readonly #renewing = new Set<NodeJS.Timeout>();
  /** Set when close() gave up on running jobs: their locks lapse and another worker runs them. */
  #abandoned = false;
  /** Jobs in the processor, and who waits for that to reach 0. */
  #active = 0;
  #idle: Array<() => void> = [];

  constructor(options: RedisQueueOptions) {
    this.#options = options;
    this.policy = { ...DEFAULT_QUEUE_POLICY, ...options.policy };
    this.#log = options.log;
    this.#url = options.url;
    this.#name = options.name ?? "migration-warden";
    this.#queue = new Queue<JobData>(this.#name, {
      connection: { url: this.#url },
      prefix: "mw",
      defaultJobOptions: {
        attempts: this.policy.attempts,
        backoff: { type: "custom" },
        // Finished jobs are kept a while for inspection, bounded.
        removeOnComplete: { age: 3600, count: 1000 },
        removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
      },
    });
    this.#queue.on("error", (err) => this.#log.error({ err }, "Redis queue connection error"));
    this.#redis = new Redis(this.#url, { maxRetriesPerRequest: 2 });
    this.#redis.on("error", (err) => this.#log.error({ err }, "Redis connection error"));
  }

  #key(...parts: string[]): string {
    return ["mw", this.#name, "mw", ...parts].join(":");
  }

  async add(webhook: WebhookJob): Promise<AddResult> {
    const ms = this.#options.addTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.#add(webhook),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`Redis did not accept the job within ${ms} ms`)),
            ms,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #add(webhook: WebhookJob): Promise<AddResult> {
    const key = jobKey(webhook);
    const seq = await this.#redis.incr(this.#key("seq"));
    const data: JobData = {
      id: webhook.id,
      name: webhook.name,
      payload: webhook.payload,
      key,
      seq,
    };
    const job = await this.#queue.add(webhook.name, data);
    const jobId = job.id!;
    // After the add: a listed job always exists, so a listed job that does not is stale. (A
    // worker that takes the job first lists it itself; NX keeps whichever came first.)
    const order = this.#key("order", key.group);
    await this.#redis.zadd(order, "NX", seq, jobId);
    await this.#redis.pexpire(order, GROUP_TTL_MS);
    const result: AddResult = { jobId, replaced: [] };
    if (key.covers !== null) await this.#coalesce(data, jobId, result);
    logCoalesced(this.#log, webhook, key, result);
    return result;
  }

  async #coalesce(data: JobData, jobId: string, result: AddResult): Promise<void> {
    const groupKey = this.#key("group", data.key.group);
    await this.#redis.zadd(groupKey, data.seq, jobId);
    await this.#redis.pexpire(groupKey, GROUP_TTL_MS);
    const me: Queued = { key: data.key, seq: data.seq };
    const others: Array<{ jobId: string; data: JobData }> = [];
    for (const otherId of await this.#redis.zrange(groupKey, 0, -1)) {
      if (otherId === jobId) continue;
      const other = await Job.fromId<JobData>(this.#queue, otherId);
      const state = other ? await other.getState() : "unknown";
      if (!other || !NOT_STARTED.has(state)) {
        // Started or gone: no longer replaceable (a running job removes itself when it starts).
        if (state !== "active") await this.#redis.zrem(groupKey, otherId);
        continue;
      }
      others.push({ jobId: otherId, data: other.data });
    }
    const cover = others.find((o) => supersedes(o.data, me));
    if (cover) {
      // The covering job had not started after this delivery arrived: it reads GitHub later.
      if ((await this.#queue.remove(jobId)) === 1) {
        await this.#unlist(data.key.group, jobId);
        result.coalescedInto = cover.data.id;
      }
      return;
    }
    for (const o of others) {
      if (!supersedes(me, o.data)) continue;
      // 0: a worker took it meanwhile; it runs, and so does this one.
      if ((await this.#queue.remove(o.jobId)) === 1) {
        await this.#unlist(data.key.group, o.jobId);
        result.replaced.push(o.data.id);
      }
    }
  }

  /** A removed job off its group's lists; the group's next job is woken if it was the oldest. */
  async #unlist(group: string, jobId: string): Promise<void> {
    await this.#redis
      .multi()
      .zrem(this.#key("group", group), jobId)
      .zrem(this.#key("order", group), jobId)
      .srem(this.#key("parked", group), jobId)
      .exec();
    await this.#wake(group);
  }

  /** Moves the group's oldest job back to waiting if it is parked and the group is free. */
  async #wake(group: string): Promise<void> {
    const keys = this.#groupKeys(group);
    const head = (await this.#redis.eval(WAKE, 3, ...keys)) as string | null;
    if (head) await this.#promote(head);
  }

  async #promote(jobId: string): Promise<void> {
    // Not delayed (any more, or yet): it is running, waiting, or parks again and wakes itself.
    await Job.fromId<JobData>(this.#queue, jobId)
      .then((job) => job?.promote())
      .catch(() => undefined);
  }

  #groupKeys(group: string): [string, string, string] {
    return [this.#key("order", group), this.#key("lock", group), this.#key("parked", group)];
  }

  /**
   * Takes the group for this job if it is the group's oldest and the group is free. An oldest
   * job that will never run again (finished, failed for good, gone) is taken off the list.
   */
  async #acquire(job: Job<JobData>, mine: string, lockMs: number): Promise<boolean> {
    const keys = this.#groupKeys(job.data.key.group);
    for (let tries = 0; tries < 10; tries++) {
      const got = (await this.#redis.eval(
        ACQUIRE,
        3,
        ...keys,
        job.id!,
        String(job.data.seq),
        mine,
        String(lockMs),
      )) as string | null;
      if (got === "OK") return true;
      if (!got || got === job.id || !(await this.#finished(got))) return false;
      await this.#redis.multi().zrem(keys[0], got).srem(keys[2], got).exec();
    }
    return false;
  }

  /** Whether a listed job will never run again. */
  async #finished(jobId: string): Promise<boolean> {
    const job = await Job.fromId<JobData>(this.#queue, jobId);
    if (!job) return true;
    const state = await job.getState();
    return state === "completed" || state === "failed" || state === "unknown";
  }

  work(handlers: JobHandlers): void {
    const lockMs = this.#options.lockMs ?? 30_000;
    const waitMs = this.#options.groupWaitMs ?? 500;
    this.#worker = new Worker<JobData>(
      this.#name,
      async (job, token) => {
        this.#active++;
        try {
          await this.#process(job, token, handlers, lockMs, waitMs);
        } finally {
          if (--this.#active === 0) for (const wake of this.#idle.splice(0)) wake();
        }
      },
      {
        connection: { url: this.#url },
        prefix: "mw",
        concurrency: this.policy.concurrency,
        // BullMQ fails a job that stalled more often than this without calling us; runAttempt
        // fails it (checks included) once it reaches policy.maxStalls, one stall earlier.
        maxStalledCount: this.policy.maxStalls,
        lockDuration: lockMs,
        stalledInterval: lockMs,
        settings: {
          backoffStrategy: (attemptsMade: number) => retryDelay(this.policy, attemptsMade),
        },
      },
    );
    this.#worker.on("error", (err) => this.#log.error({ err }, "queue worker error"));
    this.#worker.on("stalled", (jobId) =>
      this.#log.warn({ job: jobId }, "a worker stopped during this job: it runs again"),
    );
    this.#worker.on("failed", (job, err) => {
      // Reached only when even ending the checks failed, or BullMQ gave up on stalls itself.
      if (err instanceof DelayedError || err?.name === "DelayedError") return;
      if (job && job.attemptsMade < (job.opts.attempts ?? 1)) return;
      this.#log.error({ id: job?.data.id, job: job?.id, err }, "job failed for good");
    });
  }

  /** One job in a worker: under its group's lock, or back to the delayed set to wait for it. */
  async #process(
    job: Job<JobData>,
    token: string | undefined,
    handlers: JobHandlers,
    lockMs: number,
    waitMs: number,
  ): Promise<void> {
    const data = job.data;
    const groupLock = this.#key("lock", data.key.group);
    const parked = this.#key("parked", data.key.group);
    const mine = `${job.id}:${token}`;
    if (!(await this.#acquire(job, mine, lockMs))) {
      await job.moveToDelayed(Date.now() + waitMs, token);
      // Woken while on its way to the delayed set (too early to be promoted): promote itself.
      if ((await this.#redis.sismember(parked, job.id!)) === 0) await this.#promote(job.id!);
      throw new DelayedError();
    }
    let done = false;
    const renew: NodeJS.Timeout = setInterval(() => {
      this.#redis
        .eval(RENEW, 1, groupLock, mine, String(lockMs))
        .catch((err) => this.#log.warn({ err }, "renewing a group lock failed"));
    }, lockMs / 3);
    this.#renewing.add(renew);
    try {
      await this.#redis.zrem(this.#key("group", data.key.group), job.id!);
      const queued: QueuedJob = {
        id: data.id,
        name: data.name,
        payload: data.payload,
        jobId: job.id!,
        key: data.key,
        attempt: job.attemptsMade + 1,
        stalls: job.stalledCounter ?? 0,
      };
      const r = await runAttempt(queued, handlers, this.policy);
      done = r.outcome === "done";
      if (r.outcome === "retry") {
        this.#log.warn(
          { id: data.id, attempt: queued.attempt, err: r.error },
          "job failed: retrying",
        );
        throw r.error;
      }
    } finally {
      clearInterval(renew);
      this.#renewing.delete(renew);
      // An abandoned job's group stays locked until the lock lapses, as if this process died.
      // A job to be retried stays its group's oldest: the group waits for its retry.
      if (!this.#abandoned)
        await (
          done
            ? this.#redis
                .eval(FINISH, 3, ...this.#groupKeys(data.key.group), job.id!, mine)
                .then(() => this.#wake(data.key.group))
            : this.#redis.eval(RELEASE, 1, groupLock, mine)
        ).catch((err) => this.#log.warn({ err }, "releasing a group lock failed"));
    }
  }

  /** Resolves once the worker is connected (tests and the worker's start-up log). */
  async ready(): Promise<void> {
    await this.#queue.waitUntilReady();
    await this.#worker?.waitUntilReady();
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    if (worker) {
      // Stop taking jobs at once; running ones get policy.drainMs.
      await worker.pause(true);
      let timer: NodeJS.Timeout | undefined;
      const drained =
        this.#active === 0 ||
        (await Promise.race([
          new Promise<boolean>((resolve) => this.#idle.push(() => resolve(true))),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(false), this.policy.drainMs);
          }),
        ]));
      clearTimeout(timer);
      if (!drained) {
        this.#log.warn(
          { running: this.#active },
          `jobs still running after ${this.policy.drainMs} ms of draining: left to another worker`,
        );
        // As if this process had died: its locks lapse and the stalled check hands the jobs on.
        this.#abandoned = true;
        for (const r of this.#renewing) clearInterval(r);
      }
      await worker.close(!drained);
    }
    await this.#queue.close();
    this.#redis.disconnect();
  }
}
