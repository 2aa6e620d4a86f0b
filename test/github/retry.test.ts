/**
 * The request policy (src/github/octokit.ts): what is retried, how rate limits are waited out,
 * and where the app stops waiting and fails closed. Waits are shrunk to milliseconds (a second of
 * retry-after is 1 ms here); what the app decided to wait is read from its log.
 */
import { describe, expect, test } from "@jest/globals";
import {
  acceptsRateLimitWait,
  DEFAULT_REQUEST_POLICY,
  MalformedResponseError,
  policyFetch,
  RequestTimeoutError,
} from "../../src/github/octokit.js";
import {
  APPROVAL,
  ATTEMPTS,
  helloWorld,
  LINT,
  mergedMigrations,
  pullRequestEvent,
  type Harness,
  type LogLine,
  readByRest,
  useHarness,
} from "./harness.js";

let h: Harness;
const log: LogLine[] = [];
useHarness(
  (created) => {
    h = created;
    log.length = 0;
    // The file list, whose REST read these tests fail, is not taken from the first query.
    readByRest(h.fake, "files");
  },
  { app: { replay: false, requests: { requestTimeoutMs: 1500 } }, log, throttle: true },
);

const FILES = /\/pulls\/2\/files$/;
/** The same request, with its query (as hold() and drop() see it). */
const FILES_URI = /\/pulls\/2\/files(\?|$)/;
const SECONDARY = "You have exceeded a secondary rate limit. Please wait a few minutes.";

/** A pull request adding one clean migration pair: lint passes, the approval waits. */
async function review(): Promise<{ lint: string | null; approval: string | null }> {
  const { repo, number } = helloWorld(h.fake, mergedMigrations(1), {
    "migrations/0002_t2.up.sql": "CREATE TABLE t2 (id bigint PRIMARY KEY);\n",
    "migrations/0002_t2.down.sql": "SELECT 1;\n",
  });
  await h.receive("pull_request", pullRequestEvent("opened", repo, number));
  const [lint, approval] = [h.runs(LINT), h.runs(APPROVAL)].map((r) => r.at(-1)!);
  expect([lint!.status, approval!.status]).toEqual(["completed", "completed"]);
  return { lint: lint!.conclusion, approval: approval!.conclusion };
}

const HEALTHY = { lint: "success", approval: "action_required" };

/** The file list is answered with a rate limit (a secondary one unless `message` says otherwise). */
function rateLimited(
  status: number,
  headers: Record<string, string>,
  { message = SECONDARY, times = 1 } = {},
): void {
  h.fake.failNext({ method: "GET", path: FILES, status, message, headers, times });
}

const PRIMARY = "API rate limit exceeded for installation ID 1.";
/** A primary rate limit's headers, resetting in `seconds`. */
const exhausted = (seconds: number) => ({
  "x-ratelimit-remaining": "0",
  "x-ratelimit-reset": String(Math.ceil(Date.now() / 1000) + seconds),
});

function statuses(path: RegExp): number[] {
  return h.fake.requests.filter((r) => path.test(r.path)).map((r) => r.status);
}

function reasons(): string[] {
  return h.fake.checkRuns.map((r) => r.output.summary ?? "");
}

function limitLog(): string[] {
  return log.filter((l) => l.level === "warn" && /rate limit on/.test(l.msg)).map((l) => l.msg);
}

describe("retried", () => {
  test("a transient 502, then 200: the review succeeds after one retry", async () => {
    h.fake.failNext({ method: "GET", path: FILES, status: 502, message: "Bad Gateway" });
    expect(await review()).toEqual(HEALTHY);
    expect(statuses(FILES)).toEqual([502, 200]);
  });

  test("a dropped connection: the request is sent again", async () => {
    const dropped = h.drop("GET", FILES_URI);
    expect(await review()).toEqual(HEALTHY);
    expect([dropped.count, statuses(FILES)]).toEqual([1, [200]]);
  });

  test("a secondary rate limit with retry-after 2 s: waits that long and succeeds", async () => {
    rateLimited(403, { "retry-after": "2" });
    expect(await review()).toEqual(HEALTHY);
    expect(statuses(FILES)).toEqual([403, 200]);
    expect(limitLog()).toEqual([
      expect.stringMatching(
        /^secondary rate limit on GET https:\/\/api\.github\.com\/repos\/Codertocat\/Hello-World\/pulls\/2\/files\?per_page=100: GitHub asks to wait 2 s; waiting$/,
      ),
    ]);
  });

  test("a secondary rate limit answered with 429 is handled the same way", async () => {
    rateLimited(429, { "retry-after": "1" });
    expect(await review()).toEqual(HEALTHY);
    expect(statuses(FILES)).toEqual([429, 200]);
    expect(limitLog()).toHaveLength(1);
  });

  test("a primary rate limit that resets within the minute is waited out", async () => {
    rateLimited(403, exhausted(5), { message: PRIMARY });
    expect(await review()).toEqual(HEALTHY);
    expect(statuses(FILES)).toEqual([403, 200]);
    expect(limitLog()).toEqual([expect.stringMatching(/^primary rate limit on .*; waiting$/)]);
  });

  test("a malformed JSON answer is a failed request, retried", async () => {
    h.fake.failNext({ method: "GET", path: FILES, status: 200, body: '[{"sha": "12' });
    expect(await review()).toEqual(HEALTHY);
    expect(statuses(FILES)).toEqual([200, 200]);
  });

  test("no answer within the time limit: the request is abandoned and sent again", async () => {
    const held = h.hold("GET", FILES_URI, { times: 1 });
    expect(await review()).toEqual(HEALTHY);
    // The held request never reached the fake; its retry did.
    expect([held.count, statuses(FILES)]).toEqual([1, [200]]);
  });
});

describe("fails closed", () => {
  const failed = { lint: "failure", approval: "failure" };

  test("a rate limit longer than the app waits: no wait, no retry, the reason says why", async () => {
    rateLimited(403, { "retry-after": "3600" });
    expect(await review()).toEqual(failed);
    expect(statuses(FILES)).toEqual([403]);
    expect(limitLog()).toEqual([
      expect.stringMatching(
        /GitHub asks to wait 3600 s; not waiting \(the app waits at most 60 s, 2 times per request\)$/,
      ),
    ]);
    expect(reasons()[0]).toContain(
      "**Reason:** GitHub API error: GET /repos/Codertocat/Hello-World/pulls/2/files answered HTTP 403: You have exceeded a secondary rate limit. Please wait a few minutes. (GitHub's secondary rate limit: GitHub asked to wait 3600 s, longer than the app waits; re-run the check later)",
    );
  });

  test("a secondary rate limit that keeps coming: two waits, then failure", async () => {
    rateLimited(403, { "retry-after": "1" }, { times: 10 });
    expect(await review()).toEqual(failed);
    expect(statuses(FILES)).toEqual([403, 403, 403]);
    expect(limitLog().map((l) => l.split("; ")[1])).toEqual([
      "waiting",
      "waiting",
      "not waiting (the app waits at most 60 s, 2 times per request)",
    ]);
  });

  test("a primary rate limit that resets in an hour", async () => {
    const headers = exhausted(3600);
    const reset = Number(headers["x-ratelimit-reset"]);
    rateLimited(403, headers, { message: PRIMARY });
    expect(await review()).toEqual(failed);
    expect(statuses(FILES)).toEqual([403]);
    expect(reasons()[0]).toContain(
      `(GitHub's API rate limit: GitHub asked to wait until ${new Date(reset * 1000).toISOString()}, longer than the app waits; re-run the check later)`,
    );
  });

  test("a 5xx that persists: the first request and three retries, then failure", async () => {
    h.fake.failNext({ method: "GET", path: FILES, status: 503, times: ATTEMPTS });
    expect(await review()).toEqual(failed);
    // The documented policy: a request and three retries (docs/security.md).
    expect(statuses(FILES)).toEqual([503, 503, 503, 503]);
  });

  test("a 5xx on every attempt but the last: the last retry's answer is used", async () => {
    h.fake.failNext({ method: "GET", path: FILES, status: 503, times: ATTEMPTS - 1 });
    expect(await review()).toEqual(HEALTHY);
    expect(statuses(FILES)).toEqual([503, 503, 503, 200]);
  });

  test("GitHub never answers: each attempt is abandoned at the time limit, then failure", async () => {
    const held = h.hold("GET", FILES_URI);
    expect(await review()).toEqual(failed);
    expect(held.count).toBe(ATTEMPTS);
    expect(reasons()[0]).toContain(
      "**Reason:** GitHub did not answer GET /repos/Codertocat/Hello-World/pulls/2/files: no answer within 1.5 s (re-run the check)",
    );
  });

  test("malformed JSON that persists", async () => {
    h.fake.failNext({ method: "GET", path: FILES, status: 200, body: "<html>", times: ATTEMPTS });
    expect(await review()).toEqual(failed);
    expect(reasons()[0]).toContain(
      "**Reason:** GitHub API error: GET /repos/Codertocat/Hello-World/pulls/2/files: GitHub answered HTTP 200 with a body that is not valid JSON (re-run the check)",
    );
  });

  test.each([404, 410, 422])("HTTP %i is final: not sent again", async (status) => {
    h.fake.failNext({ method: "GET", path: FILES, status, times: ATTEMPTS });
    expect(await review()).toEqual(failed);
    expect(statuses(FILES)).toEqual([status]);
  });
});

describe("policyFetch", () => {
  const json = { "content-type": "application/json; charset=utf-8" };

  test("a body still arriving at the time limit is a timeout, never a short body", async () => {
    const stalled = (_url: unknown, init?: RequestInit) =>
      Promise.resolve(
        new Response(
          new ReadableStream({
            start(c) {
              c.enqueue(new TextEncoder().encode("directories:\n"));
              init?.signal?.addEventListener("abort", () => c.error(init.signal!.reason));
            },
          }),
          { headers: { "content-type": "text/plain" } },
        ),
      );
    await expect(policyFetch(20, stalled)("https://x.test/")).rejects.toThrow(
      new RequestTimeoutError(20),
    );
  });

  test("JSON bodies are checked, other bodies pass through unchanged", async () => {
    const answer = (body: string, headers: Record<string, string>) => () =>
      Promise.resolve(new Response(body, { status: 200, headers }));
    await expect(policyFetch(1000, answer("{", json))("https://x.test/")).rejects.toThrow(
      MalformedResponseError,
    );
    const vnd = { "content-type": "application/vnd.github+json" };
    await expect(
      policyFetch(1000, answer("not json", vnd))("https://x.test/").then((r) => r.text()),
    ).resolves.toBe("not json");
    const text = await policyFetch(
      1000,
      answer("{", { "content-type": "text/plain" }),
    )("https://x.test/");
    expect([text.status, await text.text()]).toEqual([200, "{"]);
    // Error answers are the app's to read, whatever their body.
    const error = await policyFetch(1000, () =>
      Promise.resolve(new Response("oops", { status: 502, headers: json })),
    )("https://x.test/");
    expect([error.status, await error.text()]).toEqual([502, "oops"]);
  });

  test("an answer without a body", async () => {
    const empty = await policyFetch(1000, () =>
      Promise.resolve(new Response(null, { status: 204, headers: json })),
    )("https://x.test/");
    expect([empty.status, await empty.text()]).toEqual([204, ""]);
  });
});

test("rate-limit waits are bounded in length and number", () => {
  const p = DEFAULT_REQUEST_POLICY;
  expect(
    [
      [60, 0],
      [61, 0],
      [1, 1],
      [1, 2],
      [Number.NaN, 0],
      [Number.POSITIVE_INFINITY, 0],
    ].map(([after, count]) => acceptsRateLimitWait(p, after!, count!)),
  ).toEqual([true, false, true, false, false, false]);
});
