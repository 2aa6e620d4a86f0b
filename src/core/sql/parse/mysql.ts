/**
 * MySQL and MariaDB: each statement is read once by the token reader (token-reader/mysql.ts,
 * exact action positions); what it does not read exactly goes to node-sql-parser in mysql or
 * mariadb mode, which checks the syntax and gives the facts (or, for DDL it accepts, keeps the
 * token reader's model). Routine, trigger and event bodies, and
 * MariaDB's compound statements outside routines, are read statement by statement
 * (compound-body.ts); `PREPARE … FROM 'sql'` and `EXECUTE IMMEDIATE 'sql'` are parsed too.
 */
import { tokenize, type Token } from "../lexer.js";
import { noEffects, noFacts, type RoutineCall, type StatementModel } from "../model.js";
import { compoundBody } from "./compound-body.js";
import { parseWithNodeSqlParser } from "./node-sql-parser/adapter.js";
import { merge } from "./pg-effects.js";
import { readMysqlTokens } from "./token-reader/mysql.js";
import type { ParseOutcome, ServerVersion, StatementInput } from "./types.js";

/** How deep PREPAREd strings and bodies may nest before the rest counts as unknown. */
const MAX_DEPTH = 6;

export function parseMysql(
  input: StatementInput,
  version: ServerVersion | null,
  depth = 0,
): ParseOutcome {
  const toks = tokenize(input.text, "mysql");
  const first = toks[0]?.kind === "word" ? toks[0].text : "";
  const parse = (i: StatementInput) => parseMysql(i, version, depth + 1);
  if (first === "DELIMITER")
    return {
      ok: false,
      message:
        "DELIMITER is a command of the mysql client, not SQL: golang-migrate sends the file to the server as it is and the server rejects it, so the migration fails here. Remove the DELIMITER lines; routine bodies need no other delimiter with golang-migrate",
      index: toks[0]!.start,
    };
  if (depth > MAX_DEPTH) return { ok: false, message: "nested too deep to follow", index: 0 };
  const compound =
    ["IF", "WHILE", "LOOP", "REPEAT", "CASE"].includes(first) ||
    (first === "BEGIN" && toks[1]?.text === "NOT" && toks[2]?.text === "ATOMIC") ||
    (toks[1]?.text === ":" && ["BEGIN", "LOOP", "WHILE", "REPEAT"].includes(toks[2]?.text ?? ""));
  if (compound) {
    // MariaDB runs compound statements outside routines right away (MySQL rejects them).
    const m: StatementModel = { kind: "other", tag: "COMPOUND", ...noFacts() };
    m.effects = compoundBody(input, "mysql", parse, "inside the compound statement");
    return { ok: true, model: m, ast: undefined };
  }
  if (first === "DO" && toks.length > 1) return parseDo(input, toks[0]!, version);
  const reading = readMysqlTokens(input, toks);
  if (reading?.exact) {
    withBodies(reading.model, input, toks, parse, "mysql");
    const m = reading.model;
    // The token reader reads no expressions: `SET @x = wipe()` runs wipe(). (Its DDL calls no
    // stored routine: MySQL refuses them in defaults, generated columns and CHECK; and a call
    // makes the merged schema forget every table, so type names must not read as calls.)
    const from =
      m.kind === "set"
        ? 0
        : m.kind === "create-table" && m.asQuery // CREATE TABLE t AS SELECT wipe(): runs now
          ? toks.findIndex((t) => t.kind === "word" && t.text === "SELECT")
          : -1;
    if (from >= 0) {
      const calls = tokenCalls(toks, from, toks.length, input.base, false);
      if (calls.length > 0) (m.effects ??= noEffects()).calls.push(...calls);
    }
    return { ok: true, model: m, ast: undefined };
  }
  // MySQL never had a 10.x or later release; MariaDB did (10.x, 11.x).
  return parseWithNodeSqlParser(
    input,
    version && version.major >= 10 ? "mariadb" : "mysql",
    () => reading?.model ?? null,
  );
}

/**
 * `DO expr, …` evaluates its expressions as `SELECT expr, …` does and discards the result: `DO
 * wipe()` runs wipe()'s body. Read as that SELECT, so its calls are followed (and its syntax
 * checked); the parser's error positions are moved back onto the text as written.
 */
function parseDo(input: StatementInput, word: Token, version: ServerVersion | null): ParseOutcome {
  const shift = "SELECT".length - word.text.length;
  const text = input.text.slice(0, word.start) + "SELECT" + input.text.slice(word.end);
  const r = parseWithNodeSqlParser(
    { ...input, text },
    version && version.major >= 10 ? "mariadb" : "mysql",
  );
  if (!r.ok)
    return { ...r, index: r.index > word.start ? Math.max(word.start, r.index - shift) : r.index };
  return r.model.kind === "other" ? { ...r, model: { ...r.model, tag: "DO" } } : r;
}

/** Fill in what a routine's or trigger's body, or a PREPAREd string, runs. */
export function withBodies(
  model: StatementModel,
  input: StatementInput,
  toks: readonly Token[],
  parse: (i: StatementInput) => ParseOutcome,
  dialect: "mysql" | "sqlite",
): void {
  const name =
    model.kind === "create-routine"
      ? model.name.name
      : model.kind === "create-other"
        ? (model.name?.name ?? "")
        : "";
  const via =
    model.kind === "create-routine" && model.routineType === "event"
      ? `inside the body of event ${name}`
      : model.kind === "create-routine"
        ? `inside the body of ${name}()`
        : `inside the body of trigger ${name}`;
  if (model.kind === "create-routine" && model.body.opaque.length === 0)
    model.body = compoundBody(input, dialect, parse, via);
  else if (model.kind === "create-other" && model.trigger?.body)
    model.trigger.body = compoundBody(input, dialect, parse, via);
  else if (
    (model.kind === "prepare" && !model.dynamic) ||
    (model.kind === "other" && model.tag === "EXECUTE IMMEDIATE" && !model.effects)
  ) {
    // The string holds SQL: parse it where it is written.
    const lit = toks[toks.length - 1];
    if (!lit || lit.kind !== "string") return;
    const inner = unquoteMysql(lit.text);
    const base = input.base + lit.start + 1;
    const r = parse({ text: inner, base, span: { start: base, end: base + inner.length } });
    const effects = noEffects();
    const via2 =
      model.kind === "prepare"
        ? `as prepared statement ${model.name}, when EXECUTE runs it`
        : "through EXECUTE IMMEDIATE";
    if (r.ok) {
      const e = r.model.effects;
      delete r.model.effects;
      effects.embedded.push({ model: r.model, span: input.span, via: via2, conditional: false });
      if (e) merge(effects, e, false);
    } else {
      effects.opaque.push({
        span: input.span,
        what: `SQL in a string that cannot be read (${r.message})`,
        conditional: false,
      });
    }
    model.effects = effects;
  }
}

/** Words before `(` that are types or syntax, not calls (`DECLARE x DECIMAL(10, 2)`, `IN (…)`). */
const NOT_CALLS = new Set([
  "TINYINT",
  "SMALLINT",
  "MEDIUMINT",
  "INT",
  "INTEGER",
  "BIGINT",
  "DECIMAL",
  "DEC",
  "NUMERIC",
  "FLOAT",
  "DOUBLE",
  "REAL",
  "BIT",
  "CHAR",
  "CHARACTER",
  "NCHAR",
  "VARCHAR",
  "NVARCHAR",
  "BINARY",
  "VARBINARY",
  "ENUM",
  "SET",
  "TIME",
  "DATETIME",
  "TIMESTAMP",
  "YEAR",
  "IN",
  "VALUES",
  "DEFAULT",
  "AND",
  "OR",
  "NOT",
  "THEN",
  "ELSE",
  "WHEN",
  "RETURN",
  "IF",
  "WHILE",
  "UNTIL",
  "CASE",
]);

/**
 * Calls in tokens no parser reads (SET, and a body's DECLARE defaults, IF/WHILE/UNTIL/CASE
 * conditions and RETURN): every name followed by `(` (not a type or keyword). Marked built-in,
 * as MySQL's functions are taken to be unless the change creates one by that name: only those
 * are followed (reach.ts).
 */
export function tokenCalls(
  toks: readonly Token[],
  from: number,
  to: number,
  base: number,
  conditional: boolean,
): RoutineCall[] {
  const out: RoutineCall[] = [];
  for (let k = from; k < to; k++) {
    const t = toks[k]!;
    if (t.kind !== "word" && t.kind !== "quoted-ident") continue;
    if (toks[k + 1]?.kind !== "punct" || toks[k + 1]!.text !== "(") continue;
    if (t.kind === "word" && NOT_CALLS.has(t.text)) continue;
    const part = (x: Token) => (x.kind === "quoted-ident" ? x.text.slice(1, -1) : x.text);
    const name: RoutineCall["name"] = { name: part(t).toLowerCase() };
    const dot = toks[k - 1];
    const schema = toks[k - 2];
    if (dot?.text === "." && schema && (schema.kind === "word" || schema.kind === "quoted-ident"))
      name.schema = part(schema).toLowerCase();
    out.push({
      name,
      span: { start: base + t.start, end: base + t.end },
      procedure: false,
      conditional,
      builtin: true,
    });
  }
  return out;
}

/** The value of a MySQL '…' or "…" string (backslash escapes and doubled quotes). */
function unquoteMysql(raw: string): string {
  const q = raw[0]!;
  const body = raw.slice(1, raw.endsWith(q) && raw.length > 1 ? -1 : undefined);
  const map: Record<string, string> = { n: "\n", t: "\t", r: "\r", 0: "\0", b: "\b", Z: "\x1a" };
  return body.replace(/\\(.)|(['"])\2/gs, (m, c: string | undefined, d: string | undefined) =>
    d ? d : (map[c!] ?? c!),
  );
}
