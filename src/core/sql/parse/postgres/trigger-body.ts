/**
 * What a Postgres trigger function (`RETURNS trigger`) does to the row it is handed, for rule
 * create-trigger-on-existing-table: in a BEFORE … FOR EACH ROW trigger, returning anything but NEW
 * silently discards the write (NULL) or stores another row, and assigning to NEW changes what is
 * stored. Read from Postgres's own PL/pgSQL compiler tree (libpg-query's parsePlPgSQL), so `NEW`
 * is recognised by the datum it resolves to, not by its spelling. Only trigger functions are read
 * here (a second parse of a body routineBody already read: trigger functions are few).
 */
import { parsePlPgSQLSync, type Node } from "libpg-query";
import type { TriggerRowEffect } from "../../model.js";
import { obj, type Json } from "../pg-tree.js";
import { constantString } from "../plpgsql.js";

/** The row effect of a CREATE FUNCTION … RETURNS trigger; undefined for other routines. */
export function triggerRowEffect(node: Node, text: string): TriggerRowEffect | undefined {
  const f = obj((node as Json).CreateFunctionStmt);
  if (!f) return undefined;
  const ret = ((obj(f.returnType)?.names as unknown[]) ?? []).map((x) =>
    String(obj(obj(x)?.String)?.sval ?? ""),
  );
  if (ret[ret.length - 1]?.toLowerCase() !== "trigger") return undefined;
  const out: TriggerRowEffect = { returns: [], overwrites: [] };
  const options = (Array.isArray(f.options) ? f.options : []).map(
    (o) => obj(obj(o)?.DefElem) ?? {},
  );
  const lang = obj(obj(options.find((o) => o.defname === "language")?.arg)?.String)?.sval;
  const language = typeof lang === "string" ? lang.toLowerCase() : "sql";
  if (language !== "plpgsql") {
    out.unreadable = `it is written in ${language}, which migration-warden cannot read`;
    return out;
  }
  let fn: Json | undefined;
  try {
    const tree = obj(parsePlPgSQLSync(text));
    fn = obj(obj(((tree?.plpgsql_funcs as unknown[]) ?? [])[0])?.PLpgSQL_function);
  } catch {
    // Left undefined: unreadable below.
  }
  if (!fn) {
    out.unreadable = "its PL/pgSQL body cannot be read";
    return out;
  }
  const datums = ((fn.datums as unknown[]) ?? []).map((d) => obj(d) ?? {});
  // NEW is datum 0 in every trigger function (plpgsql_compile); found by name to be safe.
  const newNo = Math.max(
    0,
    datums.findIndex((d) => obj(d.PLpgSQL_rec)?.refname === "new"),
  );
  /** Is datum `no` (absent in the JSON when 0) NEW or one of its fields? */
  const isNew = (no: unknown): boolean => {
    const n = typeof no === "number" ? no : 0;
    if (n === newNo) return true;
    const field = obj(datums[n]?.PLpgSQL_recfield);
    return (
      field !== undefined &&
      (typeof field.recparentno === "number" ? field.recparentno : 0) === newNo
    );
  };
  /** An INTO/loop target: NEW itself, or a row of variables that includes a NEW field. */
  const targetIsNew = (t: unknown): boolean => {
    const o = obj(t);
    if (!o) return false;
    if (obj(o.PLpgSQL_rec)?.refname === "new") return true;
    const fields = (obj(o.PLpgSQL_row)?.fields as unknown[]) ?? [];
    return fields.some((x) => isNew(obj(x)?.varno));
  };

  const walk = (n: unknown, key: string): void => {
    if (Array.isArray(n)) {
      for (const x of n) walk(x, key);
      return;
    }
    const o = obj(n);
    if (!o) return;
    for (const [k, v] of Object.entries(o)) {
      const s = obj(v);
      if (k === "PLpgSQL_stmt_return" && s) {
        const expr = obj(obj(s.expr)?.PLpgSQL_expr)?.query;
        if (typeof expr === "string") out.returns.push(`RETURN ${expr.trim()}`);
        else if (s.retvarno === undefined) out.returns.push("RETURN");
        else if (!isNew(s.retvarno) || obj(datums[s.retvarno as number]?.PLpgSQL_recfield))
          out.returns.push(`RETURN ${datumName(datums, s.retvarno)}`);
      } else if (k === "PLpgSQL_stmt_assign" && s && isNew(s.varno)) {
        const q = String(obj(obj(s.expr)?.PLpgSQL_expr)?.query ?? "");
        if (!isTimeAssignment(q)) out.overwrites.push(q.trim());
      } else if (
        (k === "PLpgSQL_stmt_dynexecute" || k === "PLpgSQL_stmt_dynfors") &&
        s &&
        constantString(String(obj(obj(s.query)?.PLpgSQL_expr)?.query ?? "")) === null
      ) {
        out.unreadable ??= "it runs EXECUTE of a string built at run time";
      }
      if ((k === "target" || k === "var") && targetIsNew(v)) {
        out.overwrites.push(`${key.replace(/^PLpgSQL_stmt_/, "").toUpperCase()} … INTO NEW`);
      }
      if (k === "diag_items")
        for (const d of (v as unknown[]) ?? [])
          if (isNew(obj(obj(d)?.PLpgSQL_diag_item)?.target))
            out.overwrites.push("GET DIAGNOSTICS … NEW");
      walk(v, k.startsWith("PLpgSQL_stmt_") ? k : key);
    }
  };
  walk(fn.action, "");
  return out;
}

function datumName(datums: Json[], no: unknown): string {
  const d = datums[typeof no === "number" ? no : 0] ?? {};
  const rec = obj(d.PLpgSQL_rec) ?? obj(d.PLpgSQL_var) ?? obj(d.PLpgSQL_row);
  if (typeof rec?.refname === "string")
    return rec.refname.toUpperCase() === "OLD" ? "OLD" : rec.refname;
  const field = obj(d.PLpgSQL_recfield);
  if (field) return `NEW.${String(field.fieldname ?? "")}`;
  return "a variable";
}

/**
 * The time functions an `updated_at` trigger sets (optionally cast, or converted with
 * timezone('utc', …) / AT TIME ZONE 'utc'): they record when, not what, so the write's data is
 * unchanged.
 */
const TIME = String.raw`(?:pg_catalog\.)?(?:now\(\)|current_timestamp(?:\(\d+\))?|localtimestamp(?:\(\d+\))?|clock_timestamp\(\)|statement_timestamp\(\)|transaction_timestamp\(\))`;
const CAST = String.raw`(?:::[a-z_ ]+(?:\(\d+\))?)*`;
const ZONE = String.raw`'[^']*'(?:::text)?`;
const TIME_VALUE = new RegExp(
  String.raw`^\(*(?:${TIME}${CAST}|timezone\(${ZONE},${TIME}${CAST}\)|${TIME}${CAST}attimezone${ZONE})\)*${CAST}$`,
  "i",
);

/** `NEW.col := <time function>`: the PL/pgSQL assignment's right-hand side. */
export function isTimeAssignment(q: string): boolean {
  const m = /^\s*(?:new|"new")\s*\.\s*(?:"[^"]*"|[\w$]+)\s*(?::=|=)([\s\S]*)$/i.exec(q);
  if (!m) return false;
  return TIME_VALUE.test(m[1]!.replace(/\s+/g, ""));
}
