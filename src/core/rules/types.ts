import type { DirectoryModel } from "../migrations/directory.js";
import type { Dialect, Finding, RuleLevel, Severity } from "../types.js";
import type { RuleId } from "./registry.js";

/** Every rule belongs to one; a category name is also a `rules:` key that sets all its rules. */
export const RULE_CATEGORIES = [
  "structure",
  "data-loss",
  "locking",
  "integrity",
  "compatibility",
  "transaction",
  "security",
  "style",
  "replay",
] as const;

export type RuleCategory = (typeof RULE_CATEGORIES)[number];

/** What every rule declares. `Id` is the rule's literal id, from which the registry derives RuleId. */
export interface RuleMeta<Id extends string = string> {
  id: Id;
  defaultSeverity: Severity;
  /** Dialects the rule runs on; "all" for generic rules. */
  dialects: readonly Dialect[] | "all";
  category: RuleCategory;
  /** One line: what the rule detects. */
  description: string;
  /** One line: the safer way. */
  saferAlternative: string;
  /** False for findings no ignore comment may silence (edits to merged migrations). */
  suppressible: boolean;
  /**
   * Off unless the configuration gives the rule or its category a level (`rules: { <id>: notice }`,
   * `rules: { style: warning }`): policies a team opts into, such as requiring a statement
   * timeout. `defaultSeverity` is the level documented for it.
   */
  optIn?: true;
}

/**
 * What a rule reports: the finding minus what the engine fills in (severity from config, path,
 * rule id). A rule may lower its own severity for an expected case (e.g. a down file dropping what
 * its up file created) by passing `severity`; a config override still replaces it.
 */
export interface RuleReport {
  startLine: number;
  endLine: number;
  startColumn?: number;
  endColumn?: number;
  message: string;
  suggestion?: string;
  severity?: Severity;
  /** Defaults to the file being checked. */
  path?: string;
  /** A sentence appended to the message: how a statement nested in another one runs. */
  context?: string;
}

export type ReportFn = (r: RuleReport) => void;

export const DOCS_BASE =
  "https://github.com/migration-warden/migration-warden/blob/main/docs/rules";

export function ruleDocUrl(id: string): string {
  return `${DOCS_BASE}/${id}.md`;
}

/**
 * The level the configuration gives a rule: its own key wins over its category's
 * (`rules: { style: warning, prefer-text: off }`); undefined when neither is set.
 */
export function configuredLevel(
  rules: Readonly<Record<string, RuleLevel>>,
  meta: RuleMeta,
): RuleLevel | undefined {
  return rules[meta.id] ?? rules[meta.category];
}

/** What a rule reports at under a configuration: "off" for an opt-in rule nothing turned on. */
export function effectiveLevel(
  rules: Readonly<Record<string, RuleLevel>>,
  meta: RuleMeta,
): RuleLevel {
  return configuredLevel(rules, meta) ?? (meta.optIn ? "off" : meta.defaultSeverity);
}

/** Turn a rule report into a finding with the configured severity (null when the rule is off). */
export function toFinding(
  meta: RuleMeta<RuleId>,
  r: RuleReport,
  path: string,
  rules: Readonly<Record<string, RuleLevel>>,
): Finding | null {
  const override = configuredLevel(rules, meta);
  if (override === "off" || (override === undefined && meta.optIn)) return null;
  const f: Finding = {
    ruleId: meta.id,
    severity: override ?? r.severity ?? meta.defaultSeverity,
    path: r.path ?? path,
    startLine: r.startLine,
    endLine: Math.max(r.startLine, r.endLine),
    message: r.context ? `${r.message} ${r.context}` : r.message,
    suggestion: r.suggestion ?? meta.saferAlternative,
  };
  if (r.startColumn !== undefined && r.endColumn !== undefined && r.startLine === r.endLine) {
    f.startColumn = r.startColumn;
    f.endColumn = r.endColumn;
  }
  return f;
}

/** Reports a finding on a specific file (structural rules see a whole directory). */
export type FileReportFn = (path: string, r: RuleReport) => void;

/** A rule over one migration directory: names, pairing, ordering, immutability. */
export interface StructureRule<Id extends string = string> {
  meta: RuleMeta<Id>;
  checkDirectory(model: DirectoryModel, report: FileReportFn): void;
}

/**
 * A finding built outside the rule engine's own loop (the replay rules' `report`): the engine
 * applies the rule's default severity and config overrides to it.
 */
export interface ProducedFinding<Id extends string = string> extends Omit<
  Finding,
  "severity" | "ruleId"
> {
  ruleId: Id;
  severity?: Severity;
}

// The helpers below only keep each rule's literal id in its type (so RuleId is derived from the
// registry); they return their argument unchanged.

export function ruleMeta<const Id extends string>(meta: RuleMeta<Id>): RuleMeta<Id> {
  return meta;
}

export function structureRule<const Id extends string>(rule: StructureRule<Id>): StructureRule<Id> {
  return rule;
}
