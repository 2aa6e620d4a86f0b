/**
 * The approval verdict on a merge queue's group commit (`merge_group.checks_requested`), pure.
 *
 * A group commit carries the changes of one or more queued pull requests on top of the base
 * branch; when its required checks pass, GitHub moves the base branch to it. So its approval
 * check passes only when every migration change it brings is content that a pull request of the
 * group had approved: this app's own approval run on that pull request's head passed, recorded
 * the digest that head has now, was bound to the group's base branch, and that head holds exactly
 * the path and blob the group commit holds (or lacks the path, for a deletion). Anything else, and
 * anything the adapter could not establish, fails closed with the reason.
 */
import { inlineCode, plural } from "../report/markdown.js";
import { baseBinding, type ApprovalRunId } from "./record.js";
import { DIGEST } from "./types.js";

/** One migration path the group changes: its blob id at the group head, null when deleted there. */
export interface GroupChange {
  path: string;
  oid: string | null;
}

/** This app's latest approval run on a queued pull request's head, as the adapter found it. */
export type MemberApproval =
  | {
      found: true;
      runId: number;
      /** Conclusion of the run; null while it has not completed. */
      conclusion: string | null;
      record: ApprovalRunId;
    }
  | { found: false; reason: string };

/** A pull request of the group, as the merge queue and its approval run describe it. */
export interface GroupMember {
  number: number;
  /** Its base branch now (GitHub's merge queue entry). */
  baseRef: string;
  headSha: string;
  approval: MemberApproval;
  /** The head's migration digest under the group base's configuration; null with `digestProblem`. */
  headDigest: string | null;
  digestProblem?: string;
  /** The head's entry at each changed path: blob id, or null when the path is absent there. */
  headFiles: ReadonlyMap<string, string | null>;
}

export interface GroupFacts {
  /** The branch the queue merges into. */
  baseRef: string;
  headSha: string;
  /** Why the group could not be resolved (not in the queue, inconsistent answers): fail closed. */
  unresolved: string | null;
  members: readonly GroupMember[];
  /** The current base branch of every other pull request an approval record names. */
  otherBases: ReadonlyMap<number, string>;
  changes: readonly GroupChange[];
  /** What the change listing could not see (fail closed). */
  incomplete: readonly string[];
}

export interface GroupVerdict {
  conclusion: "success" | "failure";
  title: string;
  summary: string;
}

/** Why a member's approval cannot vouch for anything; null when it can. */
function approvalProblem(m: GroupMember, facts: GroupFacts): string | null {
  const a = m.approval;
  if (!a.found) return a.reason;
  if (a.conclusion !== "success")
    return a.conclusion === null
      ? `its latest approval run (${a.runId}) has not completed`
      : `its latest approval run (${a.runId}) concluded \`${a.conclusion}\`, not success`;
  if (m.baseRef !== facts.baseRef)
    return `it targets ${inlineCode(m.baseRef)}, not ${inlineCode(facts.baseRef)}`;
  if (!a.record.pullRequests.includes(m.number))
    return `its latest approval run (${a.runId}) was written for other pull requests`;
  if (a.record.base === null)
    return `its approval run (${a.runId}) was recorded by an earlier version and names no base`;
  const bases = a.record.pullRequests.map((n) => ({
    number: n,
    baseRef: n === m.number ? facts.baseRef : facts.otherBases.get(n),
  }));
  const missing = bases.find((b) => b.baseRef === undefined);
  if (missing) return `the base of #${missing.number}, named in its approval run, is unknown`;
  if (baseBinding(bases as { number: number; baseRef: string }[]) !== a.record.base)
    return `its approval run (${a.runId}) was given against another base than ${inlineCode(facts.baseRef)}`;
  if (a.record.digest !== null) {
    if (m.headDigest === null)
      return `the migration digest of its head cannot be computed: ${m.digestProblem ?? "unknown reason"}`;
    if (a.record.digest !== m.headDigest)
      return `its approval run (${a.runId}) was for other migration content (${a.record.digest.slice(0, 12)}; the head now has ${m.headDigest.slice(0, 12)})`;
  }
  return null;
}

/** The pull requests whose approval vouches for the migration content of their head. */
function vouching(m: GroupMember, facts: GroupFacts): boolean {
  return (
    approvalProblem(m, facts) === null && m.approval.found && m.approval.record.digest !== null
  );
}

function describeOid(oid: string | null | undefined): string {
  return oid === null || oid === undefined ? "absent" : `blob \`${oid.slice(0, 12)}\``;
}

export function decideMergeGroup(facts: GroupFacts): GroupVerdict {
  const head = `\`${facts.headSha.slice(0, 7)}\``;
  const intro = `Merge queue group ${head} into ${inlineCode(facts.baseRef)}`;
  const fail = (title: string, lines: string[]): GroupVerdict => ({
    conclusion: "failure",
    title,
    summary: [
      `${intro}: **not approved**.`,
      "",
      ...lines,
      "",
      "The group's approval passes only when every migration change it brings was approved on a pull request of the group, for exactly this content and this base (docs/approval.md, merge queues).",
    ].join("\n"),
  });
  if (facts.unresolved !== null)
    return fail("Merge group could not be resolved", [`- ${facts.unresolved}`]);
  if (facts.members.length === 0)
    return fail("Merge group has no pull request", [
      "- the merge queue lists no pull request for it",
    ]);
  if (facts.incomplete.length > 0)
    return fail(
      "Incomplete view of the merge group",
      facts.incomplete.map((r) => `- ${r}`),
    );

  const problems: string[] = [];
  const prs = facts.members.map((m) => `#${m.number}`).join(", ");
  for (const m of facts.members) {
    const p = approvalProblem(m, facts);
    if (p !== null) problems.push(`- #${m.number} is not approved for this group: ${p}`);
  }
  const uncovered: string[] = [];
  const coverage: string[] = [];
  for (const c of facts.changes) {
    const by = facts.members.filter(
      (m) => vouching(m, facts) && m.headFiles.has(c.path) && m.headFiles.get(c.path) === c.oid,
    );
    if (by.length > 0) {
      coverage.push(
        `| ${inlineCode(c.path)} | ${describeOid(c.oid)} | ${by.map((m) => `#${m.number}`).join(", ")} |`,
      );
      continue;
    }
    const seen = facts.members
      .filter((m) => m.headFiles.has(c.path))
      .map((m) => `#${m.number} has ${describeOid(m.headFiles.get(c.path))}`);
    uncovered.push(
      `- ${inlineCode(c.path)} (${c.oid === null ? "deleted" : describeOid(c.oid)} in the group) is not content any approved pull request of the group has${seen.length > 0 ? ` (${seen.join("; ")})` : ""}`,
    );
  }
  const table =
    coverage.length > 0
      ? ["", "| Migration file | In the group | Approved in |", "| --- | --- | --- |", ...coverage]
      : [];
  if (problems.length > 0 || uncovered.length > 0) {
    const title =
      uncovered.length > 0
        ? `${plural(uncovered.length, "migration change")} not approved in the group`
        : `${plural(problems.length, "pull request")} of the group not approved`;
    return fail(title, [...problems, ...uncovered, ...table]);
  }
  if (facts.changes.length === 0)
    return {
      conclusion: "success",
      title: "No migration changed",
      summary: `${intro} (${prs}): the group changes no file in the migration directories, and every pull request in it passed its own approval check.`,
    };
  return {
    conclusion: "success",
    title: `Approved: ${plural(facts.changes.length, "migration change")} in ${plural(facts.members.length, "pull request")}`,
    summary: [
      `${intro} (${prs}): every migration change is content approved on a pull request of the group, against ${inlineCode(facts.baseRef)}.`,
      ...table,
    ].join("\n"),
  };
}

/** Prefix of the `external_id` of the app's runs on a merge group commit. */
export const GROUP_RUN_PREFIX = "mw-merge-group/1;";

const GROUP_RUN = /^mw-merge-group\/1;(?:digest=([0-9a-f]{64});)?base=(.+)$/s;

/**
 * The `external_id` of a group run: `mw-merge-group/1;[digest=<hex>;]base=<branch>`. It names the
 * base branch so a re-run finds the queue again and, on an approval run, the group head's
 * migration digest under the base's configuration (what a push of that head to the branch must
 * match). It is never an approval record (readApprovalRun rejects it) and names no pull request.
 * The branch comes last: its name may hold any character but the ones git forbids.
 */
export function encodeGroupRunId(baseRef: string, digest: string | null = null): string | null {
  const id = `${GROUP_RUN_PREFIX}${digest !== null ? `digest=${digest};` : ""}base=${baseRef}`;
  return id.length <= 255 && baseRef !== "" && (digest === null || DIGEST.test(digest)) ? id : null;
}

export function parseGroupRunId(
  id: string | null | undefined,
): { baseRef: string; digest: string | null } | null {
  const m = GROUP_RUN.exec(id ?? "");
  return m ? { baseRef: m[2]!, digest: m[1] ?? null } : null;
}
