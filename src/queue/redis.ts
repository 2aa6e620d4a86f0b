/**
 * The queue on Redis (BullMQ), when REDIS_URL is set: the server only adds jobs; `npm run worker`
 * processes on any number of machines run them. BullMQ gives persistence, retries with a delay,
 * and stalled-job detection (a worker that dies mid-job loses its lock and the job runs again).
 * On top of it, each group's order, lock and coalescing state live in plain Redis keys next to
 * BullMQ's, each changed only by one Lua script at a time (redis-groups.ts says how).
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
import {
  DROP_FOR,
  FINISH,
  GROUP_TTL_MS,
  groupKeys,
  LIST,
  RELEASE,
  RENEW,
  REPLACE,
  REPLACED,
  ACQUIRE,
  WAKE,
  type GroupKeys,
} from "./redis-groups.js";

interface JobData extends WebhookJob {
  key: JobKey;
  seq: number;
}

/** A replaceable job's entry in its group's "jobs" hash. */
interface Listed {
  /** The delivery id. */
  id: string;
  seq: number;
  covers: readonly string[];
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
  /**
   * Awaited at the points where a worker's step and an intake can interleave, so tests force
   * an interleaving instead of waiting for one: `parking` after the start script found the group
   * busy (BullMQ still calls the job active), `started` after it took the job, before the
   * evaluation.
   */
  hooks?: {
    parking?(deliveryId: string): Promise<void>;
    started?(deliveryId: string): Promise<void>;
  };
}

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
    const jobId = `j${seq}`;
    const data: JobData = {
      id: webhook.id,
      name: webhook.name,
      payload: webhook.payload,
      key,
      seq,
    };
    const keys = this.#groupKeys(key.group);
    if (key.covers !== null) {
      // Replaceable from before BullMQ has it: no worker can take it unlisted.
      const listed: Listed = { id: webhook.id, seq, covers: key.covers };
      await this.#redis
        .multi()
        .hset(keys[3], jobId, JSON.stringify(listed))
        .pexpire(keys[3], GROUP_TTL_MS)
        .exec();
    }
    try {
      await this.#queue.add(webhook.name, data, { jobId });
    } catch (err) {
      // Never a cover for a later delivery: a job BullMQ does not have would drop it.
      if (key.covers !== null) await this.#redis.hdel(keys[3], jobId).catch(() => undefined);
      throw err;
    }
    // After the add: a listed job always exists, so a listed job that does not is stale. (A
    // worker that takes the job first lists it itself; NX keeps whichever came first.)
    const state = (await this.#redis.eval(LIST, 4, ...keys, jobId, String(seq))) as string | null;
    const result: AddResult = { jobId, replaced: [] };
    if (state?.startsWith(REPLACED)) result.coalescedInto = state.slice(REPLACED.length);
    else if (key.covers !== null) await this.#coalesce(data, jobId, result);
    logCoalesced(this.#log, webhook, key, result);
    return result;
  }

  /**
   * Drops this job for a replaceable job of its group that covers it, or replaces the ones it
   * covers. Decided here from the listed keys (which never change), carried out by a script that
   * first checks the jobs involved are still replaceable; a cover that started meanwhile means
   * deciding again.
   */
  async #coalesce(data: JobData, jobId: string, result: AddResult): Promise<void> {
    const keys = this.#groupKeys(data.key.group);
    const me: Queued = { key: data.key, seq: data.seq };
    for (let tries = 0; tries < 10; tries++) {
      const listed = await this.#redis.hgetall(keys[3]);
      const mine = listed[jobId];
      if (mine?.startsWith(REPLACED)) {
        result.coalescedInto = mine.slice(REPLACED.length);
        return;
      }
      if (!mine?.startsWith("{")) return; // started: it runs
      const others: Array<{ jobId: string; job: Listed; queued: Queued }> = [];
      for (const [otherId, value] of Object.entries(listed)) {
        if (otherId === jobId || !value.startsWith("{")) continue;
        const job = JSON.parse(value) as Listed;
        others.push({
          jobId: otherId,
          job,
          queued: { key: { group: data.key.group, covers: job.covers }, seq: job.seq },
        });
      }
      const cover = others.find((o) => supersedes(o.queued, me));
      if (cover) {
        // The cover had not started after this delivery arrived: it reads GitHub later.
        const got = await this.#redis.eval(
          DROP_FOR,
          5,
          ...keys,
          this.#queue.toKey(cover.jobId),
          jobId,
          cover.jobId,
          cover.job.id,
        );
        if (got === "AGAIN") continue;
        if (got === "OK") {
          result.coalescedInto = cover.job.id;
          await this.#removeReplaced(data.key.group, [jobId]);
        }
        return;
      }
      const covered = others.filter((o) => supersedes(me, o.queued));
      if (covered.length === 0) return;
      const replaced = (await this.#redis.eval(
        REPLACE,
        4,
        ...keys,
        jobId,
        data.id,
        ...covered.map((o) => o.jobId),
      )) as string[];
      for (const o of covered) if (replaced.includes(o.jobId)) result.replaced.push(o.job.id);
      await this.#removeReplaced(data.key.group, replaced);
      return;
    }
  }

  /**
   * BullMQ's copies of replaced jobs removed where BullMQ allows it (one a worker holds, on its
   * way back to the delayed set, is dropped by the worker when it gets it), and the group's next
   * job woken in case a replaced one was its oldest.
   */
  async #removeReplaced(group: string, jobIds: string[]): Promise<void> {
    const jobs = this.#key("jobs", group);
    for (const jobId of jobIds)
      if ((await this.#queue.remove(jobId)) === 1) await this.#redis.hdel(jobs, jobId);
    if (jobIds.length > 0) await this.#wake(group);
  }

  /** Moves the group's oldest job back to waiting if it is parked and the group is free. */
  async #wake(group: string): Promise<void> {
    const [order, lock, parked] = this.#groupKeys(group);
    const head = (await this.#redis.eval(WAKE, 3, order, lock, parked)) as string | null;
    if (head) await this.#promote(head);
  }

  async #promote(jobId: string): Promise<void> {
    // Not delayed (any more, or yet): it is running, waiting, or parks again and wakes itself.
    await Job.fromId<JobData>(this.#queue, jobId)
      .then((job) => job?.promote())
      .catch(() => undefined);
  }

  /** order, lock, parked, jobs: the KEYS of every group script, in this order. */
  #groupKeys(group: string): GroupKeys {
    return groupKeys((...parts) => this.#key(...parts), group);
  }

  /**
   * Takes the group for this job if it is the group's oldest and the group is free ("run"; from
   * then on the job cannot be replaced), or says it waits, or that a newer job replaced it (the
   * delivery id). An oldest job that will never run again (finished, failed for good, gone) is
   * taken off the list.
   */
  async #acquire(
    job: Job<JobData>,
    mine: string,
    lockMs: number,
  ): Promise<"run" | "wait" | { replacedBy: string }> {
    const keys = this.#groupKeys(job.data.key.group);
    for (let tries = 0; tries < 10; tries++) {
      const got = (await this.#redis.eval(
        ACQUIRE,
        4,
        ...keys,
        job.id!,
        String(job.data.seq),
        mine,
        String(lockMs),
      )) as string | null;
      if (got === "OK") return "run";
      if (got?.startsWith(REPLACED)) return { replacedBy: got.slice(REPLACED.length) };
      if (!got || got === job.id || !(await this.#finished(got))) return "wait";
      await this.#redis.multi().zrem(keys[0], got).srem(keys[2], got).exec();
    }
    return "wait";
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
    const took = await this.#acquire(job, mine, lockMs);
    if (took === "wait") {
      await this.#options.hooks?.parking?.(data.id);
      await job.moveToDelayed(Date.now() + waitMs, token);
      // Woken (or replaced) while on its way to the delayed set (too early to be promoted):
      // promote itself.
      if ((await this.#redis.sismember(parked, job.id!)) === 0) await this.#promote(job.id!);
      throw new DelayedError();
    }
    if (took !== "run") {
      // BullMQ could not remove it when it was replaced: it completes here, never evaluated.
      this.#log.info({ id: data.id, job: job.id, into: took.replacedBy }, "replaced job dropped");
      await this.#wake(data.key.group);
      return;
    }
    let done = false;
    const renew: NodeJS.Timeout = setInterval(() => {
      this.#redis
        .eval(RENEW, 1, groupLock, mine, String(lockMs))
        .catch((err) => this.#log.warn({ err }, "renewing a group lock failed"));
    }, lockMs / 3);
    this.#renewing.add(renew);
    try {
      await this.#options.hooks?.started?.(data.id);
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
                .eval(FINISH, 4, ...this.#groupKeys(data.key.group), job.id!, mine)
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
