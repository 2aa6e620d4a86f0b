/**
 * A check run's `external_id` names the pull request it was written for: check_run and
 * check_suite payloads have no pull request for forks, and this field is only writable by the app.
 * Lint runs carry `owner/repo#N`; approval runs the approval record (`mw-approval/1;pr=…`), which
 * names every pull request the run decided for.
 */
import { parseApprovalRunId } from "../../core/approval/index.js";
import type { PullRequestTarget } from "../client.js";

export function externalId(t: PullRequestTarget): string {
  return `${t.owner}/${t.repo}#${t.number}`;
}

/** The pull request number, or null for an id this app did not write. */
export function pullNumberOf(id: string | null | undefined): number | null {
  // The owner/repo part is informational: a renamed or transferred repository keeps its numbers.
  const m = /^[^\s#]+\/[^\s#]+#([1-9][0-9]{0,9})$/.exec(id ?? "");
  return m ? Number(m[1]) : null;
}

/** The pull requests a run of this app was written for, from either format; null if neither. */
export function pullNumbersOf(id: string | null | undefined): number[] | null {
  const single = pullNumberOf(id);
  if (single !== null) return [single];
  const record = parseApprovalRunId(id ?? "");
  return record.ok ? record.value.pullRequests : null;
}
