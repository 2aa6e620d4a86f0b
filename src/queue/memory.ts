/**
 * The queue inside the server process, used when REDIS_URL is unset: the same coalescing,
 * ordering, retries and failure handling as RedisQueue, without persistence (a job queued when
 * the process stops is lost, as an unanswered delivery would be; GitHub can redeliver it).
 */
import { jobKey, supersedes, type JobKey, type WebhookJob } from "./job.js";
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
import { logCoalesced, type QueueLog } from "./log.js";

interface Entry {
  job: QueuedJob;
  key: JobKey;
  seq: number;
  /** Not before this time (a retry's delay). */
  readyAt: number;
}

export class MemoryQueue implements JobQueue {
  readonly policy: QueuePolicy;
  readonly #log: QueueLog;
  #seq = 0;
  /** Not started (or waiting for a retry), in arrival order. */
  readonly #queued: Entry[] = [];
  readonly #running = new Set<Promise<void>>();
  #handlers: JobHandlers | null = null;
  #closing = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: { policy?: Partial<QueuePolicy>; log: QueueLog }) {
    this.policy = { ...DEFAULT_QUEUE_POLICY, ...options.policy };
    this.#log = options.log;
  }

  async add(webhook: WebhookJob): Promise<AddResult> {
    if (this.#closing) throw new Error("the queue is closing");
    const key = jobKey(webhook);
    const seq = ++this.#seq;
    const entry: Entry = {
      key,
      seq,
      readyAt: 0,
      // A copy, as Redis would store it: the job never shares objects with the delivery.
      job: {
        id: webhook.id,
        name: webhook.name,
        payload: structuredClone(webhook.payload),
        jobId: `m${seq}`,
        key,
        attempt: 1,
        stalls: 0,
      },
    };
    const result: AddResult = { jobId: entry.job.jobId, replaced: [] };
    const cover = this.#queued.find((o) => supersedes(o, entry));
    if (cover) {
      result.coalescedInto = cover.job.id;
    } else {
      for (let i = this.#queued.length - 1; i >= 0; i--) {
        const o = this.#queued[i]!;
        if (supersedes(entry, o)) {
          this.#queued.splice(i, 1);
          result.replaced.unshift(o.job.id);
        }
      }
      this.#queued.push(entry);
    }
    logCoalesced(this.#log, webhook, key, result);
    this.#pump();
    return result;
  }

  work(handlers: JobHandlers): void {
    this.#handlers = handlers;
    this.#pump();
  }

  /** Jobs queued or running (for tests and the drain log). */
  get size(): number {
    return this.#queued.length + this.#running.size;
  }

  async close(): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#timer);
    if (this.#running.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = await Promise.race([
        Promise.allSettled([...this.#running]).then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), this.policy.drainMs);
        }),
      ]);
      clearTimeout(timer);
      if (gaveUp)
        this.#log.warn(
          { running: this.#running.size },
          `jobs still running after ${this.policy.drainMs} ms of draining: abandoned`,
        );
    }
    if (this.#queued.length > 0)
      this.#log.warn(
        { deliveries: this.#queued.map((e) => e.job.id) },
        "queued deliveries dropped at shutdown (in-memory queue)",
      );
    this.#queued.length = 0;
  }

  #pump(): void {
    const handlers = this.#handlers;
    if (!handlers || this.#closing) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const now = Date.now();
    let nextReady = Infinity;
    // A group with a running job, or whose oldest job waits for its retry, keeps its order.
    const blocked = new Set(this.#runningGroups);
    for (let i = 0; i < this.#queued.length && this.#running.size < this.policy.concurrency;) {
      const e = this.#queued[i]!;
      if (blocked.has(e.key.group)) {
        i++;
      } else if (e.readyAt > now) {
        nextReady = Math.min(nextReady, e.readyAt);
        blocked.add(e.key.group);
        i++;
      } else {
        this.#queued.splice(i, 1);
        blocked.add(e.key.group);
        this.#start(e, handlers);
      }
    }
    if (nextReady < Infinity)
      this.#timer = setTimeout(() => this.#pump(), Math.max(0, nextReady - Date.now()));
  }

  readonly #runningGroups = new Set<string>();

  #start(e: Entry, handlers: JobHandlers): void {
    this.#runningGroups.add(e.key.group);
    const run = (async () => {
      try {
        const r = await runAttempt(e.job, handlers, this.policy);
        if (r.outcome === "retry") {
          const delay = retryDelay(this.policy, e.job.attempt);
          this.#log.warn(
            { id: e.job.id, attempt: e.job.attempt, err: r.error, retryInMs: delay },
            "job failed: retrying",
          );
          e.job = { ...e.job, attempt: e.job.attempt + 1 };
          e.readyAt = Date.now() + delay;
          this.#insert(e);
        }
      } catch (err) {
        this.#log.error({ id: e.job.id, err }, "job failed and its checks could not be ended");
      }
    })();
    this.#running.add(run);
    void run.finally(() => {
      this.#running.delete(run);
      this.#runningGroups.delete(e.key.group);
      this.#pump();
    });
  }

  /** Back in arrival order; a queued job that covers it makes the retry unnecessary. */
  #insert(e: Entry): void {
    const cover = this.#queued.find((o) => supersedes(o, e));
    if (cover) {
      this.#log.info({ id: e.job.id, into: cover.job.id }, "coalesced");
      return;
    }
    for (let i = this.#queued.length - 1; i >= 0; i--) {
      if (supersedes(e, this.#queued[i]!)) {
        const [o] = this.#queued.splice(i, 1);
        this.#log.info({ id: o!.job.id, into: e.job.id }, "coalesced");
      }
    }
    const at = this.#queued.findIndex((o) => o.seq > e.seq);
    this.#queued.splice(at < 0 ? this.#queued.length : at, 0, e);
  }
}
