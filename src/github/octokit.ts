/**
 * The API client of one webhook delivery, with this app's policy for a GitHub that fails: which
 * failures are retried and how often, how long a rate limit may hold a request, when a request
 * without an answer is given up, and that a 2xx answer with a broken JSON body is a failure, not
 * data.
 *
 * Probot builds its clients before the app is loaded, and `probot run` offers no way to pass them
 * Octokit options; its defaults retry 5xx answers but never a secondary rate limit, wait for a
 * primary rate limit whatever its reset time, and let a request without an answer wait forever.
 * So each delivery's client is built again from the class Probot uses (same credentials, token
 * cache and base URL) with the retry and throttling plugins configured here.
 *
 * Check-run writes are the exception: GitHub has no idempotency keys, so their writer retries
 * them itself with this policy (retriesOf), asking first whether a lost attempt took effect.
 */
import Bottleneck from "bottleneck";
import type { GitHubClient } from "./client.js";

export type FetchLike = (url: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface RequestPolicy {
  /** Retries of a request after a 5xx answer, a network error, no answer in time or malformed JSON. */
  retries: number;
  /** Retry n waits n² times this (1 s, 4 s, 9 s by default). */
  retryDelayMs: number;
  /** A request without its complete answer after this long is abandoned (and retried). */
  requestTimeoutMs: number;
  /**
   * A rate limit's wait (`retry-after`, or until the primary limit resets) is accepted up to this
   * many seconds; a longer one fails the request at once.
   */
  maxRateLimitWaitSeconds: number;
  /** Rate-limited retries of one request. */
  rateLimitRetries: number;
  /** Length of one second of a rate-limit wait (tests shrink it). */
  rateLimitSecondMs: number;
  /**
   * Least time between two writes of one installation. Unset: the throttling plugin's own limiter
   * (one second, as GitHub asks, shared between replicas through Redis when REDIS_URL is set).
   */
  writeIntervalMs?: number;
}

export const DEFAULT_REQUEST_POLICY: RequestPolicy = {
  retries: 3,
  retryDelayMs: 1000,
  requestTimeoutMs: 30_000,
  maxRateLimitWaitSeconds: 60,
  rateLimitRetries: 2,
  rateLimitSecondMs: 1000,
};

/**
 * Not retried by the retry plugin: answers that will not change by asking again, and 429 and 403,
 * which the throttling plugin handles (with the wait GitHub asked for) when they are rate limits.
 */
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];

/** Each client's policy, for the requests that retry themselves (see retriesOf). */
const policies = new WeakMap<GitHubClient, RequestPolicy>();

/**
 * The retries of a client built by createClientFactory (the defaults for any other): for the
 * check-run writes, which are sent with `request: { retries: 0 }` and retried by their writer
 * (src/github/checks/uncertain-writes.ts), which first asks GitHub whether a lost attempt took
 * effect. Same attempts, same waits, same failures retried as the retry plugin's.
 */
export function retriesOf(octokit: GitHubClient): {
  retries: number;
  /** The wait before retry n (1, 2, …): n² times the policy's base, as the plugin waits. */
  waitMs(retry: number): number;
  /**
   * Whether the plugin would retry this error: an answer of status ≥ 400 not in DO_NOT_RETRY (5xx
   * mostly), or no complete answer (network error, time-out, malformed body: Octokit says 500).
   */
  retryable(err: unknown): boolean;
} {
  const policy = policies.get(octokit) ?? DEFAULT_REQUEST_POLICY;
  return {
    retries: policy.retries,
    waitMs: (retry) => retry * retry * policy.retryDelayMs,
    retryable: isRetried,
  };
}

/** The retry plugin's test (errorRequest): a RequestError of status ≥ 400 not in DO_NOT_RETRY. */
function isRetried(err: unknown): boolean {
  if (typeof err !== "object" || err === null || !("request" in err)) return false;
  const status = (err as { status?: unknown }).status;
  return typeof status === "number" && status >= 400 && !DO_NOT_RETRY.includes(status);
}

/** A request that got no complete answer in time (its RequestError has it as `cause`). */
export class RequestTimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${seconds(ms)}`);
    this.name = "RequestTimeoutError";
  }
}

/** A 2xx answer whose JSON body does not parse (cut off, or not JSON at all). */
export class MalformedResponseError extends Error {
  constructor(readonly status: number) {
    super(`GitHub answered HTTP ${status} with a body that is not valid JSON`);
    this.name = "MalformedResponseError";
  }
}

/**
 * fetch with a time limit covering the whole answer, body included, and JSON bodies checked.
 * Errors thrown here become RequestErrors with status 500 (Octokit wraps fetch failures), which
 * the retry plugin retries. The body is read here, inside the time limit: a body cut off by the
 * limit must not reach the app as an empty file.
 */
export function policyFetch(timeoutMs: number, inner?: FetchLike): FetchLike {
  return async (url, init = {}) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    try {
      const res = await (inner ?? globalThis.fetch)(url, { ...init, signal });
      const body = await res.arrayBuffer();
      // 204 and 205 have no body by definition (Octokit does not read them).
      if (
        res.ok &&
        res.status !== 204 &&
        res.status !== 205 &&
        isJson(res.headers.get("content-type"))
      ) {
        try {
          JSON.parse(new TextDecoder().decode(body));
        } catch {
          throw new MalformedResponseError(res.status);
        }
      }
      const out = new Response(body.byteLength > 0 ? body : null, {
        status: res.status,
        statusText: res.statusText,
        headers: res.headers,
      });
      Object.defineProperty(out, "url", { value: res.url });
      return out;
    } catch (err) {
      if (timeout.aborted && !init.signal?.aborted) throw new RequestTimeoutError(timeoutMs);
      throw err;
    }
  };
}

/** The bodies Octokit parses as JSON (and hands to the app as text when they do not parse). */
function isJson(contentType: string | null): boolean {
  return /^\s*application\/(?:scim\+)?json\s*(?:;|$)/i.test(contentType ?? "");
}

/** Whether to wait out a rate limit of `retryAfter` seconds, on the request's retry `count`. */
export function acceptsRateLimitWait(
  policy: RequestPolicy,
  retryAfter: number,
  count: number,
): boolean {
  return (
    Number.isFinite(retryAfter) &&
    retryAfter <= policy.maxRateLimitWaitSeconds &&
    count < policy.rateLimitRetries
  );
}

interface LimitedRequest {
  method: string;
  url: string;
}

/**
 * `WRITE_INTERVAL_MS`: the least time between two writes of one installation (unset: the
 * throttling plugin's one second, as GitHub asks, shared between replicas through Redis; when
 * set, each process paces its own). Lower it only where the server allows (a GitHub
 * Enterprise Server without secondary rate limits) or in tests. A value that is not a whole
 * number of milliseconds stops the process, naming the variable.
 */
export function writeIntervalFromEnv(env: NodeJS.ProcessEnv): {
  requests?: { writeIntervalMs: number };
} {
  const raw = env.WRITE_INTERVAL_MS;
  if (raw === undefined || raw === "") return {};
  if (!/^\d{1,6}$/.test(raw))
    throw new Error(
      `WRITE_INTERVAL_MS must be a whole number of milliseconds (the least time between two writes), not "${raw}"`,
    );
  return { requests: { writeIntervalMs: Number(raw) } };
}

/** Builds each delivery's client; one factory per app, so its write limiter is shared. */
export function createClientFactory(
  overrides: Partial<RequestPolicy> = {},
): (context: { octokit: GitHubClient; payload: unknown }) => GitHubClient {
  const policy: RequestPolicy = { ...DEFAULT_REQUEST_POLICY, ...overrides };
  const write =
    policy.writeIntervalMs === undefined
      ? undefined
      : new Bottleneck.Group({ maxConcurrent: 1, minTime: policy.writeIntervalMs });
  const onLimit =
    (kind: string) =>
    (retryAfter: number, options: LimitedRequest, octokit: GitHubClient, count: number) => {
      const wait = acceptsRateLimitWait(policy, retryAfter, count);
      octokit.log.warn(
        `${kind} rate limit on ${options.method} ${options.url}: GitHub asks to wait ${retryAfter} s; ${
          wait
            ? "waiting"
            : `not waiting (the app waits at most ${policy.maxRateLimitWaitSeconds} s, ${policy.rateLimitRetries} times per request)`
        }`,
      );
      return wait;
    };

  return ({ octokit, payload }) => {
    const installationId = (payload as { installation?: { id?: unknown } }).installation?.id;
    // Without an installation Probot's client is unauthenticated and says why on first use.
    if (typeof installationId !== "number") return octokit;
    const Client = octokit.constructor as new (options: Record<string, unknown>) => GitHubClient;
    const requestDefaults = octokit.request.endpoint.DEFAULTS.request as
      { fetch?: FetchLike } | undefined;
    const client = new Client({
      log: octokit.log,
      auth: { installationId },
      request: {
        ...requestDefaults,
        fetch: policyFetch(policy.requestTimeoutMs, requestDefaults?.fetch),
      },
      retry: {
        enabled: true,
        retries: policy.retries,
        retryAfterBaseValue: policy.retryDelayMs,
        doNotRetry: DO_NOT_RETRY,
      },
      throttle: {
        enabled: true,
        // Writes are paced per installation (GitHub's guidance is per user or app installation).
        id: String(installationId),
        retryAfterBaseValue: policy.rateLimitSecondMs,
        onSecondaryRateLimit: onLimit("secondary"),
        onRateLimit: onLimit("primary"),
        ...(write ? { write } : {}),
      },
    });
    policies.set(client, policy);
    return client;
  };
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
