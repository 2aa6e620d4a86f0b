/**
 * Is the gate enforced? A check that branch protection does not require protects nothing, and a
 * required check that is not pinned to this app can be satisfied by any workflow or app that
 * writes a check (or a commit status) of the same name. From what GitHub shows about the base
 * branch (branch protection's required checks with their app ids, and the active rulesets' rules
 * with their integration ids), tell for each of the two checks whether it is required and pinned.
 * Informational only: the approval check's conclusion never depends on it.
 */
import { escapeMarkdown } from "./audit.js";
import { APPROVAL_CHECK_NAME, LINT_CHECK_NAME } from "./types.js";

/** The checks that make the gate, in the order they are reported. */
export const GATE_CHECKS = [LINT_CHECK_NAME, APPROVAL_CHECK_NAME] as const;

/** One required check as GitHub lists it: `appId` null means "any source". */
export interface RequiredCheck {
  context: string;
  appId: number | null;
  /** Where it is required: "branch protection" or `ruleset "name"`. */
  where: string;
}

/** What one source of requirements said, or why it could not be read. */
export type RequirementSource =
  { readable: true; checks: readonly RequiredCheck[] } | { readable: false; reason: string };

export interface EnforcementFacts {
  branch: string;
  /** The app's own id: a pin to it is what makes a requirement this app's. */
  ownAppId: number;
  protection: RequirementSource;
  rulesets: RequirementSource;
}

export type CheckEnforcementState =
  /** Required, and at least one requirement accepts only this app's check. */
  | "pinned"
  /** Required, but from any source: anything that can write a check or status satisfies it. */
  | "any-source"
  /** Required, but pinned to another app: this app's check does not satisfy it. */
  | "other-app"
  /** Not required where the app could look, and every source was readable. */
  | "not-required"
  /** Not required where the app could look, but a source was not readable. */
  | "unknown";

export interface CheckEnforcement {
  check: string;
  state: CheckEnforcementState;
  /** Where the requirements that decided the state are set. */
  where: string[];
  /** The other apps a requirement is pinned to (state "other-app"). */
  otherApps: number[];
}

export interface Enforcement {
  branch: string;
  ownAppId: number;
  checks: CheckEnforcement[];
  /** Why a source could not be read (empty when both were). */
  unreadable: string[];
}

export function assessEnforcement(facts: EnforcementFacts): Enforcement {
  const sources = [facts.protection, facts.rulesets];
  const known = sources.flatMap((s) => (s.readable ? s.checks : []));
  const unreadable = sources.flatMap((s) => (s.readable ? [] : [s.reason]));
  const checks = GATE_CHECKS.map((check): CheckEnforcement => {
    const reqs = known.filter((r) => r.context === check);
    const where = (rs: readonly RequiredCheck[]) => [...new Set(rs.map((r) => r.where))];
    const pinned = reqs.filter((r) => r.appId === facts.ownAppId);
    // Requirements add up: one pinned requirement makes this app's run necessary.
    if (pinned.length > 0) return { check, state: "pinned", where: where(pinned), otherApps: [] };
    const anySource = reqs.filter((r) => r.appId === null);
    if (anySource.length > 0)
      return { check, state: "any-source", where: where(anySource), otherApps: [] };
    if (reqs.length > 0)
      return {
        check,
        state: "other-app",
        where: where(reqs),
        otherApps: [...new Set(reqs.map((r) => r.appId!))].sort((a, b) => a - b),
      };
    return {
      check,
      state: unreadable.length > 0 ? "unknown" : "not-required",
      where: [],
      otherApps: [],
    };
  });
  return { branch: facts.branch, ownAppId: facts.ownAppId, checks, unreadable };
}

/** True when both checks are required and pinned to this app. */
export function isEnforced(e: Enforcement): boolean {
  return e.checks.every((c) => c.state === "pinned");
}

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

function problem(c: CheckEnforcement, e: Enforcement): string {
  const name = code(c.check);
  switch (c.state) {
    case "pinned":
      return "";
    case "any-source":
      return `${name} is required (${c.where.map(escapeMarkdown).join(", ")}) from **any source**: any workflow, app or token that can post a check or commit status named ${name} satisfies it, without migration-warden.`;
    case "other-app":
      return `${name} is required (${c.where.map(escapeMarkdown).join(", ")}) only from app id ${c.otherApps.join(", ")}, not from this app (id ${e.ownAppId}): migration-warden's check does not satisfy it.`;
    case "not-required":
      return `${name} is **not required**: a pull request can merge whatever the check says.`;
    case "unknown":
      return `${name} is not required by anything migration-warden could read, and it could not read everything (see below).`;
  }
}

/**
 * Markdown for the approval check's summary: a prominent warning (top) when the gate is not
 * enforced or cannot be seen, and one line (bottom) when it is.
 */
export function renderEnforcement(enforcements: readonly Enforcement[]): {
  top: string[];
  bottom: string[];
} {
  const top: string[] = [];
  const bottom: string[] = [];
  for (const e of enforcements) {
    const branch = code(e.branch);
    if (isEnforced(e)) {
      const where = [...new Set(e.checks.flatMap((c) => c.where))].map(escapeMarkdown).join("; ");
      bottom.push(
        `Enforced on ${branch}: ${GATE_CHECKS.map(code).join(" and ")} are required and pinned to this app (${where}).`,
      );
      continue;
    }
    const blind = e.checks.every((c) => c.state === "pinned" || c.state === "unknown");
    top.push(
      blind
        ? `> [!NOTE]\n> **migration-warden cannot tell whether this gate is enforced on ${branch}.**`
        : `> [!WARNING]\n> **This gate is not enforced on ${branch}.**`,
    );
    for (const c of e.checks) {
      const p = problem(c, e);
      if (p) top.push(`> - ${p}`);
    }
    for (const r of e.unreadable) top.push(`> - ${escapeMarkdown(r)}`);
    top.push(
      ">",
      `> To enforce it: Settings → Rules → Rulesets (or Settings → Branches, the rule for ${branch}) → **Require status checks to pass**, add ${GATE_CHECKS.map(code).join(" and ")}, and choose this GitHub App (id ${e.ownAppId}) as the source of each; do not allow bypassing. \`migration-warden init\` prints the ruleset to create. This notice does not change the check's conclusion.`,
      "",
    );
  }
  return { top, bottom };
}
