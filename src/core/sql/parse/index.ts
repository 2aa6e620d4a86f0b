/**
 * The parser facade: each split statement of a file goes to its dialect's parser and comes back
 * as a model, or as an error that becomes a `sql-parse-error` finding. Never throws for bad SQL.
 */
import type { DirectoryConfig } from "../../../config/types.js";
import type { Dialect } from "../../types.js";
import type { SourceFile } from "../../source.js";
import type { SplitStatement } from "../split.js";
import type { Span } from "../model.js";
import { parseClickhouse } from "./clickhouse.js";
import { cockroachAsPostgres } from "./cockroach.js";
import { parseMysql } from "./mysql.js";
import { loadNodeSqlParser } from "./node-sql-parser/adapter.js";
import { loadPostgresParser, parsePostgres } from "./postgres.js";
import { parseSqlite } from "./sqlite.js";
import {
  parseServerVersion,
  type ParseOutcome,
  type ParsedStatement,
  type ServerVersion,
  type StatementInput,
} from "./types.js";

export type { ParsedStatement, ParseError, ServerVersion } from "./types.js";
export { parseServerVersion, versionAtLeast } from "./types.js";

/**
 * Load the parsers a dialect needs (all of them without an argument), once per process;
 * `parseSource` is synchronous afterwards.
 */
export async function loadParsers(dialect?: Dialect): Promise<void> {
  if (dialect === undefined || dialect === "postgres" || dialect === "cockroachdb")
    await loadPostgresParser();
  if (dialect === undefined || dialect === "mysql" || dialect === "sqlite")
    await loadNodeSqlParser();
}

export interface ParsedFile {
  statements: ParsedStatement[];
  /** Go template placeholders (`{{ … }}`), which the database would reject as written. */
  templates: Span[];
}

const TEMPLATE = /\{\{[\s\S]*?\}\}/g;

export function parseSource(source: SourceFile): ParsedFile {
  const templates: Span[] = [];
  const statements = source.split.statements.map((split) =>
    parseSplit(split, source.directory, templates),
  );
  return { statements, templates };
}

/**
 * Parse one split statement (from the primary reading or another one). Go template
 * placeholders found are added to `templates` when given.
 */
export function parseSplit(
  split: SplitStatement,
  directory: DirectoryConfig,
  templates?: Span[],
): ParsedStatement {
  const dialect = directory.dialect;
  const version = parseServerVersion(directory.databaseVersion);
  let text = split.parserText ?? split.text;
  let templated = false;
  if (text.includes("{{")) {
    // Same-length identifiers keep every offset valid while the rest is still analysed.
    text = text.replace(TEMPLATE, (m, at: number) => {
      templated = true;
      templates?.push({ start: split.start + at, end: split.start + at + m.length });
      return m.replace(/[^\r\n]/g, "_");
    });
  }
  const input: StatementInput = {
    text,
    base: split.start,
    span: { start: split.start, end: split.end },
  };
  const outcome: ParseOutcome = split.unterminated
    ? {
        ok: false,
        message: `unterminated ${UNTERMINATED[split.unterminated]}: it runs to the end of ${directory.multiStatement ? "the piece x-multi-statement sends (the file is cut at every ';')" : "the file"}`,
        index: 0,
      }
    : parseStatement(input, dialect, version);
  if (templated && outcome.ok) restorePlaceholders(outcome.model);
  return {
    split,
    startLine: split.startPos.line,
    endLine: split.endPos.line,
    model: outcome.ok ? outcome.model : null,
    error: outcome.ok
      ? null
      : {
          message: outcome.message,
          offset: split.start + outcome.index,
          ...(outcome.ours ? { ours: true as const } : {}),
          ...(outcome.tooOld ? { tooOld: true as const } : {}),
        },
    templated,
  };
}

/** Masked names (`____`) read back as `{{…}}` in messages; all placeholders compare equal. */
function restorePlaceholders(node: unknown): void {
  if (node === null || typeof node !== "object") return;
  const o = node as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === "string" && /^_{4,}$/.test(v)) o[k] = "{{…}}";
    else restorePlaceholders(v);
  }
}

const UNTERMINATED = {
  string: "string literal",
  identifier: "quoted identifier",
  comment: "block comment",
  "dollar-quote": "dollar-quoted string",
  body: "routine body (BEGIN without END)",
} as const;

function parseStatement(
  input: StatementInput,
  dialect: Dialect,
  version: ServerVersion | null,
): ParseOutcome {
  switch (dialect) {
    case "postgres":
      return parsePostgres(input, version);
    case "cockroachdb": {
      const outcome = parsePostgres(input, version);
      if (outcome.ok) return outcome;
      // CockroachDB's own spellings, same length, only when the text as written does not parse.
      const text = cockroachAsPostgres(input.text);
      const retried = text === null ? null : parsePostgres({ ...input, text }, version);
      return retried?.ok ? retried : outcome;
    }
    case "mysql":
      return parseMysql(input, version);
    case "sqlite":
      return parseSqlite(input, version);
    case "clickhouse":
      return parseClickhouse(input);
  }
}
