/**
 * The queue between webhook intake and evaluation. Two implementations behave alike: MemoryQueue
 * (in the server process, when REDIS_URL is unset) and RedisQueue (BullMQ; `npm run worker` on
 * any number of machines). Both:
 *
 * - coalesce: a job dropped for a queued job of its group that covers it (job.ts, supersedes);
 * - run the jobs of one group one at a time, so a burst waits as one queued job, not many;
 * - retry a failing job `attempts` times with a growing delay, then hand it to `failed`, which
 *   ends its checks `failure` with the reason (process.ts);
 * - give up on a job whose worker died `maxStalls` times (RedisQueue only: a memory queue dies
 *   with its process) the same way, so a job that crashes workers cannot stay forever;
 * - drain on close: no new job starts, running ones get `drainMs` to finish.
 */
import type { JobKey, WebhookJob } from "./job.js";

export interface QueuedJob extends WebhookJob {
  /** The queue's own id of this job. */
  jobId: string;
  key: JobKey;
  /** 1 for the first run, 2 for the first retry… */
  attempt: number;
  /** Times a worker died while running it. */
  stalls: number;
}

export interface JobHandlers {
  /** Runs the job; throwing fails this attempt. */
  run(job: QueuedJob): Promise<void>;
  /** The job will not be run again: end its checks with the reason. */
  failed(job: QueuedJob, reason: unknown): Promise<void>;
}

export interface AddResult {
  jobId: string;
  /** The delivery ids of queued jobs this one replaced. */
  replaced: string[];
  /** Set when this delivery was not queued: the delivery id of the queued job that covers it. */
  coalescedInto?: string;
}

export interface QueuePolicy {
  /** Runs of a failing job, the first included. */
  attempts: number;
  /** Retry n waits n² times this. */
  retryDelayMs: number;
  /** Jobs one worker process runs at once. */
  concurrency: number;
  /** A job running longer is failed (its checks end `failure`); its slot is freed. */
  jobTimeoutMs: number;
  /** A job whose worker died this many times is failed instead of run again (Redis only). */
  maxStalls: number;
  /** close() waits this long for running jobs before giving up on them. */
  drainMs: number;
}

export const DEFAULT_QUEUE_POLICY: QueuePolicy = {
  attempts: 3,
  retryDelayMs: 5000,
  concurrency: 8,
  // The evaluation stops at 10 minutes; writing its result is bounded by the request policy.
  jobTimeoutMs: 15 * 60 * 1000,
  maxStalls: 2,
  drainMs: 60_000,
};

export interface JobQueue {
  /** Queues a delivery (or drops it for a queued job that covers it). */
  add(job: WebhookJob): Promise<AddResult>;
  /** Starts running jobs with `handlers` (a worker). */
  work(handlers: JobHandlers): void;
  /** Stops taking jobs, waits for running ones up to policy.drainMs, releases connections. */
  close(): Promise<void>;
}

export class JobTimeoutError extends Error {
  constructor(ms: number) {
    super(`the job did not finish within ${Math.round(ms / 1000)} s`);
    this.name = "JobTimeoutError";
  }
}

export class WorkerDiedError extends Error {
  constructor(stalls: number) {
    super(
      `the worker running this evaluation stopped ${stalls} times before finishing it (crashed, killed or out of memory); it is not tried again`,
    );
    this.name = "WorkerDiedError";
  }
}

/** The delay before retry `attempt` (1-based: the wait after the first run failed is retry 1). */
export function retryDelay(policy: QueuePolicy, retry: number): number {
  return retry * retry * policy.retryDelayMs;
}

/**
 * One run of a job: "done" when it succeeded or was handed to `failed` (no more runs), "retry"
 * when it failed and may run again. Shared by both queues, so they fail jobs the same way.
 */
export async function runAttempt(
  job: QueuedJob,
  handlers: JobHandlers,
  policy: QueuePolicy,
): Promise<{ outcome: "done" } | { outcome: "retry"; error: unknown }> {
  if (job.stalls >= policy.maxStalls) {
    await handlers.failed(job, new WorkerDiedError(job.stalls));
    return { outcome: "done" };
  }
  try {
    await withTimeout(handlers.run(job), policy.jobTimeoutMs);
    return { outcome: "done" };
  } catch (error) {
    if (job.attempt < policy.attempts) return { outcome: "retry", error };
    await handlers.failed(job, error);
    return { outcome: "done" };
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    // Never what keeps a process alive: the work itself does, or nothing.
    timer = setTimeout(() => reject(new JobTimeoutError(ms)), ms).unref();
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
