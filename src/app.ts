/**
 * The GitHub App (Probot). `npm start` runs it with `probot run ./lib/app.js`. createApp wires
 * events to handlers (the work happens in src/github/); the server's default export puts the
 * queue in front of them (src/queue/: in-process, or Redis and `npm run worker`).
 */
import type { ApplicationFunction } from "probot";
import {
  createHandlers,
  ELIGIBILITY_EVENTS,
  PULL_REQUEST_EVENTS,
  REVIEW_EVENTS,
} from "./github/events.js";
import { EnforcementCache, enforcementCacheFromEnv } from "./github/enforcement-cache.js";
import { GitObjectCache, gitObjectCacheFromEnv } from "./github/git-object-cache.js";
import type { InFlight } from "./github/checks/in-flight.js";
import { writeIntervalFromEnv, type RequestPolicy } from "./github/octokit.js";
import { appReplay } from "./github/replay.js";
import { appDatabasesFromEnv, type AppDatabases } from "./replay/external/select.js";
import { MemoryCache, type SnapshotCache } from "./replay/index.js";
import { queueSettingsFromEnv } from "./queue/config.js";
import { queuedApp } from "./queue/intake.js";
import { TOOL } from "./version.js";

export interface AppOptions {
  /** Limit for reading and analysing one pull request (default 10 minutes). */
  evaluationTimeoutMs?: number;
  /**
   * How long an evaluation may take before its check runs are shown in_progress (default 3 s;
   * quicker ones are written once, already completed). 0: always in_progress first.
   */
  pendingAfterMs?: number;
  /**
   * Run the change's migrations in the sandbox database (default true; `replay.enabled` in the
   * repository's config can still turn it off).
   */
  replay?: boolean;
  /** Bound of the in-memory cache of base states (default 256 MiB). */
  replayCacheBytes?: number;
  /**
   * The cache of base states itself (default: a new in-memory one bounded by replayCacheBytes).
   * The tests give each app a cache of its own that shares only fresh-database templates.
   */
  replayCache?: SnapshotCache;
  /**
   * Retries, rate-limit waits and time limits of GitHub API requests (default
   * DEFAULT_REQUEST_POLICY; docs/deployment.md describes it).
   */
  requests?: Partial<RequestPolicy>;
  /**
   * Database servers repositories may opt in to with `replay.databaseUrl: env` (default: none).
   * `npm start` reads them from REPLAY_DATABASE_URL_POSTGRES, REPLAY_DATABASE_URL_MYSQL and
   * REPLAY_DATABASE_OWNERS (docs/deployment.md).
   */
  replayDatabases?: AppDatabases;
  /**
   * How long branch protection and rulesets read for a base branch are used by later events of
   * the app (default 5 minutes; 0: read on every event). Only the approval run's note on whether
   * the gate is enforced comes from them (enforcement-cache.ts).
   */
  enforcementCacheMs?: number;
  /** The cache itself (default: a new one with enforcementCacheMs; tests pass a clock). */
  enforcementCache?: EnforcementCache;
  /**
   * Bytes of verified git objects (trees, blobs, commits' root trees) remembered by the process
   * for later events (default 64 MB; 0: none), so a repeated event reads none again.
   */
  gitObjectCacheBytes?: number;
  /** The cache itself (default: a new one bounded by gitObjectCacheBytes). */
  gitObjectCache?: GitObjectCache;
  /**
   * Evaluations in progress, shared by every process that writes the app's runs (the workers'
   * Redis registry); default: this process's own (github/checks/in-flight.ts).
   */
  inFlight?: InFlight;
}

export function createApp(options: AppOptions = {}): ApplicationFunction {
  return (app) => {
    const {
      replay = true,
      replayCacheBytes,
      replayCache,
      replayDatabases,
      enforcementCacheMs,
      enforcementCache,
      gitObjectCacheBytes,
      gitObjectCache,
      ...rest
    } = options;
    const gitObjects = gitObjectCache ?? new GitObjectCache(gitObjectCacheBytes);
    const handlers = createHandlers({
      ...rest,
      tool: TOOL,
      enforcement:
        enforcementCache ??
        new EnforcementCache(enforcementCacheMs === undefined ? {} : { ttlMs: enforcementCacheMs }),
      ...(gitObjects.maxBytes > 0 ? { gitObjects } : {}),
      ...(replay
        ? { dynamic: appReplay(replayCache ?? new MemoryCache(replayCacheBytes), replayDatabases) }
        : {}),
    });
    app.on([...PULL_REQUEST_EVENTS], handlers.pullRequest);
    app.on([...REVIEW_EVENTS], handlers.pullRequestReview);
    app.on("check_run.rerequested", handlers.checkRunRerequested);
    app.on("check_run.requested_action", handlers.checkRunRequestedAction);
    app.on("check_suite.rerequested", handlers.checkSuiteRerequested);
    app.on([...ELIGIBILITY_EVENTS], handlers.eligibilityChanged);
    app.on("push", handlers.push);
    app.on("merge_group.checks_requested", handlers.mergeGroupChecksRequested);
  };
}

/**
 * `CHECK_PENDING_AFTER_MS`: see AppOptions.pendingAfterMs (unset: the default). A value that is not
 * a whole number of milliseconds stops the process, naming the variable.
 */
export function pendingAfterFromEnv(env: NodeJS.ProcessEnv): { pendingAfterMs?: number } {
  const raw = env.CHECK_PENDING_AFTER_MS;
  if (raw === undefined || raw === "") return {};
  if (!/^\d{1,9}$/.test(raw))
    throw new Error(
      `CHECK_PENDING_AFTER_MS must be a whole number of milliseconds (0: check runs in_progress first), not "${raw}"`,
    );
  return { pendingAfterMs: Number(raw) };
}

export { enforcementCacheFromEnv, gitObjectCacheFromEnv, writeIntervalFromEnv };

// An invalid REPLAY_DATABASE_*, REDIS_URL, WORKER_*, CHECK_PENDING_AFTER_MS,
// ENFORCEMENT_CACHE_SECONDS, GIT_OBJECT_CACHE_MB or WRITE_INTERVAL_MS variable stops the server at startup, naming the variable.
export default queuedApp(
  createApp({
    replayDatabases: appDatabasesFromEnv(process.env),
    ...pendingAfterFromEnv(process.env),
    ...enforcementCacheFromEnv(process.env),
    ...gitObjectCacheFromEnv(process.env),
    ...writeIntervalFromEnv(process.env),
  }),
  {
    settings: queueSettingsFromEnv(process.env),
    handleSignals: true,
  },
);
