/**
 * The `.github/migration-warden.yml` that `init` writes: the directories it found, each with its
 * dialect and how sure the guess is, and the approval policy, with comments that say what each
 * key does. Paths are quoted whenever YAML could read them as something else, and nothing taken
 * from the file system ever lands in a comment unquoted (a directory name with a line break must
 * not be able to add keys).
 */
import { DOCS_BASE } from "../../core/rules/types.js";
import type { Dialect } from "../../core/types.js";
import type { FoundDirectory } from "./discover.js";
import type { Confidence } from "./dialect.js";

const VERSION_EXAMPLE: Record<Dialect, string> = {
  postgres: "16",
  mysql: "8.0",
  sqlite: "3.45",
  cockroachdb: "24.1",
  clickhouse: "24.3",
};

const CONFIG_DOCS = DOCS_BASE.replace(/\/rules$/, "/configuration.md");

/** A YAML scalar for a path: plain when unambiguous, else a JSON (= YAML double-quoted) string. */
export function yamlString(s: string): string {
  const plain =
    /^[A-Za-z0-9_][A-Za-z0-9_./-]*$/.test(s) &&
    !/^(?:true|false|yes|no|on|off|null|y|n|~)$/i.test(s) &&
    !/^[0-9._-]+$/.test(s);
  return plain ? s : JSON.stringify(s);
}

const SURE: Record<Confidence, string> = {
  high: "high confidence",
  medium: "medium confidence",
  low: "low confidence: check it",
  none: "no dialect-specific SQL found: postgres is a default, check it",
};

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

export function describeGuess(d: FoundDirectory): string {
  const g = d.guess;
  if (g.confidence === "none") return `${g.dialect} (${SURE.none})`;
  const others =
    g.others.length > 0
      ? `; also seen: ${g.others.map((o) => `${o.dialect} ${percent(o.share)}`).join(", ")}`
      : "";
  return `${g.dialect} (${SURE[g.confidence]}, ${percent(g.share)} of the evidence: ${g.evidence.slice(0, 4).join(", ")}${others})`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function configText(dirs: readonly FoundDirectory[]): string {
  const out: string[] = [
    "# migration-warden configuration",
    `# Reference: ${CONFIG_DOCS}`,
    "# Written by `migration-warden init`. migration-warden reads this file from the base branch",
    "# of each pull request, never from the change under review: commit it to the default branch.",
    "",
    "# golang-migrate directories (read non-recursively, like golang-migrate).",
    "directories:",
  ];
  for (const d of dirs) {
    const g = d.guess;
    out.push(
      `  # ${d.ups} up and ${d.downs} down migration${d.ups + d.downs === 1 ? "" : "s"}, ${d.first === d.last ? `version ${d.first}` : `versions ${d.first} to ${d.last}`}.`,
    );
    if (d.ignored > 0)
      out.push(
        `  # ${plural(d.ignored, "file")} here look${d.ignored === 1 ? "s" : ""} like migrations but golang-migrate skips them: run \`migration-warden lint\`.`,
      );
    out.push(`  # Dialect guessed from the SQL: ${describeGuess(d)}.`);
    if (g.namedDialects.length > 0)
      out.push(
        `  # The file names name several dialects (${g.namedDialects.join(", ")}); golang-migrate would run`,
        "  # all of them against one database. Is this really a golang-migrate directory?",
      );
    out.push(
      `  - path: ${yamlString(d.path)}`,
      `    dialect: ${g.dialect} # postgres | mysql | sqlite | cockroachdb | clickhouse`,
      `    # databaseVersion: "${VERSION_EXAMPLE[g.dialect]}" # the server version, for rules that depend on it`,
      "    # multiStatement: true # when golang-migrate runs with x-multi-statement=true",
    );
  }
  out.push(
    "",
    "# Per-rule severity: error | warning | notice | off (`migration-warden explain --list`).",
    "rules: {} # e.g. { require-lock-timeout: error, drop-column: warning }",
    "",
    "# The migration-warden/approval check: who must approve pull requests that change migrations.",
    "approval:",
    "  required: always # always | risky (only when an error or warning remains) | never",
    "  # Slugs of teams in this organization whose active members may approve, e.g. [dba].",
    "  # With no teams and no users, the repository's admins and maintainers may approve.",
    "  teams: []",
    "  users: [] # GitHub logins",
    "  count: 1 # distinct approvers needed",
    "",
  );
  return out.join("\n");
}
