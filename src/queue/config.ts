/**
 * Queue settings from the environment, shared by the server (`npm start`) and the worker
 * (`npm run worker`). An invalid value stops the process at start-up, naming the variable.
 */
import { DEFAULT_QUEUE_POLICY, type QueuePolicy } from "./queue.js";

export interface QueueSettings {
  /** Set: jobs go to Redis and `npm run worker` runs them. Unset: in-process queue. */
  redisUrl: string | null;
  policy: QueuePolicy;
  /** Sandbox replays at once per process. */
  replayConcurrency: number;
  /**
   * A running job's lock (renewed while its worker lives): a dead worker's job runs again about
   * this long after it died.
   */
  lockMs: number;
}

function integer(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, not "${raw}"`);
  }
  return n;
}

export function queueSettingsFromEnv(env: NodeJS.ProcessEnv): QueueSettings {
  const url = env.REDIS_URL?.trim() || null;
  if (url !== null) {
    let protocol: string;
    try {
      protocol = new URL(url).protocol;
    } catch {
      throw new Error("REDIS_URL must be a URL such as redis://host:6379 (it does not parse)");
    }
    if (protocol !== "redis:" && protocol !== "rediss:") {
      throw new Error(`REDIS_URL must start with redis:// or rediss://, not ${protocol}//`);
    }
  }
  const d = DEFAULT_QUEUE_POLICY;
  return {
    redisUrl: url,
    policy: {
      ...d,
      concurrency: integer(env, "WORKER_CONCURRENCY", d.concurrency, 1, 1000),
      attempts: integer(env, "QUEUE_ATTEMPTS", d.attempts, 1, 20),
      drainMs: integer(env, "WORKER_DRAIN_SECONDS", d.drainMs / 1000, 0, 3600) * 1000,
    },
    replayConcurrency: integer(env, "WORKER_REPLAY_CONCURRENCY", 1, 1, 64),
    lockMs: integer(env, "WORKER_LOCK_SECONDS", 30, 1, 3600) * 1000,
  };
}
