/**
 * ClickHouse: no parser package reads its dialect, so a token reader (token-reader/clickhouse.ts)
 * recognises the statements the generic rules look at — DROP, TRUNCATE, RENAME, ALTER
 * TABLE column changes, GRANT, passwords in CREATE/ALTER USER, DETACH, OPTIMIZE TABLE — and
 * the tables and columns a change creates. Other statements (INSERT, SYSTEM, CREATE
 * DICTIONARY…) need no rule and pass as `other`. A statement that starts like one the rules read but that the reader cannot
 * follow is a parse error (manual review), never a silent pass.
 */
import { tokenize, type Token } from "../lexer.js";
import { noEffects, noFacts, type ObjectName } from "../model.js";
import { alterMutations, lightweightDml } from "./clickhouse-mutations.js";
import { readClickhouseTokens } from "./token-reader/clickhouse.js";
import { unquote } from "./token-reader/cursor.js";
import type { ParseOutcome, StatementInput } from "./types.js";

export function parseClickhouse(input: StatementInput): ParseOutcome {
  const toks = withoutClusterClauses(tokenize(input.text, "clickhouse"));
  const model = readClickhouseTokens(input, toks);
  if (model?.kind === "alter-table" && model.actions.length > 0) {
    const from = model.actions[0]!.span.start - input.base;
    for (const mu of alterMutations(
      toks.filter((t) => t.start >= from),
      input.span,
    )) {
      if (!mu.matchesAll) continue;
      (model.effects ??= noEffects()).embedded.push({
        model: {
          kind: mu.kind,
          table: model.table,
          hasWhere: true,
          matchesAll: `its WHERE clause ${mu.matchesAll}`,
          ...noFacts(),
          writes: [model.table],
        },
        span: mu.span,
        via: `as the ALTER TABLE … ${mu.kind === "delete" ? "DELETE" : "UPDATE"} mutation`,
        conditional: false,
      });
    }
  }
  if (model) return { ok: true, model, ast: undefined };
  const lead = toks.slice(0, 2).map((t) => (t.kind === "word" ? t.text : ""));
  // Lightweight DELETE FROM t … WHERE … and UPDATE t SET … WHERE …
  const dmlTable =
    lead[0] === "DELETE" && lead[1] === "FROM"
      ? nameAt(toks, 2)
      : lead[0] === "UPDATE"
        ? nameAt(toks, 1)
        : null;
  const dml = dmlTable && lightweightDml(toks, dmlTable);
  if (dml) return { ok: true, model: dml, ast: undefined };
  const read = READ_BY_RULES.find(([a, b]) => lead[0] === a && (b === null || lead[1] === b));
  if (read)
    return {
      ok: false,
      message: `unrecognised ${read.filter(Boolean).join(" ")} statement (ClickHouse is read by a token reader, not a full parser)`,
      index: toks[0]!.start,
    };
  return {
    ok: true,
    model: { kind: "other", tag: lead.filter(Boolean).join(" ") || "?", ...noFacts() },
    ast: undefined,
  };
}

/** Statements the generic rules read: these must be understood, not passed as `other`. */
const READ_BY_RULES: Array<[string, string | null]> = [
  ["DROP", "TABLE"],
  ["DROP", "DATABASE"],
  ["DROP", "TEMPORARY"],
  ["TRUNCATE", null],
  ["RENAME", "TABLE"],
  ["ALTER", "TABLE"],
  ["ALTER", "USER"],
  ["CREATE", "USER"],
  ["GRANT", null],
  ["REVOKE", null],
  ["DETACH", null],
  ["OPTIMIZE", "TABLE"],
];

/**
 * `ON CLUSTER name` (where a distributed DDL runs) changes nothing the rules look at; dropping
 * it lets the statement read like its single-server form.
 */
function withoutClusterClauses(toks: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < toks.length; i++) {
    if (toks[i]!.kind === "word" && toks[i]!.text === "ON" && toks[i + 1]?.text === "CLUSTER") {
      i += 2; // and the cluster's name (a word, a quoted name or a '{macro}' string)
      continue;
    }
    out.push(toks[i]!);
  }
  return out;
}

/** `name` or `db.name` at token `i`, as the token reader names tables. */
function nameAt(toks: readonly Token[], i: number): ObjectName | null {
  const part = (t: Token | undefined): string | null =>
    t && (t.kind === "word" || t.kind === "quoted-ident") ? unquote(t) : null;
  const a = part(toks[i]);
  if (a === null) return null;
  if (toks[i + 1]?.text === ".") {
    const b = part(toks[i + 2]);
    return b === null ? null : { schema: a, name: b };
  }
  return { name: a };
}
