/** Errors the adapter raises itself, and readable text for any error shown in a check run. */

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
