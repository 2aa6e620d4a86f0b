/**
 * The node-sql-parser adapter (MySQL, MariaDB and SQLite modes): checks the syntax of the
 * statements the token readers (../token-reader/) do not read exactly — DML, and everything else
 * whose syntax it can check — and turns its tree into the statement model.
 */
import type pkg from "node-sql-parser";
import {
  displayName,
  noEffects,
  noFacts,
  sameObject,
  type ColumnAssignments,
  type ObjectName,
  type RoutineCall,
  type Span,
  type StatementModel,
} from "../../model.js";
import type { ParseOutcome, StatementInput } from "../types.js";
import { arr, obj, str, type Json } from "./tree.js";
import { nonNullOnly } from "../where.js";
import { matchesAll, nullShape } from "./where.js";

let parser: InstanceType<typeof pkg.Parser> | null = null;

/**
 * node-sql-parser takes ~0.2 s to load, more than parsing a megabyte of Postgres with
 * libpg-query, so it is loaded only when a MySQL or SQLite directory needs it.
 */
export async function loadNodeSqlParser(): Promise<void> {
  if (parser) return;
  const { Parser } = (await import("node-sql-parser")).default;
  parser = new Parser();
}

/**
 * The statement as node-sql-parser reads it. `tokenReading` is the token reader's inexact model
 * of the same text, if it has one: for a DDL statement the parser accepts, it is the one kept, so
 * that the actions the reader did place (an unusual ALTER TABLE action aside) reach the rules.
 */
export function parseWithNodeSqlParser(
  input: StatementInput,
  database: "mysql" | "mariadb" | "sqlite",
  tokenReading?: () => StatementModel | null,
): ParseOutcome {
  const read = astify(input.text, database);
  if (!read.ok) return read;
  const list = read.list;
  if (list.length !== 1) {
    return {
      ok: false,
      message: `the parser read ${list.length} statements where the splitter saw one`,
      index: 0,
    };
  }
  const model = normalise(obj(list[0]) ?? {}, database, input.span);
  const calls = routineCalls(obj(list[0]) ?? {}, input);
  if (calls.length > 0) model.effects = { ...(model.effects ?? noEffects()), calls };
  if (model.ddl) {
    const read = tokenReading?.();
    if (read) return { ok: true, model: read, ast: list[0] };
  }
  return { ok: true, model, ast: list[0] };
}

/** node-sql-parser's tree of `text`, or its error (for the parts readSqliteSyntax re-reads). */
export function treeOf(
  text: string,
  database: "mysql" | "mariadb" | "sqlite",
): { ok: true; ast: Json } | { ok: false; message: string; index: number } {
  const read = astify(text, database);
  return read.ok ? { ok: true, ast: obj(read.list[0]) ?? {} } : read;
}

/** node-sql-parser's statements in `text`, or its error placed in `text`. */
function astify(
  text: string,
  database: "mysql" | "mariadb" | "sqlite",
): { ok: true; list: unknown[] } | { ok: false; message: string; index: number } {
  if (!parser) throw new Error("node-sql-parser is not loaded: call loadParsers() first");
  try {
    const ast: unknown = parser.astify(text, { database });
    return { ok: true, list: Array.isArray(ast) ? ast : [ast] };
  } catch (e) {
    const err = e as { message?: string; location?: { start?: { offset?: number } } };
    return {
      ok: false,
      message: shorten(err.message ?? String(e)),
      index: err.location?.start?.offset ?? 0,
    };
  }
}

/** Tables read (FROM clauses) and routines called anywhere in a tree. */
export function readsAndCalls(
  ast: Json,
  input: StatementInput,
): { reads: ObjectName[]; calls: RoutineCall[] } {
  const reads: ObjectName[] = [];
  visitFrom(ast, reads);
  return { reads, calls: routineCalls(ast, input) };
}

/** node-sql-parser lists every token it would have accepted; keep the message readable. */
function shorten(message: string): string {
  const m = /^Expected (.*) but (.*) found\.?$/s.exec(message);
  if (!m) return message;
  const expected = m[1]!.split(", ");
  const list = expected.length > 6 ? `${expected.slice(0, 6).join(", ")}, …` : expected.join(", ");
  return `expected ${list} but ${m[2]} found`;
}

function tableName(x: unknown): ObjectName | null {
  const t = obj(x);
  const name = str(t?.table);
  if (!name) return null;
  const n: ObjectName = { name: name.toLowerCase() };
  const db = str(t?.db);
  if (db) n.schema = db.toLowerCase();
  return n;
}

/**
 * Routines a statement calls. CALL names a stored procedure; function calls are taken to be
 * built-in (there is no catalog of MySQL's functions here) unless the change creates one by
 * that name.
 */
function routineCalls(ast: Json, input: StatementInput): RoutineCall[] {
  const out: RoutineCall[] = [];
  const seen = new Set<string>();
  const nameOf = (f: Json): ObjectName | null => {
    const parts = arr(obj(f.name)?.name).flatMap((p) => {
      const v = str(obj(p)?.value);
      return v ? [v.toLowerCase()] : [];
    });
    if (parts.length === 0) return null;
    const n: ObjectName = { name: parts[parts.length - 1]! };
    if (parts.length > 1) n.schema = parts[parts.length - 2]!;
    return n;
  };
  const visit = (x: unknown, procedure: boolean): void => {
    if (Array.isArray(x)) {
      for (const y of x) visit(y, false);
      return;
    }
    const o = obj(x);
    if (!o) return;
    if (o.type === "call") {
      const f = obj(o.expr);
      const name = f && nameOf(f);
      if (name) out.push({ name, span: input.span, procedure: true, conditional: false });
      visit(f?.args, false);
      return;
    }
    if (o.type === "function" && !procedure) {
      const name = nameOf(o);
      const key = name ? `${name.schema ?? ""}.${name.name}` : "";
      if (name && !seen.has(key)) {
        seen.add(key);
        out.push({ name, span: input.span, procedure: false, conditional: false, builtin: true });
      }
    }
    for (const v of Object.values(o)) if (typeof v === "object") visit(v, false);
  };
  visit(ast, false);
  return out;
}

/** Tables in the FROM clauses of a (sub)query. */
function visitFrom(x: unknown, out: ObjectName[]): void {
  if (Array.isArray(x)) {
    for (const y of x) visitFrom(y, out);
    return;
  }
  const o = obj(x);
  if (!o) return;
  for (const f of arr(o.from)) {
    const t = tableName(f);
    if (t) out.push(t);
  }
  for (const v of Object.values(o)) if (typeof v === "object") visitFrom(v, out);
}

/**
 * The columns a single SELECT's list reads (anywhere in each expression), "*" for `*` / `t.*`;
 * undefined for anything else (a UNION, VALUES). SQLite reads a double-quoted name as a column
 * when there is one (node-sql-parser gives a string): counted as read, never as left behind.
 */
function selectedColumns(
  sel: Json | undefined,
  database: "mysql" | "mariadb" | "sqlite",
): string[] | "*" | undefined {
  if (sel?.type !== "select" || sel._next) return undefined;
  const out = new Set<string>();
  let star = false;
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) return x.forEach(walk);
    const o = obj(x);
    if (!o) return;
    if (o.type === "double_quote_string" && database === "sqlite") {
      const c = str(o.value);
      if (c) out.add(c.toLowerCase());
      return;
    }
    if (o.type === "column_ref") {
      const c = str(o.column) ?? str(obj(obj(o.column)?.expr)?.value);
      if (c === "*") star = true;
      else if (c) out.add(c.toLowerCase());
      return;
    }
    for (const v of Object.values(o)) if (typeof v === "object") walk(v);
  };
  if (sel.columns === "*") return "*";
  walk(sel.columns);
  return star ? "*" : [...out];
}

/**
 * Does a query's top-level select list (of each UNION arm) hold `*` or `t.*`? `count(*)` and
 * subqueries do not count: they name no columns of the result.
 */
function selectsStar(sel: Json | undefined): boolean {
  if (sel?.type !== "select") return false;
  const star =
    sel.columns === "*" ||
    arr(sel.columns).some((c) => {
      const e = obj(obj(c)?.expr);
      if (e?.type !== "column_ref") return false;
      return (str(e.column) ?? str(obj(obj(e.column)?.expr)?.value)) === "*";
    });
  return star || selectsStar(obj(sel._next));
}

/**
 * INSERT … SELECT … FROM t into t itself, with REPLACE (MySQL, SQLite `REPLACE` / `INSERT OR
 * REPLACE`: each conflicting row is deleted and inserted again) or ON DUPLICATE KEY UPDATE / an
 * upsert's DO UPDATE: every existing row conflicts with its own copy, so every row is rewritten —
 * an UPDATE of the whole table spelled as an insert. Recorded as that UPDATE (in `effects`) for
 * dml-without-where; a SELECT with a real filter or a LIMIT rewrites only some rows.
 */
export function selfCopyRewrite(
  m: StatementModel,
  ast: Json,
  how: "replace" | "on-duplicate" | "upsert",
  database: "mysql" | "mariadb" | "sqlite",
  span: Span,
): void {
  const table = tableName(arr(ast.table)[0]);
  const sel = obj(ast.values);
  if (!table || sel?.type !== "select") return;
  const from = arr(sel.from).flatMap((f) => {
    const t = tableName(f);
    return t ? [{ t, as: str(obj(f)?.as)?.toLowerCase() }] : [];
  });
  const self = from.filter((f) => sameObject(f.t, table));
  if (self.length === 0 || arr(obj(sel.limit)?.value).length > 0) return;
  if (sel.groupby || sel.having) return;
  if (sel.where != null) {
    const names = self.flatMap((f) => (f.as ? [f.t.name, f.as] : [f.t.name]));
    if (!matchesAll(sel.where, { names }, database === "sqlite" ? "sqlite" : "mysql")) return;
  }
  const why =
    how === "replace"
      ? `its rows are read from ${displayName(table)} itself, so every existing row conflicts with its own copy and is deleted and inserted again (rows of other tables that reference it with ON DELETE CASCADE go with it)`
      : `its rows are read from ${displayName(table)} itself, so every existing row conflicts with its own copy and is updated`;
  const rewrite: StatementModel = {
    kind: "update",
    table,
    hasWhere: true,
    matchesAll: why,
    ...noFacts(),
    writes: [table],
  };
  const effects = m.effects ?? noEffects();
  effects.embedded.push({
    model: rewrite,
    span,
    via:
      how === "replace"
        ? "as the REPLACE of each conflicting row"
        : how === "on-duplicate"
          ? "as the ON DUPLICATE KEY UPDATE action"
          : "as the ON CONFLICT DO UPDATE action",
    conditional: false,
  });
  m.effects = effects;
}

/**
 * Column names a SET list or column list assigns, lower case (MySQL and SQLite ignore case). In
 * a multi-table UPDATE, `t1.a` and `t2.a` are different columns: the qualifier stays in the name.
 */
function addAssignments(
  m: StatementModel,
  clause: ColumnAssignments["clause"],
  list: unknown[],
  qualified = false,
) {
  const columns = list.flatMap((c) => {
    const o = obj(c);
    const name = str(c) ?? str(o?.column) ?? str(obj(o?.expr)?.value) ?? str(obj(o?.column)?.expr);
    const table = qualified ? str(o?.table) : undefined;
    return name ? [{ name: (table ? `${table}.${name}` : name).toLowerCase() }] : [];
  });
  if (columns.length > 0) (m.assignments ??= []).push({ clause, columns });
}

function normalise(
  ast: Json,
  database: "mysql" | "mariadb" | "sqlite",
  span: Span,
): StatementModel {
  const type = str(ast.type) ?? "unknown";
  switch (type) {
    case "delete":
    case "update": {
      const table = tableName(arr(ast.table)[0]);
      const m: StatementModel = { kind: type, table, hasWhere: ast.where != null, ...noFacts() };
      const names = [
        ...arr(ast.table).flatMap((t) => [str(obj(t)?.table), str(obj(t)?.as)]),
      ].flatMap((n) => (n ? [n.toLowerCase()] : []));
      const all = matchesAll(
        ast.where,
        { names, ...(table ? { table: table.name } : {}) },
        database === "sqlite" ? "sqlite" : "mysql",
      );
      if (all) m.matchesAll = `its WHERE clause ${all}`;
      const dialect = database === "sqlite" ? "sqlite" : "mysql";
      const nonNull =
        !all && ast.where != null
          ? nonNullOnly(ast.where, nullShape({ names }, dialect))
          : undefined;
      if (nonNull?.some((x) => x.length > 0)) m.nonNullOnly = nonNull;
      if (table) m.writes = [table];
      if (type === "update") addAssignments(m, "SET", arr(ast.set), arr(ast.table).length > 1);
      return m;
    }
    case "insert":
    case "replace": {
      const m: StatementModel = { kind: "other", tag: type.toUpperCase(), ...noFacts() };
      const table = tableName(arr(ast.table)[0]);
      if (table) m.writes = [table];
      const reads: ObjectName[] = [];
      visitFrom(ast.values, reads);
      if (reads.length > 0) m.reads = reads;
      const sel = obj(ast.values);
      if (
        sel?.type === "select" &&
        ((sel.where != null &&
          !matchesAll(sel.where, { names: [] }, database === "sqlite" ? "sqlite" : "mysql")) ||
          arr(obj(sel.limit)?.value).length > 0 ||
          sel.groupby ||
          sel.having)
      )
        m.readsFiltered = true;
      const columns = selectedColumns(sel, database);
      if (columns) m.readColumns = columns;
      const how =
        type === "replace" ||
        arr(ast.or).some((o) => str(obj(o)?.value)?.toUpperCase() === "REPLACE")
          ? "replace"
          : obj(ast.on_duplicate_update)
            ? "on-duplicate"
            : null;
      if (how) selfCopyRewrite(m, ast, how, database, span);
      const implicit: NonNullable<StatementModel["implicitColumns"]> = {};
      if (arr(ast.columns).length === 0 && arr(ast.set).length === 0 && sel)
        implicit.insert = sel.type === "select" ? "query" : "values";
      if (selectsStar(sel)) implicit.star = true;
      if (implicit.insert || implicit.star) m.implicitColumns = implicit;
      addAssignments(m, "INSERT", arr(ast.columns));
      addAssignments(m, "ON DUPLICATE KEY UPDATE", arr(obj(ast.on_duplicate_update)?.set));
      return m;
    }
    case "load_data": {
      const m: StatementModel = { kind: "other", tag: "LOAD DATA", ...noFacts() };
      const table = tableName(ast.table);
      if (table) m.writes = [table];
      // REPLACE deletes and re-inserts every row whose key the file holds: rows the text of the
      // migration never shows (a plain LOAD DATA only adds rows).
      if (str(ast.replace_ignore)?.toLowerCase() === "replace")
        m.effects = {
          ...noEffects(),
          opaque: [
            {
              span,
              what: `LOAD DATA … REPLACE overwrites every row of ${table ? displayName(table) : "the table"} whose key is in a file the analysis cannot read`,
              conditional: false,
            },
          ],
        };
      return m;
    }
    case "transaction": {
      const action = (str(obj(obj(obj(ast.expr)?.action))?.value) ?? "").toLowerCase();
      return {
        kind: "transaction",
        action:
          action === "begin" || action === "start"
            ? "begin"
            : action === "commit"
              ? "commit"
              : action === "rollback"
                ? "rollback"
                : "other",
        ...noFacts(),
      };
    }
    case "create": {
      const keyword = str(ast.keyword) ?? "object";
      return { kind: "create-other", objectType: keyword.toLowerCase(), ...noFacts(), ddl: true };
    }
    case "alter":
    case "drop":
    case "truncate":
    case "rename":
      // Only shapes the token reader could not read get here; nothing more precise is known.
      return { kind: "other", tag: type.toUpperCase(), ...noFacts(), ddl: true };
    default:
      return { kind: "other", tag: type.toUpperCase(), ...noFacts() };
  }
}
