import type { ParsedFile } from "../../sql/parse/index.js";
import type { SourceFile } from "../../source.js";
import { ruleMeta, type ReportFn } from "../types.js";

/** Reported by the SQL engine itself when a statement cannot be parsed (or is a Go template). */
export const sqlParseError = {
  meta: ruleMeta({
    id: "sql-parse-error",
    defaultSeverity: "warning",
    dialects: "all",
    category: "structure",
    description:
      "A statement the dialect's parser cannot read: no rule could check it, so it needs manual review.",
    saferAlternative:
      "Fix the syntax, or review the statement by hand and suppress with a reason if the database accepts it.",
    suppressible: true,
  }),
  /** Reports what of a file no rule could check: Go template placeholders and unreadable statements. */
  check(parsed: ParsedFile, source: SourceFile, report: ReportFn): void {
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
  },
};
