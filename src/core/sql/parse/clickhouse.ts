/**
 * ClickHouse: no parser package reads its dialect, so a token reader (token-reader/clickhouse.ts)
 * recognises the statements the generic rules look at — DROP, TRUNCATE, RENAME, ALTER
 * TABLE column changes, GRANT, passwords in CREATE/ALTER USER — and the tables and columns a
 * change creates. Other statements (INSERT, OPTIMIZE, SYSTEM, CREATE DICTIONARY…) need no rule and
 * pass as `other`. A statement that starts like one the rules read but that the reader cannot
 * follow is a parse error (manual review), never a silent pass.
 */
import { tokenize, type Token } from "../lexer.js";
import { noFacts } from "../model.js";
import { readClickhouseTokens } from "./token-reader/clickhouse.js";
import type { ParseOutcome, StatementInput } from "./types.js";

export function parseClickhouse(input: StatementInput): ParseOutcome {
  const toks = withoutClusterClauses(tokenize(input.text, "clickhouse"));
  const model = readClickhouseTokens(input, toks);
  if (model) return { ok: true, model, ast: undefined };
  const lead = toks.slice(0, 2).map((t) => (t.kind === "word" ? t.text : ""));
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
