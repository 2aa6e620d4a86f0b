/**
 * The base branch's ruleset rules from the first query (`Ref.rules`), where REST reads
 * `GET /repos/{o}/{r}/rules/branches/{base}` (enforcement.ts rulesetRequirements). Only what the
 * approval run TELLS depends on them (is the gate enforced?), never its conclusion.
 *
 * What GraphQL says and what it does not:
 * - `Ref.rules` is documented as the rules "from active Repository and Organization rulesets that
 *   apply to this ref": the REST endpoint returns "all active rules that apply", at whatever level
 *   they are set (its enterprise rulesets are not named by the GraphQL description), and leaves out
 *   rulesets in "evaluate" or "disabled" mode. Each rule's `repositoryRuleset` is asked with its
 *   enforcement and only ACTIVE ones count, so an evaluate-mode ruleset can never count here even
 *   if GitHub listed it; a rule whose ruleset GitHub does not show is not used at all.
 * - Neither API applies bypass actors: both list the rules whatever may bypass them.
 * - GitHub does not document what the list shows an installation without the administration
 *   permission (REST needs only metadata read). A list that is empty, or missing an organization's
 *   or enterprise's ruleset the app may not see, cannot be told from "no such rule".
 *
 * So the answer is used only as proof, never as absence: when the active rules shown require BOTH
 * gate checks pinned to this app (gatePinnedBy), the gate is enforced whatever else REST would
 * list (requirements add up; core/approval/enforcement.ts), and the REST read of the rulesets, and
 * of the branch (enforcement-cache.ts baseBranch), is spared. Anything else (no pin, one check
 * pinned, another app, an empty list, more than one page, an odd node, an error inside the part)
 * and the rulesets and branch protection are read by REST as before. What may then differ from
 * REST is only the list of places named beside "Enforced" (a hidden ruleset or branch protection
 * that pins the checks too).
 */
import { GATE_CHECKS, type RequiredCheck } from "../../core/approval/enforcement.js";
import type { FirstReadPart } from "./parts.js";

/** More rules than this on the branch and the part is not used (REST pages through them). */
const MAX_RULES = 50;

/** Inside `pullRequest { … }` of the first query: the base ref again, under its own alias. */
export const BASE_RULES_FRAGMENT = `baseRules: baseRef {
        name
        rules(first: ${MAX_RULES}) {
          totalCount
          pageInfo { hasNextPage }
          nodes {
            type
            parameters {
              __typename
              ... on RequiredStatusChecksParameters { requiredStatusChecks { context integrationId } }
            }
            repositoryRuleset { databaseId enforcement source { __typename ... on Organization { login } } }
          }
        }
      }`;

/** The required checks of the active rulesets on one branch, as the first query showed them. */
export interface BaseRules {
  branch: string;
  checks: RequiredCheck[];
}

interface RawRule {
  type?: unknown;
  parameters?: {
    __typename?: unknown;
    requiredStatusChecks?: Array<{ context?: unknown; integrationId?: unknown } | null> | null;
  } | null;
  repositoryRuleset?: {
    databaseId?: unknown;
    enforcement?: unknown;
    source?: { __typename?: unknown; login?: unknown } | null;
  } | null;
}

interface RawRef {
  name?: unknown;
  rules?: {
    totalCount?: unknown;
    pageInfo?: { hasNextPage?: unknown } | null;
    nodes?: Array<RawRule | null> | null;
  } | null;
}

const ENFORCEMENTS = new Set(["ACTIVE", "EVALUATE", "DISABLED"]);
const isId = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) > 0;

/** The part of the first query: the base branch's ruleset requirements, when whole and plain. */
export const BASE_RULES_PART: FirstReadPart<BaseRules> = {
  fragment: BASE_RULES_FRAGMENT,
  aliases: ["baseRules"],
  parse: (raw, info) => baseRulesOf(raw.baseRules as RawRef | null | undefined, info.baseRef),
};

/**
 * The required checks of the ACTIVE rulesets' rules, with the places REST names them by
 * (`ruleset <id>`, `of <organization>` for an organization's), when the answer shows the branch
 * the pull request names and every rule whole; undefined otherwise.
 */
export function baseRulesOf(
  ref: RawRef | null | undefined,
  baseRef: string,
): BaseRules | undefined {
  if (!ref || ref.name !== baseRef) return undefined;
  const rules = ref.rules;
  if (!rules || !Array.isArray(rules.nodes)) return undefined;
  if (rules.pageInfo?.hasNextPage !== false || rules.totalCount !== rules.nodes.length)
    return undefined;
  const checks: RequiredCheck[] = [];
  for (const rule of rules.nodes) {
    const rs = rule?.repositoryRuleset;
    if (
      !rule ||
      typeof rule.type !== "string" ||
      !rs ||
      !isId(rs.databaseId) ||
      typeof rs.enforcement !== "string" ||
      !ENFORCEMENTS.has(rs.enforcement) ||
      typeof rs.source?.__typename !== "string"
    )
      return undefined;
    if (rs.enforcement !== "ACTIVE" || rule.type !== "REQUIRED_STATUS_CHECKS") continue;
    const org = rs.source.__typename === "Organization";
    if (org && (typeof rs.source.login !== "string" || rs.source.login === "")) return undefined;
    const p = rule.parameters;
    if (
      p?.__typename !== "RequiredStatusChecksParameters" ||
      !Array.isArray(p.requiredStatusChecks)
    )
      return undefined;
    const where = `ruleset ${rs.databaseId}${org ? ` of ${rs.source.login as string}` : ""}`;
    for (const c of p.requiredStatusChecks) {
      const id = c?.integrationId;
      if (!c || typeof c.context !== "string" || !(id === null || Number.isSafeInteger(id)))
        return undefined;
      checks.push({ context: c.context, appId: isId(id) ? id : null, where });
    }
  }
  return { branch: baseRef, checks };
}

/**
 * True when the rules shown require every gate check pinned to this app: the one answer that
 * cannot be mistaken for what the app could not see.
 */
export function gatePinnedBy(rules: BaseRules | undefined, ownAppId: number): boolean {
  return (
    rules !== undefined &&
    GATE_CHECKS.every((check) =>
      rules.checks.some((c) => c.context === check && c.appId === ownAppId),
    )
  );
}
