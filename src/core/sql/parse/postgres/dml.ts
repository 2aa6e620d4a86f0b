/** Statements that change rows: DELETE, UPDATE, INSERT, MERGE, COPY FROM, SELECT … INTO. */
import type { Node, RangeVar } from "libpg-query";
import {
  noFacts,
  type ColumnAssignments,
  type ObjectName,
  type StatementModel,
} from "../../model.js";
import { nonNullOnly, pgJoinOnly, pgMatchesAll, pgNullShape } from "../where.js";
import type { BodyOf } from "./context.js";
import { rel, walk } from "./nodes.js";

export function deleteRows(s: BodyOf<"DeleteStmt">): StatementModel {
  return rowChange("delete", s, s.usingClause);
}

export function updateRows(s: BodyOf<"UpdateStmt">): StatementModel {
  const m = rowChange("update", s, s.fromClause);
  const set = assigned("SET", s.targetList);
  if (set) m.assignments = [set];
  return m;
}

/** The columns a target list names (`SET (a, b) = …` names each; `a[1]` is part of a). */
function assigned(
  clause: ColumnAssignments["clause"],
  list: Node[] | undefined,
): ColumnAssignments | null {
  const columns: ColumnAssignments["columns"] = [];
  for (const n of list ?? []) {
    const t = "ResTarget" in n ? n.ResTarget : undefined;
    if (!t?.name) continue;
    columns.push({ name: t.name, ...(t.indirection?.length ? { part: true as const } : {}) });
  }
  return columns.length > 0 ? { clause, columns } : null;
}

function rowChange(
  kind: "delete" | "update",
  s: { relation?: RangeVar; whereClause?: Node },
  from: Node[] | undefined,
): StatementModel {
  const table = s.relation ? rel(s.relation) : null;
  const m: StatementModel = { kind, table, hasWhere: s.whereClause !== undefined, ...noFacts() };
  const all = pgMatchesAll(s.whereClause, {
    names: relNames(s.relation),
    ...(s.relation?.relname ? { table: s.relation.relname } : {}),
    shadowed: subqueryColumns(from),
  });
  const nonNull =
    !all && s.whereClause
      ? nonNullOnly(s.whereClause, pgNullShape({ names: relNames(s.relation) }))
      : undefined;
  if (nonNull?.some((x) => x.length > 0)) m.nonNullOnly = nonNull;
  if (all) m.matchesAll = `its WHERE clause ${all}`;
  else if (kind === "update") {
    const joins = pgJoinOnly(
      s.whereClause,
      { names: relNames(s.relation), shadowed: [] },
      fromTables(from),
    );
    if (joins) m.joinOnly = joins;
  }
  if (table) m.writes = [table];
  return m;
}

export function insertRows(s: BodyOf<"InsertStmt">): StatementModel {
  const m: StatementModel = { kind: "other", tag: "InsertStmt", ...noFacts() };
  if (s.relation) m.writes = [rel(s.relation)];
  const lists = [
    assigned("INSERT", s.cols),
    assigned("ON CONFLICT DO UPDATE SET", s.onConflictClause?.targetList),
  ].filter((l): l is ColumnAssignments => l !== null);
  if (lists.length > 0) m.assignments = lists;
  const sel0 = s.selectStmt && "SelectStmt" in s.selectStmt ? s.selectStmt.SelectStmt : undefined;
  const implicit: NonNullable<StatementModel["implicitColumns"]> = {};
  if (sel0 && !s.cols?.length) implicit.insert = sel0.valuesLists ? "values" : "query";
  if (s.selectStmt && selectsStar(s.selectStmt)) implicit.star = true;
  if (implicit.insert || implicit.star) m.implicitColumns = implicit;
  if (s.selectStmt) {
    const reads: ObjectName[] = [];
    // A WITH query's name read in the query is no table (unless schema-qualified).
    const ctes = new Set<string>();
    walk(s, (k, v) => {
      if (k === "CommonTableExpr") ctes.add((v as { ctename?: string }).ctename ?? "");
    });
    walk(s.selectStmt, (k, v) => {
      const r = v as RangeVar;
      if (k === "RangeVar" && (r.schemaname || !ctes.has(r.relname ?? ""))) reads.push(rel(r));
    });
    if (reads.length > 0) m.reads = reads;
    const sel = "SelectStmt" in s.selectStmt ? s.selectStmt.SelectStmt : undefined;
    if (sel && (sel.whereClause || sel.limitCount || sel.groupClause || sel.havingClause))
      m.readsFiltered = true;
  }
  return m;
}

/**
 * Does a query's top-level select list (of each UNION/INTERSECT/EXCEPT arm) hold `*` or `t.*`?
 * Subqueries, CTE bodies and `count(*)` do not count: they name no columns of the result.
 */
export function selectsStar(q: Node): boolean {
  const s = "SelectStmt" in q ? q.SelectStmt : undefined;
  if (!s) return false;
  if (s.larg || s.rarg)
    return (
      (s.larg ? selectsStar({ SelectStmt: s.larg }) : false) ||
      (s.rarg ? selectsStar({ SelectStmt: s.rarg }) : false)
    );
  return (s.targetList ?? []).some((t) => {
    const v = "ResTarget" in t ? t.ResTarget.val : undefined;
    return (
      v !== undefined && "ColumnRef" in v && (v.ColumnRef.fields ?? []).some((f) => "A_Star" in f)
    );
  });
}

/** Its WHEN actions are embedded statements (pg-effects.ts). */
export function merge(s: BodyOf<"MergeStmt">): StatementModel {
  const m: StatementModel = { kind: "other", tag: "MergeStmt", ...noFacts() };
  if (s.relation) m.writes = [rel(s.relation)];
  return m;
}

export function copy(s: BodyOf<"CopyStmt">): StatementModel {
  const m: StatementModel = { kind: "other", tag: "CopyStmt", ...noFacts() };
  if (s.is_from && s.relation) m.writes = [rel(s.relation)];
  return m;
}

/** SELECT … INTO creates a table: named so that whoever follows tables knows one appeared. */
export function select(s: BodyOf<"SelectStmt">): StatementModel {
  return { kind: "other", tag: s.intoClause ? "SELECT INTO" : "SelectStmt", ...noFacts() };
}

/** Names a statement may use for its target table's rows: the table and its alias. */
function relNames(r: RangeVar | undefined): string[] {
  const out: string[] = [];
  if (r?.relname) out.push(r.relname);
  if (r?.alias?.aliasname) out.push(r.alias.aliasname);
  return out;
}

/** Output columns of the subqueries in a FROM/USING list (`FROM (SELECT 1 AS k) s`: `k`). */
function subqueryColumns(from: Node[] | undefined): string[] {
  const out: string[] = [];
  for (const item of from ?? []) {
    if (!("RangeSubselect" in item)) continue;
    const r = item.RangeSubselect;
    for (const c of r.alias?.colnames ?? []) if ("String" in c) out.push(c.String.sval ?? "");
    const q = r.subquery && "SelectStmt" in r.subquery ? r.subquery.SelectStmt : undefined;
    for (const t of q?.targetList ?? []) {
      if (!("ResTarget" in t)) continue;
      const rt = t.ResTarget;
      if (rt.name) out.push(rt.name);
      else if (rt.val && "ColumnRef" in rt.val) {
        const f = rt.val.ColumnRef.fields ?? [];
        const last = f[f.length - 1];
        if (last && "String" in last) out.push(last.String.sval ?? "");
      }
    }
  }
  return out;
}

/**
 * The names the tables of a FROM list are referred to by (alias, else name). Subqueries are left
 * out: a join with one (`FROM (VALUES …) fix`) is a list of rows to change, a real filter.
 */
function fromTables(from: Node[] | undefined): string[] {
  const out: string[] = [];
  for (const item of from ?? []) {
    if ("RangeVar" in item) out.push(item.RangeVar.alias?.aliasname ?? item.RangeVar.relname ?? "");
    else if ("JoinExpr" in item) {
      const j = item.JoinExpr;
      out.push(...fromTables([j.larg, j.rarg].filter((x): x is Node => x !== undefined)));
    }
  }
  return out.filter((n) => n !== "");
}
