/**
 * The Postgres schema fingerprint, from pg_catalog: schemas, extensions, tables (persistence,
 * row-level security, options, partitioning), views and materialized views (definition), columns
 * (type, nullability, default, identity, generated, collation), indexes (definition, validity),
 * constraints (definition, NOT VALID, deferrability), enums, domains, composite and range types,
 * functions (definition digest), triggers, rewrite rules, sequences, policies. System schemas and objects that
 * belong to an extension are left out: they are the server's or the extension's, not the
 * migrations'; each extension lists them (`members`), so one added to it by hand still shows. Runs over any connection (PGlite, a replay server, a live database read-only).
 */
import { namePart, schemaOf, type AttrValue, type Schema, type SchemaObject } from "../schema.js";
import { batchResults, nullable, text, type CatalogBatch, type CatalogQuery } from "./catalog.js";
import { definitionDigest } from "./normalize.js";
import { MORE_READS } from "./postgres-more.js";
import { notExt, qn, USER_NAMESPACES, type CatalogRead } from "./postgres-sql.js";

export { USER_NAMESPACES } from "./postgres-sql.js";
const USER_NS = USER_NAMESPACES;

/** pg_class.relkind in the words reports use ("materialized view"); other kinds as they are. */
const RELATION_KINDS: Record<string, string> = {
  r: "table",
  p: "table",
  v: "view",
  m: "materialized view",
  f: "foreign table",
  i: "index",
  I: "index",
  S: "sequence",
  c: "composite type",
};

export function relationKindName(relkind: string): string {
  return RELATION_KINDS[relkind] ?? relkind;
}

/**
 * The fingerprint, read with `search_path` set to pg_catalog alone: a function or operator that a
 * schema earlier in the search path defines under a built-in's name (public.pg_get_indexdef, an
 * `=` for name and text) could otherwise answer in the catalog's place and hide a difference.
 *
 * With a batch (CatalogQuery.batch) the setting and every catalog read go in one round trip: the
 * setting is made for the transaction only (`set_config(…, true)`), so the batch's own implicit
 * transaction ends it, and a batch that fails takes it back. Postgres analyses each statement of
 * a Query message only when it runs it, so the reads after the setting resolve names in
 * pg_catalog alone. Inside a transaction block (drift's read-only transaction, a migration that
 * left one open) the setting would outlive the batch: it is then put back (for the transaction
 * too), unless it already was pg_catalog. Without a batch: one query at a time, the setting saved,
 * set and put back around them.
 */
export async function postgresFingerprint(query: CatalogQuery): Promise<Schema> {
  const rows = query.batch ? await readBatched(query, query.batch) : await readOneByOne(query);
  const objects: SchemaObject[] = [];
  READS.forEach((read, i) => read.add(rows[i] ?? [], objects));
  return schemaOf(objects);
}

const SAVE_SEARCH_PATH = "SELECT pg_catalog.current_setting('search_path')";

async function readBatched(query: CatalogQuery, batch: CatalogBatch): Promise<AttrValue[][][]> {
  const statements = [
    SAVE_SEARCH_PATH,
    "SELECT pg_catalog.set_config('search_path', 'pg_catalog', true)",
    ...READS.map((r) => r.sql),
  ];
  const { results, inTransaction } = await batch(statements);
  const [saved, , ...reads] = batchResults(statements, results);
  const before = text(saved?.rows[0]?.[0]);
  if (inTransaction && before !== "pg_catalog")
    await query("SELECT pg_catalog.set_config('search_path', $1, true)", [before]);
  return reads.map((r) => r.rows);
}

async function readOneByOne(query: CatalogQuery): Promise<AttrValue[][][]> {
  const [row] = (await query(SAVE_SEARCH_PATH)).rows;
  await query("SELECT pg_catalog.set_config('search_path', 'pg_catalog', false)");
  try {
    const rows: AttrValue[][][] = [];
    for (const read of READS) rows.push((await query(read.sql)).rows);
    return rows;
  } finally {
    await query("SELECT pg_catalog.set_config('search_path', $1, false)", [String(row?.[0] ?? "")]);
  }
}

const s = text;
const opt = nullable;
const relFrom = `FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_NS} AND ${notExt("pg_class", "c")}`;

/** Every read, in the order the fingerprint's objects are collected. */
const READS: CatalogRead[] = [
  {
    sql: `SELECT ${qn("n.nspname")} FROM pg_namespace n WHERE ${USER_NS} AND ${notExt("pg_namespace", "n")}`,
    add(rows, objects) {
      for (const [name] of rows) objects.push({ kind: "schema", name: s(name), attrs: {} });
    },
  },
  {
    // With its members (what the reads below leave out as the extension's): schemas and what
    // lies in the schemas the fingerprint reads (not languages or casts, which it does not read,
    // and which the sandbox's build may record differently). `ALTER EXTENSION e ADD TABLE t`
    // hides t from every other read, so drift compares the membership itself (drift/compare.ts).
    // pg_identify_object, not pg_describe_object: its words are not translated (lc_messages).
    sql: `SELECT e.extname, e.extversion, n.nspname,
              (SELECT string_agg(o.type || ': ' || o.identity, E'\\n')
                 FROM pg_depend d CROSS JOIN LATERAL pg_identify_object(d.classid, d.objid, d.objsubid) o
                WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid AND d.deptype = 'e'
                  AND (o.type = 'schema' OR (o.schema NOT IN ('pg_catalog', 'information_schema')
                                               AND o.schema !~ '^pg_(toast|temp_)')))
         FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace`,
    add(rows, objects) {
      for (const [name, version, schema, members] of rows)
        objects.push({
          kind: "extension",
          name: s(name),
          attrs: {
            version: s(version),
            schema: s(schema),
            // Sorted here: the server's collation would order them differently from the sandbox's.
            members: members === null ? "" : [...new Set(s(members).split("\n"))].sort().join("\n"),
          },
        });
    },
  },
  {
    sql: `SELECT ${qn("n.nspname", "c.relname")}, c.relkind::text, c.relpersistence::text, c.relrowsecurity,
              c.relforcerowsecurity, array_to_string(c.reloptions, ','), pg_get_expr(c.relpartbound, c.oid),
              CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
              CASE WHEN c.relkind IN ('v','m') THEN pg_get_viewdef(c.oid) END,
              CASE WHEN c.relkind IN ('r','p') THEN c.relreplident::text END,
              (SELECT ${qn("rn.nspname", "ri.relname")} FROM pg_index i JOIN pg_class ri ON ri.oid = i.indexrelid
                 JOIN pg_namespace rn ON rn.oid = ri.relnamespace WHERE i.indrelid = c.oid AND i.indisreplident),
              (SELECT string_agg(${qn("pn.nspname", "pc.relname")}, ', ' ORDER BY h.inhseqno)
                 FROM pg_inherits h JOIN pg_class pc ON pc.oid = h.inhparent
                 JOIN pg_namespace pn ON pn.oid = pc.relnamespace WHERE h.inhrelid = c.oid)
       ${relFrom} AND c.relkind IN ('r','p','v','m','f')`,
    add(rows, objects) {
      for (const [
        name,
        kind,
        persistence,
        rls,
        forceRls,
        options,
        bound,
        partkey,
        viewdef,
        replident,
        replIndex,
        inherits,
      ] of rows) {
        const k = s(kind);
        const objKind =
          k === "v"
            ? "view"
            : k === "m"
              ? "materialized-view"
              : k === "f"
                ? "foreign-table"
                : "table";
        const attrs: Record<string, AttrValue> = {
          persistence: s(persistence) === "u" ? "unlogged" : "permanent",
          // FORCE without ENABLE does nothing yet, but the next ENABLE applies policies to the
          // owner too: a state of its own (only shown when it is not the plain "disabled").
          rowSecurity:
            rls === true
              ? forceRls === true
                ? "forced"
                : "enabled"
              : forceRls === true
                ? "disabled (forced when enabled)"
                : "disabled",
          options: opt(options),
        };
        if (k === "p") attrs.partitionKey = opt(partkey);
        if (bound !== null) attrs.partitionOf = opt(bound);
        // Attributes below are set only when not the default, so fingerprints of tables without
        // them read exactly as before these reads existed.
        // What logical replication sends for an UPDATE or DELETE (the default: the primary key).
        const ri = REPLICA_IDENTITY[s(replident)];
        if (ri !== undefined)
          attrs.replicaIdentity = ri === "index" ? `using index ${s(replIndex)}` : ri;
        // Inheritance parents (a partition's parent too: its bound alone does not name it).
        if (inherits !== null) attrs.inherits = s(inherits);
        if (viewdef !== null) attrs.definition = s(viewdef).trim();
        objects.push({ kind: objKind, name: s(name), attrs });
      }
    },
  },
  {
    sql: `SELECT ${qn("n.nspname", "c.relname")}, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
              pg_get_expr(d.adbin, d.adrelid), NULLIF(a.attidentity::text, ''), NULLIF(a.attgenerated::text, ''),
              CASE WHEN a.attcollation <> t.typcollation THEN co.collname END,
              EXISTS (SELECT 1 FROM pg_constraint nc WHERE nc.conrelid = a.attrelid AND nc.contype = 'n'
                         AND nc.conkey[1] = a.attnum AND NOT nc.convalidated),
              CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage::text END,
              NULLIF(to_jsonb(a) ->> 'attcompression', ''),
              NULLIF(a.attstattarget::int, -1)::text, array_to_string(a.attoptions, ',')
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         LEFT JOIN pg_collation co ON co.oid = a.attcollation
        WHERE ${USER_NS} AND ${notExt("pg_class", "c")} AND c.relkind IN ('r','p','f') AND a.attnum > 0 AND NOT a.attisdropped`,
    add(rows, objects) {
      for (const [
        table,
        col,
        type,
        notNull,
        def,
        identity,
        generated,
        collation,
        invalidNotNull,
        storage,
        compression,
        statistics,
        options,
      ] of rows) {
        const attrs: Record<string, AttrValue> = {
          type: s(type),
          notNull: notNull === true,
          default: opt(def),
        };
        if (identity !== null) attrs.identity = identity === "a" ? "always" : "by default";
        if (generated !== null) attrs.generated = generated === "s" ? "stored" : "virtual";
        if (collation !== null) attrs.collation = opt(collation);
        // Postgres 18 keeps attnotnull for a NOT NULL constraint added NOT VALID (rows may be NULL).
        if (invalidNotNull === true) attrs.notNullValid = false;
        // Physical settings, only when set (SET STORAGE, SET COMPRESSION, SET STATISTICS,
        // SET (n_distinct = …)): what a down has to put back like any other. attcompression is
        // read through to_jsonb, so servers before 14, which have no such column, read NULL.
        if (storage !== null) attrs.storage = STORAGE[s(storage)] ?? s(storage);
        if (compression !== null) attrs.compression = COMPRESSION[s(compression)] ?? s(compression);
        if (statistics !== null) attrs.statistics = s(statistics);
        if (options !== null) attrs.options = s(options);
        objects.push({
          kind: "column",
          name: `${s(table)}.${namePart(s(col))}`,
          table: s(table),
          attrs,
        });
      }
    },
  },
  {
    sql: `SELECT ${qn("n.nspname", "ic.relname")}, ${qn("tn.nspname", "tc.relname")}, pg_get_indexdef(i.indexrelid),
              i.indisvalid, i.indisprimary, i.indisunique, i.indisclustered
         FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
         JOIN pg_class tc ON tc.oid = i.indrelid JOIN pg_namespace tn ON tn.oid = tc.relnamespace
        WHERE ${USER_NS} AND ${notExt("pg_class", "tc")}`,
    add(rows, objects) {
      for (const [name, table, def, valid, primary, unique, clustered] of rows) {
        const attrs: Record<string, AttrValue> = {
          definition: s(def),
          indexValid: valid === true,
          primary: primary === true,
          unique: unique === true,
        };
        // CLUSTER ON: the index a bare `CLUSTER table` orders by (only when set).
        if (clustered === true) attrs.clustered = true;
        objects.push({ kind: "index", name: s(name), table: s(table), attrs });
      }
    },
  },
  // NOT NULL constraints (contype 'n', PostgreSQL 18) are the columns' notNull.
  {
    sql: `SELECT ${qn("n.nspname", "coalesce(tc.relname, ty.typname)")}, con.conname, con.contype::text,
              pg_get_constraintdef(con.oid), con.convalidated, con.condeferrable, con.condeferred, con.conrelid <> 0
         FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
         LEFT JOIN pg_class tc ON tc.oid = con.conrelid LEFT JOIN pg_type ty ON ty.oid = con.contypid
        WHERE ${USER_NS} AND con.contype <> 'n' AND (con.conrelid = 0 OR ${notExt("pg_class", "tc")})
          AND (con.contypid = 0 OR ${notExt("pg_type", "ty")})`,
    add(rows, objects) {
      for (const [owner, name, type, def, valid, deferrable, deferred, onTable] of rows) {
        const o: SchemaObject = {
          kind: "constraint",
          name: `${s(owner)}.${namePart(s(name))}`,
          attrs: {
            type: CONTYPE[s(type)] ?? s(type),
            definition: s(def),
            valid: valid === true,
            deferrable:
              deferrable === true
                ? deferred === true
                  ? "initially deferred"
                  : "deferrable"
                : "no",
          },
        };
        if (onTable === true) o.table = s(owner);
        objects.push(o);
      }
    },
  },
  {
    sql: `SELECT ${qn("n.nspname", "t.typname")}, string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder)
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid
        WHERE ${USER_NS} AND ${notExt("pg_type", "t")} GROUP BY 1`,
    add(rows, objects) {
      for (const [name, values] of rows)
        objects.push({ kind: "enum", name: s(name), attrs: { values: s(values) } });
    },
  },
  {
    sql: `SELECT ${qn("n.nspname", "t.typname")}, format_type(t.typbasetype, t.typtypmod), t.typnotnull, t.typdefault
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE ${USER_NS} AND ${notExt("pg_type", "t")} AND t.typtype = 'd'`,
    add(rows, objects) {
      for (const [name, base, notNull, def] of rows)
        objects.push({
          kind: "domain",
          name: s(name),
          attrs: { definition: s(base), notNull: notNull === true, default: opt(def) },
        });
    },
  },
  {
    sql: `SELECT ${qn("n.nspname", "t.typname")},
              coalesce((SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
                          FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped),
                       (SELECT 'range of ' || format_type(r.rngsubtype, NULL) FROM pg_range r WHERE r.rngtypid = t.oid))
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE ${USER_NS} AND ${notExt("pg_type", "t")}
          AND ((t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c') OR t.typtype = 'r')`,
    add(rows, objects) {
      for (const [name, def] of rows)
        objects.push({ kind: "type", name: s(name), attrs: { definition: opt(def) } });
    },
  },
  {
    sql: `SELECT ${qn("n.nspname", "p.proname")}, pg_get_function_identity_arguments(p.oid), p.prokind::text,
              pg_get_function_result(p.oid),
              CASE WHEN p.prokind IN ('f','p') THEN pg_get_functiondef(p.oid) ELSE p.prosrc END,
              p.provolatile::text, pg_get_function_arguments(p.oid)
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE ${USER_NS} AND ${notExt("pg_proc", "p")}`,
    add(rows, objects) {
      for (const [name, args, kind, result, definition, volatility, argsWithDefaults] of rows)
        objects.push({
          kind: "function",
          name: `${s(name)}(${s(args)})`,
          attrs: {
            kind: PROKIND[s(kind)] ?? s(kind),
            returns: opt(result),
            // Read by the SQL rules from a replayed catalog (a column default's volatility).
            volatility: VOLATILITY[s(volatility)] ?? s(volatility),
            arguments: opt(argsWithDefaults),
            definitionMd5: definitionDigest(
              definition === null || definition === undefined ? null : s(definition),
            ),
          },
        });
    },
  },
  {
    sql: `SELECT ${qn("n.nspname", "c.relname")}, t.tgname, pg_get_triggerdef(t.oid), t.tgenabled::text
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE ${USER_NS} AND NOT t.tgisinternal AND ${notExt("pg_class", "c")}`,
    add(rows, objects) {
      for (const [table, name, def, enabled] of rows)
        objects.push({
          kind: "trigger",
          name: `${s(table)}.${namePart(s(name))}`,
          table: s(table),
          attrs: { definition: s(def), enabled: s(enabled) !== "D" },
        });
    },
  },
  {
    // Rewrite rules other than a view's own (_RETURN): `ON INSERT DO INSTEAD NOTHING` discards
    // every write to the table, and nothing else in the catalog would show it.
    sql: `SELECT ${qn("n.nspname", "c.relname")}, r.rulename, pg_get_ruledef(r.oid), r.ev_enabled::text
         FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE ${USER_NS} AND r.rulename <> '_RETURN' AND ${notExt("pg_class", "c")}`,
    add(rows, objects) {
      for (const [table, name, def, enabled] of rows)
        objects.push({
          kind: "rule",
          name: `${s(table)}.${namePart(s(name))}`,
          table: s(table),
          attrs: { definition: s(def), enabled: s(enabled) !== "D" },
        });
    },
  },
  {
    sql: `SELECT ${qn("n.nspname", "c.relname")}, format_type(s.seqtypid, NULL), s.seqstart::text, s.seqincrement::text,
              s.seqmin::text, s.seqmax::text, s.seqcache::text, s.seqcycle,
              (SELECT ${qn("tn.nspname", "tc.relname", "a.attname")} FROM pg_depend d
                 JOIN pg_class tc ON tc.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = tc.relnamespace
                 JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass
                  AND d.deptype IN ('a','i') LIMIT 1)
         FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE ${USER_NS} AND ${notExt("pg_class", "c")}`,
    add(rows, objects) {
      for (const [name, type, start, inc, min, max, cache, cycle, owner] of rows)
        objects.push({
          kind: "sequence",
          name: s(name),
          attrs: {
            type: s(type),
            start: s(start),
            increment: s(inc),
            min: s(min),
            max: s(max),
            cache: s(cache),
            cycle: cycle === true,
            ownedBy: opt(owner),
          },
        });
    },
  },
  {
    sql: `SELECT ${qn("n.nspname", "c.relname")}, p.polname, p.polcmd::text, p.polpermissive,
              pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid),
              array_to_string(ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE r::regrole::text END
                                      FROM unnest(p.polroles) r ORDER BY 1), ', ')
         FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE ${USER_NS}`,
    add(rows, objects) {
      for (const [table, name, cmd, permissive, qual, check, roles] of rows)
        objects.push({
          kind: "policy",
          name: `${s(table)}.${namePart(s(name))}`,
          table: s(table),
          attrs: {
            command: s(cmd),
            permissive: permissive === true,
            roles: s(roles),
            using: opt(qual),
            withCheck: opt(check),
          },
        });
    },
  },
  ...MORE_READS,
];

const REPLICA_IDENTITY: Record<string, string> = { n: "nothing", f: "full", i: "index" };
const STORAGE: Record<string, string> = { p: "plain", e: "external", m: "main", x: "extended" };
const COMPRESSION: Record<string, string> = { p: "pglz", l: "lz4" };

const CONTYPE: Record<string, string> = {
  p: "primary key",
  u: "unique",
  f: "foreign key",
  c: "check",
  x: "exclusion",
  t: "constraint trigger",
};
const VOLATILITY: Record<string, string> = { i: "immutable", s: "stable", v: "volatile" };

const PROKIND: Record<string, string> = {
  f: "function",
  p: "procedure",
  a: "aggregate",
  w: "window",
};
