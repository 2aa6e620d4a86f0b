/**
 * The SQLite schema fingerprint, compared structurally (issue 14): tables (WITHOUT ROWID,
 * STRICT, AUTOINCREMENT, CHECK constraints), columns (type, nullability, default, primary key,
 * generated), primary key and UNIQUE constraints (from their automatic indexes), foreign keys
 * (the referenced columns resolved, so `REFERENCES t` equals `REFERENCES t(id)`, with their
 * actions and whether they are deferred), ON CONFLICT clauses, columns' COLLATE and generation
 * expressions (sqlite-ddl.ts), indexes (columns, order, collation, uniqueness, partial
 * condition), views and triggers. Text that has to be compared (types, defaults, CHECK and WHERE conditions, view and
 * trigger bodies) is compared token by token, with keyword case and identifier quoting folded,
 * so how a migration wrote the DDL (quoting, case, where a constraint is declared) is not a
 * difference. Runs over any connection: the sql.js sandbox, or a live database file.
 */
import { tokenize, type Token } from "../../core/sql/lexer.js";
import { namePart, schemaOf, type AttrValue, type Schema, type SchemaObject } from "../schema.js";
import { text, type CatalogQuery } from "./catalog.js";
import { tableClauses } from "./sqlite-ddl.js";

const SIMPLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One token as compared: words and simple quoted identifiers upper-cased, unquoted. */
function canonical(t: Token, src: string): string {
  if (t.kind === "word") return t.text;
  if (t.kind === "quoted-ident") {
    const inner = src.slice(t.start + 1, t.end - 1);
    return SIMPLE.test(inner) ? inner.toUpperCase() : src.slice(t.start, t.end);
  }
  return src.slice(t.start, t.end);
}

/** SQL text as canonical tokens joined by single spaces (comments and layout dropped). */
export function canonicalSql(sql: AttrValue): AttrValue {
  if (typeof sql !== "string") return sql;
  return tokenize(sql, "sqlite")
    .map((t) => canonical(t, sql))
    .join(" ");
}

/** A default as compared: `(0)` and `0`, `current_timestamp` and `CURRENT_TIMESTAMP` are equal. */
function canonicalDefault(def: AttrValue): AttrValue {
  if (typeof def !== "string") return def;
  let c = String(canonicalSql(def));
  while (c.startsWith("( ") && c.endsWith(" )") && balanced(c.slice(2, -2))) c = c.slice(2, -2);
  return c;
}

function balanced(s: string): boolean {
  let depth = 0;
  for (const ch of s) {
    if (ch === "(") depth++;
    else if (ch === ")" && --depth < 0) return false;
  }
  return depth === 0;
}

/** The CHECK constraints of a CREATE TABLE, canonical and sorted (their placement does not matter). */
function checks(sql: string): string[] {
  const toks = tokenize(sql, "sqlite");
  const out: string[] = [];
  for (let i = 0; i + 1 < toks.length; i++) {
    if (!(toks[i]!.kind === "word" && toks[i]!.text === "CHECK" && toks[i + 1]!.text === "("))
      continue;
    let depth = 0;
    let j = i + 1;
    for (; j < toks.length; j++) {
      if (toks[j]!.text === "(" && toks[j]!.kind === "punct") depth++;
      else if (toks[j]!.text === ")" && toks[j]!.kind === "punct" && --depth === 0) break;
    }
    out.push(
      toks
        .slice(i + 2, j)
        .map((t) => canonical(t, sql))
        .join(" "),
    );
    i = j;
  }
  return out.sort();
}

/** The condition of a partial index (`… WHERE cond`), canonical. */
function whereOf(sql: string): string | null {
  const toks = tokenize(sql, "sqlite");
  let depth = 0;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.kind === "punct" && t.text === "(") depth++;
    else if (t.kind === "punct" && t.text === ")") depth--;
    else if (depth === 0 && t.kind === "word" && t.text === "WHERE")
      return toks
        .slice(i + 1)
        .map((x) => canonical(x, sql))
        .join(" ");
  }
  return null;
}

export async function sqliteFingerprint(query: CatalogQuery): Promise<Schema> {
  const rows = async (sql: string, params: AttrValue[] = []) => (await query(sql, params)).rows;
  const objects: SchemaObject[] = [];
  const s = text;
  // WITHOUT ROWID and STRICT (pragma_table_list: SQLite 3.37+; older servers have no STRICT).
  const tableFlags = new Map<string, { wr: boolean; strict: boolean }>();
  try {
    for (const [name, wr, strict] of await rows(
      "SELECT name, wr, strict FROM pragma_table_list WHERE schema = 'main'",
    ))
      tableFlags.set(s(name), { wr: wr === 1, strict: strict === 1 });
  } catch {
    // Older SQLite: WITHOUT ROWID shows in the primary key's index origin below.
  }
  const pkColumns = async (table: string): Promise<string[]> =>
    (await rows("SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", [table])).map(
      ([c]) => s(c),
    );
  const indexColumns = async (index: string): Promise<string> =>
    (
      await rows(
        'SELECT name, "desc", coll FROM pragma_index_xinfo(?) WHERE "key" = 1 ORDER BY seqno',
        [index],
      )
    )
      .map(
        ([c, desc, coll]) =>
          `${c === null ? "(expression)" : s(c)}${desc === 1 ? " DESC" : ""}${s(coll).toUpperCase() === "BINARY" ? "" : ` COLLATE ${s(coll)}`}`,
      )
      .join(", ");

  for (const [type, name, table, sql] of await rows(
    "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
  )) {
    const n = s(name);
    // The fingerprint's name: a name holding a dot or a quote is quoted (schema.ts namePart).
    const q = namePart(n);
    if (type === "table") {
      const ddl = s(sql);
      const flags = tableFlags.get(n);
      const clauses = tableClauses(ddl, canonical);
      const attrs: Record<string, AttrValue> = {
        checks: checks(ddl).join(" | ") || null,
        autoincrement: tokenize(ddl, "sqlite").some(
          (t) => t.kind === "word" && t.text === "AUTOINCREMENT",
        ),
      };
      if (flags) {
        attrs.withoutRowid = flags.wr;
        attrs.strict = flags.strict;
      }
      // Only when there are some: an ordinary table reads as it always did.
      if (clauses.onConflict.length > 0) attrs.onConflict = clauses.onConflict.join(", ");
      objects.push({ kind: "table", name: q, attrs });
      for (const [col, ctype, notNull, def, pk, hidden] of await rows(
        'SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?)',
        [n],
      )) {
        const attrs: Record<string, AttrValue> = {
          type: canonicalSql(s(ctype)),
          notNull: notNull === 1,
          default: canonicalDefault(def ?? null),
        };
        if (pk !== 0) attrs.primaryKey = Number(pk);
        if (hidden !== 0)
          attrs.generated = hidden === 2 ? "virtual" : hidden === 3 ? "stored" : "hidden";
        const declared = clauses.columns.get(s(col).toLowerCase());
        if (declared?.generatedAs !== undefined) attrs.generatedAs = declared.generatedAs;
        if (declared?.collation !== undefined && declared.collation !== "BINARY")
          attrs.collation = declared.collation;
        objects.push({ kind: "column", name: `${q}.${namePart(s(col))}`, table: q, attrs });
      }
      // PRIMARY KEY and UNIQUE constraints, inline or table-level: their automatic indexes.
      for (const [index, unique, origin] of await rows(
        "SELECT name, \"unique\", origin FROM pragma_index_list(?) WHERE origin IN ('pk', 'u')",
        [n],
      )) {
        const cols = await indexColumns(s(index));
        const kind = origin === "pk" ? "primary key" : "unique";
        objects.push({
          kind: "constraint",
          name: `${q}.${kind === "primary key" ? "pkey" : "unique"}(${cols})`,
          table: q,
          attrs: {
            type: kind,
            definition: `${kind.toUpperCase()} (${cols})`,
            unique: unique === 1,
          },
        });
      }
      const fks = new Map<
        number,
        {
          from: string[];
          to: Array<string | null>;
          ref: string;
          onUpdate: string;
          onDelete: string;
          match: string;
        }
      >();
      for (const [id, ref, from, to, onUpdate, onDelete, match] of await rows(
        'SELECT id, "table", "from", "to", on_update, on_delete, "match" FROM pragma_foreign_key_list(?) ORDER BY id, seq',
        [n],
      )) {
        const fk = fks.get(Number(id)) ?? {
          from: [],
          to: [],
          ref: s(ref),
          onUpdate: s(onUpdate),
          onDelete: s(onDelete),
          match: s(match),
        };
        fk.from.push(s(from));
        fk.to.push(to === null ? null : s(to));
        fks.set(Number(id), fk);
      }
      for (const fk of fks.values()) {
        // `REFERENCES t` means t's primary key: resolve it so both spellings compare equal.
        const pk = fk.to.some((c) => c === null) ? await pkColumns(fk.ref) : [];
        const to = fk.to.map((c, i) => c ?? pk[i] ?? "(primary key)");
        const ref = fk.ref.toLowerCase();
        const definition = `FOREIGN KEY (${fk.from.join(", ")}) REFERENCES ${ref}(${to.join(", ")}) ON UPDATE ${fk.onUpdate} ON DELETE ${fk.onDelete}${fk.match && fk.match !== "NONE" ? ` MATCH ${fk.match}` : ""}`;
        const attrs: Record<string, AttrValue> = { type: "foreign key", definition };
        // Checked at COMMIT, not at each statement.
        if (clauses.deferredForeignKeys.has(fk.from.join(",").toLowerCase())) attrs.deferred = true;
        objects.push({
          kind: "constraint",
          name: `${q}.fk(${fk.from.join(",")})`,
          table: q,
          attrs,
        });
      }
    } else if (type === "index") {
      const [info] = await rows(
        'SELECT il."unique", il.partial FROM pragma_index_list(?) il WHERE il.name = ?',
        [s(table), n],
      );
      const cols = await indexColumns(n);
      const attrs: Record<string, AttrValue> = {
        definition: `ON ${s(table)} (${cols})`,
        unique: info?.[0] === 1,
        partial: info?.[1] === 1,
      };
      if (info?.[1] === 1) attrs.where = whereOf(s(sql));
      // Expression columns: their text is only in the CREATE INDEX statement.
      if (cols.includes("(expression)")) attrs.expressions = canonicalSql(s(sql));
      objects.push({ kind: "index", name: q, table: namePart(s(table)), attrs });
    } else if (type === "view" || type === "trigger") {
      const o: SchemaObject = {
        kind: type,
        name: q,
        attrs: { definition: canonicalSql(sql ?? null) },
      };
      if (type === "trigger") o.table = namePart(s(table));
      objects.push(o);
    }
  }
  return schemaOf(objects);
}
