import type { ApprovalPolicy } from "../../../src/config/types.js";
import {
  approvalCandidates,
  approvalNeeded,
  combineDecisions,
  decideApproval,
  reportFacts,
} from "../../../src/core/approval/decide.js";
import type {
  ApprovalDecision,
  ApprovalFacts,
  ApprovalState,
  CoAuthor,
} from "../../../src/core/approval/types.js";
import type { Report } from "../../../src/core/types.js";
import { baseBinding } from "../../../src/core/approval/record.js";
import { at, button, D1, D2, facts, HEAD, member, OLD, OTHER, policy, review } from "./facts.js";

interface Case {
  name: string;
  policy?: Partial<ApprovalPolicy>;
  facts: Partial<ApprovalFacts>;
  state: ApprovalState;
  /** Distinct approvers counted, in order. */
  approvers?: string[];
  /** Every approval act that did not count: "login via state: code,code". */
  notCounted?: string[];
  blockers?: string[];
  /** Must match the title or a reason. */
  says?: RegExp;
}

const alice = member("alice");
const bob = member("bob");

/** alice, a DBA, approves a change whose one commit by dev names `coAuthor`. */
function coAuthored(coAuthor: CoAuthor): Partial<ApprovalFacts> {
  return {
    reviews: [review("alice", "APPROVED", 1)],
    commits: [{ sha: OTHER, author: "dev", committer: "dev", coAuthors: [coAuthor] }],
    eligibility: [alice],
  };
}

const CASES: Case[] = [
  // --- when no approval is needed
  {
    name: "no migration changed: success without any approval",
    facts: { report: { ...facts().report, migrationsChanged: false, approvalRequired: false } },
    state: "approved",
    says: /No migration changed/,
  },
  {
    name: "required: never",
    policy: { required: "never" },
    facts: { report: { ...facts().report, approvalRequired: false } },
    state: "approved",
    says: /required: never/,
  },
  {
    name: "required: risky without error or warning findings",
    policy: { required: "risky" },
    facts: { report: { ...facts().report, approvalRequired: false } },
    state: "approved",
    says: /risky/,
  },
  {
    name: "required: risky with a warning finding waits for approval",
    policy: { required: "risky" },
    facts: { report: { ...facts().report, approvalRequired: false, warnings: 1 } },
    state: "pending",
  },
  {
    name: "the report's approvalRequired wins over a weaker policy reading",
    policy: { required: "never" },
    facts: { report: { ...facts().report, approvalRequired: true } },
    state: "pending",
  },

  // --- eligibility
  {
    name: "approval by an active team member on the head",
    facts: { reviews: [review("alice", "APPROVED", 1)], eligibility: [alice] },
    state: "approved",
    approvers: ["alice"],
    says: /Approved by @alice/,
  },
  {
    name: "webhook spelling of the state (approved) is normalised",
    facts: { reviews: [review("alice", "approved", 1)], eligibility: [alice] },
    state: "approved",
    approvers: ["alice"],
  },
  {
    name: "non-member (404) does not count",
    facts: {
      reviews: [review("mallory", "APPROVED", 1)],
      eligibility: [member("mallory", "none")],
    },
    state: "pending",
    notCounted: ["mallory review approved: not-eligible"],
  },
  {
    name: "pending team membership does not count",
    facts: { reviews: [review("pat", "APPROVED", 1)], eligibility: [member("pat", "pending")] },
    state: "pending",
    notCounted: ["pat review approved: pending-membership"],
  },
  {
    name: "membership in any one configured team is enough; slugs compare case-insensitively",
    policy: { teams: ["platform", "DBA"] },
    facts: {
      reviews: [review("alice", "APPROVED", 1)],
      eligibility: [{ login: "alice", teams: { platform: "none", dba: "active" } }],
    },
    state: "approved",
    approvers: ["alice"],
  },
  {
    name: "listed user, login compared case-insensitively, needs no lookup",
    policy: { teams: [], users: ["Alice"] },
    facts: { reviews: [review("alice", "APPROVED", 1)] },
    state: "approved",
    approvers: ["alice"],
  },
  {
    name: "users configured without teams: anyone else is not eligible",
    policy: { teams: [], users: ["alice"] },
    facts: { reviews: [review("bob", "APPROVED", 1)] },
    state: "pending",
    notCounted: ["bob review approved: not-eligible"],
  },
  {
    name: "an app's review is not eligible",
    facts: {
      reviews: [review("renovate[bot]", "APPROVED", 1)],
      eligibility: [member("renovate[bot]", "none")],
    },
    state: "pending",
    notCounted: ["renovate[bot] review approved: not-eligible"],
  },
  {
    name: "a deleted account's approval does not count",
    facts: { reviews: [review(null, "APPROVED", 1)] },
    state: "pending",
    notCounted: ["ghost review approved: deleted-user"],
  },

  // --- admins and maintainers as the fallback
  ...(["admin", "maintain"] as const).map((role): Case => ({
    name: `no teams or users: repository role ${role} may approve`,
    policy: { teams: [], users: [] },
    facts: { reviews: [review("root", "APPROVED", 1)], eligibility: [{ login: "root", role }] },
    state: "approved",
    approvers: ["root"],
  })),
  ...(["write", "triage", "read", "security-reviewer", null] as const).map((role): Case => ({
    name: `no teams or users: repository role ${role} may not approve`,
    policy: { teams: [], users: [] },
    facts: { reviews: [review("dev2", "APPROVED", 1)], eligibility: [{ login: "dev2", role }] },
    state: "pending",
    notCounted: ["dev2 review approved: not-eligible"],
  })),

  // --- separation of duties
  {
    name: "author self-approval (the author is a DBA) does not count",
    facts: {
      pr: { ...facts().pr, author: "alice" },
      buttonApprovals: [button("alice", 1)],
      eligibility: [alice],
    },
    state: "pending",
    notCounted: ["alice button approved: author"],
  },
  {
    name: "author approval counts with allowAuthor",
    policy: { allowAuthor: true },
    facts: {
      pr: { ...facts().pr, author: "alice" },
      commits: [],
      buttonApprovals: [button("alice", 1)],
      eligibility: [alice],
    },
    state: "approved",
    approvers: ["alice"],
  },
  {
    name: "a DBA who authored a commit cannot approve",
    facts: {
      commits: [
        { sha: OTHER, author: "dev", committer: "dev" },
        { sha: OLD, author: "Alice", committer: "web-flow" },
      ],
      reviews: [review("alice", "APPROVED", 1)],
      eligibility: [alice],
    },
    state: "pending",
    notCounted: ["alice review approved: contributor"],
  },
  {
    name: "a DBA who committed (not authored) cannot approve either",
    facts: {
      commits: [{ sha: OTHER, author: "dev", committer: "alice" }],
      reviews: [review("alice", "APPROVED", 1)],
      eligibility: [alice],
    },
    state: "pending",
    notCounted: ["alice review approved: contributor"],
  },
  {
    name: "contributor approval counts with allowContributors",
    policy: { allowContributors: true },
    facts: {
      commits: [{ sha: OTHER, author: "alice", committer: "alice" }],
      reviews: [review("alice", "APPROVED", 1)],
      eligibility: [alice],
    },
    state: "approved",
    approvers: ["alice"],
  },
  {
    name: "a commit by an unlinked email blocks: nobody can be shown independent",
    facts: {
      commits: [{ sha: OTHER, author: null, committer: "dev" }],
      reviews: [review("alice", "APPROVED", 1)],
      eligibility: [alice],
    },
    state: "blocked",
    approvers: ["alice"],
    says: /not linked to a GitHub account \(ccccccc\)/,
  },
  {
    name: "unlinked commit authors are accepted with allowContributors",
    policy: { allowContributors: true },
    facts: {
      commits: [{ sha: OTHER, author: null, committer: null }],
      reviews: [review("alice", "APPROVED", 1)],
      eligibility: [alice],
    },
    state: "approved",
  },

  // --- content binding
  {
    name: "approval carried across a push that did not touch migrations (same digest)",
    facts: {
      reviews: [review("alice", "APPROVED", 1, { commitId: OLD, digest: D1 })],
      eligibility: [alice],
    },
    state: "approved",
    approvers: ["alice"],
  },
  {
    name: "approval voided by a migration edit (different digest)",
    facts: {
      reviews: [review("alice", "APPROVED", 1, { commitId: OLD, digest: D2 })],
      eligibility: [alice],
    },
    state: "pending",
    notCounted: ["alice review approved: stale-digest"],
  },
  {
    name: "a review on an older commit whose content could not be read does not count",
    facts: {
      reviews: [review("alice", "APPROVED", 1, { commitId: OLD, digest: null })],
      eligibility: [alice],
    },
    state: "pending",
    notCounted: ["alice review approved: digest-unknown"],
  },
  {
    name: "a review with a null commit id does not count",
    facts: {
      reviews: [review("alice", "APPROVED", 1, { commitId: null, digest: D1 })],
      eligibility: [alice],
    },
    state: "pending",
    notCounted: ["alice review approved: null-commit"],
  },
  {
    name: "every reason is listed: not eligible and stale",
    facts: {
      reviews: [review("mallory", "APPROVED", 1, { commitId: OLD, digest: D2 })],
      eligibility: [member("mallory", "none")],
    },
    state: "pending",
    notCounted: ["mallory review approved: not-eligible,stale-digest"],
  },

  // --- latest review per user
  {
    name: "CHANGES_REQUESTED by an eligible approver blocks, naming who",
    facts: {
      reviews: [review("alice", "APPROVED", 1), review("bob", "CHANGES_REQUESTED", 2)],
      eligibility: [alice, bob],
    },
    state: "blocked",
    approvers: ["alice"],
    blockers: ["bob"],
    says: /Changes requested by @bob/,
  },
  {
    name: "a later CHANGES_REQUESTED replaces the same user's approval",
    facts: {
      reviews: [review("alice", "APPROVED", 1), review("alice", "CHANGES_REQUESTED", 2)],
      eligibility: [alice],
    },
    state: "blocked",
    blockers: ["alice"],
    notCounted: ["alice review approved: superseded"],
  },
  {
    name: "a change request on an older commit still blocks",
    facts: {
      reviews: [review("bob", "CHANGES_REQUESTED", 1, { commitId: OLD, digest: D2 })],
      eligibility: [bob],
    },
    state: "blocked",
    blockers: ["bob"],
  },
  {
    name: "approving again lifts the block",
    facts: {
      reviews: [review("bob", "CHANGES_REQUESTED", 1), review("bob", "APPROVED", 2)],
      eligibility: [bob],
    },
    state: "approved",
    approvers: ["bob"],
  },
  {
    name: "a comment after a change request does not lift the block",
    facts: {
      reviews: [review("bob", "CHANGES_REQUESTED", 1), review("bob", "COMMENTED", 2)],
      eligibility: [bob],
    },
    state: "blocked",
    blockers: ["bob"],
  },
  {
    name: "a comment after an approval keeps the approval",
    facts: {
      reviews: [review("alice", "APPROVED", 1), review("alice", "commented", 2)],
      eligibility: [alice],
    },
    state: "approved",
    approvers: ["alice"],
  },
  {
    name: "a change request by someone who may not approve does not block",
    facts: {
      reviews: [review("mallory", "CHANGES_REQUESTED", 1), review("alice", "APPROVED", 2)],
      eligibility: [member("mallory", "none"), alice],
    },
    state: "approved",
    approvers: ["alice"],
    notCounted: ["mallory review changes_requested: not-eligible"],
  },
  {
    name: "a change request by a DBA who is also a contributor still blocks",
    facts: {
      commits: [{ sha: OTHER, author: "bob", committer: "bob" }],
      reviews: [review("bob", "CHANGES_REQUESTED", 1), review("alice", "APPROVED", 2)],
      eligibility: [alice, bob],
    },
    state: "blocked",
    blockers: ["bob"],
  },
  {
    name: "reviews are ordered by submission time, not by input order",
    facts: {
      reviews: [review("bob", "CHANGES_REQUESTED", 5), review("bob", "APPROVED", 1)],
      eligibility: [bob],
    },
    state: "blocked",
    blockers: ["bob"],
    notCounted: ["bob review approved: superseded"],
  },
  {
    name: "a dismissed approval no longer counts",
    facts: { reviews: [review("alice", "DISMISSED", 1)], eligibility: [alice] },
    state: "pending",
    notCounted: ["alice review dismissed: dismissed"],
  },
  {
    name: "a dismissed latest review does not fall back to an earlier approval",
    facts: {
      reviews: [review("alice", "APPROVED", 1), review("alice", "DISMISSED", 2)],
      eligibility: [alice],
    },
    state: "pending",
    notCounted: ["alice review approved: superseded", "alice review dismissed: dismissed"],
  },
  {
    name: "a dismissed change request no longer blocks",
    facts: {
      reviews: [review("bob", "DISMISSED", 1), review("alice", "APPROVED", 2)],
      eligibility: [alice, bob],
    },
    state: "approved",
    approvers: ["alice"],
    notCounted: ["bob review dismissed: dismissed"],
  },
  {
    name: "approving after a dismissal counts again",
    facts: {
      reviews: [review("alice", "DISMISSED", 1), review("alice", "APPROVED", 2)],
      eligibility: [alice],
    },
    state: "approved",
    approvers: ["alice"],
    notCounted: ["alice review dismissed: dismissed"],
  },
  {
    name: "re-approval on new content replaces a stale approval",
    facts: {
      reviews: [
        review("alice", "APPROVED", 1, { commitId: OLD, digest: D2 }),
        review("alice", "APPROVED", 2),
      ],
      eligibility: [alice],
    },
    state: "approved",
    approvers: ["alice"],
    notCounted: ["alice review approved: superseded"],
  },
  {
    name: "comments only are not an approval",
    facts: { reviews: [review("alice", "COMMENTED", 1)], eligibility: [alice] },
    state: "pending",
    notCounted: ["alice review commented: not-approved"],
  },
  {
    name: "an unsubmitted (PENDING) review is ignored",
    facts: {
      reviews: [
        review("alice", "APPROVED", 1),
        review("alice", "PENDING", 2, { submittedAt: null }),
      ],
      eligibility: [alice],
    },
    state: "approved",
    approvers: ["alice"],
  },

  // --- the button
  {
    name: "button approval by a DBA for this PR and content",
    facts: { buttonApprovals: [button("alice", 1)], eligibility: [alice] },
    state: "approved",
    approvers: ["alice"],
  },
  {
    name: "button by a non-DBA (write access is not enough) does not count",
    facts: { buttonApprovals: [button("mallory", 1)], eligibility: [member("mallory", "none")] },
    state: "pending",
    notCounted: ["mallory button approved: not-eligible"],
  },
  {
    name: "button recorded for stale content does not count",
    facts: {
      buttonApprovals: [button("alice", 1, { headSha: OLD, digest: D2 })],
      eligibility: [alice],
    },
    state: "pending",
    notCounted: ["alice button approved: stale-digest"],
  },
  {
    name: "button recorded on an older head with the same content carries over",
    facts: { buttonApprovals: [button("alice", 1, { headSha: OLD })], eligibility: [alice] },
    state: "approved",
    approvers: ["alice"],
  },
  {
    name: "button recorded for another pull request does not count here",
    facts: { buttonApprovals: [button("alice", 1, { pullRequests: [13] })] },
    state: "pending",
    notCounted: ["alice button approved: other-pull-request"],
  },
  {
    name: "a button click does not lift the clicker's own change request",
    facts: {
      reviews: [review("bob", "CHANGES_REQUESTED", 1)],
      buttonApprovals: [button("bob", 2)],
      eligibility: [bob],
    },
    state: "blocked",
    blockers: ["bob"],
    notCounted: ["bob button approved: changes-requested"],
  },
  {
    name: "a dismissed review does not void the same user's button approval",
    facts: {
      reviews: [review("alice", "DISMISSED", 1)],
      buttonApprovals: [button("alice", 2)],
      eligibility: [alice],
    },
    state: "approved",
    approvers: ["alice"],
    notCounted: ["alice review dismissed: dismissed"],
  },

  // --- count
  {
    name: "count = 2 with one approver (review and button) is still pending",
    policy: { count: 2 },
    facts: {
      reviews: [review("alice", "APPROVED", 1)],
      buttonApprovals: [button("Alice", 2)],
      eligibility: [alice],
    },
    state: "pending",
    approvers: ["alice"],
    says: /1 of 2/,
  },
  {
    name: "count = 2 with two distinct approvers",
    policy: { count: 2 },
    facts: {
      reviews: [review("alice", "APPROVED", 1)],
      buttonApprovals: [button("bob", 2)],
      eligibility: [alice, bob],
    },
    state: "approved",
    approvers: ["alice", "bob"],
  },

  // --- fail closed
  {
    name: "an evaluation error fails even with a valid approval",
    facts: {
      reviews: [review("alice", "APPROVED", 1)],
      eligibility: [alice],
      errors: ["GET /orgs/acme/teams/dba/memberships/bob: 502 Bad Gateway"],
    },
    state: "error",
    approvers: ["alice"],
    says: /502 Bad Gateway/,
  },
  {
    name: "an error fails even when no migration changed",
    facts: {
      report: { ...facts().report, migrationsChanged: false, approvalRequired: false },
      errors: ["rate limited"],
    },
    state: "error",
  },
  {
    name: "an incomplete analysis fails even with a valid approval",
    facts: {
      report: { ...facts().report, incomplete: ["the pull request has more than 3000 files"] },
      reviews: [review("alice", "APPROVED", 1)],
      eligibility: [alice],
    },
    state: "error",
    says: /3000 files/,
  },
  {
    name: "eligibility not looked up for a candidate is an error",
    facts: { reviews: [review("alice", "APPROVED", 1)] },
    state: "error",
    says: /membership of alice in team dba was not checked/,
  },
  {
    name: "a repository role not looked up is an error",
    policy: { teams: [], users: [] },
    facts: { reviews: [review("root", "APPROVED", 1)], eligibility: [{ login: "root" }] },
    state: "error",
    says: /repository role of root was not checked/,
  },
  {
    name: "a change request whose author's eligibility was not looked up is an error",
    facts: { reviews: [review("bob", "CHANGES_REQUESTED", 1)] },
    state: "error",
  },
  {
    name: "an unknown head digest is an error",
    facts: { headDigest: null, reviews: [review("alice", "APPROVED", 1)], eligibility: [alice] },
    state: "error",
    says: /digest of the head commit is unknown/,
  },
  {
    name: "an unrecognised review state is an error, not ignored",
    facts: { reviews: [review("alice", "SHRUGGED", 1)], eligibility: [alice] },
    state: "error",
    says: /unrecognised state "SHRUGGED"/,
  },
  {
    name: "a submitted review without a valid time is an error",
    facts: {
      reviews: [review("alice", "APPROVED", 1, { submittedAt: "yesterday" })],
      eligibility: [alice],
    },
    state: "error",
    says: /invalid submitted time/,
  },
  {
    name: "a malformed digest is an error",
    facts: {
      reviews: [review("alice", "APPROVED", 1, { commitId: OLD, digest: "XYZ" })],
      eligibility: [alice],
    },
    state: "error",
  },
  {
    name: "conflicting eligibility facts for one login are an error",
    facts: {
      reviews: [review("alice", "APPROVED", 1)],
      eligibility: [alice, member("ALICE", "none")],
    },
    state: "error",
    says: /eligibility facts for ALICE twice/,
  },
  {
    name: "an unrecognised team membership state is an error, not a non-member",
    facts: {
      reviews: [review("alice", "APPROVED", 1)],
      eligibility: [{ login: "alice", teams: { dba: "suspended" as "none" } }],
    },
    state: "error",
    says: /membership of alice in team dba: unrecognised state "suspended"/,
  },
  {
    name: "an invalid count is an error",
    policy: { count: 0 },
    facts: {},
    state: "error",
  },

  // --- a change request outranks every earlier approval of its author (issue 11.3)
  {
    name: "a click, then a change request by the same DBA, then the change request dismissed: the click stays withdrawn",
    facts: {
      buttonApprovals: [button("alice", 1)],
      reviews: [review("alice", "DISMISSED", 2, { dismissedState: "changes_requested" })],
      eligibility: [alice],
    },
    state: "pending",
    notCounted: ["alice button approved: changes-requested", "alice review dismissed: dismissed"],
    says: /Waiting/,
  },
  {
    name: "a dismissed review whose former state is unknown outranks earlier clicks (the safe reading)",
    facts: {
      buttonApprovals: [button("alice", 1)],
      reviews: [review("alice", "DISMISSED", 2)],
      eligibility: [alice],
    },
    state: "pending",
    notCounted: ["alice button approved: changes-requested", "alice review dismissed: dismissed"],
  },
  {
    name: "a dismissed approval does not withdraw a click",
    facts: {
      buttonApprovals: [button("alice", 1)],
      reviews: [review("alice", "DISMISSED", 2, { dismissedState: "approved" })],
      eligibility: [alice],
    },
    state: "approved",
    approvers: ["alice"],
    notCounted: ["alice review dismissed: dismissed"],
  },
  {
    name: "a click newer than the dismissed change request counts",
    facts: {
      reviews: [review("alice", "DISMISSED", 1, { dismissedState: "changes_requested" })],
      buttonApprovals: [button("alice", 2)],
      eligibility: [alice],
    },
    state: "approved",
    approvers: ["alice"],
    notCounted: ["alice review dismissed: dismissed"],
  },
  {
    name: "a change request in the same second as the click outranks it",
    facts: {
      buttonApprovals: [button("alice", 1)],
      reviews: [review("alice", "DISMISSED", 1, { dismissedState: "changes_requested" })],
      eligibility: [alice],
    },
    state: "pending",
    notCounted: ["alice button approved: changes-requested", "alice review dismissed: dismissed"],
  },
  {
    name: "another DBA's change request does not withdraw a click",
    facts: {
      buttonApprovals: [button("alice", 1)],
      reviews: [review("bob", "DISMISSED", 2, { dismissedState: "changes_requested" })],
      eligibility: [alice],
    },
    state: "approved",
    notCounted: ["bob review dismissed: dismissed"],
  },

  // --- Co-authored-by trailers name contributors (issue 11)
  {
    name: "a co-author (Co-authored-by) may not approve",
    facts: coAuthored({ login: "alice", name: "Alice", email: "alice@corp.example" }),
    state: "pending",
    notCounted: ["alice review approved: contributor"],
  },
  {
    name: "a co-author may approve with allowContributors",
    policy: { allowContributors: true },
    facts: coAuthored({ login: "alice", name: "Alice", email: "alice@corp.example" }),
    state: "approved",
  },
  {
    name: "a co-author whose email is linked to no account: nobody can be shown not to be them",
    facts: coAuthored({ login: null, name: "A. Person", email: "someone@elsewhere.example" }),
    state: "blocked",
    says: /an author, committer or co-author \(Co-authored-by\) whose email is not linked/,
  },
  {
    name: "a bot co-author is a known account, not a doubt",
    facts: coAuthored({
      login: "dependabot[bot]",
      name: "dependabot[bot]",
      email: "49699333+dependabot[bot]@users.noreply.github.com",
    }),
    state: "approved",
  },

  // --- approvals bind to the base they were given against (issue 11.2)
  {
    name: "a review given before the base changed does not count",
    facts: {
      reviews: [review("alice", "APPROVED", 1)],
      baseChangedAt: at(2),
      eligibility: [alice],
    },
    state: "pending",
    notCounted: ["alice review approved: base-changed"],
    says: /Waiting/,
  },
  {
    name: "a review in the same second as the base change does not count",
    facts: {
      reviews: [review("alice", "APPROVED", 2)],
      baseChangedAt: at(2),
      eligibility: [alice],
    },
    state: "pending",
    notCounted: ["alice review approved: base-changed"],
  },
  {
    name: "a review given after the base changed counts",
    facts: {
      reviews: [review("alice", "APPROVED", 3)],
      baseChangedAt: at(2),
      eligibility: [alice],
    },
    state: "approved",
  },
  {
    name: "a change request given before the base changed still blocks (blocking is the safe side)",
    facts: {
      reviews: [review("alice", "CHANGES_REQUESTED", 1)],
      baseChangedAt: at(2),
      eligibility: [alice],
    },
    state: "blocked",
    blockers: ["alice"],
  },
  {
    name: "a click recorded before the base changed does not count",
    facts: { buttonApprovals: [button("alice", 1)], baseChangedAt: at(2), eligibility: [alice] },
    state: "pending",
    notCounted: ["alice button approved: base-changed"],
  },
  {
    name: "a click recorded for another base does not count (retargeted, events lost)",
    facts: {
      buttonApprovals: [
        button("alice", 1, { base: baseBinding([{ number: 12, baseRef: "decoy" }]) }),
      ],
      eligibility: [alice],
    },
    state: "pending",
    notCounted: ["alice button approved: other-base"],
  },
  {
    name: "a version 1 record (no base) never counts",
    facts: { buttonApprovals: [button("alice", 1, { base: null })], eligibility: [alice] },
    state: "pending",
    notCounted: ["alice button approved: old-record"],
  },
  {
    name: "a record naming a pull request whose base is unknown does not count",
    facts: {
      buttonApprovals: [
        button("alice", 1, {
          pullRequests: [12, 15],
          base: baseBinding([
            { number: 12, baseRef: "main" },
            { number: 15, baseRef: "main" },
          ]),
        }),
      ],
      eligibility: [alice],
    },
    state: "pending",
    notCounted: ["alice button approved: other-base"],
  },
  {
    name: "a record naming two pull requests counts while both keep their bases",
    facts: {
      buttonApprovals: [
        button("alice", 1, {
          pullRequests: [12, 15],
          base: baseBinding([
            { number: 12, baseRef: "main" },
            { number: 15, baseRef: "release" },
          ]),
        }),
      ],
      baseRefs: { 12: "main", 15: "release" },
      eligibility: [alice],
    },
    state: "approved",
  },
  {
    name: "an invalid base change time is an error",
    facts: { baseChangedAt: "yesterday" },
    state: "error",
    says: /invalid base change time "yesterday"/,
  },
];

function describeNotCounted(d: ApprovalDecision): string[] {
  return d.notCounted
    .map(
      (n) => `${n.login ?? "ghost"} ${n.via} ${n.state}: ${n.reasons.map((r) => r.code).join(",")}`,
    )
    .sort();
}

describe("decideApproval", () => {
  test.each(CASES)("$name", (c) => {
    const d = decideApproval(policy(c.policy), facts(c.facts));
    expect(d.state).toBe(c.state);
    expect(d.conclusion).toBe(
      { approved: "success", pending: "action_required", blocked: "failure", error: "failure" }[
        c.state
      ],
    );
    if (c.approvers) expect(d.approvers).toEqual(c.approvers);
    if (c.state === "pending") expect(d.approvers.length).toBeLessThan(d.policy!.count);
    if (c.notCounted) expect(describeNotCounted(d)).toEqual([...c.notCounted].sort());
    else if (c.state !== "error") expect(describeNotCounted(d)).toEqual([]);
    expect(d.blockers.map((b) => b.login)).toEqual(c.blockers ?? []);
    if (c.says) expect([d.title, ...d.reasons].join("\n")).toMatch(c.says);
    for (const n of d.notCounted)
      for (const r of n.reasons) expect(r.detail.length).toBeGreaterThan(0);
  });

  test("counted approvals carry the audit trail: how, when, commit, digest, why eligible", () => {
    const d = decideApproval(
      policy(),
      facts({
        reviews: [review("alice", "APPROVED", 3, { commitId: OLD, digest: D1, id: 7 })],
        buttonApprovals: [button("bob", 4, { checkRunId: 55 })],
        eligibility: [alice, { login: "bob", teams: { dba: "active" } }],
      }),
    );
    expect(d.counted).toEqual([
      {
        login: "alice",
        via: "review",
        state: "approved",
        at: "2024-05-01T10:03:00Z",
        sha: OLD,
        digest: D1,
        reviewId: 7,
        eligibleAs: "active member of team dba",
      },
      {
        login: "bob",
        via: "button",
        state: "approved",
        at: "2024-05-01T10:04:00Z",
        sha: HEAD,
        digest: D1,
        checkRunId: 55,
        eligibleAs: "active member of team dba",
      },
    ]);
    expect(d.contributors).toEqual(["dev"]);
  });

  test("not-counted reasons explain themselves", () => {
    const d = decideApproval(
      policy(),
      facts({
        pr: { ...facts().pr, author: "alice" },
        reviews: [review("alice", "APPROVED", 1, { commitId: OLD, digest: D2 })],
        eligibility: [member("alice", "pending")],
      }),
    );
    expect(d.notCounted[0]!.reasons.map((r) => r.detail)).toEqual([
      "invitation to team dba not yet accepted (pending membership does not count)",
      "opened the pull request (approval.allowAuthor is false)",
      `given on different migration content (2222222 at bbbbbbb; now 1111111)`,
    ]);
  });

  test("reportFacts reads the lint report", () => {
    const report = {
      changed: [{ path: "migrations/1_a.up.sql", version: "1", direction: "up", status: "added" }],
      summary: { error: 1, warning: 2, notice: 3, suppressed: 4 },
      findings: [
        { severity: "error", suppressed: { reason: "r" } },
        { severity: "warning", suppressed: { reason: "r" } },
        { severity: "notice", suppressed: { reason: "r" } },
        { severity: "error" },
      ],
      approvalRequired: true,
      incomplete: ["x"],
    } as unknown as Report;
    expect(reportFacts(report)).toEqual({
      migrationsChanged: true,
      approvalRequired: true,
      errors: 1,
      warnings: 2,
      waived: 2,
      incomplete: ["x"],
    });
  });
});

describe("approvalNeeded", () => {
  const report = (over: Partial<ApprovalFacts["report"]>) => ({ ...facts().report, ...over });
  test.each([
    ["always, migrations changed", {}, {}, true],
    ["no migration changed", {}, { migrationsChanged: false }, false],
    ["never", { required: "never" }, { approvalRequired: false }, false],
    ["never, but the report asks for it", { required: "never" }, {}, true],
    ["risky without findings", { required: "risky" }, { approvalRequired: false }, false],
    ["risky with a warning", { required: "risky" }, { approvalRequired: false, warnings: 1 }, true],
    ["risky with an error", { required: "risky" }, { approvalRequired: false, errors: 1 }, true],
    [
      "risky with an error the author's ignore comment suppressed",
      { required: "risky" },
      { approvalRequired: false, waived: 1 },
      true,
    ],
    [
      "never, with a suppressed error",
      { required: "never" },
      { approvalRequired: false, waived: 1 },
      false,
    ],
  ] as const)("%s", (_name, p, r, expected) => {
    expect(approvalNeeded(policy(p), report(r))).toBe(expected);
  });

  test("agrees with the decision: when not needed, no approval is required", () => {
    for (const required of ["always", "risky", "never"] as const)
      for (const warnings of [0, 1])
        for (const migrationsChanged of [true, false]) {
          const f = facts({
            report: report({ approvalRequired: false, warnings, migrationsChanged }),
          });
          const p = policy({ required });
          expect(decideApproval(p, f).required).toBe(approvalNeeded(p, f.report));
        }
  });
});

describe("approvalCandidates", () => {
  test("lists whose eligibility the decision needs, and nobody else", () => {
    const f = facts({
      reviews: [
        review("alice", "APPROVED", 1),
        review("bob", "CHANGES_REQUESTED", 2),
        review("carol", "APPROVED", 3),
        review("carol", "DISMISSED", 4),
        review("dave", "COMMENTED", 5),
        review("listed", "APPROVED", 6),
        review(null, "APPROVED", 7),
        review("erin", "APPROVED", 8, { commitId: null }),
      ],
      buttonApprovals: [
        button("frank", 1),
        button("grace", 2, { pullRequests: [99] }),
        button("Alice", 3),
      ],
    });
    expect(approvalCandidates(policy({ users: ["LISTED"] }), f)).toEqual([
      "alice",
      "bob",
      "erin",
      "frank",
    ]);
  });

  test("with exactly those facts the decision has no missing-fact error", () => {
    const f = facts({
      reviews: [review("alice", "APPROVED", 1), review("bob", "COMMENTED", 2)],
      buttonApprovals: [button("carol", 3)],
    });
    const p = policy();
    const eligibility = approvalCandidates(p, f).map((l) => member(l, "none"));
    const d = decideApproval(p, { ...f, eligibility });
    expect(d.state).toBe("pending");
    expect(d.errors).toEqual([]);
  });
});

describe("combineDecisions: one head, several pull requests", () => {
  const pr = (number: number, baseRef: string) => ({ ...facts().pr, number, baseRef });
  const approvedOnDev = decideApproval(
    policy({ count: 1 }),
    facts({ pr: pr(12, "dev"), reviews: [review("alice", "APPROVED", 1)], eligibility: [alice] }),
  );
  const pendingOnMain = decideApproval(
    policy({ count: 2 }),
    facts({ pr: pr(13, "main"), reviews: [review("alice", "APPROVED", 1)], eligibility: [alice] }),
  );

  test("a weaker base approved does not pass the check while another base waits", () => {
    expect(approvedOnDev.state).toBe("approved");
    for (const order of [
      [approvedOnDev, pendingOnMain],
      [pendingOnMain, approvedOnDev],
    ]) {
      const c = combineDecisions(order);
      expect(c.state).toBe("pending");
      expect(c.conclusion).toBe("action_required");
      expect(c.title).toBe("#13: Waiting for DBA approval (1 of 2)");
      expect(c.decisions.map((d) => d.pr.number)).toEqual([12, 13]);
    }
  });

  test("the most restrictive state wins", () => {
    const error = decideApproval(policy(), facts({ pr: pr(14, "rel"), errors: ["boom"] }));
    const blocked = decideApproval(
      policy(),
      facts({
        pr: pr(15, "x"),
        reviews: [review("bob", "CHANGES_REQUESTED", 1)],
        eligibility: [bob],
      }),
    );
    expect(combineDecisions([approvedOnDev, blocked, pendingOnMain]).state).toBe("blocked");
    expect(combineDecisions([blocked, error, approvedOnDev]).state).toBe("error");
    expect(combineDecisions([blocked, error]).conclusion).toBe("failure");
  });

  test("passes when every pull request's own policy is satisfied", () => {
    const alsoApproved = decideApproval(
      policy(),
      facts({
        pr: pr(13, "main"),
        reviews: [review("alice", "APPROVED", 1)],
        eligibility: [alice],
      }),
    );
    const c = combineDecisions([alsoApproved, approvedOnDev]);
    expect(c).toMatchObject({ state: "approved", conclusion: "success" });
    expect(c.title).toBe("Approved for all 2 pull requests");
  });

  test("a single pull request keeps its own title", () => {
    expect(combineDecisions([pendingOnMain]).title).toBe(pendingOnMain.title);
  });

  test("no pull request at all fails closed", () => {
    expect(combineDecisions([])).toMatchObject({ state: "error", conclusion: "failure" });
  });
});
