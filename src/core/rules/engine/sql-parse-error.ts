import type { ParsedFile } from "../../sql/parse/index.js";
import { parseServerVersion } from "../../sql/parse/index.js";
import { PG_PARSER_MAJOR } from "../../sql/parse/postgres.js";
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
      "A statement the dialect's parser cannot read. Postgres, and syntax newer than the configured databaseVersion (SQLite DROP/RENAME COLUMN, upsert, FILTER): an error, the server rejects it too; otherwise a warning, the statement needs manual review.",
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
    const authoritative = parserIsTheServers(source);
    for (const s of parsed.statements) {
      if (!s.error) continue;
      const at = lines.position(s.error.offset);
      const where = `line ${at.line}, column ${at.column}: ${s.error.message}`;
      const template = s.templated ? " It contains a Go template placeholder." : "";
      if (s.error.tooOld) {
        report({
          startLine: s.startLine,
          endLine: s.endLine,
          severity: "error",
          message: `The database rejects this statement (${where}): the migration fails when it reaches it, and golang-migrate leaves the database dirty.${template}`,
          suggestion:
            "Use the older form (SQLite: rebuild the table — create the new one, copy, drop, rename), or raise databaseVersion once every database runs a version that has it.",
        });
        continue;
      }
      report(
        authoritative && !s.error.ours
          ? {
              startLine: s.startLine,
              endLine: s.endLine,
              severity: "error",
              message: `Postgres rejects this statement (${where}): the parser is Postgres' own, so the migration fails when it reaches it, and golang-migrate leaves the database dirty.${template}`,
              suggestion:
                "Fix the statement; check it against a scratch database of your Postgres version (migration-warden's replay runs it in one).",
            }
          : {
              startLine: s.startLine,
              endLine: s.endLine,
              message: `The ${source.directory.dialect} parser cannot read this statement (${where}), so no rule checked it: manual review required.${template}`,
            },
      );
    }
  },
};

/**
 * Is the parser the server's own, so that a statement it rejects fails in production? Postgres
 * through libpg-query, unless `databaseVersion` names a newer server than its grammar (new syntax
 * would be misread as an error). MySQL, SQLite and ClickHouse are read by best-effort readers, and
 * CockroachDB has its own grammar: their parse errors only mean "not checked".
 */
function parserIsTheServers(source: SourceFile): boolean {
  const dir = source.directory;
  if (dir.dialect !== "postgres") return false;
  const v = parseServerVersion(dir.databaseVersion);
  return v === null || v.major <= PG_PARSER_MAJOR;
}
