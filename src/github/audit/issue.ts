/**
 * `audit.issue: true`: one issue per audited branch holding the audit's findings, found again by a
 * marker in its body (titles can be edited by anyone) among the open issues this app opened. The
 * permission (`issues: write`) is optional: without it the audit still runs and says so.
 */
import type { Logger } from "probot";
import { auditConclusion, renderAudit, type AuditFacts } from "../../core/audit/index.js";
import { truncateUtf8 } from "../../core/report/truncate.js";
import type { GitHubClient, RepoRef } from "../client.js";
import { describeError, httpStatus } from "../errors.js";

const BODY_MAX_BYTES = 60_000;
const SECTION_SEPARATOR = "\n\n---\n\n";

/** The marker naming the branch; the branch is URI-encoded so it cannot end the comment. */
export function issueMarker(branch: string): string {
  return `<!-- migration-warden/audit branch=${encodeURIComponent(branch)} -->`;
}

/**
 * Opens the branch's audit issue or adds this push's findings at the top of it. Returns a note for
 * the check summary when the issue could not be written; never throws.
 */
export async function recordFindings(
  octokit: GitHubClient,
  repo: RepoRef,
  facts: AuditFacts,
  log: Logger,
  appId: number,
): Promise<string | null> {
  const marker = issueMarker(facts.branch);
  const rendered = renderAudit(facts);
  const section = `### ${rendered.title} (${auditConclusion(facts)}), ${facts.after.slice(0, 12)}\n\n${rendered.summary}`;
  try {
    const open = await octokit.paginate(octokit.rest.issues.listForRepo, {
      ...repo,
      state: "open",
      per_page: 100,
    });
    const mine = open.find(
      (i) =>
        i.pull_request === undefined &&
        i.user?.type === "Bot" &&
        // Opened through this app: another bot (github-actions) can write the marker too.
        i.performed_via_github_app?.id === appId &&
        (i.body ?? "").startsWith(marker),
    );
    if (mine) {
      const previous = (mine.body ?? "").slice(marker.length).replace(/^\s+/, "");
      const body = truncateUtf8(
        `${marker}\n\n${section}${SECTION_SEPARATOR}${previous}`,
        BODY_MAX_BYTES,
        "\n\n…(older findings cut)",
      );
      await octokit.rest.issues.update({ ...repo, issue_number: mine.number, body });
      return `Findings added to issue #${mine.number}.`;
    }
    const { data } = await octokit.rest.issues.create({
      ...repo,
      title: `migration-warden audit: unapproved changes on ${facts.branch}`,
      body: truncateUtf8(`${marker}\n\n${section}`, BODY_MAX_BYTES, "\n\n…(cut)"),
    });
    return `Findings recorded in issue #${data.number}.`;
  } catch (err) {
    log.warn({ err }, "writing the audit issue failed");
    const status = httpStatus(err);
    return status === 403 || status === 404 || status === 410
      ? "audit.issue is on, but the app could not open or update the audit issue: grant it the optional issues: write permission (and keep issues enabled on the repository)."
      : `audit.issue is on, but writing the audit issue failed: ${describeError(err)}`;
  }
}
