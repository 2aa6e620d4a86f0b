/**
 * `report approvals`: what the report cannot read is an exception, never a clean entry (an
 * invalid configuration at the pull request's base: the migrations are then the files named like
 * golang-migrate's, and the entry says it is incomplete); and GitHub's primary rate limit
 * (`x-ratelimit-remaining: 0`) is waited out with a note, as the secondary one is
 * (report-approvals.test.ts).
 */
import { baseBinding, encodeApprovalRunId } from "../../src/core/approval/record.js";
import type { ApprovalsReport } from "../../src/core/report/approvals.js";
import type { FakeGitHub, FakeRepo } from "../support/fake-github.mjs";
import { JANUARY_2025, reportApprovals, reportGitHub } from "../support/report-approvals.js";

const APP_ID = 4444;
const TOKEN = "ghp_report_incomplete";

let fake: FakeGitHub;
let repo: FakeRepo;
let number: number;

beforeAll(async () => {
  ({ fake, repo } = await reportGitHub(APP_ID, TOKEN));
  repo.commit({
    branch: "main",
    files: {
      // Invalid: the app fails both checks on it; the report cannot say which files it gates.
      ".github/migration-warden.yml": "approval:\n  required: sometimes\n",
      "migrations/000001_a.up.sql": "CREATE TABLE a (id int);\n",
      "migrations/000001_a.down.sql": "DROP TABLE a;\n",
    },
    date: "2024-12-01T00:00:00Z",
  });
  const head = repo.commit({
    parent: repo.branches.get("main")!,
    branch: "feature",
    files: {
      "migrations/000002_b.up.sql": "DROP TABLE a;\n",
      "migrations/000002_b.down.sql": "CREATE TABLE a (id int);\n",
      "README.md": "x\n",
    },
  });
  number = repo.openPullRequest({ base: "main", head, headRef: "feature" });
  // A passing approval check at the merge: the only exception is what could not be read.
  fake.addCheckRun(repo, {
    appId: APP_ID,
    name: "migration-warden/approval",
    head_sha: head,
    external_id: encodeApprovalRunId({
      pullRequests: [number],
      digest: "0".repeat(64),
      base: baseBinding([{ number, baseRef: "main" }]),
      approval: null,
    }),
    conclusion: "success",
    started_at: "2025-01-10T09:00:00Z",
    completed_at: "2025-01-10T09:00:01Z",
    title: "Approved",
  });
  repo.mergePullRequest(number, { by: "dev", at: "2025-01-10T10:00:00Z" });
}, 60_000);

afterAll(() => fake.stop());

test("an invalid configuration at the base: listed by file name, marked incomplete, exit 1", async () => {
  const r = await reportApprovals(fake, TOKEN, JANUARY_2025);
  expect(r.code).toBe(1);
  const report = JSON.parse(r.stdout) as ApprovalsReport;
  const e = report.pullRequests.find((p) => p.number === number)!;
  expect(e.migrations.map((m) => m.path)).toEqual([
    "migrations/000002_b.down.sql",
    "migrations/000002_b.up.sql",
  ]);
  expect(e.mergedDigest).toBeNull();
  expect(e.approvalCheck).toMatchObject({ state: "success", coversPullRequest: true });
  expect(e.exceptions).toEqual([
    {
      kind: "incomplete",
      detail: expect.stringContaining("the configuration at the base is invalid"),
    },
  ]);
  expect(report.summary.withExceptions).toBe(1);
});

test("the primary rate limit is waited out with a note on stderr", async () => {
  fake.failNext({
    method: "GET",
    path: /^\/repos\/acme\/shop\/pulls$/,
    status: 403,
    message: "API rate limit exceeded",
    headers: {
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": String(Math.ceil(Date.now() / 1000) + 1),
    },
  });
  const r = await reportApprovals(fake, TOKEN, JANUARY_2025);
  expect(r.stderr).toMatch(/API rate limit: waiting \d+ s \(until /);
  expect(r.code).toBe(1);
  expect((JSON.parse(r.stdout) as ApprovalsReport).pullRequests.map((p) => p.number)).toEqual([
    number,
  ]);
}, 60_000);
