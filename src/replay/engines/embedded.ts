/**
 * What the embedded engines are, without loading them: their pinned versions (part of the
 * replay cache key; test/replay/units.test.ts keeps them equal to package.json) and the
 * extensions PGlite bundles. Importing this costs nothing; the engines load in the worker.
 */
export const PGLITE_VERSION = "0.5.16";
export const SQLJS_VERSION = "1.16.0";

/**
 * Extensions the sandbox can install (PGlite's contrib bundles), by the name CREATE EXTENSION
 * uses → the contrib module that provides it. file_fdw is left out on purpose: it reads files.
 */
export const CONTRIB: Record<string, string> = {
  amcheck: "amcheck",
  auto_explain: "auto_explain",
  bloom: "bloom",
  btree_gin: "btree_gin",
  btree_gist: "btree_gist",
  citext: "citext",
  cube: "cube",
  dict_int: "dict_int",
  dict_xsyn: "dict_xsyn",
  earthdistance: "earthdistance",
  fuzzystrmatch: "fuzzystrmatch",
  hstore: "hstore",
  intarray: "intarray",
  isn: "isn",
  lo: "lo",
  ltree: "ltree",
  moddatetime: "moddatetime",
  pageinspect: "pageinspect",
  pg_buffercache: "pg_buffercache",
  pg_freespacemap: "pg_freespacemap",
  pg_stat_statements: "pg_stat_statements",
  pg_surgery: "pg_surgery",
  pg_trgm: "pg_trgm",
  pg_visibility: "pg_visibility",
  pg_walinspect: "pg_walinspect",
  pgcrypto: "pgcrypto",
  seg: "seg",
  tablefunc: "tablefunc",
  tcn: "tcn",
  tsm_system_rows: "tsm_system_rows",
  tsm_system_time: "tsm_system_time",
  unaccent: "unaccent",
  "uuid-ossp": "uuid_ossp",
};
/** CREATE EXTENSION … CASCADE needs these too. */
export const REQUIRES: Record<string, string[]> = { earthdistance: ["cube"] };

export function availableExtensions(): string[] {
  return Object.keys(CONTRIB).sort();
}
