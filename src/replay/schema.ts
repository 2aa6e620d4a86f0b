/**
 * A database schema as plain data (the "fingerprint"), and the difference between two of them.
 * Engines fill it from their catalogs; the replay compares snapshots to prove that a down
 * migration restores the schema and to show what a change does.
 */
import { codeSpan, inlineCode } from "../core/report/markdown.js";

export const OBJECT_KINDS = [
  "schema",
  "extension",
  "enum",
  "type",
  "domain",
  "sequence",
  "table",
  "column",
  "constraint",
  "index",
  "view",
  "materialized-view",
  "foreign-table",
  "function",
  "trigger",
  "rule",
  "policy",
  "event",
  "statistics",
  "publication",
  "event-trigger",
  "privilege",
] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

export type AttrValue = string | number | boolean | null;

export interface SchemaObject {
  kind: ObjectKind;
  /**
   * Qualified name: "public.users", "public.users.email" for a column; a part holding a dot or a
   * quote is quoted (`public."a.b"`, see namePart).
   */
  name: string;
  /** Qualified name of the table the object belongs to (columns, indexes, constraints…). */
  table?: string;
  attrs: Record<string, AttrValue>;
}

/**
 * One part of a qualified name as fingerprints write it: as it is, or in double quotes (a quote
 * inside doubled, as Postgres prints it) when it holds a dot, a quote or an opening parenthesis.
 * Parts are joined with dots, so without the quotes `public."a.b"` and `"public.a".b` would be
 * one key and one object would hide the other; `(` starts a function's arguments. Names without
 * those characters read exactly as they always did.
 */
export function namePart(part: string): string {
  return /[."(]/.test(part) ? `"${part.replace(/"/g, '""')}"` : part;
}

/** Parts joined as a fingerprint names an object: `qualifiedName("public", "a.b")` is `public."a.b"`. */
export function qualifiedName(...parts: readonly string[]): string {
  return parts.map(namePart).join(".");
}

/**
 * The parts of a fingerprint's name (the reverse of qualifiedName), and what follows them: a
 * function's `(arguments)`, which may hold dots of their own. `public."a.b".c` is
 * { parts: ["public", "a.b", "c"], rest: "" }; `public.f(x public.t)` is
 * { parts: ["public", "f"], rest: "(x public.t)" }.
 */
export function nameParts(name: string): { parts: string[]; rest: string } {
  const parts: string[] = [];
  let i = 0;
  for (;;) {
    let part = "";
    if (name[i] === '"') {
      for (i++; i < name.length; i++) {
        if (name[i] !== '"') part += name[i];
        else if (name[i + 1] === '"') {
          part += '"';
          i++;
        } else break;
      }
      i++;
    } else {
      while (i < name.length && name[i] !== "." && name[i] !== "(") part += name[i++];
    }
    parts.push(part);
    if (name[i] !== ".") break;
    i++;
  }
  return { parts, rest: name.slice(i) };
}

/** Objects by key (`kind name`). */
export type Schema = Record<string, SchemaObject>;

export function schemaOf(objects: readonly SchemaObject[]): Schema {
  const s: Schema = {};
  for (const o of objects) s[`${o.kind} ${o.name}`] = o;
  return s;
}

/**
 * The schema without the given tables and everything that belongs to them (columns, indexes,
 * constraints, triggers…): bookkeeping tables such as the replay's marker or golang-migrate's
 * migrations table are not the migrations' schema.
 */
export function omitTables(schema: Schema, tables: readonly string[]): Schema {
  const drop = new Set(tables);
  return Object.fromEntries(
    Object.entries(schema).filter(
      ([, o]) => !(o.kind === "table" && drop.has(o.name)) && !drop.has(o.table ?? "\0"),
    ),
  );
}

export interface AttrChange {
  attr: string;
  before: AttrValue;
  after: AttrValue;
}

export interface SchemaChange {
  kind: ObjectKind;
  name: string;
  table?: string;
  change: "added" | "removed" | "changed";
  /** The object's attributes after the change (before it, for a removal). */
  attrs: Record<string, AttrValue>;
  /** For "changed": what differs. */
  changes?: AttrChange[];
}

/**
 * Attributes whose name starts with "~" are fallbacks (e.g. SQLite's CREATE TABLE text): a
 * difference in them is reported only when nothing more specific about the same table differs.
 */
function isFallback(attr: string): boolean {
  return attr.startsWith("~");
}

const KIND_ORDER = new Map(OBJECT_KINDS.map((k, i) => [k, i]));

export function diffSchemas(before: Schema, after: Schema): SchemaChange[] {
  const out: SchemaChange[] = [];
  for (const [key, a] of Object.entries(before)) {
    const b = after[key];
    if (!b) {
      out.push(change(a, "removed", a.attrs));
      continue;
    }
    const changes: AttrChange[] = [];
    for (const attr of new Set([...Object.keys(a.attrs), ...Object.keys(b.attrs)])) {
      const x = a.attrs[attr] ?? null;
      const y = b.attrs[attr] ?? null;
      if (x !== y) changes.push({ attr, before: x, after: y });
    }
    if (changes.length > 0) out.push({ ...change(b, "changed", b.attrs), changes });
  }
  for (const [key, b] of Object.entries(after)) {
    if (!before[key]) out.push(change(b, "added", b.attrs));
  }
  const specific = new Set(
    out
      .filter((c) => c.change !== "changed" || c.changes!.some((x) => !isFallback(x.attr)))
      .map((c) => c.table ?? c.name),
  );
  return out
    .filter(
      (c) =>
        c.change !== "changed" ||
        c.changes!.some((x) => !isFallback(x.attr)) ||
        !specific.has(c.table ?? c.name),
    )
    .sort(compareChanges);
}

function change(o: SchemaObject, kind: SchemaChange["change"], attrs: SchemaObject["attrs"]) {
  const c: SchemaChange = { kind: o.kind, name: o.name, change: kind, attrs };
  if (o.table !== undefined) c.table = o.table;
  return c;
}

function compareChanges(a: SchemaChange, b: SchemaChange): number {
  // Group by table so a table's columns and indexes read together.
  const ta = a.table ?? a.name;
  const tb = b.table ?? b.name;
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = KIND_ORDER.get(a.kind)!;
  const kb = KIND_ORDER.get(b.kind)!;
  if (ka !== kb) return ka - kb;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** A stable identity for a difference, to report each one once across several comparisons. */
export function changeKey(c: SchemaChange): string {
  const attrs = c.changes?.map((x) => `${x.attr}=${String(x.after)}`).join(",") ?? "";
  return `${c.change} ${c.kind} ${c.name} ${attrs}`;
}

/** "public.users.email" → "users.email": the default schema adds nothing for a reader. */
export function displayName(name: string): string {
  return name.startsWith("public.") ? name.slice("public.".length) : name;
}

function show(v: AttrValue): string {
  if (v === null) return "none";
  return typeof v === "string" ? codeSpan(v.length > 120 ? `${v.slice(0, 117)}...` : v) : String(v);
}

/** One line describing an object (columns: "bigint not null default 0"). */
export function describeObject(kind: ObjectKind, attrs: Record<string, AttrValue>): string {
  if (kind === "column") {
    const parts = [String(attrs.type ?? "")];
    if (attrs.notNull === true) parts.push("not null");
    if (attrs.default !== null && attrs.default !== undefined)
      parts.push(`default ${attrs.default}`);
    if (attrs.identity) parts.push(`identity (${attrs.identity})`);
    if (attrs.generated) parts.push("generated");
    return parts.join(" ");
  }
  const main = attrs.definition ?? attrs.values ?? attrs.version ?? null;
  const extra =
    attrs.valid === false ? " (NOT VALID)" : attrs.indexValid === false ? " (INVALID)" : "";
  return main === null ? "" : `${String(main)}${extra}`;
}

/** "type `text` → `varchar(320)`, notNull false → true". */
export function describeChanges(changes: readonly AttrChange[]): string {
  return changes
    .filter((c) => !isFallback(c.attr) || changes.every((x) => isFallback(x.attr)))
    .map((c) => `${c.attr.replace(/^~/, "")} ${show(c.before)} → ${show(c.after)}`)
    .join(", ");
}

/** A sentence-sized description of one difference, for finding messages. */
export function describeChange(c: SchemaChange): string {
  const what = `${c.kind} ${codeSpan(displayName(c.name))}`;
  switch (c.change) {
    case "added":
      return `${what} exists (${describeObject(c.kind, c.attrs) || "new"})`;
    case "removed":
      return `${what} is missing`;
    case "changed":
      return `${what} differs: ${describeChanges(c.changes!)}`;
  }
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** A Markdown table of differences; empty string when there are none. */
export function changesTable(changes: readonly SchemaChange[], limit = 200): string {
  if (changes.length === 0) return "";
  const sign = { added: "+", removed: "−", changed: "~" } as const;
  const rows = changes.slice(0, limit).map((c) => {
    const detail =
      c.change === "changed"
        ? describeChanges(c.changes!)
        : c.change === "added"
          ? describeObject(c.kind, c.attrs)
          : "";
    return `| ${sign[c.change]} | ${c.kind} | ${inlineCode(displayName(c.name))} | ${escapeCell(detail)} |`;
  });
  const more =
    changes.length > limit ? `\n\n…and ${changes.length - limit} more (see the JSON data).` : "";
  return `| | kind | object | detail |\n|---|---|---|---|\n${rows.join("\n")}${more}`;
}
