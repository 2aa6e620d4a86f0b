/**
 * Reading libpg-query's parse tree: names, role specs, options and constants, shared by the
 * statement handlers of this folder.
 */
import type { DefElem, Node, RangeVar, RoleSpec } from "libpg-query";
import type { ObjectName } from "../../model.js";

export function rel(r: RangeVar | undefined): ObjectName {
  const n: ObjectName = { name: r?.relname ?? "" };
  if (r?.schemaname) n.schema = r.schemaname;
  return n;
}

export function strings(items: Node[] | undefined): string[] {
  const out: string[] = [];
  for (const i of items ?? []) if ("String" in i) out.push(i.String.sval ?? "");
  return out;
}

export function lastName(items: Node[] | undefined): string {
  const s = strings(items);
  return s[s.length - 1] ?? "";
}

export function qualified(items: Node[]): ObjectName {
  const s = strings(items);
  const n: ObjectName = { name: s[s.length - 1] ?? "" };
  if (s.length > 1) n.schema = s[s.length - 2]!;
  return n;
}

export function objectName(o: Node): ObjectName {
  if ("List" in o) return qualified(o.List.items ?? []);
  if ("String" in o) return { name: o.String.sval ?? "" };
  if ("TypeName" in o) return qualified(o.TypeName.names ?? []);
  if ("ObjectWithArgs" in o) return qualified(o.ObjectWithArgs.objname ?? []);
  return { name: "?" };
}

export function roleName(n: Node): string {
  if (!("RoleSpec" in n)) return "?";
  const r = n.RoleSpec;
  if (r.roletype === "ROLESPEC_PUBLIC") return "PUBLIC";
  if (r.roletype === "ROLESPEC_CURRENT_USER") return "CURRENT_USER";
  if (r.roletype === "ROLESPEC_SESSION_USER") return "SESSION_USER";
  return r.rolename ?? "?";
}

/** An `OWNER TO` role: its name, null for the session's own (CURRENT_USER/ROLE, SESSION_USER). */
export function newOwner(r: RoleSpec | undefined): string | null {
  if (!r || r.roletype !== "ROLESPEC_CSTRING") return null;
  return r.rolename ?? null;
}

export function defBool(d: DefElem): boolean {
  const a = d.arg;
  if (!a) return true;
  if ("Boolean" in a) return a.Boolean.boolval === true;
  if ("Integer" in a) return (a.Integer.ival ?? 0) !== 0;
  if ("String" in a) return !/^(off|false|0|no)$/i.test(a.String.sval ?? "");
  return true;
}

/** Is option `name` of a DefElem list set (`VACUUM (FULL)`, `REINDEX (CONCURRENTLY)`)? */
export function hasOption(options: Node[] | undefined, name: string): boolean {
  return (options ?? []).some(
    (o) => "DefElem" in o && o.DefElem.defname === name && defBool(o.DefElem),
  );
}

/** `OBJECT_MATVIEW` → `MATERIALIZED VIEW`, `AT_SetStatistics` → `SET STATISTICS`. */
export function label(enumValue: string | undefined): string {
  if (!enumValue) return "?";
  if (enumValue === "OBJECT_MATVIEW") return "MATERIALIZED VIEW";
  if (enumValue.startsWith("OBJECT_")) return enumValue.slice(7).replace(/_/g, " ");
  return enumValue
    .replace(/^AT_/, "")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toUpperCase();
}

export function constText(n: Node): string {
  if ("A_Const" in n) {
    const c = n.A_Const as {
      sval?: { sval?: string };
      ival?: { ival?: number };
      fval?: { fval?: string };
      boolval?: { boolval?: boolean };
      isnull?: boolean;
    };
    if (c.sval) return c.sval.sval ?? "";
    if (c.ival) return String(c.ival.ival ?? 0);
    if (c.fval) return c.fval.fval ?? "";
    if (c.boolval) return String(c.boolval.boolval ?? false);
    if (c.isnull) return "NULL";
  }
  if ("TypeCast" in n && n.TypeCast.arg) return constText(n.TypeCast.arg);
  return "";
}

/**
 * Visit every key/value of a parse tree. Keys, not entries: a 10 MB INSERT is millions of nodes,
 * and an [key, value] array per key was most of the time of walking them (test/hardening).
 */
export function walk(node: unknown, visit: (key: string, value: unknown) => void): void {
  if (Array.isArray(node)) {
    for (const x of node) walk(x, visit);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const o = node as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const v = o[k];
    visit(k, v);
    walk(v, visit);
  }
}

/** The smallest `location` (a byte offset into the statement) in a subtree; -1 when none. */
export function firstLocation(node: unknown): number {
  let min = Infinity;
  walk(node, (key, value) => {
    if (key === "location" && typeof value === "number" && value >= 0 && value < min) min = value;
  });
  return min === Infinity ? -1 : min;
}
