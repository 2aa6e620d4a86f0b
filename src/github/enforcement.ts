/**
 * What GitHub shows the app about a branch's required checks: branch protection (in the branch
 * itself, which the evaluation reads anyway) and the active rulesets
 * (`GET /repos/{owner}/{repo}/rules/branches/{branch}`, readable with metadata permission).
 * Never throws: the facts are informational, an unreadable source is reported as such.
 */
import type { RequiredCheck, RequirementSource } from "../core/approval/index.js";
import type { GitHubClient, RepoRef } from "./client.js";

interface BranchProtectionData {
  protected?: boolean;
  protection?: {
    enabled?: boolean;
    required_status_checks?: {
      enforcement_level?: string;
      contexts?: string[];
      checks?: Array<{ context: string; app_id: number | null }>;
    };
  };
}

/** Branch protection's required checks, from a `GET /branches/{branch}` answer. */
export function protectionRequirements(data: BranchProtectionData): RequirementSource {
  if (data.protected !== true) return { readable: true, checks: [] };
  const rsc = data.protection?.required_status_checks;
  if (rsc === undefined)
    return {
      readable: false,
      reason: "The branch is protected, but GitHub did not show the app its required checks.",
    };
  if (rsc.enforcement_level === "off") return { readable: true, checks: [] };
  const where = "branch protection";
  const checks: RequiredCheck[] = (rsc.checks ?? []).map((c) => ({
    context: c.context,
    appId: typeof c.app_id === "number" && c.app_id > 0 ? c.app_id : null,
    where,
  }));
  // Older answers list names only (`contexts`): those accept any source.
  for (const context of rsc.contexts ?? [])
    if (!checks.some((c) => c.context === context)) checks.push({ context, appId: null, where });
  return { readable: true, checks };
}

interface RuleData {
  type: string;
  ruleset_id?: number;
  ruleset_source_type?: string;
  ruleset_source?: string;
  parameters?: {
    required_status_checks?: Array<{ context: string; integration_id?: number | null }>;
  };
}

/** The required status checks of the rulesets active on the branch. */
export async function rulesetRequirements(
  octokit: GitHubClient,
  repo: RepoRef,
  branch: string,
): Promise<RequirementSource> {
  let rules: RuleData[];
  try {
    rules = (await octokit.paginate("GET /repos/{owner}/{repo}/rules/branches/{branch}", {
      ...repo,
      branch,
      per_page: 100,
    })) as RuleData[];
  } catch (err) {
    const status = (err as { status?: unknown }).status;
    return {
      readable: false,
      reason:
        status === 403 || status === 404
          ? `GitHub did not let the app read the rulesets of this branch (HTTP ${String(status)}).`
          : `The rulesets of this branch could not be read${typeof status === "number" ? ` (HTTP ${status})` : ""}.`,
    };
  }
  const checks: RequiredCheck[] = [];
  for (const rule of rules) {
    if (rule.type !== "required_status_checks") continue;
    const where = `ruleset ${rule.ruleset_id ?? "?"}${rule.ruleset_source_type === "Organization" ? ` of ${rule.ruleset_source ?? "the organization"}` : ""}`;
    for (const c of rule.parameters?.required_status_checks ?? [])
      checks.push({
        context: c.context,
        appId:
          typeof c.integration_id === "number" && c.integration_id > 0 ? c.integration_id : null,
        where,
      });
  }
  return { readable: true, checks };
}
