import type { Dialect, RuleLevel } from "../core/types.js";

/** Where the configuration lives, always read from the base revision. */
export const CONFIG_PATH = ".github/migration-warden.yml";

/** The one migration directory of the defaults (no configuration file at the base). */
export const DEFAULT_DIRECTORY_PATH = "migrations";

export interface DirectoryConfig {
  /** Repo-relative, normalised: no leading "./", no trailing "/", "" for the repository root. */
  path: string;
  dialect: Dialect;
  /** Server version ("16", "8.0"); rules that depend on it read it. */
  databaseVersion?: string;
  /** golang-migrate `x-multi-statement` (postgres): statements run one by one, no implicit transaction. */
  multiStatement: boolean;
  /** golang-migrate `x-migrations-table` (default schema_migrations): the replay creates it. */
  migrationsTable?: string;
  /**
   * History squashed at or below this version (decimal digits): a later change may delete merged
   * migrations up to it (a documented squash, still reported and approved). Read from the base's
   * configuration only, like every setting.
   */
  squashedBelow?: string;
}

export interface ApprovalPolicy {
  required: "always" | "risky" | "never";
  teams: string[];
  /** Logins, as written (a pinned entry's login too). */
  users: string[];
  /**
   * Pinned entries (`{ login, id }`): loginKey → the account id the entry names. Absent or
   * without a login: a plain login, whoever holds it at evaluation (docs/security.md).
   */
  userIds?: Readonly<Record<string, number>>;
  count: number;
  allowAuthor: boolean;
  allowContributors: boolean;
}

export interface ReplayConfig {
  enabled: boolean;
  /**
   * A disposable database server (postgres, mysql), wiped before each replay: "env" for the URL
   * the environment provides, or a URL (used by the CLI only; see replay/external/select.ts).
   */
  databaseUrl?: string;
  /** Per-statement limit inside the sandbox. */
  statementTimeoutMs: number;
  /** Overall limit for one replay (base history + change). */
  timeBudgetMs: number;
  /** SQLite: application-registered functions the sandbox stands in for (they return NULL). */
  functions: string[];
}

export interface DriftConfig {
  /** Globs of object names `migration-warden drift` leaves out ("audit.*", "public.tmp_*"). */
  ignore: string[];
  /** Per catalog query on the live database. */
  statementTimeoutMs: number;
  /** MySQL: the account the migrations run as on the live database, when drift reads as another. */
  migrationsAccount?: string;
}

export interface LimitsConfig {
  /** Migration files larger than this are not analysed (finding instead). */
  maxFileBytes: number;
}

/** The push audit (`migration-warden/audit`): which branches, and whether to keep an issue. */
export interface AuditConfig {
  /** Glob patterns of branch names; absent: the repository's default branch only. */
  branches?: string[];
  /** Open or update one issue per branch with the findings (needs `issues: write`). */
  issue: boolean;
}

export interface Config {
  directories: DirectoryConfig[];
  rules: Record<string, RuleLevel>;
  approval: ApprovalPolicy;
  replay: ReplayConfig;
  drift: DriftConfig;
  limits: LimitsConfig;
  audit: AuditConfig;
}
