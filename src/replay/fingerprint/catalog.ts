/**
 * What a schema fingerprint needs from a database: one function that runs a read-only query on
 * the system catalogs. The sandbox engines pass their own connection; drift detection passes a
 * read-only connection to a live database. The fingerprints only SELECT from catalogs
 * (pg_catalog, information_schema, sqlite_schema and its pragmas): nothing they run writes,
 * executes user code (view bodies, functions, defaults are read as text), or locks beyond what a
 * catalog read takes.
 */
import type { AttrValue } from "../schema.js";

/** A query's answer: column names and rows as arrays in select-list order. */
export interface CatalogRows {
  columns: string[];
  rows: AttrValue[][];
}

/**
 * Runs one catalog query. Parameters are positional, in the database's own placeholder syntax
 * (`$1` for Postgres, `?` for MySQL and SQLite).
 */
export type CatalogQuery = (sql: string, params?: readonly AttrValue[]) => Promise<CatalogRows>;

export type CatalogRecord = Record<string, AttrValue>;

/** Rows as objects keyed by column name (for `SELECT *` on catalogs whose columns vary by server). */
export function records(result: CatalogRows): CatalogRecord[] {
  return result.rows.map((row) => {
    const r: CatalogRecord = {};
    result.columns.forEach((c, i) => (r[c] = row[i] ?? null));
    return r;
  });
}

/** A catalog value as text ("" for NULL). */
export function text(v: AttrValue | undefined): string {
  return v === null || v === undefined ? "" : String(v);
}

/** A catalog value that may be NULL. */
export function nullable(v: AttrValue | undefined): AttrValue {
  return v === undefined ? null : v;
}
