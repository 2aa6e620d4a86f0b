/**
 * The verdict of one approval run: every pull request it decides for (the open pull requests of
 * the head commit, each under its own base's policy, and as proposed to the default branch when
 * that applies), an "Approve migrations" click judged against all of them, the decisions taken
 * again with an accepted click counted, and the strictest one winning. Pure: the adapter gathers
 * the members' facts (src/github/approval/head-group.ts) and writes the rendered run.
 */
import type { ApprovalPolicy } from "../../config/types.js";
import { evaluateButtonClick, type ButtonClick, type ClickOutcome } from "./click.js";
import { combineDecisions, decideApproval, failedDecision } from "./decide.js";
import type {
  ApprovalDecision,
  ApprovalFacts,
  CombinedDecision,
  PullRequestFacts,
} from "./types.js";

/** One pull request of the run, as gathered: its policy and facts, or why it has none. */
export type RunMember =
  | {
      kind: "failed";
      pr: PullRequestFacts;
      /** Why it could not be decided (an invalid configuration). */
      errors: string[];
      /** The default branch, when this is the pull request as proposed to it. */
      against?: string;
    }
  | { kind: "facts"; policy: ApprovalPolicy; facts: ApprovalFacts; against?: string };

export interface RunVerdict {
  combined: CombinedDecision;
  /** The accepted click's record, the run's external_id. */
  recorded?: string;
  /** The click judged, when the run answers one. */
  click: { click: ButtonClick; outcome: ClickOutcome } | null;
}

function decideMember(m: RunMember): ApprovalDecision {
  const decision =
    m.kind === "failed" ? failedDecision(m.pr, m.errors) : decideApproval(m.policy, m.facts);
  return m.against !== undefined ? { ...decision, against: m.against } : decision;
}

export function decideApprovalRun(
  members: readonly RunMember[],
  click: ButtonClick | null,
): RunVerdict {
  let decided = members.map((m) => ({ member: m, decision: decideMember(m) }));
  let recorded: string | undefined;
  let judged: RunVerdict["click"] = null;
  if (click) {
    const outcome = judgeClick(click, decided);
    judged = { click, outcome };
    const approval = outcome.approval;
    if (approval) {
      decided = decided.map(({ member, decision }) => {
        if (member.kind === "failed") return { member, decision };
        const facts = {
          ...member.facts,
          buttonApprovals: [...member.facts.buttonApprovals, approval],
        };
        const counted: RunMember = { ...member, facts };
        return { member: counted, decision: decideMember(counted) };
      });
      recorded = outcome.externalId ?? undefined;
    }
  }
  return {
    combined: combineDecisions(decided.map((d) => d.decision)),
    ...(recorded !== undefined ? { recorded } : {}),
    click: judged,
  };
}

/** The click judged for the pull requests that could be evaluated; the others reject it. */
function judgeClick(
  click: ButtonClick,
  decided: ReadonlyArray<{ member: RunMember; decision: ApprovalDecision }>,
): ClickOutcome {
  const unjudged = decided
    .filter(({ member }) => member.kind === "failed")
    .map(({ decision }) => ({
      pr: decision.pr.number,
      reason: `#${decision.pr.number} could not be evaluated: ${decision.reasons.join(" ")}`,
    }));
  const targets = decided.flatMap(({ member: m }) =>
    m.kind === "facts"
      ? [
          {
            policy: m.policy,
            facts: m.facts,
            ...(m.against !== undefined ? { against: m.against } : {}),
          },
        ]
      : [],
  );
  if (targets.length === 0)
    return { approval: null, externalId: null, accepted: [], rejected: unjudged };
  const outcome = evaluateButtonClick(click, targets);
  return { ...outcome, rejected: [...outcome.rejected, ...unjudged] };
}
