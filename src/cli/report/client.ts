/**
 * The CLI's GitHub client for reports: @octokit/rest with the retry and throttling plugins, a
 * token from GITHUB_TOKEN (or GH_TOKEN), GitHub Enterprise Server through GITHUB_API_URL, and
 * rate limits waited out with a line on stderr (a report over a long range may need the next
 * hour's budget; it says so instead of failing half way).
 */
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import type { GitHubClient } from "../../github/client.js";
import { TOOL } from "../../version.js";

const ReportOctokit = Octokit.plugin(retry, throttling);

export interface ClientOptions {
  token: string;
  /** REST API root: https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server. */
  baseUrl: string;
  /** Progress and rate-limit notes. */
  note: (line: string) => void;
  /** Longest rate-limit wait accepted, in seconds (default: one hour, GitHub's reset period). */
  maxWaitSeconds?: number;
  /** Retries of a request that failed with a 5xx or a network error. */
  retries?: number;
  /** Length of one second of a wait (tests shrink it). */
  secondMs?: number;
}

/** Not retried: answers that asking again will not change; rate limits go to the throttler. */
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];

export function reportClient(opts: ClientOptions): GitHubClient {
  const maxWait = opts.maxWaitSeconds ?? 3600;
  const onLimit =
    (kind: string) =>
    (retryAfter: number, options: { method: string; url: string }, _o: unknown, count: number) => {
      if (retryAfter > maxWait || count >= 3) {
        opts.note(
          `${kind} rate limit on ${options.method} ${options.url}: GitHub asks to wait ${retryAfter} s; giving up`,
        );
        return false;
      }
      const until = new Date(Date.now() + retryAfter * 1000).toISOString();
      opts.note(`${kind} rate limit: waiting ${retryAfter} s (until ${until}), then continuing`);
      return true;
    };
  const octokit = new ReportOctokit({
    auth: opts.token,
    baseUrl: opts.baseUrl.replace(/\/+$/, ""),
    userAgent: `${TOOL.name}/${TOOL.version} (report)`,
    retry: { doNotRetry: DO_NOT_RETRY, retries: opts.retries ?? 3 },
    throttle: {
      retryAfterBaseValue: opts.secondMs ?? 1000,
      onRateLimit: onLimit("API"),
      onSecondaryRateLimit: onLimit("secondary"),
    },
    // Nothing but the report on stdout: Octokit's warnings (deprecations) go to the progress
    // stream; failed requests are reported by the caller, once, with what they mean.
    log: {
      debug: () => {},
      info: () => {},
      warn: (m: string) => opts.note(m),
      error: () => {},
    },
  });
  // The app's readers (src/github/) take Probot's client type; they use only the REST methods
  // and pagination that this client has too.
  return octokit as unknown as GitHubClient;
}
