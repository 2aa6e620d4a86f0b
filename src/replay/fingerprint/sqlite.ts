/**
 * The SQLite schema fingerprint, from sqlite_schema and the table pragmas: tables (with their
 * CREATE text as a fallback attribute), columns (type, nullability, default, primary key,
 * generated), foreign keys, indexes, views, triggers. Runs over any connection: the sql.js
 * sandbox, or a live database file opened read-only.
 */
import { schemaOf, type AttrValue, type Schema, type SchemaObject } from "../schema.js";
import { text, type CatalogQuery } from "./catalog.js";

/** SQL text with whitespace runs folded, so formatting alone is not a difference. */
function normalizeSql(sql: AttrValue): AttrValue {
  return typeof sql === "string" ? sql.replace(/\s+/g, " ").trim() : sql;
}

export async function sqliteFingerprint(query: CatalogQuery): Promise<Schema> {
  const rows = async (sql: string, params: AttrValue[] = []) => (await query(sql, params)).rows;
  const objects: SchemaObject[] = [];
  const s = text;
  for (const [type, name, table, sql] of await rows(
    "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
  )) {
    const n = s(name);
    if (type === "table") {
      objects.push({
        kind: "table",
        name: n,
        attrs: { "~definition": normalizeSql(sql ?? null) },
      });
      for (const [col, ctype, notNull, def, pk, hidden] of await rows(
        'SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?)',
        [n],
      )) {
        const attrs: Record<string, AttrValue> = {
          type: s(ctype),
          notNull: notNull === 1,
          default: def ?? null,
        };
        if (pk !== 0) attrs.primaryKey = Number(pk);
        if (hidden !== 0)
          attrs.generated = hidden === 2 ? "virtual" : hidden === 3 ? "stored" : "hidden";
        objects.push({ kind: "column", name: `${n}.${s(col)}`, table: n, attrs });
      }
      const fks = new Map<
        number,
        { from: string[]; to: string[]; ref: string; onUpdate: string; onDelete: string }
      >();
      for (const [id, ref, from, to, onUpdate, onDelete] of await rows(
        'SELECT id, "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq',
        [n],
      )) {
        const fk = fks.get(Number(id)) ?? {
          from: [],
          to: [],
          ref: s(ref),
          onUpdate: s(onUpdate),
          onDelete: s(onDelete),
        };
        fk.from.push(s(from));
        fk.to.push(to === null ? "(primary key)" : s(to));
        fks.set(Number(id), fk);
      }
      for (const fk of fks.values()) {
        const definition = `FOREIGN KEY (${fk.from.join(", ")}) REFERENCES ${fk.ref}(${fk.to.join(", ")}) ON UPDATE ${fk.onUpdate} ON DELETE ${fk.onDelete}`;
        objects.push({
          kind: "constraint",
          name: `${n}.fk(${fk.from.join(",")})`,
          table: n,
          attrs: { type: "foreign key", definition },
        });
      }
    } else if (type === "index") {
      const [info] = await rows(
        `SELECT il."unique", il.origin, il.partial,
                (SELECT group_concat(coalesce(ii.name, '(expression)'), ', ') FROM pragma_index_info(il.name) ii)
           FROM pragma_index_list(?) il WHERE il.name = ?`,
        [s(table), n],
      );
      objects.push({
        kind: "index",
        name: n,
        table: s(table),
        attrs: {
          definition:
            normalizeSql(sql ?? null) ?? `(${String(info?.[1] ?? "auto")}) ${s(info?.[3])}`,
          unique: info?.[0] === 1,
          partial: info?.[2] === 1,
        },
      });
    } else if (type === "view" || type === "trigger") {
      const o: SchemaObject = {
        kind: type,
        name: n,
        attrs: { definition: normalizeSql(sql ?? null) },
      };
      if (type === "trigger") o.table = s(table);
      objects.push(o);
    }
  }
  return schemaOf(objects);
}
