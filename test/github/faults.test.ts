/**
 * Every request the app makes fails once, in every way GitHub fails: 500, 502, a secondary rate
 * limit with a short and with a long retry-after, 404, no answer at all, a connection reset, an
 * answer lost after GitHub carried the request out, and a 2xx answer with a body that is not
 * JSON. Table-driven: each request of a fully approved pull request's review
 * (and of the re-run events' own look-ups) is a row, each way of failing a column.
 *
 * For every cell: the delivery is handled (nothing escapes the handler), no check run is left
 * in progress, and each check ends as in the fault-free review (a retry succeeded) or as the row
 * says: `failure` with a reason naming the request, or for a lost approver lookup waiting for an
 * approval. The approval check never passes on a fact it could not read. A recovered fault leaves
 * nothing twice: as many runs and annotations as the fault-free review.
 *
 * The cells run concurrently against one fake GitHub: each has its own repository, installation
 * and DBA team, so a fault aimed at one cell's request reaches no other.
 */
import { beforeAll, afterAll, describe, expect, test } from "@jest/globals";
import type { FakeCheckRun, FakeRepo, RequestLogEntry } from "../support/fake-github.mjs";
import {
  APP_ID,
  APPROVAL,
  approvalFactsOutOfFirstRead,
  createHarness,
  example,
  finish,
  LINT,
  pullRequestEvent,
  stateBelieved,
  type Caught,
  type Harness,
} from "./harness.js";

const OWNER = "acme";
const SHA = "[0-9a-f]{40}";
/** Long enough not to fire by accident under the load of every cell at once. */
const TIMEOUT_MS = 5000;

/**
 * What a check ends as: as without the fault, failed with the reason, waiting for a DBA, or as
 * without the fault but with a notice that the sandbox replay was skipped.
 */
type Expect = "same" | "failure" | "waiting" | "replay-skipped";

interface Cell {
  n: number;
  repo: FakeRepo;
  installation: { id: number; node_id: string };
  team: string;
  number: number;
  headSha: string;
  /** The delivery under test. */
  deliver(): Promise<void>;
}

type Scenario =
  | "team"
  | "role"
  | "suite"
  | "fork-suite"
  | "replay"
  | "default-branch-view"
  | "rest-git"
  | "facts-query";

interface Row {
  /** The request, as a template. */
  name: string;
  scenario: Scenario;
  method: string;
  /** Regular expression source of the path (no query), for one cell. */
  path(c: Cell): string;
  query?: Record<string, string>;
  /** Which matching request of the delivery fails (0: the first). */
  occurrence?: number;
  /** Tested against the request body too (GraphQL requests share one path). */
  body?(c: Cell): RegExp;
  /** With 404 (a missing thing) and with a rate limit longer than the app waits. */
  notFound: { lint: Expect; approval: Expect };
  limited: { lint: Expect; approval: Expect };
  /** The reason shown, when it does not name the request. */
  reason?: { notFound?: string; limited?: string };
  /**
   * A write GitHub must not carry out twice (a second run, annotations shown twice): when its
   * answer is lost, the app asks GitHub whether it took effect instead of sending it again.
   */
  once?: true;
}

const both = (e: Expect) => ({ lint: e, approval: e });
/** The bulk read of a cell's git objects (src/github/git-gather.ts). */
const gatherBody = (c: Cell) =>
  new RegExp(`^(?=.*MigrationWardenGather\\b)(?=.*"name":"${c.repo.name}")`);
const approvalOnly = (e: Expect) => ({ lint: "same" as const, approval: e });
const lintOnly = (e: Expect) => ({ lint: e, approval: "same" as const });
const repoPath = (c: Cell, rest: string) => `/repos/${OWNER}/${c.repo.name}${rest}`;

/** A row of the "team" scenario; by default both checks fail when the request cannot succeed. */
function row(
  name: string,
  method: string,
  path: (c: Cell) => string,
  more: Partial<Row> = {},
): Row {
  return {
    name,
    scenario: "team",
    method,
    path,
    notFound: both("failure"),
    limited: both("failure"),
    ...more,
  };
}

/** Every request of the scenarios, in the order the app sends them. */
const ROWS: Row[] = [
  row("installation token", "POST", (c) => `/app/installations/${c.installation.id}/access_tokens`),
  // The pull request, its base tip and the config there in one GraphQL query
  // (pull-request-query.ts); unanswered, they are read by REST (the "pull request" and
  // "configuration" rows, in the scenario where GraphQL never answers).
  row("pull request and base config (GraphQL)", "POST", () => "/graphql", {
    body: (c) => new RegExp(`^(?=.*MigrationWardenPullRequest\\b)(?=.*"name":"${c.repo.name}")`),
    notFound: both("same"),
    limited: both("same"),
  }),
  row("pull request", "GET", (c) => repoPath(c, "/pulls/1"), { scenario: "rest-git" }),
  // Both runs started in one mutation (checks/batch-create.ts): a lost answer is asked about
  // (the runs' markers), never sent again blindly.
  row("runs start (GraphQL mutation)", "POST", () => "/graphql", {
    body: (c) =>
      new RegExp(`^(?=.*MigrationWardenCreateCheckRuns\\b)(?=.*"repositoryId":"R_${c.repo.id}")`),
    once: true,
  }),
  row("base branch", "GET", (c) => repoPath(c, "/branches/main")),
  // A 404 would mean "no file: the defaults apply"; the commit's tree has the last word.
  row(
    "configuration",
    "GET",
    (c) => repoPath(c, "/contents/\\.github(/|%2F)migration-warden\\.yml"),
    {
      scenario: "rest-git",
      reason: { notFound: "GitHub answered 404 for .github/migration-warden.yml" },
    },
  ),
  // The changed files come with the pull request's query too: read by REST when it does not
  // answer them (this row and "pull requests of the head", in the scenario where GraphQL never
  // answers).
  row("file list", "GET", (c) => repoPath(c, "/pulls/1/files"), { scenario: "rest-git" }),
  // The change's git objects in one GraphQL request; whatever it does not give intact is read
  // by REST (the rows below, in the scenario where GraphQL never answers it).
  row("git objects (GraphQL)", "POST", () => "/graphql", {
    body: (c) => gatherBody(c),
    notFound: both("same"),
    limited: both("same"),
  }),
  row("tree", "GET", (c) => repoPath(c, `/git/trees/${SHA}`), { scenario: "rest-git" }),
  row("head commit", "GET", (c) => repoPath(c, `/git/commits/${c.headSha}`), {
    scenario: "rest-git",
  }),
  row("blob", "GET", (c) => repoPath(c, `/git/blobs/${SHA}`), { scenario: "rest-git" }),
  ...(
    [
      ["pull requests of the head", (c: Cell) => repoPath(c, `/commits/${c.headSha}/pulls`)],
    ] as const
  ).map(([name, path]) =>
    // Both checks decide for every pull request of the head (approval/head-group.ts, read once
    // for both): without them, neither may pass on its own pull request alone.
    row(name, "GET", path, {
      scenario: "rest-git",
      notFound: both("failure"),
      limited: both("failure"),
    }),
  ),
  // Reviews, base changes and dismissals, commits and recorded clicks in one GraphQL query
  // (approval/pull-facts.ts), when the first query's page of them was not usable (the
  // "facts-query" scenario); whatever it does not answer is read by REST (the rows below, in
  // the scenario where GraphQL never answers).
  row("approval facts (GraphQL)", "POST", () => "/graphql", {
    scenario: "facts-query",
    body: (c) => new RegExp(`^(?=.*MigrationWardenPullFacts\\b)(?=.*"name":"${c.repo.name}")`),
    notFound: both("same"),
    limited: both("same"),
  }),
  ...(
    [
      // Base changes and review dismissals: a base change voids earlier approvals.
      ["issue events", (c: Cell) => repoPath(c, "/issues/1/events")],
      ["reviews", (c: Cell) => repoPath(c, "/pulls/1/reviews")],
      ["commits", (c: Cell) => repoPath(c, "/pulls/1/commits")],
    ] as const
  ).map(([name, path]) =>
    row(name, "GET", path, {
      scenario: "rest-git",
      notFound: approvalOnly("failure"),
      limited: approvalOnly("failure"),
    }),
  ),
  row(
    "approval runs of the head (recorded clicks)",
    "GET",
    (c) => repoPath(c, `/commits/${c.headSha}/check-runs`),
    {
      scenario: "rest-git",
      query: { check_name: APPROVAL },
      occurrence: 0,
      notFound: approvalOnly("failure"),
      limited: approvalOnly("failure"),
    },
  ),
  // 404: not a member, so not an approver; a rate limit leaves membership unknown.
  row("team membership", "GET", (c) => `/orgs/${OWNER}/teams/${c.team}/memberships/alice`, {
    notFound: approvalOnly("waiting"),
    limited: approvalOnly("failure"),
  }),
  // Whether rulesets require the gate: told in the summary, never decisive.
  row("rulesets of the base branch", "GET", (c) => repoPath(c, "/rules/branches/[^/]+"), {
    notFound: both("same"),
    limited: both("same"),
  }),
  // Before the passing results are completed: one listing of the app's runs on the head for
  // both checks (every name: no check_name).
  row(
    "runs of the head (before passing)",
    "GET",
    (c) => repoPath(c, `/commits/${c.headSha}/check-runs`),
    { query: { app_id: String(APP_ID) } },
  ),
  // Both runs completed in one mutation (checks/batch-update.ts). Its lost answer: the lint
  // run's annotation batch is found on the run (not sent twice), the approval run's update
  // (no batch: the same however often applied) is sent again. A field or mutation that fails
  // for good: each run completed by REST as failure.
  row("runs complete (GraphQL mutation)", "POST", () => "/graphql", {
    body: (c) =>
      new RegExp(`^(?=.*MigrationWardenUpdateCheckRuns\\b)(?=.*"repositoryId":"R_${c.repo.id}")`),
  }),
  // 404: no role on the repository, so not an approver.
  row("collaborator permission", "GET", (c) => repoPath(c, "/collaborators/alice/permission"), {
    scenario: "role",
    notFound: approvalOnly("waiting"),
    limited: approvalOnly("failure"),
  }),
  // The suite's runs only name the pull requests; the payload names them too.
  row("check suite runs", "GET", (c) => repoPath(c, "/check-suites/\\d+/check-runs"), {
    scenario: "suite",
    notFound: both("same"),
    limited: both("same"),
  }),
  // The sandbox replay's bulk read of the merged migrations. Without them the replay is skipped
  // with a notice (the replay adds findings; the static analysis is complete without it).
  row("merged migrations (GraphQL)", "POST", () => "/graphql", {
    scenario: "replay",
    body: (c) => new RegExp(`"name":"${c.repo.name}","expression":`),
    notFound: lintOnly("replay-skipped"),
    limited: lintOnly("replay-skipped"),
  }),
  // A pull request into release whose head carries a migration main (the default branch) lacks
  // is decided as proposed to main too: main's tip, its configuration and the merge base.
  row("base branch (not the default branch)", "GET", (c) => repoPath(c, "/branches/release"), {
    scenario: "default-branch-view",
  }),
  row("default branch", "GET", (c) => repoPath(c, "/branches/main"), {
    scenario: "default-branch-view",
  }),
  row(
    "default branch's configuration",
    "GET",
    (c) => repoPath(c, "/contents/\\.github(/|%2F)migration-warden\\.yml"),
    {
      scenario: "default-branch-view",
      // The pull request's own base config came with the GraphQL query.
      occurrence: 0,
      reason: { notFound: "GitHub answered 404 for .github/migration-warden.yml" },
    },
  ),
  row(
    "merge base with the default branch",
    "GET",
    (c) => repoPath(c, `/compare/main\\.\\.\\.${c.headSha}`),
    {
      scenario: "default-branch-view",
    },
  ),
  // A fork's suite names no pull request: the commit's pull requests are looked up.
  row(
    "pull requests of the commit (re-run of a fork's suite)",
    "GET",
    (c) => repoPath(c, `/commits/${c.headSha}/pulls`),
    {
      scenario: "fork-suite",
      occurrence: 0,
    },
  ),
];

/** The ways a request fails; `recovers`: the policy retries it, so the review ends unchanged. */
const KINDS = [
  { kind: "500", recovers: true, fault: { status: 500, message: "Internal Server Error" } },
  { kind: "502", recovers: true, fault: { status: 502, message: "Bad Gateway" } },
  {
    kind: "secondary rate limit, retry-after 1 s",
    recovers: true,
    fault: {
      status: 403,
      message: "You have exceeded a secondary rate limit. Please wait a few minutes.",
      headers: { "retry-after": "1" },
    },
  },
  { kind: "no answer", recovers: true, fault: null, lost: "hold" },
  { kind: "connection reset", recovers: true, fault: null, lost: "drop" },
  // GitHub carried the request out, the answer never arrived.
  { kind: "answer lost", recovers: true, fault: null, lost: "lose" },
  {
    kind: "malformed JSON",
    recovers: true,
    fault: { status: 200, body: '{"id": 1, "tree": [{"path": "db/mig' },
  },
  { kind: "404", recovers: false, fault: { status: 404, message: "Not Found" } },
  {
    kind: "secondary rate limit, retry-after 3600 s",
    recovers: false,
    fault: {
      status: 403,
      message: "You have exceeded a secondary rate limit. Please wait a few minutes.",
      headers: { "retry-after": "3600" },
    },
  },
] as const;
type Kind = (typeof KINDS)[number];

/** The sandbox replay runs only where its reads are the row (SQLite: the quickest engine). */
const CONFIG = (team: string | null, replay: boolean) =>
  [
    "directories:",
    "  - path: db/migrations",
    `    dialect: ${replay ? "sqlite" : "postgres"}`,
    ...(team ? ["approval:", `  teams: [${team}]`] : []),
    ...(replay ? [] : ["replay:", "  enabled: false"]),
    "",
  ].join("\n");

let h: Harness;
let cells = 0;

/** A pull request adding a migration pair, approved by alice, who is a DBA. */
function setup(scenario: Scenario): Cell {
  const n = ++cells;
  const repo = h.fake.createRepo(OWNER, `case-${n}`);
  const installation = h.fake.addInstallation(1000 + n);
  const team = `dba-${n}`;
  const base = repo.commit({
    branch: "main",
    files: {
      ".github/migration-warden.yml": CONFIG(
        scenario === "role" ? null : team,
        scenario === "replay",
      ),
      // Its own base per cell: a base state cached for another cell would skip the reads.
      "db/migrations/0001_users.up.sql": `CREATE TABLE users_${n} (id bigint PRIMARY KEY);\n`,
      "db/migrations/0001_users.down.sql": "DROP TABLE users;\n",
    },
  });
  const headSha = repo.commit({
    parent: base,
    author: "dev",
    files: {
      "db/migrations/0002_orders.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY);\n",
      "db/migrations/0002_orders.down.sql": "DROP TABLE orders;\n",
    },
  });
  // GitHub's GraphQL API never answers for this cell: its git objects and approval facts are all
  // read by REST.
  if (scenario === "rest-git")
    h.fake.graphqlFault({
      executed: true,
      repo: `${OWNER}/${repo.name}`,
      error: "Something went wrong while executing your query.",
      times: Infinity,
    });
  // The replay's own query of the merged migrations is the row: the process believes it built the
  // base state (dropped from its cache since), so a cold event's gather does not bring them
  // (src/github/base-texts.ts; that pre-read is test/github/base-texts.test.ts's).
  if (scenario === "replay") stateBelieved(h.fake, repo, base, "db/migrations");
  // The first query's approval facts come with an error: the facts query reads them.
  if (scenario === "facts-query")
    approvalFactsOutOfFirstRead(h.fake, { times: Infinity, repo: `${OWNER}/${repo.name}` });
  // The view scenario's pull request targets release, which main's history does not include.
  if (scenario === "default-branch-view")
    repo.commit({ branch: "release", parent: base, files: { "docs/release.md": "1.x\n" } });
  const number = repo.openPullRequest({
    base: scenario === "default-branch-view" ? "release" : "main",
    head: headSha,
    user: "dev",
  });
  repo.review(number, { user: "alice", state: "APPROVED" });
  if (scenario === "role") repo.setRole("alice", "admin");
  else h.fake.setTeamMembership(OWNER, team, "alice", "active");

  const opened = () => {
    const payload = pullRequestEvent("opened", repo, number);
    payload.installation = installation;
    return h.receive("pull_request", payload);
  };
  const suite = (id: number, pullRequests: unknown[]) => {
    const payload = example("check_suite", "rerequested");
    payload.repository = { ...payload.repository, ...repo.toJSON() };
    payload.check_suite = {
      ...payload.check_suite,
      id,
      head_sha: headSha,
      pull_requests: pullRequests,
    };
    payload.installation = installation;
    return h.receive("check_suite", payload);
  };
  const pr = { number, base: { repo: { id: repo.id } } };
  const deliver =
    scenario === "suite"
      ? () => suite(ownRuns(repo)[0]!.suiteId, [pr])
      : scenario === "fork-suite"
        ? () => suite(900_000 + n, [])
        : opened;
  return { n, repo, installation, team, number, headSha, deliver };
}

function ownRuns(repo: FakeRepo): FakeCheckRun[] {
  return h.fake.checkRuns.filter((r) => r.repo === repo);
}

/** The run of each check the delivery wrote: [conclusion, title]. */
type Outcome = Record<string, [string | null, string | null]>;

interface Result {
  cell: Cell;
  /** Every request of the delivery. */
  all: RequestLogEntry[];
  outcome: Outcome;
  summaries: Record<string, string>;
  /** Per check: how many runs the delivery wrote, and the annotations on them. */
  written: Record<string, { runs: number; annotations: number }>;
  /** Runs of the repository not completed. */
  inProgress: number;
  /** The delivery's requests the row describes, as the fake logged them. */
  requests: RequestLogEntry[];
  /** Requests held or dropped. */
  caught: number;
  /** What escaped the handler. */
  error: unknown;
}

/**
 * A logged request's body as JSON text, made once per request: every cell looks through the
 * requests of the cells that ran beside it (two dozen at a time), and stringifying each GraphQL
 * body again for each of them was about a twentieth of this file's CPU.
 */
const bodyTexts = new WeakMap<RequestLogEntry, string>();
function bodyText(r: RequestLogEntry): string {
  let text = bodyTexts.get(r);
  if (text === undefined) {
    text = JSON.stringify(r.body ?? "");
    bodyTexts.set(r, text);
  }
  return text;
}

/** A request of this cell (the other cells run at the same time). */
function mine(r: RequestLogEntry, c: Cell): boolean {
  return (
    r.path.startsWith(`/repos/${OWNER}/${c.repo.name}/`) ||
    (r.path === "/graphql" && (r.body as GraphqlBody).variables?.name === c.repo.name) ||
    // The check-run mutations name the repository by its node id.
    (r.path === "/graphql" && bodyText(r).includes(`"repositoryId":"R_${c.repo.id}"`)) ||
    r.path === `/app/installations/${c.installation.id}/access_tokens` ||
    r.path.startsWith(`/orgs/${OWNER}/teams/${c.team}/`)
  );
}

interface GraphqlBody {
  variables?: { name?: string };
}

function rowMatcher(row: Row, c: Cell): (r: RequestLogEntry) => boolean {
  const path = new RegExp(`^${row.path(c)}$`);
  const body = row.body?.(c);
  return (r) =>
    r.method === row.method &&
    path.test(r.path) &&
    Object.entries(row.query ?? {}).every(([k, v]) => r.query[k] === v) &&
    (body === undefined || body.test(bodyText(r)));
}

async function runCell(row: Row, kind: Kind | null): Promise<Result> {
  const c = setup(row.scenario);
  // The suite scenario re-runs a review that already happened.
  if (row.scenario === "suite") {
    const payload = pullRequestEvent("opened", c.repo, c.number);
    payload.installation = c.installation;
    await h.receive("pull_request", payload);
  }
  const before = ownRuns(c.repo).length;
  const logged = h.fake.requests.length;
  const occurrence = row.occurrence ?? 0;
  let caught: Caught = { count: 0 };
  if (kind?.fault) {
    let seen = 0;
    h.fake.failNext({
      method: row.method,
      path: new RegExp(`^${row.path(c)}$`),
      ...(row.query ? { query: row.query } : {}),
      match: (r) => rowMatcher(row, c)(r) && seen++ === occurrence,
      ...kind.fault,
    });
  } else if (kind) {
    // Held: never answered (until the end of the file), so the app's time limit ends it.
    // Dropped: the connection fails before any answer. Neither reaches the fake.
    const query = Object.entries(row.query ?? {})
      .map(([k, v]) => `(?=(.*&)?${k}=${encodeURIComponent(v)}(&|$))`)
      .join("");
    const uri = new RegExp(`^${row.path(c)}(\\?${query}.*)?$`);
    const body = row.body?.(c);
    caught = { hold: h.hold, drop: h.drop, lose: h.lose }[kind.lost](row.method, uri, {
      times: 1,
      skip: occurrence,
      ...(body ? { body } : {}),
    });
  }
  let error: unknown = null;
  try {
    await c.deliver();
  } catch (err) {
    error = err;
  }
  const outcome: Outcome = {};
  const summaries: Record<string, string> = {};
  const written: Result["written"] = {};
  for (const r of ownRuns(c.repo).slice(before)) {
    outcome[r.name] = [r.conclusion, r.output.title];
    summaries[r.name] = r.output.summary ?? "";
    const w = (written[r.name] ??= { runs: 0, annotations: 0 });
    w.runs++;
    w.annotations += r.annotations.length;
  }
  const all = h.fake.requests.slice(logged).filter((r) => mine(r, c));
  return {
    cell: c,
    all,
    outcome,
    summaries,
    written,
    inProgress: ownRuns(c.repo).filter((r) => r.status !== "completed").length,
    requests: all.filter(rowMatcher(row, c)),
    caught: caught.count,
    error,
  };
}

const baselines = new Map<Scenario, Result>();
const results = new Map<string, Result>();
const key = (row: Row, kind: Kind) => `${row.name} | ${kind.kind}`;

/** Runs `tasks` with at most `limit` at a time. */
async function pool(tasks: Array<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]!();
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

beforeAll(async () => {
  h = await createHarness({
    app: { requests: { requestTimeoutMs: TIMEOUT_MS } },
    throttle: true,
  });
  for (const scenario of [
    "team",
    "role",
    "suite",
    "fork-suite",
    "replay",
    "default-branch-view",
    "rest-git",
    "facts-query",
  ] as const) {
    const row = ROWS.find((r) => r.scenario === scenario)!;
    baselines.set(scenario, await runCell(row, null));
  }
  // The unanswered cells all at once, beside the others: each spends TIMEOUT_MS waiting for
  // nothing, so interleaved with the others in one pool, the last of them started near the end and
  // the file waited that long after the other cells' work. (The cells are independent: each has
  // its own repository.)
  const task = (row: Row, kind: Kind) => async () => {
    results.set(key(row, kind), await runCell(row, kind));
  };
  const unanswered = (kind: Kind) => "lost" in kind && kind.lost === "hold";
  const waiting = ROWS.flatMap((row) => KINDS.filter(unanswered).map((kind) => task(row, kind)));
  await Promise.all([
    pool(waiting, waiting.length),
    pool(
      ROWS.flatMap((row) => KINDS.filter((k) => !unanswered(k)).map((kind) => task(row, kind))),
      24,
    ),
  ]);
  // Every cell of the table runs here: about 60 s alone on 2 cores, more than 120 s when the
  // machine is shared. A budget, not a speed assertion (speed is `npm run bench`'s).
}, 300_000);

afterAll(async () => {
  await h?.release();
  finish(h);
});

describe("the fault-free reviews", () => {
  test("pass both checks: a clean change approved by a DBA", () => {
    for (const [scenario, b] of baselines) {
      expect([scenario, b.error, b.inProgress]).toEqual([scenario, null, 0]);
      expect(b.outcome[LINT]![0]).toBe("neutral");
      expect(b.outcome[APPROVAL]).toEqual(["success", "Approved by @alice"]);
    }
  });

  test("make only the requests in the table", async () => {
    // A request the table does not list would go untested: add a row for it.
    for (const scenario of [
      "team",
      "role",
      "fork-suite",
      "replay",
      "default-branch-view",
      "rest-git",
      "facts-query",
    ] as const) {
      h.fake.clearRequests();
      const c = setup(scenario);
      await c.deliver();
      const unlisted = h.fake.requests
        .filter((r) => !ROWS.some((row) => rowMatcher({ ...row, query: {} }, c)(r)))
        .map((r) => `${r.method} ${r.path}`);
      expect([scenario, unlisted]).toEqual([scenario, []]);
    }
  });
});

describe.each(ROWS)("$name ($method)", (row) => {
  test.each(KINDS)("$kind", (kind) => {
    const r = results.get(key(row, kind))!;
    const base = baselines.get(row.scenario)!;
    // Handled: nothing escaped the handler, nothing is left running.
    expect(r.error).toBeNull();
    expect(r.inProgress).toBe(0);
    const expected = kind.recovers
      ? both("same")
      : kind.kind === "404"
        ? row.notFound
        : row.limited;
    for (const check of [LINT, APPROVAL] as const) {
      const e = check === LINT ? expected.lint : expected.approval;
      const got = r.outcome[check];
      if (e === "same") expect([check, got]).toEqual([check, base.outcome[check]]);
      else if (e === "waiting") expect([check, got?.[0]]).toEqual([check, "action_required"]);
      else if (e === "replay-skipped") {
        expect([check, got?.[0]]).toEqual([check, base.outcome[check]![0]]);
        expect(r.summaries[check]).toContain("replay-skipped");
      } else {
        expect([check, got]).toEqual([check, ["failure", "Could not check this pull request"]]);
        expect(r.summaries[check]).toMatch(/\*\*Reason:\*\* \S/);
      }
      // Never passing on a fact it could not read.
      if (check === APPROVAL && e !== "same") expect(got?.[0]).not.toBe("success");
    }
    // The fault hit its request: a recovered one was sent once more than without the fault (a
    // held or dropped one never reached the fake, its retry did); a failed one is named in the
    // reason.
    const sent = r.requests.length;
    const usual = base.all.filter(rowMatcher(row, base.cell)).length;
    if (kind.recovers) {
      // An answer lost after GitHub carried the request out: sent again, unless it is a write
      // that must happen once, whose retry asks GitHub instead.
      const resent = kind.fault !== null || (kind.lost === "lose" && !row.once);
      expect([sent, r.caught]).toEqual([resent ? usual + 1 : usual, kind.fault ? 0 : 1]);
      // Nothing twice: no second run left behind, no annotation shown twice.
      expect(r.written).toEqual(base.written);
    } else {
      const failed = r.requests.filter((x) => x.status === kind.fault.status);
      expect(failed).toHaveLength(1);
      if (expected.lint !== "failure" && expected.approval !== "failure") return;
      const reasons = Object.values(r.summaries).join("\n");
      expect(reasons).toMatch(
        row.reason?.[kind.kind === "404" ? "notFound" : "limited"] ??
          (kind.kind === "404"
            ? `${row.method} ${failed[0]!.path} answered HTTP 404`
            : "GitHub's secondary rate limit: GitHub asked to wait 3600 s, longer than the app waits"),
      );
    }
  });
});
