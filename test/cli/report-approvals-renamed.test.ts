/**
 * `report approvals` and people who change their login. A click's record names the login its
 * account had when it clicked, and (version 3) the account id; reviews name accounts by their
 * login now. Matching by login alone, the report kept an approval standing after its approver,
 * renamed since, asked for changes (an approval bound to the merged content in the summary that
 * no longer was), withdrew one because whoever claimed the freed login asked for changes, and
 * showed a renamed clicker under a login that may name someone else now.
 */
import { baseBinding, encodeApprovalRunId } from "../../src/core/approval/record.js";
import {
  renderApprovalsCsv,
  renderApprovalsMarkdown,
  type ApprovalsReport,
} from "../../src/core/report/approvals.js";
import { ApprovalReader } from "../../src/github/approval/reader.js";
import { TreeReader } from "../../src/github/git.js";
import { reportClient } from "../../src/cli/report/client.js";
import type { FakeGitHub, FakeRepo } from "../support/fake-github.mjs";
import { JANUARY_2025, reportApprovals, reportGitHub } from "../support/report-approvals.js";

const APP_ID = 4343;
const TOKEN = "ghp_report_renamed";
const CONFIG = `directories:\n  - path: db/migrations\n    dialect: postgres\napproval:\n  teams: [dba]\n`;
const DIRS = [{ path: "db/migrations", dialect: "postgres" as const, multiStatement: false }];

let fake: FakeGitHub;
let repo: FakeRepo;
let report: ApprovalsReport;
let stderr: string;
const prs: Record<string, number> = {};
const ids: Record<string, number> = {};

async function digestOf(sha: string): Promise<string> {
  const client = reportClient({ token: TOKEN, baseUrl: fake.apiUrl, note: () => {} });
  const r = { owner: repo.owner, repo: repo.name };
  return (await new ApprovalReader(client, r, new TreeReader(client, r), APP_ID).digest(sha, DIRS))
    .digest!;
}

let n = 0;
/** A pull request changing a migration, a click on its head recorded by the app at `day`. */
async function clicked(
  key: string,
  day: string,
  approval: { approver: string; approverId?: number },
): Promise<void> {
  const branch = `feature-${++n}`;
  const head = repo.commit({
    parent: repo.branches.get("main")!,
    branch,
    files: {
      [`db/migrations/00000${n + 1}_m.up.sql`]: "CREATE TABLE t (id int);\n",
      [`db/migrations/00000${n + 1}_m.down.sql`]: "DROP TABLE t;\n",
    },
    message: `change ${n}`,
  });
  const number = repo.openPullRequest({ base: "main", head, headRef: branch, user: "dev" });
  prs[key] = number;
  fake.addCheckRun(repo, {
    appId: APP_ID,
    name: "migration-warden/approval",
    head_sha: head,
    external_id: encodeApprovalRunId({
      pullRequests: [number],
      digest: await digestOf(head),
      base: baseBinding([{ number, baseRef: "main" }]),
      approval: { ...approval, approvedAt: `${day}T09:00:00Z` },
    }),
    conclusion: "success",
    started_at: `${day}T09:00:01Z`,
    completed_at: `${day}T09:00:02Z`,
    title: "Approved",
  });
}

beforeAll(async () => {
  ({ fake, repo } = await reportGitHub(APP_ID, TOKEN));
  repo.commit({
    branch: "main",
    files: {
      ".github/migration-warden.yml": CONFIG,
      "db/migrations/000001_m.up.sql": "CREATE TABLE u (id int);\n",
      "db/migrations/000001_m.down.sql": "DROP TABLE u;\n",
    },
    date: "2024-12-01T00:00:00Z",
  });
  for (const login of ["carol", "dave", "erin"]) ids[login] = fake.accountId(login)!;

  // carol clicks, renames herself, then asks for changes under her new login.
  await clicked("renamed", "2025-01-10", { approver: "carol", approverId: ids.carol! });
  fake.renameUser("carol", "carol-dba");
  repo.review(prs.renamed!, {
    user: "carol-dba",
    state: "CHANGES_REQUESTED",
    submittedAt: "2025-01-10T09:30:00Z",
  });
  repo.mergePullRequest(prs.renamed!, { by: "dev", at: "2025-01-10T10:00:00Z" });

  // dave clicks and renames himself; a new account claims "dave" and asks for changes.
  await clicked("claimed", "2025-01-11", { approver: "dave", approverId: ids.dave! });
  fake.renameUser("dave", "dave-dba");
  repo.review(prs.claimed!, {
    user: "dave",
    state: "CHANGES_REQUESTED",
    submittedAt: "2025-01-11T09:30:00Z",
  });
  repo.mergePullRequest(prs.claimed!, { by: "dev", at: "2025-01-11T10:00:00Z" });

  // An id no account has (deleted since): the recorded login stays, marked.
  await clicked("gone", "2025-01-12", { approver: "frank", approverId: 9_999_999 });
  repo.mergePullRequest(prs.gone!, { by: "dev", at: "2025-01-12T10:00:00Z" });

  // A version 2 record names the login only: matched by login, as before.
  await clicked("v2", "2025-01-13", { approver: "erin" });
  repo.review(prs.v2!, {
    user: "erin",
    state: "CHANGES_REQUESTED",
    submittedAt: "2025-01-13T09:30:00Z",
  });
  repo.mergePullRequest(prs.v2!, { by: "dev", at: "2025-01-13T10:00:00Z" });

  const r = await reportApprovals(fake, TOKEN, JANUARY_2025);
  stderr = r.stderr;
  report = JSON.parse(r.stdout) as ApprovalsReport;
}, 120_000);

afterAll(() => fake.stop());

const approvalOf = (key: string) =>
  report.pullRequests
    .find((p) => p.number === prs[key])!
    .approvals.find((a) => a.kind === "button")!;

test("a renamed approver's later change request withdraws their click; they are shown as they are now", () => {
  expect(stderr).not.toContain("failed");
  expect(approvalOf("renamed")).toMatchObject({
    approver: "carol-dba",
    approverId: ids.carol,
    loginAtApproval: "carol",
    boundToMerged: true,
    withdrawn: true,
  });
  // Not counted as an approval bound to the merged content: only "gone" is (withdrawn: no).
  expect(report.summary.approvalsBoundToMergedContent).toBe(2);
});

test("a change request by whoever claimed the freed login withdraws nothing", () => {
  const a = approvalOf("claimed");
  expect(a).toMatchObject({
    approver: "dave-dba",
    approverId: ids.dave,
    loginAtApproval: "dave",
    withdrawn: false,
  });
  const cr = report.pullRequests.find((p) => p.number === prs.claimed);
  expect(cr).toBeDefined();
});

test("an id GitHub no longer knows keeps the recorded login, marked; a version 2 record by login", () => {
  expect(approvalOf("gone")).toMatchObject({
    approver: "frank",
    approverId: 9_999_999,
    loginAtApproval: "frank",
    withdrawn: false,
  });
  expect(approvalOf("v2")).toMatchObject({ approver: "erin", approverId: null, withdrawn: true });
  expect(approvalOf("v2")).not.toHaveProperty("loginAtApproval");
});

test("CSV and Markdown name the account by id and the login it clicked as", () => {
  const csv = renderApprovalsCsv(report);
  expect(csv).toContain(`carol-dba [id ${ids.carol}, clicked as carol] (button,`);
  expect(csv).toContain("frank [id 9999999, no account with this id found now] (button,");
  const md = renderApprovalsMarkdown(report);
  expect(md).toContain(`@carol-dba [id ${ids.carol}, clicked as carol] — button`);
  expect(report.assumptions.join("\n")).toContain("GET /user/{account_id}");
});
