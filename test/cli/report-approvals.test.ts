/**
 * `migration-warden report approvals` against the local fake GitHub: merged pull requests that
 * changed migrations, approvers with time and kind, the digest approved vs merged, and every kind
 * of exception; only the app's own check runs are evidence; reads only (no write requests);
 * paginated, retried, rate-limit aware, progress on stderr. Pages that shift while they are read:
 * report-approvals-pages.test.ts.
 */
import { baseBinding, encodeApprovalRunId } from "../../src/core/approval/record.js";
import {
  approvalAtMerge,
  csvField,
  renderApprovalsCsv,
  type ApprovalsReport,
} from "../../src/core/report/approvals.js";
import { ApprovalReader } from "../../src/github/approval/reader.js";
import { TreeReader } from "../../src/github/git.js";
import { parseDate } from "../../src/cli/report/index.js";
import { reportClient } from "../../src/cli/report/client.js";
import { gatherApprovals, Progress } from "../../src/cli/report/approvals.js";
import { privateKey } from "../support/app-key.js";
import { FakeGitHub, type FakeRepo } from "../support/fake-github.mjs";
import { runCli } from "../support/cli.js";

const APP_ID = 4242;
const FOREIGN_APP = 15368; // GitHub Actions can create check runs of any name.
const TOKEN = "ghp_report_token";
const CONFIG = `directories:\n  - path: db/migrations\n    dialect: postgres\napproval:\n  teams: [dba]\n`;
const DIRS = [{ path: "db/migrations", dialect: "postgres" as const, multiStatement: false }];

let fake: FakeGitHub;
let repo: FakeRepo;
const env = () => ({ GITHUB_TOKEN: TOKEN, GITHUB_API_URL: fake.apiUrl });

async function digestOf(sha: string): Promise<string> {
  const client = reportClient({ token: TOKEN, baseUrl: fake.apiUrl, note: () => {} });
  const r = { owner: repo.owner, repo: repo.name };
  const d = await new ApprovalReader(client, r, new TreeReader(client, r), APP_ID).digest(
    sha,
    DIRS,
  );
  return d.digest!;
}

let n = 0;
/** A pull request from a branch off main changing `files`; returns its number and head. */
function open(files: Record<string, string | null>, opts: { user?: string; title?: string } = {}) {
  const branch = `feature-${++n}`;
  const head = repo.commit({
    parent: repo.branches.get("main")!,
    branch,
    files,
    message: `change ${n}`,
  });
  const number = repo.openPullRequest({ base: "main", head, headRef: branch, ...opts });
  return { number, head, branch };
}

/** An approval run of the app on `sha`, as the app writes it. */
function approvalRun(
  sha: string,
  prs: number[],
  digest: string,
  conclusion: string | null,
  started: string,
  completed?: string,
  opts: { appId?: number; approval?: { approver: string; approvedAt: string } } = {},
) {
  return fake.addCheckRun(repo, {
    appId: opts.appId ?? APP_ID,
    name: "migration-warden/approval",
    head_sha: sha,
    external_id: encodeApprovalRunId({
      pullRequests: prs,
      digest,
      base: baseBinding(prs.map((number) => ({ number, baseRef: "main" }))),
      approval: opts.approval ?? null,
    }),
    conclusion,
    started_at: started,
    ...(completed ? { completed_at: completed } : {}),
    title: conclusion === "success" ? "Approved" : "Waiting for DBA approval",
  });
}

const MIG = (v: number, sql = "CREATE TABLE t (id int);\n") => ({
  [`db/migrations/00000${v}_m${v}.up.sql`]: sql,
  [`db/migrations/00000${v}_m${v}.down.sql`]: "SELECT 1;\n",
});

/** `report approvals --repo acme/shop ARGS` against the fake. */
const approvals = (args: string[], e: Record<string, string> = env()) =>
  runCli(["report", "approvals", "--repo", "acme/shop", ...args], process.cwd(), e);

let report: ApprovalsReport;
let stderr: string;
let code: number;
const prs: Record<string, number> = {};

beforeAll(async () => {
  fake = await new FakeGitHub({ appId: APP_ID, privateKey }).start();
  fake.tokens.add(TOKEN);
  repo = fake.createRepo("acme", "shop");
  repo.commit({
    branch: "main",
    files: { ".github/migration-warden.yml": CONFIG, ...MIG(1), "README.md": "shop\n" },
    date: "2024-12-01T00:00:00Z",
  });

  // Merged before the range: not listed.
  const early = open(MIG(2));
  repo.mergePullRequest(early.number, { by: "bob", at: "2024-12-20T10:00:00Z" });

  // 1. Approved by review on the head, check passing, merged: no exception.
  const ok = open(MIG(3), { user: "dev", title: "Add orders" });
  prs.ok = ok.number;
  repo.review(ok.number, { user: "alice", state: "APPROVED", submittedAt: "2025-01-10T09:00:00Z" });
  approvalRun(
    ok.head,
    [ok.number],
    await digestOf(ok.head),
    "success",
    "2025-01-10T09:00:05Z",
    "2025-01-10T09:00:09Z",
  );
  repo.mergePullRequest(ok.number, { by: "bob", at: "2025-01-10T10:00:00Z" });

  // 2. Approved on an earlier commit, then the migration changed; merged by an admin while the
  //    check waited.
  const stale = open(MIG(4));
  prs.stale = stale.number;
  repo.review(stale.number, {
    user: "alice",
    state: "APPROVED",
    commitId: stale.head,
    submittedAt: "2025-01-11T09:00:00Z",
  });
  const edited = repo.commit({
    parent: stale.head,
    branch: stale.branch,
    files: { "db/migrations/000004_m4.up.sql": "DROP TABLE orders;\n" },
  });
  repo.pushToPullRequest(stale.number, edited);
  approvalRun(
    edited,
    [stale.number],
    await digestOf(edited),
    "action_required",
    "2025-01-11T09:30:00Z",
    "2025-01-11T09:30:04Z",
  );
  repo.setRole("root", "admin");
  repo.mergePullRequest(stale.number, { by: "root", at: "2025-01-11T10:00:00Z" });

  // 3. Approved with the button (record in the app's run), check passing.
  const button = open(MIG(5));
  prs.button = button.number;
  const d5 = await digestOf(button.head);
  approvalRun(
    button.head,
    [button.number],
    d5,
    "success",
    "2025-01-12T09:00:00Z",
    "2025-01-12T09:00:03Z",
    {
      approval: { approver: "carol", approvedAt: "2025-01-12T08:59:58Z" },
    },
  );
  repo.mergePullRequest(button.number, { by: "bob", at: "2025-01-12T10:00:00Z", method: "squash" });

  // 4. No migration changed: not listed.
  const readme = open({ "README.md": "shop!\n" });
  prs.readme = readme.number;
  repo.mergePullRequest(readme.number, { by: "bob", at: "2025-01-13T10:00:00Z" });

  // 5. A passing check written by another app only: forged, so no approval check at all.
  const forged = open(MIG(6));
  prs.forged = forged.number;
  repo.review(forged.number, {
    user: "mallory",
    state: "APPROVED",
    submittedAt: "2025-01-14T09:00:00Z",
  });
  approvalRun(
    forged.head,
    [forged.number],
    await digestOf(forged.head),
    "success",
    "2025-01-14T09:00:00Z",
    "2025-01-14T09:00:01Z",
    {
      appId: FOREIGN_APP,
      approval: { approver: "mallory", approvedAt: "2025-01-14T09:00:00Z" },
    },
  );
  repo.mergePullRequest(forged.number, { by: "dev", at: "2025-01-14T10:00:00Z" });

  // 6. The passing run on the head was written for another pull request (a decoy).
  const decoy = open(MIG(7));
  prs.decoy = decoy.number;
  approvalRun(
    decoy.head,
    [99],
    await digestOf(decoy.head),
    "success",
    "2025-01-15T09:00:00Z",
    "2025-01-15T09:00:01Z",
  );
  repo.mergePullRequest(decoy.number, { by: "dev", at: "2025-01-15T10:00:00Z" });

  // 7. Merged while the newest approval run was still in progress; the approval was withdrawn
  //    by a later change request.
  const racing = open(MIG(8));
  prs.racing = racing.number;
  const d8 = await digestOf(racing.head);
  repo.review(racing.number, {
    user: "alice",
    state: "APPROVED",
    submittedAt: "2025-01-16T08:00:00Z",
  });
  repo.review(racing.number, {
    user: "alice",
    state: "CHANGES_REQUESTED",
    submittedAt: "2025-01-16T08:30:00Z",
  });
  approvalRun(
    racing.head,
    [racing.number],
    d8,
    "success",
    "2025-01-16T08:00:05Z",
    "2025-01-16T08:00:09Z",
  );
  approvalRun(
    racing.head,
    [racing.number],
    d8,
    "failure",
    "2025-01-16T09:59:00Z",
    "2025-01-16T10:00:30Z",
  );
  // A run after the merge does not change what branch protection saw.
  approvalRun(
    racing.head,
    [racing.number],
    d8,
    "success",
    "2025-01-16T11:00:00Z",
    "2025-01-16T11:00:01Z",
  );
  repo.mergePullRequest(racing.number, { by: "dev", at: "2025-01-16T10:00:00Z" });

  // Merged after the range, and still open: not listed.
  const late = open(MIG(9));
  repo.mergePullRequest(late.number, { by: "bob", at: "2025-03-01T10:00:00Z" });
  open({ "db/migrations/000010_open.up.sql": "SELECT 1;\n" });

  // Direct pushes to main: one flagged by the audit check, one passing, one flagged only by
  // another app (ignored).
  const tip = repo.branches.get("main")!;
  const pushed = repo.commit({
    branch: "main",
    parent: tip,
    files: { "db/migrations/000001_m1.up.sql": "DROP TABLE users;\n" },
    message: "hotfix\n\nedited a merged migration",
    author: "root",
    date: "2025-01-20T12:00:00Z",
  });
  fake.addCheckRun(repo, {
    name: "migration-warden/audit",
    head_sha: pushed,
    conclusion: "failure",
    started_at: "2025-01-20T12:00:05Z",
    title: "1 merged migration edited",
  });
  const fine = repo.commit({
    branch: "main",
    files: { "docs/x.md": "x\n" },
    date: "2025-01-21T12:00:00Z",
  });
  fake.addCheckRun(repo, {
    name: "migration-warden/audit",
    head_sha: fine,
    conclusion: "success",
    started_at: "2025-01-21T12:00:05Z",
  });
  const other = repo.commit({
    branch: "main",
    files: { "docs/y.md": "y\n" },
    date: "2025-01-22T12:00:00Z",
  });
  fake.addCheckRun(repo, {
    appId: FOREIGN_APP,
    name: "migration-warden/audit",
    head_sha: other,
    conclusion: "failure",
    started_at: "2025-01-22T12:00:05Z",
  });

  fake.clearRequests();
  const r = await approvals(
    ["--since", "2025-01-01", "--until", "2025-01-31", "--format", "json"],
    env(),
  );
  code = r.code;
  stderr = r.stderr;
  report = r.stdout ? JSON.parse(r.stdout) : null;
}, 120_000);

afterAll(() => fake.stop());

const entry = (k: string) => report.pullRequests.find((p) => p.number === prs[k]);

test("lists exactly the merged pull requests of the range that changed migrations", () => {
  expect(stderr).not.toContain("failed");
  expect(code).toBe(1);
  expect(report.pullRequests.map((p) => p.number)).toEqual(
    [prs.ok, prs.stale, prs.button, prs.forged, prs.decoy, prs.racing].sort((a, b) => a! - b!),
  );
  expect(report.app).toEqual({ id: APP_ID, slug: "migration-warden" });
  expect(report.range).toEqual({
    since: "2025-01-01T00:00:00.000Z",
    until: "2025-01-31T23:59:59.999Z",
  });
  expect(report.assumptions.join("\n")).toContain("migration-warden/audit check");
});

test("an approved pull request: approver, time, kind, digest bound to the merged content", async () => {
  const e = entry("ok")!;
  expect(e).toMatchObject({
    title: "Add orders",
    author: "dev",
    base: "main",
    mergedAt: "2025-01-10T10:00:00Z",
    mergedBy: "bob",
    migrations: [
      { path: "db/migrations/000003_m3.down.sql", status: "added" },
      { path: "db/migrations/000003_m3.up.sql", status: "added" },
    ],
    approvalCheck: { state: "success", coversPullRequest: true },
    exceptions: [],
  });
  expect(e.mergedDigest).toBe(await digestOf(e.headSha));
  expect(e.approvals).toEqual([
    expect.objectContaining({
      approver: "alice",
      kind: "review",
      at: "2025-01-10T09:00:00Z",
      commit: e.headSha,
      digest: e.mergedDigest,
      boundToMerged: true,
      withdrawn: false,
    }),
  ]);
});

test("approved content that changed before the merge, merged by an admin while waiting", () => {
  const e = entry("stale")!;
  expect(e.approvals).toHaveLength(1);
  expect(e.approvals[0]).toMatchObject({ approver: "alice", kind: "review", boundToMerged: false });
  expect(e.approvals[0]!.digest).not.toBe(e.mergedDigest);
  expect(e.exceptions.map((x) => x.kind)).toEqual(["approval-not-passing", "admin-bypass"]);
  expect(e.exceptions[0]!.detail).toContain("action_required");
  expect(e.exceptions[1]!.detail).toContain("@root, a repository admin");
});

test("a button approval is read from the app's record", () => {
  const e = entry("button")!;
  expect(e.approvals).toEqual([
    expect.objectContaining({
      approver: "carol",
      kind: "button",
      at: "2025-01-12T08:59:58Z",
      boundToMerged: true,
    }),
  ]);
  expect(e.approvals[0]!.checkRunId).toEqual(expect.any(Number));
  expect(e.exceptions).toEqual([]);
});

test("runs by another app are never evidence: no check, no button approval", () => {
  const e = entry("forged")!;
  expect(e.approvalCheck).toBeNull();
  expect(e.approvals.map((a) => [a.approver, a.kind])).toEqual([["mallory", "review"]]);
  expect(e.exceptions.map((x) => x.kind)).toEqual(["no-approval-check"]);
});

test("a passing run for another pull request does not count for this one", () => {
  expect(entry("decoy")!.exceptions.map((x) => x.kind)).toEqual([
    "approval-for-other-pull-request",
  ]);
});

test("the run branch protection saw at the merge decides; a withdrawn approval is marked", () => {
  const e = entry("racing")!;
  expect(e.approvalCheck).toMatchObject({ state: "in_progress" });
  expect(e.exceptions.map((x) => x.kind)).toEqual(["approval-not-passing"]);
  expect(e.approvals[0]).toMatchObject({ approver: "alice", withdrawn: true });
});

test("direct pushes flagged by the app's audit check", () => {
  expect(report.directPushes).toHaveLength(1);
  expect(report.directPushes[0]).toMatchObject({
    author: "root",
    committedAt: "2025-01-20T12:00:00Z",
    message: "hotfix\n\nedited a merged migration",
    run: { conclusion: "failure", title: "1 merged migration edited" },
  });
  expect(report.audit).toEqual({ commits: expect.any(Number), audited: 2, passing: 1 });
  expect(report.summary).toEqual({
    pullRequests: 6,
    withExceptions: 4,
    // alice on the approved PR, carol's click, and mallory's review (bound, but no passing check).
    approvalsBoundToMergedContent: 3,
    directPushes: 1,
  });
});

test("reads only: every request was a GET or a GraphQL query; the pull request list stops before older pages", () => {
  const writes = fake.requests.filter(
    (r) =>
      r.method !== "GET" &&
      !(
        r.method === "POST" &&
        /\/graphql$/.test(r.path) &&
        /^\s*query\b/.test(String((r.body as { query?: unknown } | undefined)?.query))
      ),
  );
  expect(writes).toEqual([]);
  // Not a vacuous pass: GraphQL reads did happen (the git objects' gather).
  expect(fake.requests.some((r) => r.method === "POST" && /\/graphql$/.test(r.path))).toBe(true);
  // The pull request listing is read newest update first and stops before older pages.
  expect(fake.requests.filter((r) => r.path === "/repos/acme/shop/pulls")).toHaveLength(1);
  // Progress on stderr, one line per phase at least.
  expect(stderr).toContain("listing pull requests: page 1, 7 merged in the range so far");
  expect(stderr).toContain("reading merged pull requests: 7/7");
  expect(stderr).toContain("reading audit checks on commits of main: 10/10");
  expect(stderr).not.toContain("404");
});

test("markdown and csv carry the same facts; CSV neutralises formulas in titles", async () => {
  const md = await approvals(["--since", "2025-01-01", "--until", "2025-01-31"]);
  expect(md.code).toBe(1);
  expect(md.stdout).toContain("# Migration approvals: acme/shop");
  expect(md.stdout).toContain(
    "| Pull request | Merged | Author | Migrations | Approvals | Merged digest | Approval check at merge | Exceptions |",
  );
  expect(md.stdout).toContain("@alice — review, 2025-01-10T09:00:00Z");
  expect(md.stdout).toContain("✅ bound");
  expect(md.stdout).toContain("**admin-bypass**");
  expect(md.stdout).toContain("## Direct pushes flagged by the audit check");
  expect(md.stdout).toContain("## Assumptions");

  const csv = await approvals(
    ["--since", "2025-01-01", "--until", "2025-01-31", "--format", "csv"],
    env(),
  );
  const lines = csv.stdout.trimEnd().split("\r\n");
  expect(lines[0]).toBe(
    "record,repository,number,title,url,author,base,merged_at,merged_by,head_sha,merge_commit_sha,migrations,merged_digest,approval_check_at_merge,approvals,exceptions",
  );
  expect(lines.filter((l) => l.startsWith("pull_request,"))).toHaveLength(6);
  expect(lines.filter((l) => l.startsWith("direct_push,"))).toHaveLength(1);
  expect(csvField('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`);
  expect(csvField("-1+2")).toBe("'-1+2");
  expect(csvField("a,b")).toBe('"a,b"');
  const withTitle = renderApprovalsCsv({
    ...report,
    pullRequests: [{ ...report.pullRequests[0]!, title: "@SUM(A1:A9)" }],
    directPushes: [],
  });
  expect(withTitle).toContain(",'@SUM(A1:A9),");
});

describe("the client", () => {
  test("retries a 5xx, waits out a rate limit with a note on stderr, works on api.github.com's layout", async () => {
    fake.failNext({
      method: "GET",
      path: /^\/repos\/acme\/shop\/pulls\/\d+$/,
      status: 502,
      times: 1,
    });
    fake.failNext({
      method: "GET",
      path: /^\/repos\/acme\/shop\/pulls$/,
      status: 403,
      message: "You have exceeded a secondary rate limit",
      headers: { "retry-after": "1" },
    });
    const r = await approvals(
      ["--since", "2025-01-10", "--until", "2025-01-10", "--format", "json"],
      { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: `http://${fake.host}` },
    );
    expect(r.stderr).toContain("secondary rate limit: waiting 1 s");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).pullRequests.map((p: { number: number }) => p.number)).toEqual([
      prs.ok,
    ]);
  }, 60_000);

  test("an error that does not go away is exit 2 with the reason, nothing on stdout", async () => {
    fake.failNext({
      method: "GET",
      path: /^\/repos\/acme\/shop\/pulls\/\d+\/reviews$/,
      status: 403,
      message: "Resource not accessible by personal access token",
    });
    const r = await approvals(["--since", "2025-01-10", "--until", "2025-01-10"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /report approvals failed: pull request #\d+: GitHub API error: GET \/repos\/acme\/shop\/pulls\/\d+\/reviews answered HTTP 403/,
    );
  }, 60_000);

  test("pages through long lists and stops at the first page before the range", async () => {
    // Many old closed pull requests after the ones in the range.
    for (let i = 0; i < 30; i++) {
      const old = open({ [`docs/old-${i}.md`]: "x\n" });
      repo.closePullRequest(old.number);
    }
    fake.clearRequests();
    const r = await gatherApprovals(
      reportClient({ token: TOKEN, baseUrl: fake.apiUrl, note: () => {} }),
      {
        repo: { owner: "acme", repo: "shop" },
        since: new Date("2025-01-01T00:00:00Z"),
        until: new Date("2025-01-31T23:59:59Z"),
        app: "migration-warden",
        pageSize: 2,
      },
      new Progress(() => {}),
    );
    expect(r.summary.pullRequests).toBe(6);
    expect(r.directPushes).toHaveLength(1);
    const pages = fake.requests
      .filter((q) => q.path === "/repos/acme/shop/pulls")
      .map((q) => Number(q.query.page ?? 1));
    // Newest update first: the one merged after the range, the 7 in it, then the one merged
    // before it with the first old one on page 5, where the list stops (not 15 pages later).
    expect(pages).toEqual([1, 2, 3, 4, 5]);
    expect(
      fake.requests.filter((q) => q.path === "/repos/acme/shop/commits").length,
    ).toBeGreaterThan(2);
  }, 60_000);
});

describe("usage", () => {
  test("missing token, repository, dates; bad formats and apps are exit 2", async () => {
    const run = (args: string[], e: Record<string, string> = env()) =>
      runCli(["report", ...args], process.cwd(), e);
    expect(
      (await run(["approvals", "--repo", "acme/shop", "--since", "2025-01-01"], {})).stderr,
    ).toContain("set GITHUB_TOKEN");
    for (const args of [
      ["approvals", "--since", "2025-01-01"],
      ["approvals", "--repo", "acme", "--since", "2025-01-01"],
      ["approvals", "--repo", "acme/shop"],
      ["approvals", "--repo", "acme/shop", "--since", "2025-02-30"],
      ["approvals", "--repo", "acme/shop", "--since", "yesterday"],
      ["approvals", "--repo", "acme/shop", "--since", "2025-02-01", "--until", "2025-01-01"],
      ["approvals", "--repo", "acme/shop", "--since", "2025-01-01", "--format", "xlsx"],
      ["approvals", "--repo", "acme/shop", "--since", "2025-01-01", "--app", "../x"],
      ["reviews"],
      [],
    ]) {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
    }
    const unknownApp = await run([
      "approvals",
      "--repo",
      "acme/shop",
      "--since",
      "2025-01-01",
      "--app",
      "nope",
    ]);
    expect(unknownApp.code).toBe(2);
    expect(unknownApp.stderr).toContain('no GitHub App with the slug "nope"');
    expect((await run(["approvals", "--help"])).stdout).toContain(
      "Usage: migration-warden report approvals",
    );
  });

  test("dates: a day covers the whole UTC day; times need a zone", () => {
    expect(parseDate("2025-01-31", "--until", true).toISOString()).toBe("2025-01-31T23:59:59.999Z");
    expect(parseDate("2025-01-31T10:00:00+02:00", "--since", false).toISOString()).toBe(
      "2025-01-31T08:00:00.000Z",
    );
    expect(() => parseDate("2025-01-31T10:00:00", "--since", false)).toThrow("zone");
  });

  test("the approval run at the merge", () => {
    const run = (
      id: number,
      started: string,
      completed: string | null,
      conclusion: string | null,
    ) => ({
      id,
      status: completed ? "completed" : "in_progress",
      conclusion,
      title: null,
      startedAt: started,
      completedAt: completed,
      url: null,
      pullRequests: [1],
    });
    expect(approvalAtMerge([], "2025-01-01T00:00:00Z", 1)).toBeNull();
    expect(
      approvalAtMerge(
        [
          run(1, "2025-01-01T00:00:00Z", "2025-01-01T00:00:01Z", "success"),
          run(2, "2025-01-01T00:00:02Z", null, null),
        ],
        "2025-01-01T00:00:03Z",
        1,
      )!.state,
    ).toBe("in_progress");
    // Same start second: the later run (higher id) is the newer one.
    expect(
      approvalAtMerge(
        [
          run(2, "2025-01-01T00:00:00Z", "2025-01-01T00:00:01Z", "failure"),
          run(1, "2025-01-01T00:00:00Z", "2025-01-01T00:00:01Z", "success"),
        ],
        "2025-01-01T00:00:03Z",
        1,
      )!.state,
    ).toBe("failure");
  });
});

test("text from pull requests cannot break the Markdown, the CSV or a terminal", async () => {
  const { renderApprovalsMarkdown } = await import("../../src/core/report/approvals.js");
  const hostile = {
    ...report,
    pullRequests: [
      {
        ...report.pullRequests[0]!,
        title: "Fix | x\u001b[2J<img src=x>\n## Injected",
        author: "dev",
        migrations: [{ path: "db/migrations/1_a`|b\u001b.up.sql", status: "added" }],
      },
    ],
  };
  const md = renderApprovalsMarkdown(hostile);
  expect(md).not.toContain("\u001b");
  expect(md).not.toMatch(/^## Injected/m);
  expect(md).toContain("Fix \\| x\\u{1b}[2J&lt;img src=x&gt;<br>## Injected");
  expect(md).toContain("`db/migrations/1_aʼ\\|b\\u{1b}.up.sql`");
  const csv = renderApprovalsCsv(hostile);
  expect(csv).not.toContain("\u001b");
});
