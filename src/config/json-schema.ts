/** The published JSON schema of `.github/migration-warden.yml`, generated from the zod schema. */
import { z } from "zod";
import { configSchema } from "./schema.js";

/** Editor hover texts, by key path ("*" = array items). Kept next to the generator, not the validator. */
const DESCRIPTIONS: Record<string, string> = {
  directories:
    "golang-migrate directories to check (read non-recursively). Default: [{ path: migrations, dialect: postgres }].",
  "directories.*.path":
    "Repository-relative directory holding <version>_<title>.up.sql / .down.sql files.",
  "directories.*.dialect":
    "Database dialect: postgres, mysql, sqlite (cockroachdb, clickhouse: structural checks and generic rules).",
  "directories.*.databaseVersion":
    'Server version ("16", "8.0"); rules that depend on it use it. Quote it in YAML.',
  "directories.*.multiStatement":
    "golang-migrate x-multi-statement mode (postgres): statements run one by one without the implicit per-file transaction.",
  "directories.*.squashedBelow":
    "Squashed history: once this is on the base branch, a later pull request may delete merged migrations at or below this version (still reported as a warning and approved under risky). See docs/squashing.md.",
  "directories.*.migrationsTable":
    "golang-migrate's x-migrations-table (default schema_migrations): the replay creates it, as golang-migrate does, before the first migration.",
  rules:
    "Severity override per rule id or per category (style, locking, …; a rule's own key wins): error | warning | notice | off.",
  approval: "DBA approval policy for the migration-warden/approval check.",
  "approval.required":
    "always | risky (only when an unsuppressed error or warning remains) | never.",
  "approval.teams":
    "Slugs of teams in the repository's organization whose active members may approve.",
  "approval.users":
    "GitHub logins who may approve, each a plain login (whoever holds it when the check runs) or { login, id } pinning the account (GitHub's numeric user id; a mismatch fails the check). See docs/security.md.",
  "approval.count": "Distinct eligible approvers needed.",
  "approval.allowAuthor": "Whether the pull request's author may approve.",
  "approval.allowContributors":
    "Whether authors and committers of the pull request's commits may approve.",
  replay:
    "Sandbox replay: run the change in an embedded database (postgres: PGlite, sqlite: sql.js).",
  "replay.enabled": "Run the replay (default true).",
  "replay.databaseUrl":
    'A disposable database server to replay postgres and mysql directories on; EVERYTHING IN ITS DATABASE IS DROPPED before each replay. "env": the URL the environment provides (the only form the GitHub App accepts); or a postgres:// or mysql:// URL (CLI).',
  "replay.statementTimeoutMs": "Per-statement limit inside the sandbox, in milliseconds.",
  "replay.timeBudgetMs": "Overall limit for one replay, in milliseconds.",
  "replay.functions":
    "SQLite: names of functions your application registers on its connection (sqlite3 RegisterFunc); the sandbox registers stand-ins that return NULL so migrations calling them replay.",
  limits: "Input limits.",
  audit:
    "Push audit: the migration-warden/audit check on pushes to audited branches (direct, forced, merged).",
  "limits.maxFileBytes":
    "Migration files larger than this are reported instead of analysed (default 1 MiB).",
};

type Node = { properties?: Record<string, Node>; items?: Node; description?: string };

function describe(node: Node, path: string[]): void {
  const text = DESCRIPTIONS[path.join(".")];
  if (text !== undefined && node.description === undefined) node.description = text;
  for (const [key, child] of Object.entries(node.properties ?? {})) describe(child, [...path, key]);
  if (node.items) describe(node.items, [...path, "*"]);
}

export function configJsonSchema(): Record<string, unknown> {
  // "input": what a user writes (keys with defaults are optional), not the parsed result.
  const schema = z.toJSONSchema(configSchema(), { io: "input", unrepresentable: "any" }) as Node &
    Record<string, unknown>;
  describe(schema, []);
  return {
    ...schema,
    $id: "https://github.com/migration-warden/migration-warden/blob/main/schema/migration-warden.schema.json",
    title: "migration-warden configuration (.github/migration-warden.yml)",
  };
}
