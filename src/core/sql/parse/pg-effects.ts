/**
 * What running a Postgres statement does beyond its own model, so the rules see SQL that hides
 * its effect:
 *
 * - statements it contains: data-modifying CTEs (`WITH d AS (DELETE …) SELECT …`), MERGE actions,
 *   the query of PREPARE and EXPLAIN ANALYZE, rule actions, and the body of a DO block (PL/pgSQL,
 *   see plpgsql.ts), including `EXECUTE 'constant string'`;
 * - routines it calls (functions in expressions, CALL), resolved against the change later;
 * - what cannot be known statically: EXECUTE of a computed string, a DO block in another
 *   language, COPY … PROGRAM, LOAD, built-in functions that run SQL given as a string.
 *
 * The result is flat: the effects of embedded statements are hoisted into their container's.
 */
import type { Node } from "libpg-query";
import { firstToken, tokenize } from "../lexer.js";
import {
  displayName,
  noEffects,
  noFacts,
  type Effects,
  type Embedded,
  type ObjectName,
  type Span,
  type StatementModel,
} from "../model.js";
import { isBuiltinRoutine } from "../volatility.js";
import { readLiteral } from "./literal.js";
import { plpgsqlEffects } from "./plpgsql.js";
import { constText } from "./postgres/nodes.js";
import { pgMatchesAll } from "./where.js";
import { isConst, nodeSpan, obj, regclassName, type Json } from "./pg-tree.js";
import { Locator, type ServerVersion, type StatementInput } from "./types.js";

export interface EffectsContext {
  input: StatementInput;
  version: ServerVersion | null;
  depth: number;
  /** The model of a node of this statement (no effects: the walker collects them). */
  model(node: Node, input: StatementInput): StatementModel;
  /** The model of a separately parsed statement (a DO body's, an EXECUTEd string's), with effects. */
  nested(node: Node, input: StatementInput): StatementModel;
}

/** How deep DO blocks and EXECUTEd strings may nest before the rest counts as unknown. */
export const MAX_DEPTH = 6;

/** Statements that evaluate expressions now (their function calls run during the migration). */
const EXECUTING = new Set([
  "SelectStmt",
  "InsertStmt",
  "UpdateStmt",
  "DeleteStmt",
  "MergeStmt",
  "CallStmt",
  "CopyStmt",
  "ExecuteStmt",
  "PrepareStmt",
  "AlterTableStmt",
  "DeclareCursorStmt",
  "ReturnStmt",
]);

export const DML: Record<string, string> = {
  InsertStmt: "insert",
  UpdateStmt: "update",
  DeleteStmt: "delete",
  MergeStmt: "merge",
};

/** Built-in functions that are not harmless: they run SQL given as a string, or delete data. */
const DANGEROUS: Record<string, string> = {
  query_to_xml: "runs the SQL query it is given as a string",
  query_to_xmlschema: "runs the SQL query it is given as a string",
  query_to_xml_and_xmlschema: "runs the SQL query it is given as a string",
  ts_stat: "runs the SQL query it is given as a string",
  ts_rewrite: "runs the SQL query it is given as a string",
  lo_unlink: "deletes a large object",
  lo_truncate: "truncates a large object",
  lo_truncate64: "truncates a large object",
  lo_put: "overwrites part of a large object",
  lo_import: "reads a file on the database server into the database",
  lo_export: "writes a file on the database server",
};

export interface WalkState {
  executing: boolean;
  via: string | null;
  conditional: boolean;
}

export function collectEffects(root: Node, ctx: EffectsContext): Effects {
  const out = noEffects();
  const key = Object.keys(root)[0] ?? "";
  const body = obj((root as Json)[key]) ?? {};
  const loc = new Locator(ctx.input.text, ctx.input.base);
  const seenCalls = new Set<string>();

  const spanAt = (location: unknown, fallback: Span = ctx.input.span): Span => {
    if (typeof location !== "number" || location < 0) return fallback;
    const start = loc.index(location);
    const tok = firstToken(ctx.input.text, "postgres", start);
    return { start: ctx.input.base + start, end: ctx.input.base + (tok ? tok.end : start + 1) };
  };

  const subtreeSpan = (node: unknown, verb: string): Span => nodeSpan(node, ctx.input, verb);

  const embed = (model: StatementModel, span: Span, st: WalkState, via: string) => {
    const e: Embedded = { model, span, via: st.via ?? via, conditional: st.conditional };
    out.embedded.push(e);
  };

  const opaque = (span: Span, what: string, st: WalkState) =>
    out.opaque.push({ span, what, conditional: st.conditional });

  const call = (
    funcname: unknown,
    location: unknown,
    procedure: boolean,
    st: WalkState,
    definition = false,
  ) => {
    const names = (Array.isArray(funcname) ? funcname : []).map((x) =>
      String(obj(obj(x)?.String)?.sval ?? ""),
    );
    const name: ObjectName = { name: names[names.length - 1] ?? "" };
    if (names.length > 1) name.schema = names[names.length - 2]!;
    const span = spanAt(location);
    const builtinSchema = !name.schema || name.schema === "pg_catalog";
    const danger = builtinSchema && !definition ? DANGEROUS[name.name] : undefined;
    if (danger) {
      opaque(span, `${name.name}() ${danger}`, st);
      return;
    }
    const builtin = definition || isBuiltinRoutine(name.name);
    const dedupe = `${procedure}\0${name.schema ?? ""}\0${name.name}\0${st.conditional}`;
    if (builtin && seenCalls.has(dedupe)) return; // one record per built-in per statement
    seenCalls.add(dedupe);
    out.calls.push({
      name,
      span,
      procedure,
      conditional: st.conditional,
      ...(builtin ? { builtin: true as const } : {}),
    });
  };

  /**
   * INSERT … SELECT … FROM t ON CONFLICT DO UPDATE into t itself: every existing row conflicts
   * with its own copy and is updated, an UPDATE of every row written as an insert.
   */
  const upsertAction = (ins: Json, span: Span, st: WalkState) => {
    const conflict = obj(ins.onConflictClause);
    const relation = obj(ins.relation);
    if (conflict?.action !== "ONCONFLICT_UPDATE" || !relation) return;
    const table: ObjectName = { name: String(relation.relname ?? "") };
    if (typeof relation.schemaname === "string") table.schema = relation.schemaname;
    const sel = obj(obj(ins.selectStmt)?.SelectStmt);
    const from = Array.isArray(sel?.fromClause) ? sel.fromClause : [];
    const self = from.some((f) => {
      const r = obj(obj(f)?.RangeVar);
      return r?.relname === relation.relname && r?.schemaname === relation.schemaname;
    });
    if (!self || sel?.whereClause || sel?.limitCount || conflict.whereClause) return;
    embed(
      {
        kind: "update",
        table,
        hasWhere: true,
        matchesAll: `its rows are read from ${displayName(table)} itself, so every existing row conflicts with its own copy and is updated`,
        ddl: false,
        strongLocks: [],
        passwords: [],
        writes: [table],
      },
      span,
      st,
      "as the ON CONFLICT DO UPDATE action",
    );
  };

  /** MERGE … WHEN … THEN DELETE/UPDATE: each action is a DELETE or UPDATE of the target. */
  const mergeActions = (m: Json, span: Span, st: WalkState) => {
    const relation = obj(m.relation);
    const table: ObjectName = { name: String(relation?.relname ?? "") };
    if (typeof relation?.schemaname === "string") table.schema = relation.schemaname;
    const names = [table.name];
    const alias = obj(relation?.alias)?.aliasname;
    if (typeof alias === "string") names.push(alias);
    for (const c of Array.isArray(m.mergeWhenClauses) ? m.mergeWhenClauses : []) {
      const w = obj(obj(c)?.MergeWhenClause);
      if (!w) continue;
      const kind =
        w.commandType === "CMD_DELETE"
          ? "delete"
          : w.commandType === "CMD_UPDATE"
            ? "update"
            : null;
      if (!kind) continue;
      const bySource = w.matchKind === "MERGE_WHEN_NOT_MATCHED_BY_SOURCE";
      const matchesAll = mergeMatchesAll(m, w, bySource, names);
      const model: StatementModel = {
        kind,
        table,
        hasWhere: true,
        ...(matchesAll ? { matchesAll } : {}),
        ddl: false,
        strongLocks: [],
        passwords: [],
        writes: [table],
      };
      const label = `${bySource ? "WHEN NOT MATCHED BY SOURCE" : "WHEN MATCHED"} THEN ${kind.toUpperCase()}`;
      embed(model, span, st, `as the MERGE action ${label}`);
    }
  };

  const visit = (n: unknown, st: WalkState): void => {
    if (Array.isArray(n)) {
      for (const x of n) visit(x, st);
      return;
    }
    const o = obj(n);
    if (!o) return;
    // Keys, not entries: no array per key of a tree of millions of nodes (see nodes.ts, walk).
    for (const k of Object.keys(o)) {
      const v = o[k];
      const inner = obj(v);
      if (DML[k] && inner) {
        const span = subtreeSpan(inner, DML[k]!);
        const model = ctx.model({ [k]: inner } as unknown as Node, { ...ctx.input, span });
        if (k === "MergeStmt") mergeActions(inner, span, st);
        else embed(model, span, st, "inside a WITH clause");
        if (k === "InsertStmt") upsertAction(inner, span, st);
        visit(inner, { ...st, executing: true });
        continue;
      }
      switch (k) {
        case "FuncCall":
          // In a definition (a column default, a CHECK, a view) a call runs later, when rows are
          // written or read: it matters when the change creates that routine, else it is the
          // application's business.
          if (inner) {
            call(inner.funcname, inner.location, false, st, !st.executing);
            if (st.executing) {
              setConfig(inner, st);
              setval(inner, st);
            }
          }
          break;
        case "CreateFunctionStmt":
          continue; // its body runs when it is called (routineBody)
        case "DefineStmt":
          // CREATE OPERATOR / AGGREGATE / TYPE name functions the server runs wherever the
          // operator, aggregate or type is used (a later `SELECT 1 === 2` runs them): like a
          // call in a definition, analysed when the change creates that function.
          for (const d of Array.isArray(inner?.definition) ? inner.definition : []) {
            const def = obj(obj(d)?.DefElem);
            const fn = obj(obj(def?.arg)?.TypeName);
            if (def && fn && DEFINE_FUNCTIONS.has(String(def.defname)))
              call(fn.names, fn.location, false, st, true);
          }
          break;
        case "CreateCastStmt": {
          // CREATE CAST … WITH FUNCTION: every cast between the types runs it.
          const fn = obj(inner?.func);
          if (fn) call(fn.objname, obj(inner?.sourcetype)?.location, false, st, true);
          break;
        }
        case "ExplainStmt": {
          const analyze = (Array.isArray(inner?.options) ? inner.options : []).some(
            (d) => obj(obj(d)?.DefElem)?.defname === "analyze",
          );
          if (!analyze) continue; // EXPLAIN without ANALYZE does not run the query
          visit(inner?.query, { ...st, executing: true, via: "under EXPLAIN ANALYZE" });
          continue;
        }
        case "PrepareStmt":
          visit(inner?.query, {
            ...st,
            executing: true,
            via: `as prepared statement ${String(inner?.name ?? "")}, when EXECUTE runs it`,
          });
          continue;
        case "RuleStmt":
          visit(inner?.actions, {
            ...st,
            executing: true,
            via: `as an action of rule ${String(inner?.rulename ?? "")}, on every ${String(inner?.event ?? "").replace(/^CMD_/, "")} on ${String(obj(inner?.relation)?.relname ?? "")}`,
          });
          continue;
        case "CopyStmt":
          if (inner?.is_program)
            opaque(
              ctx.input.span,
              `COPY … PROGRAM runs a shell command on the database server (${JSON.stringify(String(inner.filename ?? ""))})`,
              st,
            );
          break;
        case "LoadStmt":
          opaque(ctx.input.span, "LOAD loads a shared library into the server", st);
          break;
        case "CallStmt":
          if (inner && obj(inner.funccall)) {
            const f = obj(inner.funccall)!;
            call(f.funcname, f.location, true, st);
            visit(f.args, { ...st, executing: true });
          }
          continue;
        case "CreateTableAsStmt":
          if (obj(inner?.into)?.skipData) continue;
          visit(inner, { ...st, executing: true });
          continue;
        case "DoStmt":
          doBlock(inner ?? {}, st);
          continue;
        case "ExecuteStmt":
          // Also inside another statement (`EXPLAIN ANALYZE EXECUTE p`, `CREATE TABLE t AS
          // EXECUTE p`): what p runs is known only when the change prepares it (reach.ts).
          if (st.executing)
            out.executes.push({
              name: String(inner?.name ?? ""),
              span: ctx.input.span,
              conditional: st.conditional,
            });
          continue;
      }
      visit(v, st);
    }
  };

  /**
   * `set_config('name', 'value', is_local)` with constant arguments is `SET [LOCAL] name = value`
   * spelled as a function call: embedded as that SET, so the rules about settings see it.
   */
  const setConfig = (f: Json, st: WalkState) => {
    const names = (Array.isArray(f.funcname) ? f.funcname : []).map((x) =>
      String(obj(obj(x)?.String)?.sval ?? ""),
    );
    const fn = names[names.length - 1];
    if (fn !== "set_config" || (names.length > 1 && names[0] !== "pg_catalog")) return;
    const args = Array.isArray(f.args) ? (f.args as Node[]) : [];
    if (args.length !== 3 || !args.every(isConst)) return;
    const name = constText(args[0]!).toLowerCase();
    const local = /^(t|tr|tru|true|y|ye|yes|on|1)$/i.test(constText(args[2]!).trim());
    const model: StatementModel = {
      kind: "set",
      name,
      value: constText(args[1]!),
      scope: local ? "local" : "session",
      ...noFacts(),
    };
    embed(model, spanAt(f.location), st, "by set_config()");
  };

  /** setval('seq', n): the sequence's next value moves (rule alter-identity-or-sequence). */
  const setval = (f: Json, st: WalkState) => {
    const names = (Array.isArray(f.funcname) ? f.funcname : []).map((x) =>
      String(obj(obj(x)?.String)?.sval ?? ""),
    );
    if (names[names.length - 1] !== "setval") return;
    if (names.length > 1 && names[0] !== "pg_catalog") return;
    const first = Array.isArray(f.args) ? (f.args[0] as Node | undefined) : undefined;
    const model: StatementModel = {
      kind: "other",
      tag: "setval",
      sequenceChange: {
        name: first && isConst(first) ? regclassName(constText(first)) : null,
        changes: ["setval()"],
      },
      ...noFacts(),
    };
    embed(model, spanAt(f.location), st, "by setval()");
  };

  const doBlock = (d: Json, st: WalkState) => {
    const args = Array.isArray(d.args) ? d.args.map((a) => obj(obj(a)?.DefElem) ?? {}) : [];
    const lang = obj(obj(args.find((a) => a.defname === "language")?.arg)?.String)?.sval;
    const language = typeof lang === "string" ? lang.toLowerCase() : "plpgsql";
    const bodyTok = tokenize(ctx.input.text, "postgres").find((t) => t.kind === "string");
    const bodySpan = bodyTok
      ? { start: ctx.input.base + bodyTok.start, end: ctx.input.base + bodyTok.end }
      : ctx.input.span;
    if (language !== "plpgsql") {
      opaque(
        bodySpan,
        `a DO block in language ${language}, which migration-warden cannot read`,
        st,
      );
      return;
    }
    if (ctx.depth >= MAX_DEPTH || !bodyTok) {
      opaque(bodySpan, "a DO block nested too deep to follow", st);
      return;
    }
    const literal = readLiteral(bodyTok.text);
    if (!literal) {
      opaque(bodySpan, "a DO block whose body cannot be read", st);
      return;
    }
    const inner = plpgsqlEffects({
      statement: ctx.input.text,
      literal,
      bodyBase: ctx.input.base + bodyTok.start,
      bodySpan,
      via: "inside the DO block",
      depth: ctx.depth,
      nested: ctx.nested,
    });
    merge(out, inner, st.conditional);
  };

  const st0: WalkState = { executing: EXECUTING.has(key), via: null, conditional: false };
  if (DML[key]) {
    // The statement itself is the root model; only what it contains is embedded.
    if (key === "MergeStmt") mergeActions(body, ctx.input.span, st0);
    if (key === "InsertStmt") upsertAction(body, ctx.input.span, st0);
    visit(body, st0);
  } else {
    visit(root, st0);
  }
  return out;
}

export function shorten(s: string, max = 60): string {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** Adds `inner` to `out`; everything in it becomes conditional when the container is. */
export function merge(out: Effects, inner: Effects, conditional: boolean): void {
  const c = <T extends { conditional: boolean }>(x: T): T =>
    conditional ? { ...x, conditional: true } : x;
  out.embedded.push(...inner.embedded.map(c));
  out.opaque.push(...inner.opaque.map(c));
  out.calls.push(...inner.calls.map(c));
  out.executes.push(...inner.executes.map(c));
}

function and(a: unknown, b: unknown): unknown {
  if (a && b) return { BoolExpr: { boolop: "AND_EXPR", args: [a, b] } };
  return a ?? b;
}

/** Why a MERGE action still touches every target row, or undefined when its conditions filter. */
function mergeMatchesAll(m: Json, w: Json, bySource: boolean, names: string[]): string | undefined {
  if (bySource && !w.condition)
    return "it applies to every row of the target that has no match in the source (all of them when the source is empty)";
  const cond = (bySource ? w.condition : and(m.joinCondition, w.condition)) as Node | undefined;
  // MERGE INTO t USING t s ON t.id = s.id: the table joined with itself matches every row.
  const src = obj(obj(m.sourceRelation)?.RangeVar);
  const target = obj(m.relation);
  const self =
    src && target && src.relname === target.relname && src.schemaname === target.schemaname
      ? [String(obj(src.alias)?.aliasname ?? src.relname)]
      : [];
  const why = pgMatchesAll(cond, {
    names,
    ...(typeof target?.relname === "string" ? { table: target.relname } : {}),
    selves: self,
  });
  return why ? `its ${bySource ? "WHEN" : "ON/WHEN"} condition ${why}` : undefined;
}

/** DefElem keys of CREATE OPERATOR / AGGREGATE / TYPE that name a function the server runs. */
const DEFINE_FUNCTIONS = new Set([
  "function",
  "procedure",
  "restrict",
  "join",
  "sfunc",
  "finalfunc",
  "combinefunc",
  "serialfunc",
  "deserialfunc",
  "msfunc",
  "minvfunc",
  "mfinalfunc",
  "input",
  "output",
  "receive",
  "send",
  "typmod_in",
  "typmod_out",
  "analyze",
  "subscript",
]);
