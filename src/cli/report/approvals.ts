/**
 * `migration-warden report approvals`: reads GitHub (only GitHub: the pull requests, their reviews
 * and commits, the trees of the migration directories, and the app's own check runs) and builds
 * the approvals report (src/core/report/approvals.ts). Approval records are read with the app's
 * own parser (src/core/approval/record.ts) and digests with the app's reader
 * (src/github/approval/reader.ts), so a change in either lands here too.
 */
import { ConfigError } from "../../config/load.js";
import type { Config, DirectoryConfig } from "../../config/types.js";
import {
  APPROVAL_CHECK_NAME,
  GIT_OID,
  readApprovalRun,
  type ButtonApproval,
  type ReviewFacts,
} from "../../core/approval/index.js";
import { parseMigrationName } from "../../core/migrations/filename.js";
import {
  approvalAtMerge,
  assessPullRequest,
  directPushes,
  passedAtMerge,
  REPORT_SCHEMA_VERSION,
  summarize,
  type ApprovalRunFacts,
  type ApprovalsReport,
  type AuditRunFacts,
  type MergedPullRequestFacts,
  type PullRequestEntry,
} from "../../core/report/approvals.js";
import { ApprovalReader, checkRunFacts } from "../../github/approval/reader.js";
import { migrationChanges } from "../../changeset/build.js";
import { listPullRequestFiles } from "../../github/changeset.js";
import { cached, mapLimit, type GitHubClient, type RepoRef } from "../../github/client.js";
import { loadBaseConfig } from "../../github/config.js";
import { describeError, httpStatus } from "../../github/errors.js";
import { TreeReader } from "../../github/git.js";
import { pullRequestInfo } from "../../github/pull-request.js";
import { TOOL } from "../../version.js";
import { mergedPullRequests, PER_PAGE, pushedHeads } from "./listing.js";
import { Progress, ReportError } from "./progress.js";

export { Progress, ReportError };

/** The check the push-audit lane (issue 12) writes on pushes to audited branches. */
export const AUDIT_CHECK_NAME = "migration-warden/audit";
const PR_CONCURRENCY = 4;
const COMMIT_CONCURRENCY = 8;

export interface ApprovalsOptions {
  repo: RepoRef;
  since: Date;
  until: Date;
  /** The app whose runs are trusted: its slug (looked up) or its numeric id. */
  app: string;
  /** Only pull requests into this branch. */
  base?: string;
  now?: Date;
  /** Items per page of the lists (GitHub's maximum, 100, unless a test wants many pages). */
  pageSize?: number;
}

async function resolveApp(
  octokit: GitHubClient,
  app: string,
): Promise<{ id: number; slug: string | null }> {
  if (/^[1-9]\d{0,15}$/.test(app)) return { id: Number(app), slug: null };
  try {
    const { data } = await octokit.request("GET /apps/{app_slug}", { app_slug: app });
    const d = data as { id?: unknown; slug?: unknown } | null;
    if (typeof d?.id !== "number")
      throw new ReportError(`GitHub returned no id for the app "${app}"`);
    return { id: d.id, slug: typeof d.slug === "string" ? d.slug : app };
  } catch (err) {
    if (httpStatus(err) === 404)
      throw new ReportError(
        `no GitHub App with the slug "${app}": pass --app with your migration-warden app's slug or id`,
      );
    throw err;
  }
}

interface BaseConfig {
  directories: readonly DirectoryConfig[] | null;
  problem: string | null;
}

export async function gatherApprovals(
  octokit: GitHubClient,
  opts: ApprovalsOptions,
  progress: Progress,
): Promise<ApprovalsReport> {
  const repo = opts.repo;
  const app = await resolveApp(octokit, opts.app);
  const { data: repoData } = await octokit.rest.repos.get({ ...repo });
  const defaultBranch = repoData.default_branch;
  const trees = new TreeReader(octokit, repo);
  const reader = new ApprovalReader(octokit, repo, trees, app.id);
  const configs = new Map<string, Promise<BaseConfig>>();
  const roles = new Map<string, Promise<string | null>>();
  const accounts = new Map<string, Promise<string | null>>();

  const baseConfig = (ref: string, sha: string) =>
    cached(configs, sha, async (): Promise<BaseConfig> => {
      try {
        const treeSha = await trees.commitTree(sha);
        const config: Config = await loadBaseConfig(octokit, repo, { ref, sha, treeSha }, trees);
        return { directories: config.directories, problem: null };
      } catch (err) {
        if (err instanceof ConfigError)
          return {
            directories: null,
            problem: `the configuration at the base is invalid (${err.message})`,
          };
        if ([404, 422].includes(httpStatus(err) ?? 0))
          return {
            directories: null,
            problem: `the base commit ${sha} is no longer available on GitHub`,
          };
        throw err;
      }
    });

  const role = (login: string) =>
    cached(roles, login.toLowerCase(), async () => {
      try {
        const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({
          ...repo,
          username: login,
        });
        return typeof data.role_name === "string" ? data.role_name : null;
      } catch (err) {
        if (httpStatus(err) === 404) return null;
        throw err;
      }
    });

  /**
   * The login an account has now, by its id (a click's record carries the id: the login it
   * recorded may have been renamed since, and claimed by someone else). Null: GitHub has no
   * account with that id (deleted; or a GitHub Enterprise Server without this endpoint).
   */
  const loginOf = (id: number) =>
    cached(accounts, String(id), async () => {
      try {
        const { data } = await octokit.request("GET /user/{account_id}", { account_id: id });
        const login = (data as { login?: unknown } | null)?.login;
        return typeof login === "string" && login !== "" ? login : null;
      } catch (err) {
        if (httpStatus(err) === 404) return null;
        throw err;
      }
    });

  /** The app's own runs of a check on a commit, newest first (checked again run by run). */
  const ownRuns = async (sha: string, name: string) => {
    const runs = await octokit.paginate(octokit.rest.checks.listForRef, {
      ...repo,
      ref: sha,
      check_name: name,
      app_id: app.id,
      filter: "all",
      per_page: PER_PAGE,
    });
    return runs
      .filter((r) => r.app?.id === app.id && r.name === name)
      .sort(
        (a, b) => Date.parse(b.started_at ?? "") - Date.parse(a.started_at ?? "") || b.id - a.id,
      );
  };

  const approvalRuns = async (sha: string): Promise<ApprovalRunFacts[]> => {
    return (await ownRuns(sha, APPROVAL_CHECK_NAME)).map((r) => {
      const record = readApprovalRun(checkRunFacts(r), app.id);
      return {
        id: r.id,
        status: r.status,
        conclusion: r.conclusion ?? null,
        title: r.output?.title ?? null,
        startedAt: r.started_at ?? null,
        completedAt: r.completed_at ?? null,
        url: r.html_url ?? null,
        pullRequests: record.ok ? [...record.value.pullRequests] : null,
      };
    });
  };

  const pullRequest = async (number: number): Promise<PullRequestEntry | null> => {
    const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: number });
    if (!data.merged_at) return null;
    const info = pullRequestInfo({ ...repo, number }, data);
    const problems: string[] = [];
    const base = await baseConfig(data.base.ref, data.base.sha);
    if (base.problem) problems.push(base.problem);
    const files = await listPullRequestFiles(octokit, info);
    problems.push(...files.incomplete);
    // Without a valid configuration, files named like golang-migrate migrations stand in.
    const changes = base.directories
      ? migrationChanges(files.changes, base.directories)
      : files.changes.filter(
          (c) => parseMigrationName(c.path.slice(c.path.lastIndexOf("/") + 1)) !== null,
        );
    if (changes.length === 0 && problems.length === 0) return null;

    const dirs = base.directories;
    let mergedDigest: string | null = null;
    let reviews: ReviewFacts[];
    if (dirs) {
      const d = await reader.digest(info.headSha, dirs, "missing");
      mergedDigest = d.digest;
      if (d.problem) problems.push(`merged digest: ${d.problem}`);
      reviews = await reader.reviews(info, dirs);
    } else {
      reviews = (await reader.reviews(info, [])).map((r) => ({ ...r, digest: null }));
    }
    const commits = await reader.commits(info);
    if (commits.problem) problems.push(commits.problem);
    const shas = commits.commits.map((c) => c.sha).filter((s) => GIT_OID.test(s));
    if (!shas.includes(info.headSha)) shas.push(info.headSha);
    const buttons: ButtonApproval[] = await reader.buttonApprovals(shas);
    const runs = await approvalRuns(info.headSha);
    const clickers = buttons
      .filter((b) => b.pullRequests.includes(number) && typeof b.approverId === "number")
      .map((b) => b.approverId!);
    const logins: Record<string, string | null> = {};
    for (const id of new Set(clickers)) logins[String(id)] = await loginOf(id);

    const facts: MergedPullRequestFacts = {
      number,
      title: data.title,
      url: data.html_url,
      author: data.user?.login ?? null,
      base: data.base.ref,
      mergedAt: data.merged_at,
      mergedBy: data.merged_by?.login ?? null,
      headSha: info.headSha,
      mergeCommitSha: data.merge_commit_sha ?? null,
      migrations: changes.map((c) => ({
        path: c.path,
        status: c.status,
        ...(c.previousPath !== undefined ? { previousPath: c.previousPath } : {}),
      })),
      mergedDigest,
      reviews,
      buttons,
      approvalRuns: runs,
      problems,
      logins,
    };
    if (!passedAtMerge(approvalAtMerge(runs, facts.mergedAt, number)) && facts.mergedBy)
      facts.mergerRole = await role(facts.mergedBy);
    return assessPullRequest(facts);
  };

  progress.note(
    `reading ${repo.owner}/${repo.repo} from ${opts.since.toISOString()} to ${opts.until.toISOString()}; trusting check runs of app ${app.slug ?? ""}${app.slug ? " " : ""}(id ${app.id})`,
  );
  const candidates = await mergedPullRequests(octokit, repo, opts, progress);
  let done = 0;
  const entries = await mapLimit(candidates, PR_CONCURRENCY, async (n) => {
    try {
      return await pullRequest(n);
    } catch (err) {
      throw new ReportError(`pull request #${n}: ${describeError(err)}`);
    } finally {
      progress.step("reading merged pull requests", ++done, candidates.length);
    }
  });
  const pullRequests = entries.filter((e): e is PullRequestEntry => e !== null);

  // Direct pushes: the audit check's runs on the default branch's commits in the range.
  let listed = 0;
  const commits = await octokit.paginate(
    octokit.rest.repos.listCommits,
    {
      ...repo,
      sha: defaultBranch,
      since: opts.since.toISOString(),
      until: opts.until.toISOString(),
      per_page: opts.pageSize ?? PER_PAGE,
    },
    (res) => {
      listed += res.data.length;
      progress.status("commits", `listing commits of ${defaultBranch}: ${listed}`);
      return res.data;
    },
  );
  const pushed = await pushedHeads(octokit, repo, defaultBranch, opts, progress);
  type ListedCommit = (typeof commits)[number];
  const examined: Array<{ sha: string; listed: ListedCommit | null }> = commits.map((c) => ({
    sha: c.sha,
    listed: c,
  }));
  const listedShas = new Set(commits.map((c) => c.sha));
  for (const sha of pushed?.keys() ?? [])
    if (!listedShas.has(sha)) examined.push({ sha, listed: null });
  let checked = 0;
  const audited = await mapLimit(
    examined,
    COMMIT_CONCURRENCY,
    async ({ sha, listed }): Promise<AuditRunFacts | null> => {
      const own = await ownRuns(sha, AUDIT_CHECK_NAME);
      progress.step(
        `reading audit checks on commits of ${defaultBranch}`,
        ++checked,
        examined.length,
      );
      const run = own[0];
      if (!run) return null;
      // A pushed head whose commit date is outside the range: its details, read on their own
      // (the first commit of a listing from it has the same shape as the range's). One GitHub
      // no longer has (force-pushed away and collected) is still listed, without them.
      const c =
        listed ??
        (await octokit.rest.repos
          .listCommits({ ...repo, sha, per_page: 1 })
          .then(({ data }) => data.find((x) => x.sha === sha) ?? null)
          .catch((err: unknown) => {
            if ([404, 409, 422].includes(httpStatus(err) ?? 0)) return null;
            throw err;
          }));
      const pushedAt = pushed?.get(sha);
      return {
        sha,
        committedAt: c ? (c.commit.committer?.date ?? c.commit.author?.date ?? null) : null,
        ...(pushedAt !== undefined ? { pushedAt } : {}),
        author: c?.author?.login ?? null,
        committer: c?.committer?.login ?? null,
        message: c ? c.commit.message : "(GitHub no longer has this commit)",
        run: {
          id: run.id,
          status: run.status,
          conclusion: run.conclusion ?? null,
          title: run.output?.title ?? null,
          url: run.html_url ?? null,
          startedAt: run.started_at ?? null,
        },
      };
    },
  );
  const withRuns = audited.filter((a): a is AuditRunFacts => a !== null);
  const pushes = directPushes(withRuns);

  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: TOOL,
    repository: `${repo.owner}/${repo.repo}`,
    range: { since: opts.since.toISOString(), until: opts.until.toISOString() },
    generatedAt: (opts.now ?? new Date()).toISOString(),
    app,
    defaultBranch,
    pullRequests,
    directPushes: pushes,
    audit: {
      commits: examined.length,
      audited: withRuns.length,
      passing: withRuns.length - pushes.length,
    },
    summary: summarize(pullRequests, pushes),
    assumptions: assumptions(app, defaultBranch, opts, pushed !== null),
  };
}

function assumptions(
  app: { id: number; slug: string | null },
  defaultBranch: string,
  opts: ApprovalsOptions,
  activity: boolean,
): string[] {
  const who = `app ${app.slug ? `${app.slug} ` : ""}(id ${app.id})`;
  return [
    `Pull requests: every pull request GitHub reports merged (merged_at) in the range${opts.base ? ` into ${opts.base}` : ", into any branch"}, found through all pull requests sorted by last update, read again while pull requests move between its pages (the report fails rather than miss one).`,
    "Migrations: the files a pull request changed below the directories that .github/migration-warden.yml configures at its base commit (GitHub's base.sha), as the app counts them; with an invalid configuration, files named like golang-migrate migrations, and the entry is marked incomplete.",
    `Evidence is read only from check runs created by ${who}: any GitHub App with checks:write can create runs with the same names.`,
    `Approvals: APPROVED reviews, and "Approve migrations" clicks recorded in the external_id of ${who}'s migration-warden/approval runs on the pull request's commits, read with the app's own record parser. A review's approved digest is the migration digest of the commit it was given on; a click's is the digest in its record. Both are compared with the merged head's digest, computed as the app computes it (configured directories at the base).`,
    "People: an approver is named by the login GitHub gives the account now, with its account id. A button approval's record carries the login the clicker had then and (records of version 3) the account id, looked up with GET /user/{account_id}; a renamed clicker is shown under the current login and the recorded one. A later change request withdraws an approval when it is by the same account (by id; by login for a version 2 record, which names only the login).",
    "Eligibility: whether each approver could approve (team membership, roles, author and contributor exclusions) is what the approval check decided at the time; its conclusion is shown. GitHub keeps no history of team membership, so the report does not judge it again.",
    "Approval check at merge: the newest migration-warden/approval run on the merged head commit started before merged_at (branch protection requires the newest run). One that had not finished by then did not pass; one written for other pull requests only does not count for this one.",
    "admin-bypass: the merger has the admin role on the repository when the report runs (GitHub keeps no history of roles); an admin merge without a passing approval check means branch protection was bypassed or did not require the check.",
    `Direct pushes: the ${AUDIT_CHECK_NAME} check (on pushes to audited branches) is read by name and conclusion only, on the commits of ${defaultBranch} that GitHub lists for the range (it filters by commit date, which the commit's author chooses) and ${activity ? `on the head of every push to ${defaultBranch} that the repository's activity (GET /repos/{owner}/{repo}/activity) records in the range, so a backdated commit pushed in the range is found` : `not on pushes by the time they were received: this GitHub has no repository activity endpoint, so a commit pushed in the range with a date before it is not found`}. A commit whose newest audit run is not success is listed; the run's text is not parsed. Commits without an audit run (pushes that touched no migration, or before the audit check existed) are not listed.`,
  ];
}
