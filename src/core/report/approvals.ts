/**
 * The approvals report for auditors (separation of duties, SOC 2 / ISO 27001): for every merged
 * pull request that changed migrations, who approved, when, how (review or button), whether that
 * approval was bound to the content that merged, and the exceptions; plus direct pushes the
 * `migration-warden/audit` check flagged. Pure: the CLI gathers the facts from GitHub
 * (src/cli/report/), this module judges them and renders CSV, JSON or Markdown.
 *
 * A little over 500 lines: the judgement and its three renderings share the row they print and
 * change together.
 */
import { samePerson } from "../approval/identity.js";
import type { ButtonApproval, ReviewFacts } from "../approval/types.js";
import { escapeInline as escapeMarkdown } from "./markdown.js";
import { escapeControls } from "./text.js";

/** Inline Markdown for text from pull requests and commits (titles, logins, messages). */
function escapeInline(s: string): string {
  return escapeMarkdown(escapeControls(s));
}

export const REPORT_SCHEMA_VERSION = 1;

/** One `migration-warden/approval` run of the app on the merged head commit. */
export interface ApprovalRunFacts {
  id: number;
  status: string;
  conclusion: string | null;
  title: string | null;
  startedAt: string | null;
  completedAt: string | null;
  url: string | null;
  /**
   * The pull requests its record (external_id, src/core/approval/record.ts) says it covers;
   * null when the record could not be read.
   */
  pullRequests: number[] | null;
}

export interface MigrationChange {
  path: string;
  status: string;
  previousPath?: string;
}

/** A merged pull request as GitHub describes it (shared by its facts and its report entry). */
export interface MergedPullRequest {
  number: number;
  title: string;
  url: string;
  author: string | null;
  base: string;
  mergedAt: string;
  mergedBy: string | null;
  headSha: string;
  mergeCommitSha: string | null;
  migrations: MigrationChange[];
  /** Migration digest of the merged head commit; null when it could not be computed. */
  mergedDigest: string | null;
}

export interface MergedPullRequestFacts extends MergedPullRequest {
  reviews: ReviewFacts[];
  /** Button approvals recorded in the app's runs on the PR's commits (any PR they name). */
  buttons: ButtonApproval[];
  approvalRuns: ApprovalRunFacts[];
  /** The merger's repository role (`role_name`) when looked up; null: no role. */
  mergerRole?: string | null;
  /**
   * Account id → the login GitHub gives that account now, for the button approvals' clickers
   * (their records name the login they had when they clicked); null: GitHub found no account.
   */
  logins?: Readonly<Record<string, string | null>>;
  /** Facts that could not be read: the entry is marked incomplete (fail closed). */
  problems: string[];
}

export type ApprovalKind = "review" | "button";

export interface ApprovalEntry {
  /**
   * The approver's login as GitHub names the account now (a review's user; a click's account,
   * found by the id its record carries); else the login a click recorded. Null for a review by a
   * deleted account.
   */
  approver: string | null;
  /** The approver's account id; null when unknown (a deleted account, a version 2 record). */
  approverId: number | null;
  /**
   * A click's recorded login, when it is not `approver`: the account was renamed since (the login
   * may name another account now), or GitHub found no account with its id.
   */
  loginAtApproval?: string;
  kind: ApprovalKind;
  at: string | null;
  /** The commit the approval was given on. */
  commit: string | null;
  /** Migration digest of what was approved; null when unknown (the commit is gone). */
  digest: string | null;
  /** Whether that digest is the merged head's; null when either is unknown. */
  boundToMerged: boolean | null;
  /** The approver asked for changes after this approval (it no longer counted). */
  withdrawn: boolean;
  reviewId?: number;
  checkRunId?: number;
}

export type ExceptionKind =
  | "no-approval-check"
  | "approval-not-passing"
  | "approval-for-other-pull-request"
  | "admin-bypass"
  | "incomplete";

export interface ReportException {
  kind: ExceptionKind;
  detail: string;
}

export interface ApprovalCheckAtMerge {
  runId: number;
  /** `success`, `action_required`, `failure` …, or `in_progress` when it had not finished. */
  state: string;
  title: string | null;
  completedAt: string | null;
  url: string | null;
  /** Its record names this pull request. */
  coversPullRequest: boolean;
  /** The pull requests its record names; null when the record could not be read. */
  recordPullRequests: number[] | null;
}

export interface PullRequestEntry extends MergedPullRequest {
  approvalCheck: ApprovalCheckAtMerge | null;
  approvals: ApprovalEntry[];
  exceptions: ReportException[];
}

/** A commit on the default branch with a `migration-warden/audit` run. */
export interface AuditRunFacts {
  sha: string;
  /** The commit's own date (its author chose it). */
  committedAt: string | null;
  /** When GitHub received the push that made it the branch's head, from the repository activity. */
  pushedAt?: string;
  author: string | null;
  committer: string | null;
  message: string;
  run: {
    id: number;
    status: string;
    conclusion: string | null;
    title: string | null;
    url: string | null;
    startedAt: string | null;
  };
}

export interface DirectPushEntry extends AuditRunFacts {
  detail: string;
}

export interface ApprovalsReport {
  schemaVersion: number;
  tool: { name: string; version: string };
  repository: string;
  range: { since: string; until: string };
  generatedAt: string;
  /** The app whose check runs are trusted (by id: any app can use the same check names). */
  app: { id: number; slug: string | null };
  defaultBranch: string;
  pullRequests: PullRequestEntry[];
  directPushes: DirectPushEntry[];
  audit: { commits: number; audited: number; passing: number };
  summary: {
    pullRequests: number;
    withExceptions: number;
    approvalsBoundToMergedContent: number;
    directPushes: number;
  };
  /** What the report takes for granted, in words an auditor can check. */
  assumptions: string[];
}

const time = (s: string | null | undefined) => (s ? Date.parse(s) : NaN);

/**
 * The approval run branch protection saw at the merge: the newest of the app's runs on the head
 * commit started by then. A run still in progress at that moment was not passing.
 */
export function approvalAtMerge(
  runs: readonly ApprovalRunFacts[],
  mergedAt: string,
  pr: number,
): ApprovalCheckAtMerge | null {
  const merged = time(mergedAt);
  const before = runs
    .filter((r) => time(r.startedAt) <= merged)
    .sort((a, b) => time(b.startedAt) - time(a.startedAt) || b.id - a.id);
  const run = before[0];
  if (!run) return null;
  const finished = run.conclusion !== null && time(run.completedAt) <= merged;
  return {
    runId: run.id,
    state: finished ? run.conclusion! : "in_progress",
    title: run.title,
    completedAt: run.completedAt,
    url: run.url,
    coversPullRequest: run.pullRequests?.includes(pr) ?? false,
    recordPullRequests: run.pullRequests,
  };
}

/** Whether the approval gate was passing for this pull request when it merged. */
export function passedAtMerge(check: ApprovalCheckAtMerge | null): boolean {
  return check !== null && check.state === "success" && check.coversPullRequest;
}

function approvalsOf(f: MergedPullRequestFacts): ApprovalEntry[] {
  const bound = (digest: string | null) =>
    digest === null || f.mergedDigest === null ? null : digest === f.mergedDigest;
  const out: ApprovalEntry[] = [];
  const changeRequests = f.reviews.filter(
    (r) => r.state.toUpperCase() === "CHANGES_REQUESTED" && r.user !== null,
  );
  // People by account id wherever both sides carry one: a click records the login its account had
  // then, and a renamed approver's later change request (under the new login) still withdraws it,
  // while one by whoever claimed the old login does not. Login only for a version 2 record.
  const withdrawn = (who: { login: string | null; id: number | null }, at: string | null) =>
    who.login !== null &&
    changeRequests.some(
      (c) =>
        samePerson({ login: c.user!, id: c.userId ?? null }, { login: who.login!, id: who.id }) &&
        time(c.submittedAt) > time(at),
    );
  for (const r of f.reviews) {
    if (r.state.toUpperCase() !== "APPROVED") continue;
    const digest = r.commitId === f.headSha ? f.mergedDigest : r.digest;
    const approverId = r.userId ?? null;
    out.push({
      approver: r.user,
      approverId,
      kind: "review",
      at: r.submittedAt,
      commit: r.commitId,
      digest,
      boundToMerged: bound(digest),
      withdrawn: withdrawn({ login: r.user, id: approverId }, r.submittedAt),
      reviewId: r.id,
    });
  }
  for (const b of f.buttons) {
    if (!b.pullRequests.includes(f.number)) continue;
    const approverId = b.approverId ?? null;
    const now = approverId === null ? undefined : f.logins?.[String(approverId)];
    const e: ApprovalEntry = {
      approver: now ?? b.approver,
      approverId,
      kind: "button",
      at: b.approvedAt,
      commit: b.headSha,
      digest: b.digest,
      boundToMerged: bound(b.digest),
      withdrawn: withdrawn({ login: b.approver, id: approverId }, b.approvedAt),
    };
    if (now === null || (now !== undefined && now !== b.approver)) e.loginAtApproval = b.approver;
    if (b.checkRunId !== undefined) e.checkRunId = b.checkRunId;
    out.push(e);
  }
  return out.sort((a, b) => time(a.at) - time(b.at));
}

export function assessPullRequest(f: MergedPullRequestFacts): PullRequestEntry {
  const check = approvalAtMerge(f.approvalRuns, f.mergedAt, f.number);
  const exceptions: ReportException[] = [];
  if (check === null) {
    exceptions.push({
      kind: "no-approval-check",
      detail:
        f.approvalRuns.length > 0
          ? "the app's migration-warden/approval check ran on the merged head only after the merge"
          : "no migration-warden/approval check run by the app on the merged head commit",
    });
  } else if (check.state !== "success") {
    exceptions.push({
      kind: "approval-not-passing",
      detail:
        check.state === "in_progress"
          ? "merged while the approval check was still in progress"
          : `merged while the approval check was ${check.state}${check.title ? ` ("${check.title}")` : ""}`,
    });
  } else if (!check.coversPullRequest) {
    exceptions.push({
      kind: "approval-for-other-pull-request",
      detail:
        check.recordPullRequests === null
          ? `the passing approval run ${check.runId} on the head commit carries no readable approval record, so it cannot be shown to be for #${f.number}`
          : `the passing approval run ${check.runId} on the head commit was written for ${check.recordPullRequests.map((p) => `#${p}`).join(", ")}, not #${f.number}`,
    });
  }
  if (!passedAtMerge(check) && f.mergerRole === "admin") {
    exceptions.push({
      kind: "admin-bypass",
      detail: `merged by @${f.mergedBy}, a repository admin, without a passing approval check`,
    });
  }
  for (const p of f.problems) exceptions.push({ kind: "incomplete", detail: p });
  const {
    reviews: _r,
    buttons: _b,
    approvalRuns: _a,
    mergerRole: _m,
    problems: _p,
    logins: _l,
    ...pr
  } = f;
  return { ...pr, approvalCheck: check, approvals: approvalsOf(f), exceptions };
}

/** Commits whose newest audit run is not `success`: a push no approval covers. */
export function directPushes(runs: readonly AuditRunFacts[]): DirectPushEntry[] {
  return runs
    .filter((r) => r.run.conclusion !== "success")
    .map((r) => ({
      ...r,
      detail:
        (r.run.conclusion === null
          ? `the audit check on this push has not finished (${r.run.status})`
          : `the audit check concluded ${r.run.conclusion}${r.run.title ? ` ("${r.run.title}")` : ""}`) +
        (r.pushedAt !== undefined ? `; pushed ${r.pushedAt}` : ""),
    }));
}

export function summarize(
  prs: readonly PullRequestEntry[],
  pushes: readonly DirectPushEntry[],
): ApprovalsReport["summary"] {
  return {
    pullRequests: prs.length,
    withExceptions: prs.filter((p) => p.exceptions.length > 0).length,
    approvalsBoundToMergedContent: prs.filter((p) =>
      p.approvals.some((a) => a.boundToMerged === true && !a.withdrawn),
    ).length,
    directPushes: pushes.length,
  };
}

// ---------------------------------------------------------------------------------------------
// Rendering

export function renderApprovalsJson(r: ApprovalsReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

/**
 * RFC 4180 fields. A field a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR at
 * the start: pull request titles are chosen by their authors) gets a leading apostrophe.
 */
export function csvField(value: string): string {
  const s = escapeControls(value);
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const CSV_COLUMNS = [
  "record",
  "repository",
  "number",
  "title",
  "url",
  "author",
  "base",
  "merged_at",
  "merged_by",
  "head_sha",
  "merge_commit_sha",
  "migrations",
  "merged_digest",
  "approval_check_at_merge",
  "approvals",
  "exceptions",
] as const;

/**
 * " [id 5, clicked as old-login]" for a click whose recorded login is not the account's now:
 * the login alone could name someone else. JSON has every approver's id (`approverId`).
 */
function identity(a: ApprovalEntry): string {
  if (a.loginAtApproval === undefined) return "";
  const id = a.approverId !== null ? `id ${a.approverId}, ` : "";
  return a.approver === a.loginAtApproval
    ? ` [${id}no account with this id found now]`
    : ` [${id}clicked as ${a.loginAtApproval}]`;
}

function approvalText(a: ApprovalEntry): string {
  const bound =
    a.boundToMerged === null
      ? "digest unknown"
      : a.boundToMerged
        ? "bound to merged content"
        : "other content";
  return `${a.approver ?? "(deleted account)"}${identity(a)} (${a.kind}, ${a.at ?? "unknown time"}, ${a.digest ? a.digest.slice(0, 12) : "no digest"}, ${bound}${a.withdrawn ? ", withdrawn by a later change request" : ""})`;
}

function checkText(c: ApprovalCheckAtMerge | null): string {
  return c === null
    ? "none"
    : `${c.state}${c.coversPullRequest ? "" : " (for another pull request)"}`;
}

export function renderApprovalsCsv(r: ApprovalsReport): string {
  const rows: string[][] = [[...CSV_COLUMNS]];
  for (const p of r.pullRequests) {
    rows.push([
      "pull_request",
      r.repository,
      String(p.number),
      p.title,
      p.url,
      p.author ?? "",
      p.base,
      p.mergedAt,
      p.mergedBy ?? "",
      p.headSha,
      p.mergeCommitSha ?? "",
      p.migrations.map((m) => `${m.path} (${m.status})`).join("; "),
      p.mergedDigest ?? "",
      checkText(p.approvalCheck),
      p.approvals.map(approvalText).join("; "),
      p.exceptions.map((e) => `${e.kind}: ${e.detail}`).join("; "),
    ]);
  }
  for (const d of r.directPushes) {
    rows.push([
      "direct_push",
      r.repository,
      "",
      d.message.split("\n")[0] ?? "",
      d.run.url ?? "",
      d.author ?? "",
      r.defaultBranch,
      d.committedAt ?? "",
      d.committer ?? "",
      d.sha,
      "",
      "",
      "",
      "",
      "",
      `direct-push: ${d.detail}`,
    ]);
  }
  return rows.map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n";
}

function code(s: string): string {
  return `\`${escapeControls(s).replace(/`/g, "ʼ").replace(/\|/g, "\\|").replace(/\r?\n/g, " ")}\``;
}

function short(sha: string | null): string {
  return sha ? code(sha.slice(0, 12)) : "—";
}

export function renderApprovalsMarkdown(r: ApprovalsReport): string {
  const s = r.summary;
  const out: string[] = [
    `# Migration approvals: ${escapeInline(r.repository)}`,
    "",
    `Pull requests merged from ${r.range.since} to ${r.range.until} that changed migrations. Generated ${r.generatedAt} by ${r.tool.name} ${r.tool.version}; check runs trusted only from app ${r.app.slug ? `${escapeInline(r.app.slug)} ` : ""}(id ${r.app.id}).`,
    "",
    `- **${s.pullRequests}** pull request${s.pullRequests === 1 ? "" : "s"} changed migrations; **${s.withExceptions}** with exceptions; ${s.approvalsBoundToMergedContent} with an approval bound to the merged content.`,
    `- **${s.directPushes}** push${s.directPushes === 1 ? "" : "es"} to ${escapeInline(r.defaultBranch)} flagged by the audit check (${r.audit.audited} of ${r.audit.commits} commits in the range have an audit run).`,
    "",
  ];
  if (r.pullRequests.length > 0) {
    out.push(
      "## Pull requests",
      "",
      "| Pull request | Merged | Author | Migrations | Approvals | Merged digest | Approval check at merge | Exceptions |",
      "| --- | --- | --- | --- | --- | --- | --- | --- |",
    );
    for (const p of r.pullRequests) {
      const migrations = p.migrations.slice(0, 5).map((m) => `${code(m.path)} (${m.status})`);
      if (p.migrations.length > 5) migrations.push(`and ${p.migrations.length - 5} more`);
      const approvals = p.approvals.map(
        (a) =>
          `${a.approver ? `@${escapeInline(a.approver)}` : "(deleted account)"}${escapeInline(identity(a))} — ${a.kind}, ${a.at ?? "?"}, ${short(a.digest)}${a.boundToMerged === true ? " ✅ bound" : a.boundToMerged === false ? " ⚠️ other content" : " ❔ unknown"}${a.withdrawn ? ", withdrawn" : ""}`,
      );
      out.push(
        `| [#${p.number}](${p.url}) ${escapeInline(p.title)} → ${escapeInline(p.base)} | ${p.mergedAt}${p.mergedBy ? ` by @${escapeInline(p.mergedBy)}` : ""} | ${p.author ? `@${escapeInline(p.author)}` : "—"} | ${migrations.join("<br>")} | ${approvals.join("<br>") || "none"} | ${short(p.mergedDigest)} | ${escapeInline(checkText(p.approvalCheck))} | ${p.exceptions.map((e) => `**${e.kind}**: ${escapeInline(e.detail)}`).join("<br>") || "—"} |`,
      );
    }
    out.push("");
  }
  if (r.directPushes.length > 0) {
    out.push(
      "## Direct pushes flagged by the audit check",
      "",
      "| Commit | Date | Author | Committer | Message | Audit check |",
      "| --- | --- | --- | --- | --- | --- |",
    );
    for (const d of r.directPushes)
      out.push(
        `| ${short(d.sha)} | ${d.committedAt ?? "—"} | ${d.author ? `@${escapeInline(d.author)}` : "—"} | ${d.committer ? `@${escapeInline(d.committer)}` : "—"} | ${escapeInline(d.message.split("\n")[0] ?? "")} | ${d.run.url ? `[${escapeInline(d.detail)}](${d.run.url})` : escapeInline(d.detail)} |`,
      );
    out.push("");
  }
  out.push("## Assumptions", "", ...r.assumptions.map((a) => `- ${escapeInline(a)}`), "");
  return out.join("\n");
}
