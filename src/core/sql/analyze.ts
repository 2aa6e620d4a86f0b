/**
 * SQL analysis of the change's migration files: parse each statement with its dialect's parser,
 * record what the change creates, and run the SQL rules with that context. Called by
 * core/analyze.ts once per configured directory; suppression comments are applied by the caller.
 */
import type { Config } from "../../config/types.js";
import type { DirectoryModel } from "../migrations/directory.js";
import { SQL_RULES } from "../rules/registry.js";
import { sqlParseError } from "../rules/engine/sql-parse-error.js";
import { SqlRuleContext } from "../rules/sql/types.js";
import { toFinding, type RuleMeta, type RuleReport } from "../rules/types.js";
import type { SourceFile } from "../source.js";
import type { Finding } from "../types.js";
import { ChangeLedger } from "./ledger.js";
import { loadParsers, parseServerVersion, parseSource, type ParsedFile } from "./parse/index.js";

export interface SqlAnalysisInput {
  config: Config;
  model: DirectoryModel;
  /**
   * The change's migration-looking files in this directory, in golang-migrate order (version,
   * up before down), then files whose names golang-migrate ignores (`file.parsed === null`).
   */
  sources: SourceFile[];
}

export async function analyzeSql(input: SqlAnalysisInput): Promise<Finding[]> {
  const { config, model, sources } = input;
  const dialect = model.config.dialect;
  if (sources.length === 0) return [];
  await loadParsers(dialect);

  const findings: Finding[] = [];
  const emit = (meta: RuleMeta, r: RuleReport, path: string) => {
    const f = toFinding(meta, r, path, config.rules[meta.id]);
    if (f) findings.push(f);
  };
  const rules = SQL_RULES.filter(
    (r) => r.meta.dialects === "all" || r.meta.dialects.includes(dialect),
  );
  const version = parseServerVersion(model.config.databaseVersion);
  // Earlier files of the change count as "not deployed yet" only when comparing against a base.
  const ledger = new ChangeLedger(model.mode === "git");

  for (const source of sources) {
    const file = ledger.addFile({
      path: source.path,
      version: source.file.parsed?.version ?? null,
      direction: source.file.parsed?.direction ?? null,
      added: source.file.change?.status === "added" && !source.file.onBase,
    });
    const parsed = parseSource(source);
    reportParseProblems(parsed, source, (r) => emit(sqlParseError, r, source.path));
    parsed.statements.forEach((s, i) => {
      if (s.model) ledger.record(file, i, s.model);
    });
    const ctx = new SqlRuleContext(source, parsed.statements, version, ledger, file);
    for (const rule of rules) rule.check(ctx, (r) => emit(rule.meta, r, source.path));
  }
  return findings;
}

function reportParseProblems(
  parsed: ParsedFile,
  source: SourceFile,
  report: (r: RuleReport) => void,
): void {
  const lines = source.split.lines;
  const first = parsed.templates[0];
  if (first) {
    const at = lines.position(first.start);
    const n = parsed.statements.filter((s) => s.templated).length;
    report({
      startLine: at.line,
      endLine: at.line,
      message: `This file uses Go template placeholders (${source.text.slice(first.start, first.end)} on line ${at.line}${parsed.templates.length > 1 ? ` and ${parsed.templates.length - 1} more` : ""}). golang-migrate sends SQL as written and does not expand templates, so the database would reject ${n === 1 ? "the statement" : `these ${n} statements`}; they were analysed with each placeholder read as a plain name. Review the rendered SQL by hand.`,
    });
  }
  for (const s of parsed.statements) {
    if (!s.error) continue;
    const at = lines.position(s.error.offset);
    report({
      startLine: s.startLine,
      endLine: s.endLine,
      message: `The ${source.directory.dialect} parser cannot read this statement (line ${at.line}, column ${at.column}: ${s.error.message}), so no rule checked it: manual review required.${s.templated ? " It contains a Go template placeholder." : ""}`,
    });
  }
}
