/**
 * Who may approve: listed users, active members of listed teams, or, with neither configured,
 * the repository's admins and maintainers; minus the author and contributors unless allowed.
 */
import type { ApprovalPolicy } from "../../config/types.js";
import { listedUser, samePerson, type Person } from "./identity.js";
import {
  loginKey,
  type ApprovalFacts,
  type EligibilityFacts,
  type NotCountedReason,
} from "./types.js";

/** The roles that may approve when no teams and no users are configured (per the contract). */
export const FALLBACK_ROLES: readonly string[] = ["admin", "maintain"];

export interface Identity {
  eligible: boolean;
  /** How the user is eligible, for the audit trail. */
  as: string;
  reasons: NotCountedReason[];
  /** Set when a fact the policy needs was not gathered: an evaluation error. */
  missing: string | null;
}

const eligible = (as: string): Identity => ({ eligible: true, as, reasons: [], missing: null });
const missing = (what: string): Identity => ({
  eligible: false,
  as: "",
  reasons: [],
  missing: what,
});
const notEligible = (code: NotCountedReason["code"], detail: string): Identity => ({
  eligible: false,
  as: "",
  reasons: [{ code, detail }],
  missing: null,
});

export function hasKey(list: readonly string[], key: string): boolean {
  return list.some((x) => loginKey(x) === key);
}

/**
 * An app's account (`name[bot]`, as REST and the decision name it). Apps submit reviews (an
 * installed app with pull requests write; GitHub Actions' token, which a pull request's own
 * workflow drives), but an approval is a person's.
 */
export function isApp(login: string): boolean {
  return login.endsWith("[bot]");
}

/** Eligibility by identity alone (exclusions are separate). */
export function identify(
  policy: ApprovalPolicy,
  eligibility: ReadonlyMap<string, EligibilityFacts>,
  login: string,
  /** The account id of `login`, when known, and the logins the adapter resolved. */
  account?: { id?: number | null; accounts?: ApprovalFacts["accounts"] },
): Identity {
  // Before any fact: whatever GitHub reports for an app's login (a repository role from an
  // organization's base permission, say) does not make it a DBA.
  if (isApp(login))
    return notEligible("not-eligible", "an app, not a person; only people approve migrations");
  const key = loginKey(login);
  if (listedUser(policy, account?.accounts, { login, id: account?.id ?? null }))
    return eligible("listed user");
  const facts = eligibility.get(key);

  if (policy.teams.length > 0) {
    const states = policy.teams.map((team) => ({
      team,
      state: Object.entries(facts?.teams ?? {}).find(
        ([slug]) => slug.toLowerCase() === team.toLowerCase(),
      )?.[1],
    }));
    const active = states.find((s) => s.state === "active");
    if (active) return eligible(`active member of team ${active.team}`);
    const teamsWhere = (state: string | undefined) =>
      states.filter((s) => s.state === state).map((s) => s.team);
    const unknown = teamsWhere(undefined);
    if (unknown.length > 0)
      return missing(`membership of ${login} in team ${unknown.join(", ")} was not checked`);
    const pending = teamsWhere("pending");
    if (pending.length > 0)
      return notEligible(
        "pending-membership",
        `invitation to team ${pending.join(", ")} not yet accepted (pending membership does not count)`,
      );
    const listed = policy.users.length > 0 ? " and not a listed user" : "";
    return notEligible("not-eligible", `not a member of team ${policy.teams.join(", ")}${listed}`);
  }

  if (policy.users.length > 0)
    return notEligible(
      "not-eligible",
      hasKey(policy.users, key)
        ? "not the account approval.users names by that login (renamed, or the login was claimed)"
        : "not in approval.users",
    );

  // Neither teams nor users configured: admins and maintainers. Custom roles do not count, since
  // role_name does not say which base role they extend (fail closed).
  if (facts?.role === undefined) return missing(`repository role of ${login} was not checked`);
  if (facts.role !== null && FALLBACK_ROLES.includes(facts.role))
    return eligible(`repository role ${facts.role}`);
  return notEligible(
    "not-eligible",
    `repository role ${facts.role ?? "none"}; only admin or maintain may approve when no teams or users are configured`,
  );
}

/** Separation of duties: the author and the contributors, unless the policy allows them. */
export function exclusions(
  policy: ApprovalPolicy,
  facts: ApprovalFacts,
  contributors: readonly Person[],
  who: Person,
): NotCountedReason[] {
  const out: NotCountedReason[] = [];
  // By account: a renamed author is still the author.
  if (!policy.allowAuthor && samePerson({ login: facts.pr.author, id: facts.pr.authorId }, who))
    out.push({ code: "author", detail: "opened the pull request (approval.allowAuthor is false)" });
  if (!policy.allowContributors && contributors.some((c) => samePerson(c, who)))
    out.push({
      code: "contributor",
      detail:
        "authored, co-authored or committed a commit of the pull request (approval.allowContributors is false)",
    });
  return out;
}
