/**
 * The push audit's decision and its check-run text (`migration-warden/audit`). Pure: the adapter
 * (src/github/audit/) reads what changed, which approvals cover it and who pushed; this decides.
 *
 * Failure when the push alters merged migrations, drops migration history (a force push), brings
 * migration content no approval covers, weakens the policy (whichever way: a pull request that only
 * edits the policy changes no migration, so nothing made a DBA review it), or when anything could
 * not be checked (fail closed). Success otherwise.
 */
import type { DirectoryConfig } from "../../config/types.js";
import { CONFIG_PATH } from "../../config/types.js";
import { escapeMarkdown, table } from "../approval/audit.js";
import { directoryOf } from "../migrations/directory.js";
import { parseMigrationName } from "../migrations/filename.js";
import { codeSpan, inlineCode, plural } from "../report/markdown.js";
import { truncateUtf8 } from "../report/truncate.js";
import type { ChangeStatus, ChangedFile } from "../types.js";
import type { PolicyChange } from "./policy.js";

export const AUDIT_CHECK_NAME = "migration-warden/audit";
/** GitHub's limit is 65,535; leave room for the recovery marker the check writer adds. */
const SUMMARY_MAX_BYTES = 64_000;

export interface AuditFile {
  path: string;
  previousPath?: string;
  status: ChangeStatus;
  /** The pushed commit that last changed the file; null when it could not be told. */
  commit: string | null;
}

export interface CoveredFile extends AuditFile {
  /** The approved head whose content equals the pushed content, and what approved it there. */
  by: { sha: string; pullRequests: number[]; checkRunId: number };
}

export interface PolicyReport {
  changes: PolicyChange[];
  /** The merged pull request whose head carries the pushed config; null: direct or forced push. */
  viaPullRequest: number | null;
  /** The pushed commits that changed the file (newest last). */
  commits: { sha: string; author: string | null; date: string | null }[];
  /** Why the pushed configuration cannot be read (the pull requests' checks fail on it). */
  invalid: string | null;
}

export interface AuditFacts {
  branch: string;
  before: string | null;
  after: string;
  /** What the push is compared against: `before`, or a merge base (force push, new branch). */
  base: { sha: string; how: "before" | "merge-base" | "created" };
  forced: boolean;
  /** `pusher.name` and `sender.login` of the push event; when GitHub received it. */
  by: { pusher: string | null; sender: string | null; at: string | null };
  /** Edits, deletions and renames of merged migrations. */
  altered: AuditFile[];
  /** Migration content no approval of this app covers. */
  uncovered: AuditFile[];
  /** Migration changes of the overwritten history that a force push drops. */
  dropped: AuditFile[];
  /**
   * New migrations whose version is not above the highest one the branch already had: databases
   * past it silently skip them (an approval given before a higher version landed does not know).
   */
  outOfOrder?: AuditFile[];
  covered: CoveredFile[];
  policy: PolicyReport | null;
  /** What could not be checked (each one fails the audit). */
  unresolved: string[];
  /** Shown, never deciding (e.g. the audit issue could not be written). */
  notes: string[];
}

/**
 * A change to a file the compared-against commit has directly in a configured directory under a
 * name golang-migrate reads: editing, deleting or renaming it alters applied history.
 */
export function altersMergedMigration(
  change: ChangedFile,
  dirs: readonly DirectoryConfig[],
): boolean {
  if (change.status === "added") return false;
  const old = change.status === "renamed" ? (change.previousPath ?? change.path) : change.path;
  if (directoryOf(old, dirs) === null) return false;
  return parseMigrationName(old.slice(old.lastIndexOf("/") + 1)) !== null;
}

export function weakensPolicy(p: PolicyReport | null): boolean {
  return p !== null && (p.invalid !== null || p.changes.some((c) => c.weakens));
}

export function auditConclusion(f: AuditFacts): "success" | "failure" {
  const policyFails = weakensPolicy(f.policy);
  return f.altered.length > 0 ||
    (f.outOfOrder?.length ?? 0) > 0 ||
    f.uncovered.length > 0 ||
    f.dropped.length > 0 ||
    f.unresolved.length > 0 ||
    policyFails
    ? "failure"
    : "success";
}

function sha(s: string | null): string {
  return s === null ? "unknown" : `\`${s.slice(0, 12)}\``;
}

function who(f: AuditFacts): string {
  const pusher = f.by.pusher !== null ? escapeMarkdown(f.by.pusher) : "an unknown pusher";
  const sender =
    f.by.sender !== null && f.by.sender !== f.by.pusher ? ` (@${escapeMarkdown(f.by.sender)})` : "";
  return `${pusher}${sender}`;
}

function fileCell(file: AuditFile): string {
  return file.previousPath !== undefined
    ? `${inlineCode(file.previousPath)} → ${inlineCode(file.path)}`
    : inlineCode(file.path);
}

const VERB: Record<ChangeStatus, string> = {
  added: "added",
  modified: "edited",
  removed: "deleted",
  renamed: "renamed",
};

function fileTable(files: readonly AuditFile[], pusher: string): string[] {
  return table(
    ["file", "change", "commit", "pushed by"],
    files.map((f) => [fileCell(f), VERB[f.status], sha(f.commit), pusher]),
  );
}

export function auditTitle(f: AuditFacts): string {
  const parts: string[] = [];
  if (f.altered.length > 0) parts.push(`${plural(f.altered.length, "merged migration")} altered`);
  if (f.dropped.length > 0) parts.push("migration history rewritten");
  if (f.outOfOrder?.length) parts.push(`${plural(f.outOfOrder.length, "migration")} out of order`);
  if (f.uncovered.length > 0)
    parts.push(`${plural(f.uncovered.length, "migration file")} without approval`);
  if (f.policy !== null && weakensPolicy(f.policy))
    parts.push(
      f.policy.viaPullRequest === null
        ? "policy weakened without a pull request"
        : `policy weakened (pull request #${f.policy.viaPullRequest})`,
    );
  if (f.unresolved.length > 0) parts.push("audit incomplete");
  if (parts.length > 0) return parts.join(", ");
  return f.policy !== null && f.covered.length === 0
    ? "Policy changed; no migration changes"
    : "Every migration change is covered by an approval";
}

/** The check run's title and summary. */
export function renderAudit(f: AuditFacts): { title: string; summary: string } {
  const pusher = who(f);
  const lines: string[] = [];
  const at = f.by.at !== null ? ` at ${escapeMarkdown(f.by.at)}` : "";
  const range =
    f.before === null ? `created at ${sha(f.after)}` : `${sha(f.before)} → ${sha(f.after)}`;
  lines.push(
    `Push to ${codeSpan(f.branch)} by ${pusher}${at}: ${range}${f.forced ? " (**force push**)" : ""}.`,
  );
  const against =
    f.base.how === "before"
      ? "the branch before the push"
      : f.base.how === "created"
        ? "its merge base with the default branch"
        : "the merge base of the old and the new tip";
  lines.push(`Compared with ${against} (${sha(f.base.sha)}).`);

  if (f.policy !== null) {
    const p = f.policy;
    const weak = weakensPolicy(p);
    lines.push(
      "",
      `## ${weak ? "⚠️ " : ""}Policy changed: ${codeSpan(CONFIG_PATH)}`,
      "",
      `> **${pusher}** ${p.viaPullRequest !== null ? `merged pull request #${p.viaPullRequest}, which changes` : "pushed a change of"} the policy${at}.${weak && p.viaPullRequest === null ? " It weakens the gate without a pull request: **failure**." : weak ? " It weakens the gate: **failure**, for a person to confirm it was meant (a pull request that only edits the policy changes no migration, so no DBA had to review it)." : ""}`,
    );
    for (const c of p.commits)
      lines.push(
        `> Commit ${sha(c.sha)}${c.author !== null ? ` by @${escapeMarkdown(c.author)}` : ""}${c.date !== null ? ` on ${escapeMarkdown(c.date)}` : ""}.`,
      );
    if (p.invalid !== null)
      lines.push(
        "",
        `The pushed configuration is invalid, so every pull request's checks fail on it: ${escapeMarkdown(p.invalid)}`,
      );
    if (p.changes.length > 0)
      lines.push(
        "",
        ...table(
          ["setting", "change", "weakens the gate"],
          p.changes.map((c) => [
            inlineCode(c.key),
            escapeMarkdown(c.change),
            c.weakens ? "**yes**" : "no",
          ]),
        ),
      );
    else if (p.invalid === null)
      lines.push("", "No effective setting changed (formatting or comments only).");
  }

  const sections: [readonly AuditFile[], string, string][] = [
    [
      f.altered,
      "Merged migrations altered",
      "These files were already on the branch, so databases may have applied them: editing, deleting or renaming them leaves those databases out of step with the repository. Restore them and add a new migration instead.",
    ],
    [
      f.dropped,
      "Migration history rewritten",
      "The force push removes commits that changed these migration files; databases that applied them no longer match the branch.",
    ],
    [
      f.outOfOrder ?? [],
      "Migrations out of order",
      "Their version is not above the highest version the branch already had, so golang-migrate silently skips them on every database already past it. Renumber them above the latest version.",
    ],
    [
      f.uncovered,
      "Migration content without approval",
      "No passing `migration-warden/approval` run of a pull request merged into this branch (or of the pushed commit itself, from a merge queue) approved exactly this content against this branch.",
    ],
  ];
  for (const [files, heading, why] of sections)
    if (files.length > 0) lines.push("", `## ${heading}`, "", why, "", ...fileTable(files, pusher));
  if (f.unresolved.length > 0)
    lines.push(
      "",
      "## Could not be checked",
      "",
      "The audit fails closed on what it cannot see:",
      "",
      ...f.unresolved.map((u) => `- ${escapeMarkdown(u)}`),
    );
  if (f.covered.length > 0)
    lines.push(
      "",
      "## Covered by approvals",
      "",
      ...table(
        ["file", "change", "commit", "approved on", "pull requests", "approval run"],
        f.covered.map((c) => [
          fileCell(c),
          VERB[c.status],
          sha(c.commit),
          sha(c.by.sha),
          c.by.pullRequests.map((n) => `#${n}`).join(", "),
          String(c.by.checkRunId),
        ]),
      ),
    );
  if (f.notes.length > 0) lines.push("", ...f.notes.map((n) => `_${escapeMarkdown(n)}_`));
  return {
    title: truncateUtf8(auditTitle(f), 200),
    summary: truncateUtf8(lines.join("\n"), SUMMARY_MAX_BYTES, "\n\n…(truncated)"),
  };
}
