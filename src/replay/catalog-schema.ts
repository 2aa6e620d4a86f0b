/**
 * The replay's base-state catalog as schema facts for the SQL rules (core/schema/merged.ts): what
 * the database did with the merged history, including what the static model cannot follow (DO
 * blocks, functions, dynamic SQL). Postgres and SQLite. Not MySQL: its fingerprint lacks facts
 * the MySQL rules compare (column comments, character sets and types as written), so the app reads
 * the merged files for the static model instead (replay/check.ts).
 *
 * Only facts the fingerprint states are given; anything it does not read well (an index
 * definition it cannot split, a NOT NULL constraint that is not validated) is left out or makes
 * the table unknown, so a rule falls back to judging the text (fail closed).
 */
import type { DirectoryConfig } from "../config/types.js";
import type { DynamicBase } from "../core/analyze.js";
import { MergedSchema, type SchemaIndex, type SchemaTable } from "../core/schema/merged.js";
import type { Dialect } from "../core/types.js";
import type { BaseFile, ReadBase } from "./jobs.js";
import { nameParts, type Schema, type SchemaObject } from "./schema.js";

/** The schema facts of a base-state fingerprint, or null when the dialect is not read. */
export function catalogSchema(fingerprint: Schema, dialect: Dialect): MergedSchema | null {
  if (dialect === "sqlite") return sqliteCatalogSchema(fingerprint);
  if (dialect !== "postgres") return null;
  const tables = new Map<string, SchemaTable>();
  const objects = Object.values(fingerprint);
  for (const o of objects) {
    if (o.kind !== "table") continue;
    const dot = splitQualified(o.name);
    if (!dot) continue;
    tables.set(o.name, {
      name: dot,
      columns: new Map(),
      checks: [],
      indexes: [],
      ...(o.attrs.partitionKey !== undefined ? { partitioned: true as const } : {}),
    });
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
  const dot = splitQualified(o.name);
  if (!dot) return;
  const quote = (n: string) => `"${n.replace(/"/g, '""')}"`;
  schema.routines.observe(
    `CREATE FUNCTION ${quote(dot.schema)}.${quote(dot.name)}(${args}) RETURNS void ` +
      `LANGUAGE sql ${volatility.toUpperCase()} AS ''`,
  );
}

/** `schema.name` as the fingerprint writes it (a part holding a dot quoted; a function's arguments after it). */
function splitQualified(name: string): { schema: string; name: string } | null {
  const { parts } = nameParts(name);
  return parts.length === 2 && parts[0] !== "" ? { schema: parts[0]!, name: parts[1]! } : null;
}

/** An object's own name within its table's (`"a.b"` → a.b). */
function local(o: SchemaObject): string {
  return unquoted(o.name.slice(o.table!.length + 1));
}

/** One part of a fingerprint's name as the database spells it; a made-up one (`pkey(a)`) as is. */
function unquoted(part: string): string {
  const { parts, rest } = nameParts(part);
  return parts.length === 1 && rest === "" ? parts[0]! : part;
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
    ...generatedOf(o),
  });
}

function generatedOf(o: SchemaObject): { generated?: "stored" | "virtual" } {
  const g = o.attrs.generated;
  return g === "stored" || g === "virtual" ? { generated: g } : {};
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
    name: splitQualified(o.name)?.name ?? o.name, // schema.index
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
 * SQLite's fingerprint (fingerprint/sqlite.ts) as the static model names it: tables unqualified
 * (the main database), columns by name with their nullability, and the indexes behind PRIMARY KEY
 * and UNIQUE constraints and CREATE INDEX. The SQLite rules read the column list (drop-column's
 * rebuild that leaves one behind) and nullability (dml-without-where's `IS NOT NULL`).
 *
 * CHECK and foreign key constraints are not given: the fingerprint keeps them as text, no SQLite
 * rule reads them, and SQLite cannot drop one by name.
 */
function sqliteCatalogSchema(fingerprint: Schema): MergedSchema {
  const tables = new Map<string, SchemaTable>();
  const objects = Object.values(fingerprint);
  for (const o of objects)
    if (o.kind === "table")
      tables.set(o.name, {
        name: { name: unquoted(o.name) },
        columns: new Map(),
        checks: [],
        indexes: [],
      });
  const schema = new MergedSchema("sqlite", "catalog");
  const owned = (kind: SchemaObject["kind"]) =>
    objects.flatMap((o) => {
      const t = o.kind === kind && o.table !== undefined ? tables.get(o.table) : undefined;
      return t ? [{ o, t }] : [];
    });
  // Columns first: an index's key columns are looked up among them.
  for (const { o, t } of [...owned("column"), ...owned("constraint"), ...owned("index")]) {
    if (o.kind === "column") {
      // A virtual table's hidden columns (FTS5's rank, the table-named one) hold no data and
      // are not part of `SELECT *`; generated columns are, as the static model lists them.
      if (o.attrs.generated === "hidden") continue;
      const name = local(o);
      const def = o.attrs.default;
      t.columns.set(schema.key(name), {
        name,
        dataType: String(o.attrs.type ?? ""),
        // A rowid table lets a key that is not INTEGER PRIMARY KEY hold NULL (SQLite's legacy
        // quirk), but the static model counts every key column NOT NULL: the same answer here,
        // and it is the side that reports (dml-without-where).
        notNull: o.attrs.notNull === true || o.attrs.primaryKey !== undefined,
        ...(typeof def === "string" ? { default: def } : {}),
        ...generatedOf(o),
      });
    } else if (
      o.kind === "constraint" &&
      (o.attrs.type === "primary key" || o.attrs.type === "unique")
    ) {
      const def = String(o.attrs.definition ?? "");
      const list = def.slice(def.indexOf("(") + 1, def.lastIndexOf(")"));
      t.indexes.push({ columns: sqliteIndexColumns(t, list), unique: true, partial: false });
    } else if (o.kind === "index") {
      const def = String(o.attrs.definition ?? "");
      const open = `ON ${t.name.name} (`;
      const list = def.startsWith(open) && def.endsWith(")") ? def.slice(open.length, -1) : null;
      t.indexes.push({
        name: unquoted(o.name),
        columns: list === null ? [null] : sqliteIndexColumns(t, list),
        unique: o.attrs.unique === true,
        partial: o.attrs.partial !== false,
      });
    }
  }
  // INTEGER PRIMARY KEY is the rowid itself: no automatic index lists it, but it is the key.
  const keyed = new Set(
    owned("constraint").flatMap(({ o, t }) => (o.attrs.type === "primary key" ? [t] : [])),
  );
  const rowidKeys = new Map<SchemaTable, Array<[number, string]>>();
  for (const { o, t } of owned("column"))
    if (typeof o.attrs.primaryKey === "number" && !keyed.has(t))
      rowidKeys.set(t, [...(rowidKeys.get(t) ?? []), [o.attrs.primaryKey, local(o)]]);
  for (const [t, cols] of rowidKeys)
    t.indexes.push({
      columns: cols.sort((a, b) => a[0] - b[0]).map(([, c]) => c),
      unique: true,
      partial: false,
    });
  for (const t of tables.values()) schema.addTable(t);
  return schema;
}

/**
 * The key columns of a fingerprint's index list (`a, b DESC, c COLLATE NOCASE, (expression)`): a
 * column of the table, or null for an expression. The list is split on the table's own column
 * names (one may hold `, `), longest first; a list that does not split that way is one unknown
 * column, as the static model has an index it cannot read.
 */
function sqliteIndexColumns(t: SchemaTable, list: string): Array<string | null> {
  const names = [
    "(expression)",
    ...[...t.columns.values()].map((c) => c.name).sort((a, b) => b.length - a.length),
  ];
  const out: Array<string | null> = [];
  let rest = list;
  while (rest.length > 0) {
    let after: RegExpExecArray | null = null;
    const name = names.find(
      (n) => rest.startsWith(n) && (after = INDEX_KEY_END.exec(rest.slice(n.length))) !== null,
    );
    if (name === undefined || after === null) return [null];
    out.push(name === "(expression)" ? null : name);
    rest = rest.slice(name.length + (after as RegExpExecArray)[0].length);
  }
  return out;
}

/** What follows a key column in the fingerprint's list: its order, its collation, the next one. */
const INDEX_KEY_END = /^(?: DESC)?(?: COLLATE [^ ,]+)?(?:, |$)/;

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
 *
 * `readRest` reads the merged up files the replay did not, for a replay that gives no catalog (a
 * dialect without one, a base that does not apply, a replay skipped or cut short): the rules are
 * then judged with the static model (core/analyze.ts), which wants every merged up file. A fresh
 * run reads those it applies; one answered by the cache (a cached failure, a cached state before
 * it) reads none of those, so without this the findings would depend on what the cache held:
 * rules that stay silent without a schema (fk-without-index, dml-without-where's NOT NULL key)
 * would pass a change on the second evaluation that the first one flagged. A read that failed is
 * not tried again: judged without them, as before.
 */
export function baseFacts(
  directory: DirectoryConfig,
  readBase: ReadBase,
): {
  readBase: ReadBase;
  readRest(files: readonly BaseFile[]): Promise<void>;
  facts(catalog: MergedSchema | null | undefined): DynamicBase;
} {
  const read = new Map<string, Uint8Array>();
  let failed = false;
  const tracked: ReadBase = async (files) => {
    const bytes = await readBase(files).catch((e: unknown) => {
      failed = true;
      throw e;
    });
    files.forEach((f, i) => {
      if (bytes[i]) read.set(f.path, bytes[i]!);
    });
    return bytes;
  };
  return {
    readBase: tracked,
    readRest: async (files) => {
      const rest = files.filter((f) => !read.has(f.path));
      if (failed || rest.length === 0) return;
      await tracked(
        rest.map((f) => (f.oid === undefined ? { path: f.path } : { path: f.path, oid: f.oid })),
      ).catch(() => undefined);
    },
    facts: (catalog) => ({
      directory: directory.path,
      ...(catalog ? { catalog } : read.size > 0 ? { mergedUps: read } : {}),
    }),
  };
}
