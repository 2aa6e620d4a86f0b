/**
 * `report approvals`: a direct push is found by when GitHub received it, not by its commit's
 * date. The date is whatever the pusher's git wrote (`GIT_COMMITTER_DATE`), so a commit dated
 * before the range and pushed in it, which the audit check flagged, was left out of the report
 * for the range it happened in (and the report for the range of its date was already written).
 * The repository activity (`GET /repos/{owner}/{repo}/activity`) has the push's time.
 */
import type { ApprovalsReport } from "../../src/core/report/approvals.js";
import type { FakeGitHub, FakeRepo } from "../support/fake-github.mjs";
import { JANUARY_2025, reportApprovals, reportGitHub } from "../support/report-approvals.js";

const APP_ID = 4545;
const TOKEN = "ghp_report_backdated";

let fake: FakeGitHub;
let repo: FakeRepo;
const shas: Record<string, string> = {};

const approvals = () => reportApprovals(fake, TOKEN, JANUARY_2025);

function flagged(sha: string, started: string) {
  fake.addCheckRun(repo, {
    appId: APP_ID,
    name: "migration-warden/audit",
    head_sha: sha,
    conclusion: "failure",
    started_at: started,
    title: "1 merged migration edited",
  });
}

beforeAll(async () => {
  ({ fake, repo } = await reportGitHub(APP_ID, TOKEN));
  repo.commit({
    branch: "main",
    files: {
      "migrations/000001_a.up.sql": "CREATE TABLE a (id int);\n",
      "migrations/000001_a.down.sql": "DROP TABLE a;\n",
    },
    date: "2024-06-01T00:00:00Z",
    pushedAt: "2024-06-01T00:00:05Z",
  });
  // Dated half a year before the range, pushed in it: flagged by the audit check.
  shas.backdated = repo.commit({
    branch: "main",
    files: { "migrations/000001_a.up.sql": "DROP TABLE a;\n" },
    message: "tidy up",
    author: "mallory",
    date: "2024-07-01T00:00:00Z",
    pushedAt: "2025-01-15T12:00:00Z",
  });
  flagged(shas.backdated, "2025-01-15T12:00:03Z");
  // Dated in the range: found by its date, as before.
  shas.dated = repo.commit({
    branch: "main",
    files: { "migrations/000001_a.down.sql": "SELECT 1;\n" },
    message: "hotfix",
    author: "root",
    date: "2025-01-20T12:00:00Z",
    pushedAt: "2025-01-20T12:00:01Z",
  });
  flagged(shas.dated, "2025-01-20T12:00:04Z");
  // Pushed after the range, dated in it: still found by its date (the report does not shrink).
  shas.late = repo.commit({
    branch: "main",
    files: { "migrations/000001_a.down.sql": "SELECT 2;\n" },
    message: "late",
    author: "root",
    date: "2025-01-25T12:00:00Z",
    pushedAt: "2025-02-03T12:00:00Z",
  });
  flagged(shas.late, "2025-02-03T12:00:04Z");
  // Dated and pushed before the range: not this report's.
  shas.old = repo.commit({
    branch: "main",
    files: { "migrations/000001_a.down.sql": "SELECT 3;\n" },
    message: "old",
    date: "2024-08-01T00:00:00Z",
    pushedAt: "2024-08-01T00:00:01Z",
  });
  flagged(shas.old, "2024-08-01T00:00:04Z");
}, 60_000);

afterAll(() => fake.stop());

test("a backdated commit pushed in the range is listed, with when it was pushed", async () => {
  const r = await approvals();
  expect(r.code).toBe(1);
  const report = JSON.parse(r.stdout) as ApprovalsReport;
  expect(report.directPushes.map((d) => d.sha).sort()).toEqual(
    [shas.backdated, shas.dated, shas.late].sort(),
  );
  expect(report.directPushes.find((d) => d.sha === shas.backdated)).toMatchObject({
    committedAt: "2024-07-01T00:00:00Z",
    pushedAt: "2025-01-15T12:00:00Z",
    author: "mallory",
    message: "tidy up",
    detail: expect.stringContaining("; pushed 2025-01-15T12:00:00Z"),
  });
  expect(report.summary.directPushes).toBe(3);
  expect(report.assumptions.join("\n")).toContain("GET /repos/{owner}/{repo}/activity");
});

test("without the activity endpoint (an older GitHub Enterprise Server): by commit date, said so", async () => {
  fake.failNext({ method: "GET", path: /^\/repos\/acme\/shop\/activity$/, status: 404 });
  const r = await approvals();
  const report = JSON.parse(r.stdout) as ApprovalsReport;
  expect(report.directPushes.map((d) => d.sha).sort()).toEqual([shas.dated, shas.late].sort());
  expect(r.stderr).toContain("direct pushes are found by commit date only");
  expect(report.assumptions.join("\n")).toContain(
    "this GitHub has no repository activity endpoint",
  );
});
