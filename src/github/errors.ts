/** Errors the adapter raises itself, and readable text for any error shown in a check run. */
import { MalformedResponseError, RequestTimeoutError } from "./octokit.js";

/** Something about the repository or pull request that stops a reliable evaluation. */
export class EvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EvaluationError";
  }
}

interface RequestErrorLike {
  status: number;
  message: string;
  request?: { method?: string; url?: string };
  response?: { headers?: Record<string, string | undefined> };
  cause?: unknown;
}

function isRequestError(err: unknown): err is RequestErrorLike {
  return (
    typeof err === "object" &&
    err !== null &&
    typeof (err as { status?: unknown }).status === "number" &&
    typeof (err as { message?: unknown }).message === "string"
  );
}

/** The HTTP status of a failed GitHub request; null for any other error. */
export function httpStatus(err: unknown): number | null {
  return isRequestError(err) ? err.status : null;
}

/** One line a repository admin can act on; never a stack trace. */
export function describeError(err: unknown): string {
  if (isRequestError(err)) {
    const req = err.request;
    const where =
      req?.method && req.url ? `${req.method} ${pathOf(req.url)}` : "a GitHub API request";
    // Failures the request policy (octokit.ts) gave up on after its retries.
    if (err.cause instanceof RequestTimeoutError) {
      return `GitHub did not answer ${where}: ${err.cause.message} (re-run the check)`;
    }
    if (err.cause instanceof MalformedResponseError) {
      return `GitHub API error: ${where}: ${err.cause.message} (re-run the check)`;
    }
    const limit = rateLimit(err);
    if (limit) {
      return `GitHub API error: ${where} answered HTTP ${err.status}: ${firstLine(err.message)} (${limit})`;
    }
    const hint =
      err.status === 403 || err.status === 404
        ? " (check that the app is installed on this repository with the permissions in app.yml)"
        : err.status >= 500
          ? " (GitHub had a problem; re-run the check)"
          : "";
    return `GitHub API error: ${where} answered HTTP ${err.status}: ${firstLine(err.message)}${hint}`;
  }
  // Our own errors are written for the reader; others keep their type as a hint.
  if (err instanceof EvaluationError || (err instanceof Error && err.name === "Error")) {
    return firstLine(err.message);
  }
  if (err instanceof Error) return `${err.name}: ${firstLine(err.message)}`;
  return String(err);
}

/** Why a rate-limited request was not waited out, or null when it is no rate limit. */
function rateLimit(err: RequestErrorLike): string | null {
  const headers = err.response?.headers ?? {};
  const secondary = /\bsecondary rate limit/i.test(err.message);
  if (!secondary && headers["x-ratelimit-remaining"] !== "0") return null;
  const kind = secondary ? "GitHub's secondary rate limit" : "GitHub's API rate limit";
  const retryAfter = Number(headers["retry-after"]);
  const reset = Number(headers["x-ratelimit-reset"]);
  const wait =
    Number.isFinite(retryAfter) && retryAfter > 0
      ? `${retryAfter} s`
      : !secondary && Number.isFinite(reset) && reset > 0
        ? `until ${new Date(reset * 1000).toISOString()}`
        : null;
  return `${kind}${wait ? `: GitHub asked to wait ${wait}, longer than the app waits` : ""}; re-run the check later`;
}

function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return decodeURIComponent(u.pathname.replace(/^\/api\/v3(?=\/)/, ""));
  } catch {
    return url;
  }
}

function firstLine(s: string): string {
  const line = s.split("\n")[0] ?? s;
  return line.length > 500 ? `${line.slice(0, 500)}…` : line;
}
