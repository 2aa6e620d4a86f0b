/**
 * The exact repository settings that make the two checks a gate: both required on the default
 * branch and pinned to migration-warden's app id (without the pin, any workflow or app that can
 * write checks can post a passing check of the same name).
 */
import { GATE_CHECKS } from "../../core/approval/enforcement.js";
import { LINT_CHECK_NAME } from "../../core/approval/types.js";

export { LINT_CHECK_NAME };
export const REQUIRED_CHECKS = GATE_CHECKS;

export interface ProtectionTarget {
  /** "owner/repo" when the remote says so. */
  repo: string | null;
  branch: string;
  /** The GitHub App's id, when given. */
  appId: number | null;
}

/** A ruleset for `POST /repos/{owner}/{repo}/rulesets`: additive, it changes no existing rule. */
export function rulesetBody(t: ProtectionTarget): unknown {
  return {
    name: "migration-warden",
    target: "branch",
    enforcement: "active",
    bypass_actors: [],
    conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } },
    rules: [
      {
        type: "required_status_checks",
        parameters: {
          strict_required_status_checks_policy: false,
          required_status_checks: REQUIRED_CHECKS.map((context) => ({
            context,
            integration_id: t.appId ?? "<APP_ID>",
          })),
        },
      },
    ],
  };
}

/** GitHub owner/name from a remote URL (https, ssh or scp-like); null for anything else. */
export function repoFromRemote(url: string): string | null {
  const m =
    /^(?:https?:\/\/(?:[^@/]+@)?|ssh:\/\/(?:[^@/]+@)?|git@)[^/:]+[/:]([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(
      url.trim(),
    );
  return m ? `${m[1]}/${m[2]}` : null;
}

export function protectionText(t: ProtectionTarget): string {
  const repo = t.repo ?? "OWNER/REPO";
  const app = t.appId === null ? "<APP_ID>" : String(t.appId);
  const json = JSON.stringify(rulesetBody(t), null, 2)
    .replace(/"<APP_ID>"/g, "<APP_ID>")
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
  const lines = [
    `Make both checks required on ${t.branch}${t.repo ? ` of ${t.repo}` : ""}, pinned to migration-warden:`,
    "",
    "  GitHub offers a check as required only after it has run in the repository in the last",
    "  7 days: install the app and open a pull request that changes a migration first.",
    "",
    "  Either a ruleset (Settings → Rules → Rulesets → New branch ruleset; it adds to the rules you",
    "  have and changes none of them):",
    "    Target branches: Include default branch",
    "    Bypass list: empty",
    "    [x] Require status checks to pass",
    ...REQUIRED_CHECKS.map(
      (c) => `          ${c.padEnd(27)} source: migration-warden (app id ${app})`,
    ),
    "  or the same with the GitHub CLI:",
    `    gh api --method POST repos/${repo}/rulesets --input - <<'EOF'`,
    json,
    "    EOF",
    "",
    `  Or branch protection (Settings → Branches → the rule for ${t.branch}):`,
    "    [x] Require status checks to pass before merging",
    ...REQUIRED_CHECKS.map((c) => `          ${c.padEnd(27)} source: migration-warden`),
    "    [x] Do not allow bypassing the above settings",
    "",
  ];
  if (t.appId === null) {
    lines.push(
      "  <APP_ID> is the GitHub App's id: on the app's settings page (\"App ID\"), or",
      "    gh api apps/migration-warden --jq .id",
      "  (use your app's slug if you registered your own), or, once it has run on a commit,",
      `    gh api repos/${repo}/commits/${t.branch}/check-runs --jq '.check_runs[] | select(.name == "${LINT_CHECK_NAME}") | .app.id'`,
      "  (or pass --app-id to init).",
      "",
    );
  }
  lines.push(
    "  Protect the policy too: list .github/migration-warden.yml and the migration directories in",
    '  CODEOWNERS and enable "Require review from Code Owners".',
  );
  return `${lines.join("\n")}\n`;
}
