/**
 * The replay's base-state catalog as schema facts for the SQL rules (core/schema/merged.ts): what
 * Postgres did with the merged history, including what the static model cannot follow (DO blocks,
 * functions, dynamic SQL). Postgres only: the MySQL fingerprint lacks facts the MySQL rules need
 * (column comments, character sets), and no SQLite rule consults the schema.
 *
 * Only facts the fingerprint states are given; anything it does not read well (an index
 * definition it cannot split, a NOT NULL constraint that is not validated) is left out or makes
 * the table unknown, so a rule falls back to judging the text (fail closed).
 */
import type { DirectoryConfig } from "../config/types.js";
import type { DynamicBase } from "../core/analyze.js";
import { MergedSchema, type SchemaIndex, type SchemaTable } from "../core/schema/merged.js";
import type { Dialect } from "../core/types.js";
import type { ReadBase } from "./jobs.js";
import type { Schema, SchemaObject } from "./schema.js";

/** The schema facts of a base-state fingerprint, or null when the dialect is not read. */
export function catalogSchema(fingerprint: Schema, dialect: Dialect): MergedSchema | null {
  if (dialect !== "postgres") return null;
  const tables = new Map<string, SchemaTable>();
  const objects = Object.values(fingerprint);
  for (const o of objects) {
    if (o.kind !== "table") continue;
    const dot = splitQualified(o.name);
    if (!dot) continue;
    tables.set(o.name, { name: dot, columns: new Map(), checks: [], indexes: [] });
  }
  for (const o of objects) {
    const t = o.table === undefined ? undefined : tables.get(o.table);
    if (!t) continue;
    if (o.kind === "column") addColumn(t, o);
    else if (o.kind === "constraint") addConstraint(t, o);
    else if (o.kind === "index") addIndex(t, o);
  }
  const schema = new MergedSchema(dialect, "catalog");
  for (const t of tables.values()) schema.addTable(t);
  for (const o of objects) if (o.kind === "function") declareRoutine(schema, o);
  return schema;
}

/**
 * A function of the catalog as the declaration the static model reads (core/schema/routines.ts),
 * written from what Postgres stored: its arguments with their defaults and its volatility.
 */
function declareRoutine(schema: MergedSchema, o: SchemaObject): void {
  const { kind, volatility, arguments: args } = o.attrs;
  if (kind !== "function" || typeof volatility !== "string" || typeof args !== "string") return;
  const name = o.name.slice(0, o.name.indexOf("("));
  const dot = splitQualified(name);
  if (!dot) return;
  const quote = (n: string) => `"${n.replace(/"/g, '""')}"`;
  schema.routines.observe(
    `CREATE FUNCTION ${quote(dot.schema)}.${quote(dot.name)}(${args}) RETURNS void ` +
      `LANGUAGE sql ${volatility.toUpperCase()} AS ''`,
  );
}

function splitQualified(name: string): { schema: string; name: string } | null {
  const i = name.indexOf(".");
  return i > 0 ? { schema: name.slice(0, i), name: name.slice(i + 1) } : null;
}

function local(o: SchemaObject): string {
  return o.name.slice(o.table!.length + 1);
}

function addColumn(t: SchemaTable, o: SchemaObject): void {
  const name = local(o);
  // Postgres 18: a NOT NULL constraint added NOT VALID keeps attnotnull true; the fingerprint
  // marks it (notNullValid false), and such a column is not known to hold no NULL.
  const notNull = o.attrs.notNull === true && o.attrs.notNullValid !== false;
  const def = o.attrs.default;
  // Only a collation other than the type's default is listed (fingerprint/postgres.ts).
  const collation = o.attrs.collation;
  t.columns.set(name, {
    name,
    dataType: String(o.attrs.type ?? ""),
    notNull,
    ...(typeof def === "string" ? { default: def } : {}),
    ...(collation !== undefined && collation !== null ? { collation: String(collation) } : {}),
  });
}

/** `CHECK ((col IS NOT NULL))` as pg_get_constraintdef prints it. */
const NOT_NULL_CHECK =
  /^CHECK \(\((?:"((?:[^"]|"")+)"|([a-z_][a-z0-9_$]*)) IS NOT NULL\)\)( NOT VALID)?$/;

function addConstraint(t: SchemaTable, o: SchemaObject): void {
  const name = local(o);
  const validated = o.attrs.valid === true;
  if (o.attrs.type !== "check") {
    t.checks.push({ name, validated }); // named, so a drop of it is known
    return;
  }
  const m = NOT_NULL_CHECK.exec(String(o.attrs.definition ?? ""));
  const column = m ? (m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!) : undefined;
  t.checks.push({ name, ...(column !== undefined ? { notNullColumn: column } : {}), validated });
}

function addIndex(t: SchemaTable, o: SchemaObject): void {
  // An index a failed CREATE INDEX CONCURRENTLY left behind serves no lookup.
  if (o.attrs.indexValid === false) return;
  const parsed = indexColumns(String(o.attrs.definition ?? ""));
  const index: SchemaIndex = {
    name: o.name.slice(o.name.indexOf(".") + 1), // schema.index
    columns: parsed?.columns ?? [null],
    unique: o.attrs.unique === true,
    partial: parsed === null || parsed.partial,
  };
  t.indexes.push(index);
}

/**
 * The key columns of `CREATE [UNIQUE] INDEX n ON [ONLY] t USING m (k1, k2 DESC, (expr)) [INCLUDE
 * (…)] [NULLS NOT DISTINCT] [WITH (…)] [WHERE …]` (pg_get_indexdef): a plain column name, or
 * null for an expression. Null when the definition does not read that way.
 */
export function indexColumns(
  def: string,
): { columns: Array<string | null>; partial: boolean } | null {
  const using = / USING [a-z_][a-z0-9_]* \(/.exec(def);
  if (!using) return null;
  const parts: string[] = [];
  let depth = 1;
  let quoted = false;
  let start = using.index + using[0].length;
  let i = start;
  for (; i < def.length && depth > 0; i++) {
    const c = def[i]!;
    if (c === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 1) {
      parts.push(def.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (depth !== 0) return null;
  parts.push(def.slice(start, i - 1).trim());
  const columns = parts.map((p) => {
    const m = /^(?:"((?:[^"]|"")+)"|([a-z_][a-z0-9_$]*))(?:\s+(?!\()[^(]*)?$/.exec(p);
    return m ? (m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!) : null;
  });
  return { columns, partial: / WHERE /.test(def.slice(i)) };
}

/**
 * The catalog of a replay's base state: none when the merged history did not apply whole (a
 * failed base, an abort before the change ran), so the rules fall back to the static model.
 */
export function replayCatalog(
  result: { baseSchema?: Schema; baseFailure?: unknown } | null | undefined,
  dialect: Dialect,
): MergedSchema | null {
  if (!result?.baseSchema || result.baseFailure) return null;
  return catalogSchema(result.baseSchema, dialect);
}

/**
 * What one directory's replay tells the SQL rules about its base: the catalog, or else the merged
 * files the replay read anyway (the app reads them only for the replay: no second request).
 */
export function baseFacts(
  directory: DirectoryConfig,
  readBase: ReadBase,
): { readBase: ReadBase; facts(catalog: MergedSchema | null | undefined): DynamicBase } {
  const read = new Map<string, Uint8Array>();
  return {
    readBase: async (files) => {
      const bytes = await readBase(files);
      files.forEach((f, i) => {
        if (bytes[i]) read.set(f.path, bytes[i]!);
      });
      return bytes;
    },
    facts: (catalog) => ({
      directory: directory.path,
      ...(catalog ? { catalog } : read.size > 0 ? { mergedUps: read } : {}),
    }),
  };
}
