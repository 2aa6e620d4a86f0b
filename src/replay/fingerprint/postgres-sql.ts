/**
 * SQL pieces every Postgres catalog read shares (postgres.ts, postgres-more.ts): which schemas are
 * the migrations', how a name is quoted, what belongs to an extension, and the shape of one read.
 */
import type { AttrValue, SchemaObject } from "../schema.js";

/** Schemas migrations can create objects in (a WHERE condition on pg_namespace `n`). */
export const USER_NAMESPACES = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'`;

/**
 * Catalog names (`name` expressions) as the parts of one qualified name, quoted as namePart
 * (../schema.ts) quotes them: the quoting happens in the query so every read names objects alike.
 */
export function qn(...exprs: string[]): string {
  return exprs
    .map(
      (e) =>
        `CASE WHEN ${e} ~ '[."(]' THEN '"' || replace(${e}, '"', '""') || '"' ELSE ${e}::text END`,
    )
    .join(" || '.' || ");
}

/** The object `alias` (in `catalog`) is not a member of an extension. */
export const notExt = (catalog: string, alias: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend dx WHERE dx.classid = '${catalog}'::regclass AND dx.objid = ${alias}.oid AND dx.deptype = 'e')`;

/** One catalog read: its SQL (parameter-free) and what its rows add to the fingerprint. */
export interface CatalogRead {
  sql: string;
  add(rows: AttrValue[][], objects: SchemaObject[]): void;
}
