/**
 * People are accounts, not logins. A login is a name an account holds for now: it can be renamed,
 * and a freed login can be claimed by another account. Everywhere GitHub gives an account id (a
 * review's user, a commit's linked user, the pull request's author, a click's sender, a login the
 * adapter resolved), the decision compares people by that id; the login is for display, and for
 * the lookups GitHub only offers by login (team membership, repository role).
 *
 * What GitHub reports about accounts while one evaluation is gathered is "live": it names each
 * account by its login at that moment. Two ids under one login (or one id under two logins)
 * among those facts mean a rename or a claimed login while they were read: nobody can tell who is
 * who, and the evaluation fails closed. A recorded click is not live: its login is the one its
 * account had when it clicked, and it is re-identified by its account id (record version 3), or,
 * for an older record without one, read as the account that holds its login now.
 */
import type { ApprovalPolicy } from "../../config/types.js";
import {
  loginKey,
  type ApprovalFacts,
  type ButtonApproval,
  type NotCountedReason,
} from "./types.js";

/** Someone the facts name: a login, and the account id when GitHub gave one. */
export interface Person {
  login: string;
  id?: number | null;
}

/** True when both name the same account: by id when both have one, else by login. */
export function samePerson(a: Person, b: Person): boolean {
  if (typeof a.id === "number" && typeof b.id === "number") return a.id === b.id;
  return loginKey(a.login) === loginKey(b.login);
}

/** Who holds which login, as the live facts of one evaluation say. */
export interface AccountIndex {
  /** loginKey → account id. */
  idOf: ReadonlyMap<string, number>;
  /** account id → login. */
  loginOf: ReadonlyMap<number, string>;
  /** One sentence per login (or id) the facts name two ways: an evaluation error. */
  conflicts: string[];
}

interface LivePerson {
  login: string;
  id: number | null;
  as: string;
  /** From the adapter's resolution of a login: null then says no account holds it. */
  resolved?: true;
}

/** What names people: the facts an account index is built from. */
export type PeopleFacts = Pick<ApprovalFacts, "pr" | "reviews" | "accounts"> & {
  commits: ApprovalFacts["commits"];
};

/** The live facts' people: the author, reviewers, commits' people, and resolved logins. */
function livePeople(facts: PeopleFacts): LivePerson[] {
  const out: LivePerson[] = [];
  const add = (login: string | null, id: number | null | undefined, as: string) => {
    // An id-less fact (an unlinked identity, an old payload) says nothing about accounts.
    if (login !== null && login !== "" && typeof id === "number") out.push({ login, id, as });
  };
  add(facts.pr.author, facts.pr.authorId, "the pull request's author");
  for (const r of facts.reviews) add(r.user, r.userId, `the author of review ${r.id}`);
  for (const c of facts.commits) {
    const sha = c.sha.slice(0, 7);
    add(c.author, c.authorId, `the author of commit ${sha}`);
    add(c.committer, c.committerId, `the committer of commit ${sha}`);
    for (const a of c.coAuthors ?? []) add(a.login, a.id, `a co-author of commit ${sha}`);
  }
  for (const [login, id] of Object.entries(facts.accounts ?? {}))
    out.push({ login, id, as: "GitHub's answer for that login", resolved: true });
  return out;
}

export function accountIndex(facts: PeopleFacts): AccountIndex {
  const idOf = new Map<string, { id: number; as: string }>();
  const nobody = new Map<string, string>();
  const loginOf = new Map<number, { login: string; as: string }>();
  const conflicts = new Set<string>();
  const twoAccounts = (login: string, a: string, b: string) =>
    conflicts.add(
      `GitHub names two accounts @${login}: ${a} and ${b}; the login was renamed or claimed while the facts were read, so nobody can tell who is who (re-run the check)`,
    );
  for (const p of livePeople(facts)) {
    const key = loginKey(p.login);
    const seen = idOf.get(key);
    if (p.id === null) {
      if (seen) twoAccounts(p.login, `account ${seen.id} (${seen.as})`, `no account (${p.as})`);
      else nobody.set(key, p.as);
      continue;
    }
    if (seen && seen.id !== p.id)
      twoAccounts(p.login, `account ${seen.id} (${seen.as})`, `account ${p.id} (${p.as})`);
    else if (!seen) {
      const none = nobody.get(key);
      if (none !== undefined)
        twoAccounts(p.login, `no account (${none})`, `account ${p.id} (${p.as})`);
      idOf.set(key, { id: p.id, as: p.as });
    }
    const named = loginOf.get(p.id);
    if (named && loginKey(named.login) !== key)
      conflicts.add(
        `GitHub names account ${p.id} both @${named.login} (${named.as}) and @${p.login} (${p.as}); it was renamed while the facts were read (re-run the check)`,
      );
    else if (!named) loginOf.set(p.id, { login: p.login, as: p.as });
  }
  return {
    idOf: new Map([...idOf].map(([k, v]) => [k, v.id] as const)),
    loginOf: new Map([...loginOf].map(([id, v]) => [id, v.login] as const)),
    conflicts: [...conflicts],
  };
}

/** A recorded click's approver as the decision judges it now, or why it cannot count. */
export type Clicker =
  { ok: true; login: string; id: number | null } | { ok: false; reason: NotCountedReason };

/**
 * Who clicked, named as now. A version 3 record names the account: its current login is the one
 * the live facts (or GitHub's answer for the recorded login) give that id; when the recorded login
 * now names another account, or none, and no live fact names the account, the click does not
 * count (its account must click again). A version 2 record names only a login: it is read as the
 * account that holds that login now, as a plain listed login is. Unresolved logins (a caller
 * that gathered no accounts) are judged as recorded.
 */
export function clicker(
  b: ButtonApproval,
  index: AccountIndex,
  accounts: ApprovalFacts["accounts"],
): Clicker {
  const key = loginKey(b.approver);
  if (typeof b.approverId === "number") {
    const id = b.approverId;
    const now = index.loginOf.get(id);
    if (now !== undefined) return { ok: true, login: now, id };
    const holder = index.idOf.get(key) ?? accounts?.[key];
    if (holder === undefined || holder === id) return { ok: true, login: b.approver, id };
    return {
      ok: false,
      reason: {
        code: "renamed",
        detail: `clicked by account ${id} as @${b.approver}, but @${b.approver} is now ${holder === null ? "no account" : `another account (${holder})`}; the account that clicked was renamed and must click again`,
      },
    };
  }
  const holder = index.idOf.get(key) ?? accounts?.[key];
  if (holder === null)
    return {
      ok: false,
      reason: {
        code: "renamed",
        detail: `recorded without an account id, and no account holds the login @${b.approver} now`,
      },
    };
  return { ok: true, login: b.approver, id: holder ?? null };
}

/**
 * Whether the policy lists this person. A pinned entry (`{ login, id }`) names the account: it
 * matches by id whatever the login is now. A plain login names whoever holds it now: when the
 * adapter resolved it, the person must be that account.
 */
export function listedUser(
  policy: ApprovalPolicy,
  accounts: ApprovalFacts["accounts"],
  person: Person,
): boolean {
  const key = loginKey(person.login);
  return policy.users.some((u) => {
    const entry = loginKey(u);
    const pinned = policy.userIds?.[entry];
    if (pinned !== undefined)
      return typeof person.id === "number" ? person.id === pinned : entry === key;
    if (entry !== key) return false;
    const holder = accounts?.[entry];
    if (holder === undefined || typeof person.id !== "number") return true;
    return holder === person.id;
  });
}

/**
 * Pinned `approval.users` entries whose login GitHub now gives another account (or none), and
 * pinned logins the adapter did not resolve: both fail the evaluation, naming the config key.
 */
export function pinErrors(policy: ApprovalPolicy, accounts: ApprovalFacts["accounts"]): string[] {
  const out: string[] = [];
  for (const u of policy.users) {
    const pinned = policy.userIds?.[loginKey(u)];
    if (pinned === undefined) continue;
    const holder = accounts?.[loginKey(u)];
    if (holder === undefined)
      out.push(
        `approval.users: which account holds the login ${u} (pinned to ${pinned}) was not checked`,
      );
    else if (holder !== pinned)
      out.push(
        `approval.users: ${u} is pinned to account ${pinned}, but GitHub's ${u} is now ${holder === null ? "no account" : `account ${holder}`} (renamed, or the login was claimed): correct the entry`,
      );
  }
  return out;
}

/**
 * The logins the adapter must resolve to their current account (one GraphQL read): every listed
 * user when `approval.users` is configured, and the login of each recorded click for this pull
 * request that no live fact already ties to its account. None: no request.
 */
export function loginsToResolve(
  policy: ApprovalPolicy,
  facts: Pick<ApprovalFacts, "pr" | "reviews" | "commits" | "buttonApprovals" | "accounts">,
): string[] {
  const index = accountIndex(facts);
  const out = new Map<string, string>();
  for (const u of policy.users) out.set(loginKey(u), u);
  for (const b of facts.buttonApprovals) {
    if (!b.pullRequests.includes(facts.pr.number)) continue;
    const key = loginKey(b.approver);
    const known =
      typeof b.approverId === "number"
        ? index.loginOf.has(b.approverId) || index.idOf.get(key) === b.approverId
        : index.idOf.has(key);
    if (!known && facts.accounts?.[key] === undefined) out.set(key, b.approver);
  }
  return [...out.values()].filter((l) => facts.accounts?.[loginKey(l)] === undefined);
}
