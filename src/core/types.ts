/**
 * Plain data shared by the core, the CLI and the GitHub App.
 * Nothing here performs I/O: adapters build a ChangeSet, the core returns a Report.
 */
import type { RuleId } from "./rules/registry.js";

export const SEVERITIES = ["error", "warning", "notice"] as const;
export type Severity = (typeof SEVERITIES)[number];
export type RuleLevel = Severity | "off";

/** Rank used by `--fail-on` and sorting: error > warning > notice. */
export const SEVERITY_RANK: Record<Severity, number> = { error: 3, warning: 2, notice: 1 };

export const DIALECTS = ["postgres", "mysql", "sqlite", "cockroachdb", "clickhouse"] as const;
export type Dialect = (typeof DIALECTS)[number];

export interface Finding {
  /** Stable kebab-case rule id (a registered one: see RuleId in rules/registry.ts). */
  ruleId: RuleId;
  severity: Severity;
  /** Repo-relative path with `/` separators. */
  path: string;
  /** 1-based, in the head version of the file (base version for a deleted file). */
  startLine: number;
  endLine: number;
  /** 1-based columns, only meaningful when startLine === endLine. */
  startColumn?: number;
  endColumn?: number;
  /** What is wrong and why it matters. */
  message: string;
  /** The safer way. */
  suggestion: string;
  /** Present only when an ignore comment applies. */
  suppressed?: { reason: string };
}

/** What a directory entry is, as git (or GitHub's tree API) reports it. */
export type EntryKind = "file" | "symlink" | "submodule" | "directory";

/** One entry directly inside a migration directory (never recursive). */
export interface TreeEntry {
  /** Base name, no directory part. */
  name: string;
  kind: EntryKind;
  /** Git object id (blob sha for files); used for immutability checks and approval digests. */
  oid: string;
  /** Size in bytes when known. */
  size?: number;
}

/**
 * What a configured directory's path is at one revision, walked segment by segment from the
 * repository root the way golang-migrate's `os.DirFS` would open it.
 */
export type DirectoryShape =
  /** Every segment is a plain directory (a git tree). */
  | { kind: "directory" }
  /** A segment does not exist (and every segment before it is a plain directory). */
  | { kind: "missing" }
  /**
   * A segment exists but is not a plain directory: a symlink (golang-migrate follows it to content
   * anywhere), a submodule (content from another repository) or a file.
   */
  | {
      kind: "not-a-directory";
      /** Repository-relative path of that segment: the directory itself or one of its ancestors. */
      at: string;
      entry: Exclude<EntryKind, "directory">;
      /** Its object id (the link's blob, the submodule's commit, the file's blob) when known. */
      oid?: string;
    };

export type ChangeStatus = "added" | "modified" | "removed" | "renamed";

/** A file the change touches, relative to the merge base (like a PR's "Files changed"). */
export interface ChangedFile {
  path: string;
  status: ChangeStatus;
  /** For renames: the old path. */
  previousPath?: string;
  /** Head object id; absent for removed files or untracked working-tree files. */
  oid?: string;
  /** Defaults to "file" when the adapter cannot tell. */
  kind?: EntryKind;
  size?: number;
}

export interface Revision {
  /** What the user or event named (branch, ref, "WORKTREE"). */
  ref: string;
  /** Resolved commit sha when known. */
  sha?: string;
}

/** Everything the core needs to analyse one change, gathered by an adapter. */
export interface ChangeSet {
  /** "git": base/head comparison with immutability and ordering checks. "paths": files alone. */
  mode: "git" | "paths";
  base: Revision | null;
  head: Revision;
  /** Non-recursive listing of each configured directory at the base tip, keyed by directory path. */
  baseTrees: ReadonlyMap<string, readonly TreeEntry[]>;
  /**
   * Each configured directory's shape at the base tip and at the head. Adapters may give the
   * base's shape as the head's when the change touches neither the directory's path nor an
   * ancestor (the merged result then has the base's). Absent (PATH mode, tests): not checked.
   */
  directoryShapes?: ReadonlyMap<string, { base: DirectoryShape; head: DirectoryShape }>;
  /**
   * PATH mode: per directory, the files on disk with versions below the given files'. The replay
   * runs them first, as the merged history a lone file belongs to; nothing else reads them.
   */
  history?: ReadonlyMap<string, readonly TreeEntry[]>;
  /** Listings of subdirectories are not needed: golang-migrate ignores them. */
  changes: readonly ChangedFile[];
  /** Head contents of added/modified/renamed files inside migration directories (PATH mode: every file). */
  contents: ReadonlyMap<string, Uint8Array>;
  /**
   * Base contents of modified merged migrations, when the adapter could read them: their SQL
   * findings are limited to the lines the change touches (the rest already ran). Absent: all shown.
   */
  baseContents?: ReadonlyMap<string, Uint8Array>;
  /**
   * Contents of every merged up migration of each configured directory at the base tip, by path:
   * SQL rules judge statements against the merged schema built from them (src/core/schema/).
   * Filled by adapters that read the base locally (the CLI's git mode); absent in GitHub mode
   * (reading each merged file would cost an API request) and PATH mode: rules then judge the
   * text alone.
   */
  mergedUps?: ReadonlyMap<string, Uint8Array>;
  /**
   * Base contents of merged up files the change leaves alone whose down file it adds or edits:
   * what that down undoes, so dropping it stays a notice (rules/sql dropContext "own-up").
   * Absent: such a down is judged without its up.
   */
  pairedUps?: ReadonlyMap<string, Uint8Array>;
  /**
   * Set when the adapter could not see everything (e.g. a PR with more than 3,000 files, or a
   * truncated tree): the report says so and approval must not pass.
   */
  incomplete?: string[];
}

export type MigrationDirection = "up" | "down";

export interface ChangedMigration {
  path: string;
  /** Decimal digits without leading zeros; null when golang-migrate would not read the name. */
  version: string | null;
  direction: MigrationDirection | null;
  status: ChangeStatus;
}

export interface Summary {
  error: number;
  warning: number;
  notice: number;
  suppressed: number;
}

export interface Report {
  tool: { name: string; version: string };
  base: string | null;
  head: string;
  changed: ChangedMigration[];
  findings: Finding[];
  summary: Summary;
  /** True when the configured approval policy requires a DBA approval for this change. */
  approvalRequired: boolean;
  /** Reasons the analysis could not see everything (fail closed). */
  incomplete: string[];
  /** Free-form extra sections (e.g. replay schema diffs), rendered by the report writers. */
  sections: ReportSection[];
}

export interface ReportSection {
  id: string;
  title: string;
  /** Markdown body. */
  markdown: string;
  /** Structured data for JSON output. */
  data?: unknown;
}
