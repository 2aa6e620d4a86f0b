/**
 * The approval check run's body. Its summary is the audit trail: who approved, how (review or
 * button), when, for which migration digest and head commit; who may approve; and why every
 * approval that did not count was not counted.
 */
import { CONFIG_PATH, type ApprovalPolicy } from "../../config/types.js";
import type { CheckOutput } from "../report/check-output.js";
import { short } from "./assess.js";
import { FALLBACK_ROLES } from "./eligibility.js";
import { baseBinding, encodeApprovalRunId, MAX_RECORD_PULL_REQUESTS } from "./record.js";
import {
  APPROVE_ACTION,
  type ApprovalAction,
  type ApprovalConclusion,
  type ApprovalDecision,
  type CombinedDecision,
} from "./types.js";

/** GitHub rejects summaries over 65,535 characters and counts bytes in practice. */
export const SUMMARY_MAX_BYTES = 65_000;
const TITLE_MAX = 200;
const MAX_ROWS = 50;

/** Everything an approval run shows that depends on the decision (a neutral check output). */
export interface ApprovalCheckBody extends CheckOutput {
  conclusion: ApprovalConclusion;
}

/**
 * Escapes text from GitHub (branch names, logins) for Markdown and table cells: a branch name
 * must not be able to inject links, HTML or table columns into the audit trail.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/[\\`*_[\]<>|~&]/g, "\\$&")
    .replace(/^(\s*)([#>+=-]|\d+\.)/, "$1\\$2");
}

function user(login: string | null): string {
  return login === null ? "a deleted user" : `@${escapeMarkdown(login)}`;
}

function code(hexOrNull: string | null, full = false): string {
  // Only ever hex (validated), safe inside a code span.
  if (hexOrNull === null) return "unknown";
  return `\`${full ? hexOrNull : short(hexOrNull)}\``;
}

function how(a: ApprovalAction): string {
  if (a.via === "button")
    return `**${APPROVE_ACTION.label}** button${a.checkRunId !== undefined ? ` (check run ${a.checkRunId})` : ""}`;
  return `review${a.reviewId !== undefined ? ` ${a.reviewId}` : ""}`;
}

/** A Markdown table of at most MAX_ROWS rows (cells already escaped); the push audit's too. */
export function table(header: string[], rows: string[][]): string[] {
  const shown = rows.slice(0, MAX_ROWS);
  const out = [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...shown.map((r) => `| ${r.join(" | ")} |`),
  ];
  if (rows.length > shown.length) out.push("", `…and ${rows.length - shown.length} more.`);
  return out;
}

const STATE_LABEL: Record<ApprovalDecision["state"], string> = {
  approved: "Approved",
  pending: "Waiting for approval",
  blocked: "Blocked",
  error: "Cannot be evaluated",
};

function whoMayApprove(d: ApprovalDecision, p: ApprovalPolicy): string[] {
  const lines: string[] = [];
  if (p.teams.length === 0 && p.users.length === 0) {
    lines.push(
      `- No \`teams\` or \`users\` are configured, so **admins and maintainers** of this repository may approve (repository role ${FALLBACK_ROLES.join(" or ")}; custom roles do not count).`,
      `  To name a DBA team instead, set it in \`${CONFIG_PATH}\` on the base branch:`,
      "",
      "  ```yaml",
      "  approval:",
      "    teams: [dba]",
      "  ```",
    );
  } else {
    if (p.users.length > 0)
      lines.push(
        `- Users: ${p.users
          .map((u) => {
            const id = p.userIds?.[u.toLowerCase()];
            return id === undefined ? user(u) : `${user(u)} (account ${id})`;
          })
          .join(", ")}.`,
      );
    if (p.teams.length > 0)
      lines.push(
        `- Active members of team ${p.teams.map((t) => `**${escapeMarkdown(t)}**`).join(", ")} (pending invitations do not count).`,
      );
  }
  lines.push(
    p.allowAuthor
      ? `- The author of the pull request (${user(d.pr.author)}) may approve (approval.allowAuthor).`
      : `- Never the author of the pull request (${user(d.pr.author)}).`,
  );
  if (p.allowContributors)
    lines.push(
      "- Authors and committers of the pull request's commits may approve (approval.allowContributors).",
    );
  else if (d.contributors.length > 0 || d.unknownContributors.length > 0)
    lines.push(
      `- Never an author, co-author or committer of the pull request's commits (${[
        ...d.contributors.map((c) => user(c)),
        ...(d.unknownContributors.length > 0
          ? [`unlinked accounts on ${d.unknownContributors.map((s) => code(s)).join(", ")}`]
          : []),
      ].join(", ")}).`,
    );
  else lines.push("- Never an author, co-author or committer of the pull request's commits.");
  lines.push(
    `- ${p.count} distinct eligible approver${p.count === 1 ? "" : "s"} needed (approval.count).`,
  );
  return lines;
}

const HOW_TO_APPROVE = [
  "- Submit a pull request review with **Approve**, or",
  `- click **${APPROVE_ACTION.label}** on this check run. GitHub shows the button only to users with write access to the repository; DBAs without write access approve with a review.`,
  "- An approval counts only for the migration content it was given on: a push that changes any file in the migration directories voids it, a push that does not keeps it.",
];

function renderDecision(d: ApprovalDecision, level: string): string[] {
  const out: string[] = [];
  for (const r of d.reasons) out.push(escapeMarkdown(r), "");

  if (d.errors.length > 0)
    out.push(`${level}# Errors`, "", ...d.errors.map((e) => `- ${escapeMarkdown(e)}`), "");

  if (d.against !== undefined)
    out.push(
      `- **As proposed to:** ${escapeMarkdown(d.against)}, the default branch, under its policy`,
    );
  out.push(
    `- **Pull request:** #${d.pr.number} into ${escapeMarkdown(d.pr.baseRef)}`,
    `- **Head commit:** ${code(d.pr.headSha, true)}`,
    `- **Migration digest (sha256):** ${code(d.headDigest, true)}`,
    `- **Approval required:** ${d.required ? "yes" : d.state === "error" ? "unknown" : "no"}`,
    "",
  );
  if (!d.required) return out;

  out.push(`${level}# Approvals counted`, "");
  if (d.counted.length === 0) out.push("None yet.", "");
  else
    out.push(
      ...table(
        ["Approver", "How", "When (UTC)", "On commit", "Migration digest"],
        d.counted.map((a) => [
          `${user(a.login)} (${escapeMarkdown(a.eligibleAs)})`,
          how(a),
          escapeMarkdown(a.at ?? "unknown"),
          code(a.sha),
          `${code(a.digest)} = head`,
        ]),
      ),
      "",
    );

  if (d.blockers.length > 0)
    out.push(
      `${level}# Changes requested`,
      "",
      ...d.blockers.map(
        (b) =>
          `- ${user(b.login)} requested changes in review ${b.reviewId} at ${escapeMarkdown(b.at)} on ${code(b.sha)}. The check fails until ${user(b.login)} approves or the review is dismissed.`,
      ),
      "",
    );

  if (d.notCounted.length > 0)
    out.push(
      `${level}# Not counted`,
      "",
      ...table(
        ["Who", "What", "When (UTC)", "On commit", "Why"],
        d.notCounted.map((a) => [
          user(a.login),
          `${how(a)}: ${a.state.replace("_", " ")}`,
          escapeMarkdown(a.at ?? "unknown"),
          code(a.sha),
          a.state === "changes_requested"
            ? `does not block: ${a.reasons.map((r) => escapeMarkdown(r.detail)).join("; ")}`
            : a.reasons.map((r) => escapeMarkdown(r.detail)).join("; "),
        ]),
      ),
      "",
    );

  if (d.policy) out.push(`${level}# Who can approve`, "", ...whoMayApprove(d, d.policy), "");
  return out;
}

export function renderApprovalSummary(combined: CombinedDecision): string {
  const out: string[] = [];
  const many = combined.decisions.length > 1;
  const prs = new Set(combined.decisions.map((d) => d.pr.number)).size;
  const against = combined.decisions.find((d) => d.against !== undefined)?.against;
  if (combined.decisions.length === 0) out.push(escapeMarkdown(combined.title));
  if (prs > 1)
    out.push(
      `This commit is the head of ${prs} open pull requests. The check passes only when each one is approved under its own base branch's policy.`,
      "",
    );
  if (against !== undefined) {
    const d = `**${escapeMarkdown(against)}**`;
    out.push(
      `This commit carries migration content that ${d}, the default branch, does not have. Check runs belong to commits, and branch protection on ${d} reads this one too, so the change is also decided as if proposed to ${d}, under ${d}'s policy, with the approvals given on the pull request. The check passes only when both pass.`,
      "",
    );
  }
  for (const d of combined.decisions) {
    if (many)
      out.push(
        `## #${d.pr.number} into ${escapeMarkdown(d.pr.baseRef)}${d.against !== undefined ? `, as proposed to ${escapeMarkdown(d.against)}` : ""}: ${STATE_LABEL[d.state]}`,
        "",
      );
    out.push(...renderDecision(d, many ? "##" : "#"));
  }
  if (combined.decisions.some((d) => d.required && d.state !== "approved"))
    out.push(`${many ? "##" : "#"}# How to approve`, "", ...HOW_TO_APPROVE, "");
  return truncateUtf8(out.join("\n").trimEnd() + "\n", SUMMARY_MAX_BYTES);
}

/** Cuts at a line boundary under `maxBytes` (UTF-8), saying so. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= maxBytes) return text;
  const note = "\n\n…truncated: the summary exceeded GitHub's size limit.\n";
  let budget = maxBytes - encoder.encode(note).length;
  const lines = text.split("\n");
  const kept: string[] = [];
  for (const line of lines) {
    const size = encoder.encode(line).length + 1;
    if (size > budget) break;
    kept.push(line);
    budget -= size;
  }
  return kept.join("\n") + note;
}

/**
 * The decision as a check run's output. The button is offered only while the check waits for
 * approvals. `externalId` names the pull requests and the head digest, so a click can be traced
 * and checked; pass the `externalId` of an accepted click to record it instead.
 */
export function approvalCheckBody(
  combined: CombinedDecision,
  recordedClick?: string,
): ApprovalCheckBody {
  const title =
    combined.title.length > TITLE_MAX
      ? `${combined.title.slice(0, TITLE_MAX - 1)}…`
      : combined.title;
  const digests = new Set(combined.decisions.map((d) => d.headDigest));
  const digest = digests.size === 1 ? [...digests][0]! : null;
  const externalId = recordedClick ?? pendingRecord(combined, digest);
  const body: ApprovalCheckBody = {
    conclusion: combined.conclusion,
    title,
    summary: renderApprovalSummary(combined),
  };
  if (externalId !== undefined) body.externalId = externalId;
  if (combined.conclusion === "action_required" && externalId !== undefined && digest !== null)
    body.actions = [{ ...APPROVE_ACTION }];
  return body;
}

/**
 * The record of a run without a click: the pull requests it decided for, their head digest and
 * bases, which a click on the run is checked against. None when it would not fit (then the run
 * offers no button).
 */
function pendingRecord(combined: CombinedDecision, digest: string | null): string | undefined {
  // A pull request has one decision per view (its base, the default branch's): one entry each.
  const prs = [...new Map(combined.decisions.map((d) => [d.pr.number, d.pr])).values()];
  if (prs.length === 0 || prs.length > MAX_RECORD_PULL_REQUESTS) return undefined;
  try {
    return encodeApprovalRunId({
      pullRequests: prs.map((p) => p.number),
      digest,
      base: baseBinding(prs),
      approval: null,
    });
  } catch {
    return undefined;
  }
}
