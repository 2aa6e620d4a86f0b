/**
 * What a schema fingerprint needs from a database: one function that runs a read-only query on
 * the system catalogs. The sandbox engines pass their own connection; drift detection passes a
 * read-only connection to a live database. The fingerprints only SELECT from catalogs
 * (pg_catalog, information_schema, sqlite_schema and its pragmas) and MariaDB sequences (their
 * settings, mysql-more.ts; reading one does not advance it): nothing they run writes,
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
export interface CatalogQuery {
  (sql: string, params?: readonly AttrValue[]): Promise<CatalogRows>;
  /**
   * Where the connection can: parameter-free statements sent in one round trip (Postgres: one
   * simple-protocol Query message), one result per statement, in order. Postgres runs them in
   * one implicit transaction unless the connection is already inside a transaction block, and
   * times each statement on its own (a connection to a server before 13, which timed the whole
   * message, offers no batch). The fingerprint falls back to one query at a time without it.
   */
  batch?: CatalogBatch;
}

export type CatalogBatch = (statements: readonly string[]) => Promise<CatalogBatchResult>;

export interface CatalogBatchResult {
  results: CatalogRows[];
  /**
   * The connection is inside a transaction block after the batch (so the batch did not end in a
   * transaction of its own). True when the connection cannot tell.
   */
  inTransaction: boolean;
}

/** A CatalogQuery with a batch, when there is one. */
export function catalogQuery(
  query: (sql: string, params?: readonly AttrValue[]) => Promise<CatalogRows>,
  batch?: CatalogBatch,
): CatalogQuery {
  const q: CatalogQuery = (sql, params) => query(sql, params);
  if (batch) q.batch = batch;
  return q;
}

/**
 * The statements of a batch as one Query message's text. Each statement is the fingerprint's own
 * constant SQL; a trailing line comment in one must not swallow the separator.
 */
export function batchText(statements: readonly string[]): string {
  return statements.join("\n;\n");
}

/** A batch's answers, checked: one per statement, or the batch is refused (never misaligned). */
export function batchResults(statements: readonly string[], results: CatalogRows[]): CatalogRows[] {
  if (results.length !== statements.length)
    throw new Error(
      `a catalog batch of ${statements.length} statements returned ${results.length} results`,
    );
  return results;
}

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
