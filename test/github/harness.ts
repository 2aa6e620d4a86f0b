/**
 * Probot harness for the app tests. Every request Probot's Octokit sends to api.github.com goes
 * through the harness's fetch, which answers it in this process from an in-memory GitHub
 * (test/support/fake-github.mjs): real git object ids, real pagination, check runs that append
 * annotations like GitHub. No socket and no interceptor on the way (nock only refuses any real
 * network access), so a review costs milliseconds. Tests assert the
 * exact requests sent and the exact check-run bodies, and every check-run body is validated
 * against GitHub's OpenAPI schema (a failure answers HTTP 422 and shows up in the run).
 */
import { afterEach, beforeEach, expect } from "@jest/globals";
import nock from "nock";
import { Probot, ProbotOctokit, type Logger } from "probot";
import { createApp, type AppOptions } from "../../src/app.js";
import { DEFAULT_REQUEST_POLICY } from "../../src/github/octokit.js";
import {
  FakeGitHub,
  type FakeCheckRun,
  type FakeGitHubOptions,
  type FakeRepo,
  type RequestLogEntry,
} from "../support/fake-github.mjs";
import { privateKey } from "../support/app-key.js";
import { testCache } from "../support/replay-templates.js";
import { checkRunBodyErrors } from "../support/openapi.js";
import { example } from "../support/webhooks.js";
import { forgetTextsRead, rememberTextsRead } from "../../src/github/base-texts.js";
import { forgetDirectories } from "../../src/github/first-read/base-directories.js";

export { example };

export const API = "https://api.github.com";
export const APP_ID = 123;
export const LINT = "migration-warden/lint";
export const APPROVAL = "migration-warden/approval";

/** Requests a failing call gets under the default policy: the first and its retries. */
export const ATTEMPTS = DEFAULT_REQUEST_POLICY.retries + 1;

/**
 * The app's request policy with its waits shrunk to milliseconds: retries after 1, 4 and 9 ms, a
 * rate limit's "retry-after: 1" waits 1 ms, writes are not paced.
 */
export const FAST_REQUESTS = {
  retryDelayMs: 1,
  rateLimitSecondMs: 1,
  writeIntervalMs: 0,
  requestTimeoutMs: 10_000,
} as const;

export { privateKey };

export interface Harness {
  fake: FakeGitHub;
  probot: Probot;
  /** The fetch the harness's Probot sends requests through (for a Probot a test builds itself). */
  transport: typeof fetch;
  receive(name: string, payload: unknown, id?: string): Promise<void>;
  /** "METHOD /path?query" for every request, in order. */
  calls(): string[];
  /**
   * Bodies of the check-run create (POST) and update (PATCH) requests, in order; with `name`,
   * only those of runs with that name.
   */
  checkRunBodies(
    name?: string,
  ): Array<{ method: string; path: string; body: Record<string, unknown> }>;
  /** The check runs named `name`, in creation order. */
  runs(name: string): FakeCheckRun[];
  /** Schema errors of every captured check-run body (always expected to be empty). */
  schemaErrors(): string[];
  /**
   * Matching requests get no answer until release(), then a 504 (a hung GitHub). `path` is tested
   * against the path with its query.
   */
  hold(method: string, path: RegExp, which?: Which): Caught;
  release(): Promise<void>;
  /**
   * The next matching request waits until `resume()` and only then reaches the fake (a slow
   * request: it sees GitHub as it is when it arrives). `reached` resolves once it is waiting.
   */
  pause(method: string, path: RegExp, body?: RegExp): Pause;
  /**
   * Matching requests (by default one) fail without an answer, as when the connection drops
   * (fetch rejects with ECONNRESET). `path` is tested as for hold().
   */
  drop(method: string, path: RegExp, which?: Which): Caught;
  /**
   * Matching requests (by default one) reach GitHub and are carried out, but their answer is lost
   * (fetch rejects with ECONNRESET once the answer arrived). `path` is tested as for hold().
   */
  lose(method: string, path: RegExp, which?: Which): Caught;
}

/** Which of the matching requests a hold(), drop() or lose() catches. */
export interface Which {
  /** How many (hold: default all; drop and lose: default 1). */
  times?: number;
  /** Matching requests let through first. */
  skip?: number;
  /** Also tested against the request body's text. */
  body?: RegExp;
}

/** How many requests a hold(), drop() or lose() caught so far. */
export interface Caught {
  readonly count: number;
}

export interface Pause {
  reached: Promise<void>;
  resume(): void;
}

/** A check-run body without the evaluation marker its summary carries (checks/written.ts). */
export function unmarked(body: Record<string, unknown>): Record<string, unknown> {
  const output = body.output as { summary?: string } | undefined;
  if (typeof output?.summary !== "string") return body;
  const summary = output.summary.replace(/\n\n<!-- migration-warden evaluation [^>]* -->/, "");
  return { ...body, output: { ...output, summary } };
}

/**
 * The newest run of each of the two checks, as a reviewer sees it (without the evaluation
 * marker): for tests that compare two ways of reading the same change.
 */
export function newestChecks(h: Harness): Array<Record<string, unknown>> {
  return [LINT, APPROVAL].map((name) => {
    const run = h.runs(name).at(-1)!;
    return unmarked({
      head_sha: run.head_sha,
      status: run.status,
      conclusion: run.conclusion,
      external_id: run.external_id,
      output: { title: run.output.title, summary: run.output.summary },
      annotations: run.annotations.map((a) => [a.path, a.title, a.start_line]),
    });
  });
}

export function describeCall(r: RequestLogEntry): string {
  const q = new URLSearchParams(r.query).toString();
  return `${r.method} ${decodeURIComponent(r.path)}${q ? `?${q}` : ""}`;
}

export interface HarnessOptions {
  fake?: Partial<FakeGitHubOptions>;
  app?: AppOptions;
  /** Receives every log line of Probot and the app (default: none). */
  log?: LogLine[];
  /**
   * Octokit's throttling plugin (rate limits, write pacing), as in production. Off by default: it
   * adds milliseconds of timer hops to every request; the tests of rate limits turn it on.
   */
  throttle?: boolean;
}

export interface LogLine {
  level: string;
  msg: string;
  fields: Record<string, unknown>;
}

/** A pino-shaped logger that appends to `lines`. */
function captureLog(lines: LogLine[], bindings: Record<string, unknown> = {}): Logger {
  const at =
    (level: string) =>
    (a: unknown, b?: unknown): void => {
      const [fields, msg] = typeof a === "string" ? [{}, a] : [a as object, String(b ?? "")];
      lines.push({ level, msg, fields: { ...bindings, ...fields } });
    };
  const log = {
    level: "trace",
    child: (more: Record<string, unknown>) => captureLog(lines, { ...bindings, ...more }),
    ...Object.fromEntries(
      ["trace", "debug", "info", "warn", "error", "fatal"].map((l) => [l, at(l)]),
    ),
  };
  return log as unknown as Logger;
}

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  // Which merged texts "this process" read belongs with the fresh app's fresh replay cache.
  forgetTextsRead();
  const fake = new FakeGitHub({
    appId: APP_ID,
    privateKey,
    validateCheckRun: checkRunBodyErrors,
    ...options.fake,
  });
  nock.disableNetConnect();
  interface Trap {
    method: string;
    path: RegExp;
    times: number;
    skip: number;
    body?: RegExp;
    count: number;
  }
  const held: Trap[] = [];
  const trap = (list: Trap[], method: string, path: RegExp, which: Which, times: number) => {
    const t: Trap = { method, path, times, skip: 0, ...which, count: 0 };
    list.push(t);
    return t as Caught;
  };
  /** The trap catching this request, if any (counting the ones it lets through). */
  const sprung = (list: Trap[], method: string, uri: string, body: string) => {
    const t = list.find(
      (x) =>
        x.times > 0 &&
        x.method === method &&
        x.path.test(uri) &&
        (x.body === undefined || x.body.test(body)),
    );
    if (!t) return false;
    if (t.skip > 0) {
      t.skip--;
      return false;
    }
    t.times--;
    t.count++;
    return true;
  };
  const waiting: Array<() => void> = [];
  const paused: Array<{
    method: string;
    path: RegExp;
    /** Also tested against the request body's text. */
    body?: RegExp;
    reach(): void;
    resumed: Promise<void>;
  }> = [];
  const dropped: typeof held = [];
  const lost: typeof held = [];
  const reset = () => {
    const cause = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
    return new TypeError("fetch failed", { cause });
  };
  /** GitHub's answer to one request, as the fake gives it (held and paused ones wait first). */
  const answer = async (method: string, u: URL, headers: Headers, body: string) => {
    const uri = u.pathname + u.search;
    if (sprung(held, method, uri, body)) {
      // Answered only on release(), with a gateway timeout, as a proxy in front of GitHub would.
      await new Promise<void>((resolve) => waiting.push(resolve));
      return new Response(JSON.stringify({ message: "Gateway Timeout" }), { status: 504 });
    }
    const p = paused.findIndex(
      (x) => x.method === method && x.path.test(uri) && (x.body === undefined || x.body.test(body)),
    );
    if (p >= 0) {
      const [pause] = paused.splice(p, 1);
      pause!.reach();
      await pause!.resumed;
    }
    const r = fake.dispatch({
      method,
      url: u.href,
      headers: Object.fromEntries(headers),
      body: body === "" ? undefined : body,
    });
    // Statuses without a body take none (the Response constructor enforces it).
    const empty = r.status === 204 || r.status === 205 || r.status === 304;
    return new Response(empty ? null : Buffer.from(r.body), {
      status: r.status,
      headers: r.headers,
    });
  };
  /**
   * The app's transport: every request is answered in this process by the fake, the way fetch
   * would deliver GitHub's answer (a pending answer is given up when the request's signal
   * aborts), without a socket or an interceptor on the way.
   */
  const transport = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const u = new URL(url instanceof Request ? url.url : url);
    if (u.origin !== API) throw new TypeError(`fetch failed: no network in tests (${u.href})`);
    const method = (init?.method ?? "GET").toUpperCase();
    const body = typeof init?.body === "string" ? init.body : "";
    const signal = init?.signal;
    signal?.throwIfAborted();
    if (sprung(dropped, method, u.pathname + u.search, body)) throw reset();
    const pending = answer(method, u, new Headers(init?.headers), body);
    const res = signal
      ? await new Promise<Response>((resolve, reject) => {
          const abort = () => reject(signal.reason);
          signal.addEventListener("abort", abort, { once: true });
          pending.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
        })
      : await pending;
    if (sprung(lost, method, u.pathname + u.search, body)) {
      await res.arrayBuffer();
      throw reset();
    }
    Object.defineProperty(res, "url", { value: u.href });
    return res;
  };
  // Probot's own client class, as `probot run` uses it: the app configures retries and throttling
  // of each delivery's client itself (src/github/octokit.ts). A function default runs after the
  // app's options, so it can still turn the throttling off.
  const probot = new Probot({
    ...(options.throttle
      ? {}
      : {
          Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({
            ...o,
            throttle: { enabled: false },
          })),
        }),
    appId: APP_ID,
    privateKey,
    request: { fetch: transport },
    ...(options.log ? { log: captureLog(options.log) } : { logLevel: "fatal" }),
  });
  // A fresh app per harness: its replay cache must not carry over between tests. The cache shares
  // only the fresh-database templates of every test process (support/replay-templates.ts), so a file
  // does not pay PGlite's initdb (seconds of WASM) for its first replay.
  await probot.load(
    createApp({
      replayCache: testCache(),
      // Runs in_progress first, as before quick results were written at once: the tests of
      // failures and orderings assert that flow; test/github/writes.test.ts the default one.
      pendingAfterMs: 0,
      ...options.app,
      requests: { ...FAST_REQUESTS, ...options.app?.requests },
    }),
  );
  let delivery = 0;
  const runName = (path: string, body: Record<string, unknown>) => {
    const id = /\/check-runs\/(\d+)$/.exec(path)?.[1];
    return id ? fake.checkRuns.find((r) => r.id === Number(id))?.name : body.name;
  };
  // A check-run mutation (src/github/checks/batch-create.ts) stands for the REST creates it
  // carries: each of its inputs is listed as the POST it replaces, so tests assert the same bodies.
  const checkRunBodies = (name?: string) =>
    fake.requests
      .flatMap((r) =>
        /\/check-runs(\/\d+)?$/.test(r.path) && r.method !== "GET"
          ? [{ method: r.method, path: r.path, body: r.body as Record<string, unknown> }]
          : mutationCreates(fake, r),
      )
      .filter((b) => name === undefined || runName(b.path, b.body) === name);
  return {
    fake,
    probot,
    transport,
    hold: (method, path, which = {}) => trap(held, method, path, which, Infinity),
    drop: (method, path, which = {}) => trap(dropped, method, path, which, 1),
    lose: (method, path, which = {}) => trap(lost, method, path, which, 1),
    pause: (method, path, body) => {
      let reach!: () => void;
      let resume!: () => void;
      const reached = new Promise<void>((r) => (reach = r));
      const resumed = new Promise<void>((r) => (resume = r));
      paused.push({ method, path, ...(body ? { body } : {}), reach, resumed });
      return { reached, resume };
    },
    release: async () => {
      held.length = 0;
      waiting.splice(0).forEach((resolve) => resolve());
      // Let the abandoned requests settle before the test ends.
      await new Promise((resolve) => setTimeout(resolve, 10));
    },
    receive: (name, payload, id) =>
      probot.receive({ id: id ?? `delivery-${++delivery}`, name, payload } as never),
    calls: () => fake.requests.map(describeCall),
    checkRunBodies,
    runs: (name) => fake.checkRuns.filter((r) => r.name === name),
    schemaErrors: () =>
      checkRunBodies().flatMap((b) =>
        checkRunBodyErrors(b.method === "POST" ? "checks/create" : "checks/update", b.body),
      ),
  };
}

/**
 * The REST creates (or updates) one request's check-run mutation carried out (none for any
 * other request, nor for a field or a mutation that failed), in the order GitHub carries them out: as `POST /repos/{o}/{r}/check-runs` (or
 * `PATCH /repos/{o}/{r}/check-runs/{id}`) bodies.
 */
export function mutationCreates(
  fake: FakeGitHub,
  r: RequestLogEntry,
): Array<{ method: string; path: string; body: Record<string, unknown> }> {
  const body = r.body as { query?: unknown; variables?: Record<string, unknown> } | undefined;
  if (r.method !== "POST" || !/graphql$/.test(r.path) || typeof body?.query !== "string") return [];
  if (!/^\s*mutation\b/.test(body.query)) return [];
  // Only the fields GitHub carried out: a failed field or mutation wrote nothing.
  const carried = new Set(r.carried ?? []);
  if (body.query.includes("updateCheckRun"))
    return Object.entries(body.variables ?? {})
      .filter(([alias]) => carried.has(alias))
      .sort(([a], [b]) => Number(a.slice(1)) - Number(b.slice(1)))
      .map(([, input]) => {
        const { repo, id, body: rest } = fake.restUpdateOf(input);
        return { method: "PATCH", path: `/repos/${repo.fullName}/check-runs/${id}`, body: rest };
      });
  if (!body.query.includes("createCheckRun")) return [];
  return Object.entries(body.variables ?? {})
    .filter(([alias]) => carried.has(alias))
    .sort(([a], [b]) => Number(a.slice(1)) - Number(b.slice(1)))
    .map(([, input]) => {
      const { repo, body: rest } = fake.restCreateOf(input);
      return { method: "POST", path: `/repos/${repo.fullName}/check-runs`, body: rest };
    });
}

export function resetNock(): void {
  nock.cleanAll();
  nock.enableNetConnect();
}

/** After a test: every check-run body matched GitHub's schema; network access is reset. */
export function finish(h: Harness | undefined): void {
  try {
    if (h) expect(h.schemaErrors()).toEqual([]);
  } finally {
    resetNock();
  }
}

/**
 * For tests that create their harnesses themselves, with their own options (several in one test
 * stand for several processes): returns the function that creates one. Every harness a test
 * created is checked after it, and network access reset, as finish() does.
 */
export function harnessesPerTest(): (options?: HarnessOptions) => Promise<Harness> {
  let created: Harness[] = [];
  afterEach(() => {
    const all = created;
    created = [];
    resetNock();
    for (const h of all) finish(h);
  });
  return async (options) => {
    const h = await createHarness(options);
    created.push(h);
    return h;
  };
}

/**
 * One harness at a time, made when a test asks (`next(options)`): the one before it is checked and
 * finished then, the last one after the test. `cold`: the process also forgets the migration
 * directories it remembers (first-read/base-directories.ts) before each harness and after each
 * test, so every harness sees a process's first event for its repository.
 */
export function harnessInTurn({ cold = false } = {}): (
  options?: HarnessOptions,
) => Promise<Harness> {
  let current: Harness | undefined;
  if (cold) beforeEach(() => forgetDirectories());
  afterEach(() => {
    finish(current);
    current = undefined;
    if (cold) forgetDirectories();
  });
  return async (options) => {
    finish(current);
    current = undefined;
    if (cold) forgetDirectories();
    current = await createHarness(options);
    return current;
  };
}

/** A fresh harness for every test of the file, handed to `set`; checked and reset after it. */
export function useHarness(set: (h: Harness) => void, options?: HarnessOptions): void {
  let current: Harness | undefined;
  beforeEach(async () => {
    current = await createHarness(options);
    set(current);
  });
  afterEach(() => {
    finish(current);
    current = undefined;
  });
}

/** `count` merged migration pairs 0001_t1.up.sql/down.sql … in `dir`. */
export function mergedMigrations(count: number, dir = "migrations"): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 1; i <= count; i++) {
    const v = String(i).padStart(4, "0");
    files[`${dir}/${v}_t${i}.up.sql`] = `CREATE TABLE t${i} (id bigint PRIMARY KEY);\n`;
    files[`${dir}/${v}_t${i}.down.sql`] = `DROP TABLE t${i};\n`;
  }
  return files;
}

/**
 * GitHub cannot resolve `part` of the pull request's first query (its changed files, or the
 * head commit's pull requests) from now on: the app reads that part by REST, as before the query
 * had it. For tests that hold, fail or count that REST read.
 */
export function readByRest(fake: FakeGitHub, part: "files" | "associatedPullRequests"): void {
  fake.graphqlFault({
    executed: true,
    operation: "MigrationWardenPullRequest",
    fieldError: part,
    times: Infinity,
  });
}

/**
 * The example payloads' repository (Codertocat/Hello-World, base branch master) with `base` files
 * on master and PR #2 whose head commit applies `change` on top of it.
 */
export function helloWorld(
  fake: FakeGitHub,
  base: Record<string, string>,
  change: Parameters<FakeRepo["commit"]>[0]["files"],
): { repo: FakeRepo; baseSha: string; headSha: string; number: number } {
  const repo = fake.createRepo("Codertocat", "Hello-World", { defaultBranch: "master" });
  const baseSha = repo.commit({ branch: "master", files: { "README.md": "# Hello\n", ...base } });
  const headSha = repo.commit({ parent: baseSha, files: change ?? {}, message: "change" });
  const number = repo.openPullRequest({
    number: 2,
    base: "master",
    head: headSha,
    headRef: "changes",
  });
  return { repo, baseSha, headSha, number };
}

/** A pull_request webhook (GitHub's example) pointing at the fake's PR. */
export function pullRequestEvent(action: string, repo: FakeRepo, number: number): any {
  const payload = example("pull_request", action === "edited" ? "opened" : action);
  payload.action = action;
  payload.number = number;
  payload.pull_request = { ...payload.pull_request, ...repo.pullJSON(number) };
  payload.repository = { ...payload.repository, ...repo.toJSON() };
  return payload;
}

/** A push webhook (GitHub's example) moving `branch` of the fake's repository; null: created/deleted. */
export function pushEvent(
  fake: FakeGitHub,
  repo: FakeRepo,
  branch: string,
  before: string | null,
  after: string | null,
  { forced = false, pusher = "mallory" } = {},
): any {
  const zero = "0".repeat(40);
  const payload = example("push", undefined as unknown as string);
  Object.assign(payload, {
    ref: `refs/heads/${branch}`,
    before: before ?? zero,
    after: after ?? zero,
    created: before === null,
    deleted: after === null,
    forced,
    pusher: { name: pusher, email: `${pusher}@example.com` },
    sender: { ...payload.sender, login: pusher },
  });
  payload.repository = {
    ...payload.repository,
    ...repo.toJSON(),
    pushed_at: 1_767_225_600,
    owner: { ...payload.repository.owner, login: repo.owner, name: repo.owner },
  };
  payload.installation = fake.installationPayload();
  return payload;
}

/** A pull_request_review webhook for one of the fake's reviews (state in webhook case). */
export function reviewEvent(action: string, repo: FakeRepo, number: number, reviewId: number): any {
  const payload = example(
    "pull_request_review",
    action === "dismissed" ? "dismissed" : "submitted",
  );
  payload.action = action;
  payload.review = repo.reviewJSON(number, reviewId, { webhook: true });
  payload.pull_request = { ...payload.pull_request, ...repo.pullJSON(number) };
  payload.repository = { ...payload.repository, ...repo.toJSON() };
  return payload;
}

/**
 * A click on one of a run's buttons (`check_run.requested_action`) by `sender`; `appId` replaces
 * the app GitHub reports for the run.
 */
export function clickEvent(
  fake: FakeGitHub,
  run: FakeCheckRun,
  sender: string,
  {
    identifier = "approve",
    type = "User",
    appId,
  }: { identifier?: string; type?: string; appId?: number } = {},
): any {
  const payload = example("check_run", "requested_action");
  payload.check_run = { ...payload.check_run, ...fake.runJSON(run) };
  if (appId !== undefined) payload.check_run.app = { ...payload.check_run.app, id: appId };
  payload.repository = { ...payload.repository, ...run.repo.toJSON() };
  payload.requested_action = { identifier };
  payload.sender = { ...payload.sender, login: sender, type, id: fake.accountId(sender) };
  // GitHub's example comes from another installation than the fake's.
  payload.installation = fake.installationPayload();
  return payload;
}

/**
 * For the next `times` first queries (of `repo` only, when given), GitHub answers an error inside their approval facts part
 * (src/github/first-read/approval-facts.ts): that part is dropped, and the approval reader reads the
 * facts with its own query (MigrationWardenPullFacts), as before the first query carried them.
 */
export function approvalFactsOutOfFirstRead(
  fake: FakeGitHub,
  { times = 20, repo }: { times?: number; repo?: string } = {},
): void {
  fake.graphqlFault({
    executed: true,
    ...(repo !== undefined ? { repo } : {}),
    operation: "MigrationWardenPullRequest",
    // A field's error (GitHub's "Something went wrong" would make Octokit retry the query).
    partial: "Resource not accessible by integration",
    path: ["repository", "pullRequest", "approvalCommits", "nodes", 0, "commit", "checkSuites"],
    times,
  });
}

/** The variables of each query that read approval facts: the first query's, then their own. */
export function approvalFactsReads(fake: FakeGitHub): Array<Record<string, unknown>> {
  return fake.requests
    .filter((r) => r.path === "/graphql" || r.path === "/api/graphql")
    .map((r) => r.body as { query: string; variables: Record<string, unknown> })
    .filter((b) => /^query MigrationWardenPull(?:Request|Facts)\b/.test(b.query))
    .map((b) => b.variables)
    .filter((v) => v.reviews === true || v.timeline === true || v.commits === true);
}

/**
 * Makes the process believe it built the base state of `dir` at the base tip already (as when its
 * cache dropped the state since): the gather then does not bring the texts, and the replay reads
 * them with its own query, whose checks are what these tests are about.
 */
export function stateBelieved(fake: FakeGitHub, repo: FakeRepo, baseSha: string, dir: string) {
  type Tree = { entries: Array<{ name: string; sha: string }> };
  const git = (fake as unknown as { git: { get(sha: string): { tree?: string } & Tree } }).git;
  let oid = git.get(baseSha).tree!;
  for (const seg of dir.split("/")) oid = git.get(oid).entries.find((e) => e.name === seg)!.sha;
  rememberTextsRead(repo.id, dir, oid);
}
