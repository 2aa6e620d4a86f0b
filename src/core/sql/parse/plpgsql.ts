/**
 * The statements a PL/pgSQL body (a DO block, a function or procedure) runs, read with
 * Postgres's own PL/pgSQL compiler (libpg-query's parsePlPgSQL): every SQL statement in it, the
 * routines its expressions call, and `EXECUTE` — of a constant string (then parsed and analysed
 * like the rest) or of a string built at run time (opaque). Statements under IF, CASE, loops or
 * exception handlers are marked conditional: they may never run in the sandbox replay (empty
 * tables) and still run in production.
 */
import { parsePlPgSQLSync, type Node } from "libpg-query";
import { defaultSyntax, tokenize } from "../lexer.js";
import { noEffects, type Effects, type Span, type StatementModel } from "../model.js";
import type { Literal } from "./literal.js";
import { merge, MAX_DEPTH, shorten } from "./pg-effects.js";
import { unquotedPiece } from "./postgres/dynamic-sql.js";
import { parseStatements, sqlStrings } from "./postgres/sql-strings.js";
import type { StatementInput } from "./types.js";

export interface BodyInput {
  /** The DO or CREATE FUNCTION statement, as the parser reads it. */
  statement: string;
  /** The body's string literal, read. */
  literal: Literal;
  /** File offset of the body's string token. */
  bodyBase: number;
  bodySpan: Span;
  /** For messages: "inside the DO block". */
  via: string;
  depth: number;
  nested(node: Node, input: StatementInput): StatementModel;
}

type Json = Record<string, unknown>;
const obj = (x: unknown): Json | undefined =>
  x !== null && typeof x === "object" && !Array.isArray(x) ? (x as Json) : undefined;

/** Keys whose statements run only under a condition. */
const CONDITIONAL_KEYS = new Set([
  "then_body",
  "elsif_list",
  "else_body",
  "case_when_list",
  "else_stmts",
  "exceptions",
]);

/** PL/pgSQL expressions that are whole SQL statements, by statement type and key. */
const SQL_EXPRS: Record<string, string[]> = {
  PLpgSQL_stmt_execsql: ["sqlstmt"],
  PLpgSQL_stmt_perform: ["expr"],
  PLpgSQL_stmt_call: ["expr"],
  PLpgSQL_stmt_fors: ["query"],
  PLpgSQL_stmt_return_query: ["query"],
  PLpgSQL_stmt_open: ["query"],
};

/** …and those that are strings EXECUTEd as SQL. */
const DYNAMIC_EXPRS: Record<string, string[]> = {
  PLpgSQL_stmt_dynexecute: ["query"],
  PLpgSQL_stmt_dynfors: ["query"],
  PLpgSQL_stmt_return_query: ["dynquery"],
  PLpgSQL_stmt_open: ["dynquery"],
};

export function plpgsqlEffects(b: BodyInput): Effects {
  const out = noEffects();
  const value = b.literal.value;
  const fileOffset = (i: number) => b.bodyBase + b.literal.at(i);
  const lineStarts = [0];
  for (let i = 0; i < value.length; i++) if (value[i] === "\n") lineStarts.push(i + 1);

  let tree: unknown;
  try {
    tree = parsePlPgSQLSync(b.statement);
  } catch (e) {
    const msg = (e as { message?: string }).message ?? String(e);
    out.opaque.push({
      span: b.bodySpan,
      what: `a PL/pgSQL body that cannot be read (${msg})`,
      conditional: false,
    });
    return out;
  }
  const fn = obj(obj(((obj(tree)?.plpgsql_funcs as unknown[]) ?? [])[0])?.PLpgSQL_function);
  if (!fn) return out;
  if (readsDifferently(value)) {
    // PL/pgSQL reads the body when it runs, with the session's standard_conforming_strings: a
    // merged migration or the server's configuration may have turned it off.
    out.opaque.push({
      span: b.bodySpan,
      what: "a PL/pgSQL body that reads as different statements when standard_conforming_strings is off (a backslash before a quote in a '…' string)",
      conditional: false,
    });
  }

  /** Where `query` is written in the body, searching from line `lineno`. */
  const locate = (query: string, lineno: number): number => {
    const from = lineStarts[Math.max(0, Math.min(lineno - 1, lineStarts.length - 1))] ?? 0;
    const at = value.indexOf(query, from);
    if (at >= 0) return at;
    const head = query.trim().split(/\s+/, 1)[0] ?? "";
    const h = head ? value.indexOf(head, from) : -1;
    if (h >= 0) return h;
    let i = from;
    while (i < value.length && /\s/.test(value[i]!)) i++;
    return i;
  };

  const spanOf = (at: number, len: number): Span => {
    const start = fileOffset(at);
    return { start, end: Math.max(start + 1, fileOffset(at + len)) };
  };

  /** A whole SQL statement of the body (PL/pgSQL rewrote `PERFORM x` as `SELECT x`). */
  const statement = (query: string, lineno: number, conditional: boolean, perform: boolean) => {
    const searchText = perform ? query.slice(7) : query;
    const at = locate(searchText, lineno);
    const base = perform ? fileOffset(at) - 7 : fileOffset(at);
    const parsed = parseStatements(query);
    if (!parsed) {
      out.opaque.push({
        span: spanOf(at, searchText.length),
        what: `a statement in the body that cannot be read (${shorten(query)})`,
        conditional,
      });
      return;
    }
    for (const p of parsed) {
      const input: StatementInput = {
        text: query.slice(p.start, p.end),
        base: base + p.start,
        span: { start: base + p.start, end: base + Math.max(p.end, p.start + 1) },
      };
      const m = b.nested(p.node, input);
      const effects = m.effects;
      delete m.effects;
      out.embedded.push({ model: m, span: input.span, via: b.via, conditional });
      if (effects) merge(out, effects, conditional);
    }
  };

  /** An expression: only the routines it calls matter. */
  const expression = (text: string, lineno: number, conditional: boolean) => {
    const at = locate(text, lineno);
    const sql = `SELECT ${text}`;
    const parsed = parseStatements(sql);
    if (!parsed) return; // PL/pgSQL already compiled it; nothing in an expression runs DML
    for (const p of parsed) {
      const base = fileOffset(at) - 7;
      const m = b.nested(p.node, {
        text: sql.slice(p.start, p.end),
        base: base + p.start,
        span: spanOf(at, text.length),
      });
      if (m.effects) merge(out, m.effects, conditional);
    }
  };

  /** EXECUTE expr: a constant string is analysed as SQL, anything else is opaque. */
  const dynamic = (text: string, lineno: number, conditional: boolean) => {
    const at = locate(text, lineno);
    const span = spanOf(at, text.length);
    expression(text, lineno, conditional); // functions called to build the string
    const constant = constantString(text);
    if (constant === null) {
      const unquoted = unquotedPiece(text);
      out.opaque.push({
        span,
        what: `EXECUTE of a string built at run time (${shorten(text)})`,
        conditional,
        ...(unquoted ? { unquoted } : {}),
      });
      return;
    }
    if (b.depth + 1 >= MAX_DEPTH) {
      out.opaque.push({ span, what: "EXECUTE nested too deep to follow", conditional });
      return;
    }
    merge(
      out,
      sqlStrings(
        constant,
        (i) => Math.min(span.start + 1 + i, span.end - 1),
        span,
        `${b.via}, through EXECUTE`,
        b.depth + 1,
        b.nested,
        conditional,
      ),
      false,
    );
  };

  /** A PL/pgSQL expression held by key `k` of a statement of type `stmtType`. */
  const sqlExpr = (
    expr: Json | undefined,
    stmtType: string,
    k: string,
    lineno: number,
    conditional: boolean,
  ) => {
    if (!expr || typeof expr.query !== "string") return;
    const q = expr.query;
    if (DYNAMIC_EXPRS[stmtType]?.includes(k)) dynamic(q, lineno, conditional);
    else if (
      SQL_EXPRS[stmtType]?.includes(k) ||
      expr.parseMode === 0 ||
      expr.parseMode === undefined
    )
      statement(
        q,
        lineno,
        conditional,
        stmtType === "PLpgSQL_stmt_perform" && q.startsWith("SELECT "),
      );
    else if (expr.parseMode === 2) expression(q, lineno, conditional);
    else if (typeof expr.parseMode === "number" && expr.parseMode >= 3) {
      const eq = q.indexOf(":=") >= 0 ? q.indexOf(":=") + 2 : q.indexOf("=") + 1;
      expression(q.slice(eq).trim(), lineno, conditional);
    }
  };

  /** `key`: the key under which `n` sits in its parent (for a list, the list's key). */
  const walk = (
    n: unknown,
    stmtType: string,
    lineno: number,
    conditional: boolean,
    key = "",
  ): void => {
    if (Array.isArray(n)) {
      for (const x of n) walk(x, stmtType, lineno, conditional, key);
      return;
    }
    const o = obj(n);
    if (!o) return;
    for (const [k, v] of Object.entries(o)) {
      if (
        k.startsWith("PLpgSQL_stmt_") ||
        k === "PLpgSQL_exception" ||
        k === "PLpgSQL_case_when" ||
        k === "PLpgSQL_if_elsif"
      ) {
        const inner = obj(v) ?? {};
        const line = typeof inner.lineno === "number" ? inner.lineno : lineno;
        walk(inner, k, line, conditional);
        continue;
      }
      if (k === "PLpgSQL_expr") {
        // Every expression, wherever it sits: held by a key (`IF cond`, `x := …`) or in a list
        // (RAISE's parameters, EXECUTE … USING), whose elements are one level deeper. Those in
        // lists were once skipped, so `RAISE NOTICE '%', purge()` ran purge() unseen (issue 11).
        sqlExpr(obj(v), stmtType, key, lineno, conditional);
        continue;
      }
      const nowConditional =
        conditional ||
        CONDITIONAL_KEYS.has(k) ||
        (k === "body" && stmtType !== "PLpgSQL_stmt_block" && stmtType !== "");
      walk(v, stmtType, lineno, nowConditional, k);
    }
  };

  // Declarations first (defaults run when the block starts), then the body.
  for (const d of (fn.datums as unknown[]) ?? []) walk(d, "", 1, false);
  walk(fn.action, "", 1, false);
  return out;
}

/** Do the body's tokens end elsewhere when backslashes escape in '…' strings? */
function readsDifferently(body: string): boolean {
  if (!body.includes("\\")) return false;
  const standard = tokenize(body, "postgres");
  const off = tokenize(body, "postgres", 0, body.length, {
    ...defaultSyntax("postgres"),
    backslashStrings: true,
  });
  return (
    standard.length !== off.length ||
    standard.some((t, i) => t.start !== off[i]!.start || t.end !== off[i]!.end)
  );
}

/**
 * The value of a constant string expression: a literal, a concatenation of literals, or
 * format() of literals (%s, %I, %L). Null for anything computed at run time.
 */
export function constantString(expr: string): string | null {
  const parsed = parseStatements(`SELECT ${expr}`);
  const sel = obj(obj(parsed?.[0]?.node)?.SelectStmt);
  const targets = (sel?.targetList as unknown[]) ?? [];
  if (!sel || targets.length !== 1 || sel.fromClause) return null;
  return evaluate(obj(obj(targets[0])?.ResTarget)?.val);
}

function evaluate(n: unknown): string | null {
  const o = obj(n);
  if (!o) return null;
  const c = obj(o.A_Const);
  if (c) {
    const s = obj(c.sval);
    if (s) return typeof s.sval === "string" ? s.sval : "";
    const i = obj(c.ival);
    if (i) return String(i.ival ?? 0);
    return null;
  }
  const cast = obj(o.TypeCast);
  if (cast) return evaluate(cast.arg);
  const e = obj(o.A_Expr);
  if (e && e.kind === "AEXPR_OP") {
    const op = ((e.name as unknown[]) ?? []).map((x) => obj(obj(x)?.String)?.sval).join("");
    if (op !== "||") return null;
    const l = evaluate(e.lexpr);
    const r = evaluate(e.rexpr);
    return l === null || r === null ? null : l + r;
  }
  const f = obj(o.FuncCall);
  if (f) {
    const names = ((f.funcname as unknown[]) ?? []).map((x) =>
      String(obj(obj(x)?.String)?.sval ?? ""),
    );
    const name = names[names.length - 1];
    const args = ((f.args as unknown[]) ?? []).map(evaluate);
    if (args.some((a) => a === null)) return null;
    if (name === "concat") return args.join("");
    if (name === "format" && args.length >= 1) return format(args[0]!, args.slice(1) as string[]);
    if ((name === "quote_ident" || name === "quote_literal") && args.length === 1)
      return name === "quote_ident" ? quoteIdent(args[0]!) : quoteLiteral(args[0]!);
  }
  return null;
}

/** Postgres format() for %s, %I, %L and %% (no positions or widths: null then). */
function format(fmt: string, args: string[]): string | null {
  let i = 0;
  let bad = false;
  const s = fmt.replace(/%(.)/g, (_m, t: string) => {
    if (t === "%") return "%";
    const a = args[i++];
    if (a === undefined || !"sIL".includes(t)) {
      bad = true;
      return "";
    }
    return t === "s" ? a : t === "I" ? quoteIdent(a) : quoteLiteral(a);
  });
  return bad ? null : s;
}

function quoteIdent(s: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`;
}

function quoteLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
