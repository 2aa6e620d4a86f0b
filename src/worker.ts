#!/usr/bin/env node
/**
 * `npm run worker`: evaluates the webhook deliveries the server queued in Redis (REDIS_URL), with
 * the same app handlers `npm start` runs without Redis. Run any number, on any machines that
 * reach Redis and GitHub; each runs WORKER_CONCURRENCY jobs and WORKER_REPLAY_CONCURRENCY sandbox
 * replays at once. SIGTERM or SIGINT: no new job starts, running ones get WORKER_DRAIN_SECONDS.
 */
import { existsSync } from "node:fs";
import { createProbot } from "probot";
import { queueSettingsFromEnv } from "./queue/config.js";
import { probotJobHandlers } from "./queue/process.js";
import { RedisInFlight } from "./queue/in-flight-redis.js";
import { RedisQueue } from "./queue/redis.js";
import { Redis } from "ioredis";
import { drainOnSignals } from "./queue/shutdown.js";
import { appDatabasesFromEnv } from "./replay/external/select.js";
import { setSandboxConcurrency } from "./replay/run-in-worker.js";

async function main(): Promise<void> {
  // As `probot run` does: a .env in the working directory fills in what the environment lacks.
  if (existsSync(".env")) process.loadEnvFile(".env");
  const env = process.env;
  const settings = queueSettingsFromEnv(env);
  if (settings.redisUrl === null) {
    throw new Error(
      "REDIS_URL is not set: the worker runs jobs the server queued in Redis (without REDIS_URL the server evaluates in its own process)",
    );
  }
  const replayDatabases = appDatabasesFromEnv(env);
  if (!env.APP_ID || !/^\d+$/.test(env.APP_ID))
    throw new Error("APP_ID must be the GitHub App's id");
  // Loaded here, not at the top: app.js checks the environment when it loads, and a bad value
  // must end in this function's message and exit code.
  const {
    createApp,
    enforcementCacheFromEnv,
    gitObjectCacheFromEnv,
    pendingAfterFromEnv,
    writeIntervalFromEnv,
  } = await import("./app.js");
  const probot = createProbot({ env: { LOG_LEVEL: "info", ...env } });
  // Evaluations in progress, seen by every worker: what lets a repeated blocking result go
  // unwritten (github/checks/in-flight.ts). Its own connection, with a short command timeout:
  // a step that cannot reach Redis fails closed (the block is written, no pass is).
  const inFlight = new RedisInFlight(
    new Redis(settings.redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 5_000 }).on(
      "error",
      (err: unknown) => probot.log.error({ err }, "Redis connection error (in-flight registry)"),
    ),
    { onError: (err, step) => probot.log.warn({ err, step }, "in-flight registry unreachable") },
  );
  // Branch protection, rulesets and verified git objects are remembered per worker process
  // (enforcement-cache.ts, git-object-cache.ts).
  await probot.load(
    createApp({
      replayDatabases,
      inFlight,
      ...pendingAfterFromEnv(env),
      ...enforcementCacheFromEnv(env),
      ...gitObjectCacheFromEnv(env),
      ...writeIntervalFromEnv(env),
    }),
  );
  setSandboxConcurrency(settings.replayConcurrency);
  const queue = new RedisQueue({
    url: settings.redisUrl,
    policy: settings.policy,
    lockMs: settings.lockMs,
    log: probot.log,
  });
  queue.work(probotJobHandlers(probot));
  await queue.ready();
  probot.log.info(
    {
      concurrency: settings.policy.concurrency,
      replayConcurrency: settings.replayConcurrency,
      attempts: settings.policy.attempts,
    },
    "worker ready",
  );

  drainOnSignals(probot.log, queue);
}

main().catch((err: unknown) => {
  console.error(`migration-warden worker: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
});
