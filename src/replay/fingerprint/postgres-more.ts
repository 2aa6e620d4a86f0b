/**
 * Postgres catalog reads beyond objects' definitions: privileges (tables, views, sequences,
 * columns, schemas, functions, types) and default privileges, extended statistics, publications,
 * event triggers. What the fingerprint does not read, a grant made by hand in production or a down
 * that does not revoke can hide in.
 *
 * Privileges are compared by grantee, one object per object and grantee that differs from
 * Postgres's default (an ACL left NULL, or set back to it, gives none), named as GRANT says it:
 * `public.users TO reporting`. Role names differ between the sandbox and a live database, so the
 * object's owner is `(owner)` whoever it is, PUBLIC is `PUBLIC`, and every other grantee is named
 * (double-quoted unless a plain lower-case name, so neither placeholder can be a role's name). The
 * grantor is not compared: it is whoever ran the GRANT. Ownership itself is not compared either.
 */
import type { AttrValue, SchemaObject } from "../schema.js";
import { text } from "./catalog.js";
import { notExt, qn, USER_NAMESPACES as USER_NS, type CatalogRead } from "./postgres-sql.js";

const s = text;

/** A role as privilege names write it; `(owner)` for `owner`, PUBLIC for 0. */
function grantee(role: string, owner: string): string {
  return `CASE WHEN ${role} = 0 THEN 'PUBLIC' WHEN ${role} = ${owner} THEN '(owner)'
               WHEN pg_get_userbyid(${role}) ~ '^[a-z_][a-z0-9_$]*$' THEN pg_get_userbyid(${role})::text
               ELSE '"' || replace(pg_get_userbyid(${role}), '"', '""') || '"' END`;
}

/**
 * Each grantee's privileges where they differ from the default: `objects` is a query giving
 * (key, owner, acl, deflt: the default ACL, allp: every privilege, …) rows; the result adds `grantee` and `privileges` (one a line, "WITH
 * GRANT OPTION" marked; NULL: every default one revoked). aclexplode refuses an empty array (what
 * REVOKE ALL from everyone, the owner too, leaves), so one is read as no entries.
 */
function aclDifferences(objects: string, columns: string): string {
  return `WITH o AS (${objects}),
    x AS (SELECT o.key, e.grantee, e.privilege_type AS p, e.is_grantable AS g
            FROM o CROSS JOIN LATERAL aclexplode(CASE WHEN cardinality(o.acl) > 0 THEN o.acl END) e),
    d AS (SELECT o.key, e.grantee, e.privilege_type AS p, e.is_grantable AS g
            FROM o CROSS JOIN LATERAL aclexplode(CASE WHEN cardinality(o.deflt) > 0 THEN o.deflt END) e),
    diff AS (SELECT key, grantee FROM (SELECT * FROM x EXCEPT SELECT * FROM d) a
             UNION SELECT key, grantee FROM (SELECT * FROM d EXCEPT SELECT * FROM x) b)
  SELECT ${columns}, ${grantee("diff.grantee", "o.owner")},
         (SELECT string_agg(x.p || CASE WHEN x.g THEN ' WITH GRANT OPTION' ELSE '' END, E'\\n')
            FROM x WHERE x.key = diff.key AND x.grantee = diff.grantee),
         (SELECT string_agg(e.privilege_type, E'\\n') FROM aclexplode(o.allp) e)
    FROM diff JOIN o ON o.key = diff.key`;
}

/** Every privilege a column can have (the others are the table's). */
const COLUMN_PRIVILEGES = "INSERT\nREFERENCES\nSELECT\nUPDATE";

/**
 * A grantee's privileges as compared: deduplicated (several grantors) and sorted here, not by the
 * server's collation. Every privilege the object can have is `ALL`, and what the owner holds is
 * `ALL except …`: what ALL holds depends on the server (PostgreSQL 17 added MAINTAIN), so
 * `GRANT ALL` and a REVOKE from the owner read alike on PGlite and on an older live server.
 */
function privileges(v: AttrValue | undefined, all: AttrValue | undefined, owner: boolean): string {
  if (v === null || v === undefined) return "none (the default privileges revoked)";
  const held = [...new Set(s(v).split("\n"))].sort();
  const every = s(all ?? COLUMN_PRIVILEGES).split("\n");
  const plain = new Set(held.filter((p) => !p.endsWith(" WITH GRANT OPTION")));
  const grantable = new Set(
    held.filter((p) => p.endsWith(" WITH GRANT OPTION")).map((p) => p.slice(0, -18)),
  );
  if (every.every((p) => grantable.has(p)) && plain.size === 0) return "ALL WITH GRANT OPTION";
  if (every.every((p) => plain.has(p)) && grantable.size === 0) return "ALL";
  if (owner && grantable.size === 0 && [...plain].every((p) => every.includes(p)))
    return `ALL except ${every
      .filter((p) => !plain.has(p))
      .sort()
      .join(", ")}`;
  return held.join(", ");
}

const objectAcls = `
  SELECT 'schema' AS what, 'n' || n.oid AS key, ${qn("n.nspname")} AS name, NULL::text AS tbl,
         n.nspowner AS owner, n.nspacl AS acl, acldefault('n', n.nspowner) AS deflt,
         acldefault('n', n.nspowner) AS allp
    FROM pg_namespace n WHERE ${USER_NS} AND ${notExt("pg_namespace", "n")} AND n.nspacl IS NOT NULL
  UNION ALL
  SELECT CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                        WHEN 'f' THEN 'foreign table' ELSE 'table' END,
         'c' || c.oid, ${qn("n.nspname", "c.relname")},
         CASE WHEN c.relkind IN ('r','p','f') THEN ${qn("n.nspname", "c.relname")} END,
         c.relowner, c.relacl, acldefault((CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END)::"char", c.relowner),
         acldefault((CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END)::"char", c.relowner)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE ${USER_NS} AND ${notExt("pg_class", "c")} AND c.relkind IN ('r','p','v','m','f','S') AND c.relacl IS NOT NULL
  UNION ALL
  SELECT 'column', 'a' || c.oid || '.' || a.attnum, ${qn("n.nspname", "c.relname", "a.attname")},
         ${qn("n.nspname", "c.relname")}, c.relowner, a.attacl, NULL::aclitem[], NULL::aclitem[]
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE ${USER_NS} AND ${notExt("pg_class", "c")} AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL
  UNION ALL
  SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, 'p' || p.oid,
         ${qn("n.nspname", "p.proname")} || '(' || pg_get_function_identity_arguments(p.oid) || ')', NULL,
         p.proowner, p.proacl, acldefault('f', p.proowner), acldefault('f', p.proowner)
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE ${USER_NS} AND ${notExt("pg_proc", "p")} AND p.proacl IS NOT NULL
  UNION ALL
  SELECT CASE t.typtype WHEN 'd' THEN 'domain' ELSE 'type' END, 't' || t.oid, ${qn("n.nspname", "t.typname")}, NULL,
         t.typowner, t.typacl, acldefault('T', t.typowner), acldefault('T', t.typowner)
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
   WHERE ${USER_NS} AND ${notExt("pg_type", "t")} AND t.typacl IS NOT NULL`;

/**
 * ALTER DEFAULT PRIVILEGES: what objects a role creates later will grant. The role they are set
 * for is named (`FOR ROLE x`) unless it is the database's owner or the role reading (the replay's
 * role in the sandbox, the migrations' in most deployments), which cannot be named alike on both
 * sides. Defaults for every schema are compared with Postgres's own; per-schema ones add to them.
 */
const defaultAcls = `
  SELECT 'd' || d.oid AS key, d.defaclrole AS owner, d.defaclacl AS acl,
         CASE WHEN d.defaclnamespace = 0
              THEN acldefault((CASE WHEN d.defaclobjtype = 'S' THEN 's' ELSE d.defaclobjtype::text END)::"char", d.defaclrole)
              END AS deflt,
         acldefault((CASE WHEN d.defaclobjtype = 'S' THEN 's' ELSE d.defaclobjtype::text END)::"char", d.defaclrole) AS allp,
         CASE WHEN d.defaclrole = (SELECT datdba FROM pg_database WHERE datname = current_database())
                OR pg_get_userbyid(d.defaclrole) = current_user THEN NULL
              WHEN pg_get_userbyid(d.defaclrole) ~ '^[a-z_][a-z0-9_$]*$' THEN pg_get_userbyid(d.defaclrole)::text
              ELSE '"' || replace(pg_get_userbyid(d.defaclrole), '"', '""') || '"' END AS for_role,
         CASE WHEN d.defaclnamespace <> 0 THEN ${qn("n.nspname")} END AS in_schema, d.defaclobjtype::text AS objtype
    FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
   WHERE d.defaclnamespace = 0 OR (${USER_NS})`;

const DEFAULT_OBJTYPES: Record<string, string> = {
  r: "TABLES",
  S: "SEQUENCES",
  f: "FUNCTIONS",
  T: "TYPES",
  n: "SCHEMAS",
  L: "LARGE OBJECTS",
};

export const MORE_READS: CatalogRead[] = [
  {
    sql: aclDifferences(objectAcls, "o.what, o.name, o.tbl"),
    add(rows, objects) {
      for (const [what, name, table, to, privs, all] of rows) {
        const o: SchemaObject = {
          kind: "privilege",
          name: `${s(name)} TO ${s(to)}`,
          attrs: { on: s(what), definition: privileges(privs, all, to === "(owner)") },
        };
        // A table's grants go with it (drift.ignore, golang-migrate's table left out).
        if (table !== null && table !== undefined) o.table = s(table);
        objects.push(o);
      }
    },
  },
  {
    sql: aclDifferences(defaultAcls, "o.for_role, o.in_schema, o.objtype"),
    add(rows, objects) {
      for (const [forRole, inSchema, objtype, to, privs, all] of rows) {
        // "(default)" starts the name: a schema's name cannot (it would be quoted), so these never
        // share a name with an object's grants.
        const name = [
          "(default)",
          forRole === null ? "" : ` FOR ROLE ${s(forRole)}`,
          inSchema === null ? "" : ` IN SCHEMA ${s(inSchema)}`,
          ` ON ${DEFAULT_OBJTYPES[s(objtype)] ?? s(objtype)} TO ${s(to)}`,
        ].join("");
        // Several roles left unnamed (owner and reader) may set defaults: their grants add up.
        const key = `privilege ${name}`;
        const before = objects.find((x) => `${x.kind} ${x.name}` === key);
        const definition = privileges(privs, all, to === "(owner)");
        if (before)
          before.attrs.definition = mergePrivileges(before.attrs.definition ?? null, definition);
        else
          objects.push({
            kind: "privilege",
            name,
            attrs: { on: "default privileges", definition },
          });
      }
    },
  },
  {
    // CREATE STATISTICS: what the planner estimates with, so what plans the queries get.
    sql: `SELECT ${qn("n.nspname", "x.stxname")}, ${qn("tn.nspname", "tc.relname")}, pg_get_statisticsobjdef(x.oid),
              NULLIF((to_jsonb(x) ->> 'stxstattarget')::int, -1)::text
         FROM pg_statistic_ext x JOIN pg_namespace n ON n.oid = x.stxnamespace
         JOIN pg_class tc ON tc.oid = x.stxrelid JOIN pg_namespace tn ON tn.oid = tc.relnamespace
        WHERE ${USER_NS} AND ${notExt("pg_statistic_ext", "x")}`,
    add(rows, objects) {
      for (const [name, table, def, target] of rows) {
        const attrs: Record<string, AttrValue> = { definition: s(def) };
        if (target !== null) attrs.statistics = s(target);
        objects.push({ kind: "statistics", name: s(name), table: s(table), attrs });
      }
    },
  },
  {
    // Publications (logical replication: what leaves the database, with row filters and column
    // lists). Flags and columns newer servers added are read through to_jsonb, and only when set,
    // so a server without them reads like one where they are off.
    sql: `SELECT ${qn("p.pubname")}, p.puballtables, p.pubinsert, p.pubupdate, p.pubdelete, p.pubtruncate,
              to_jsonb(p) ->> 'pubviaroot', to_jsonb(p) ->> 'pubgencols',
              (SELECT string_agg(${qn("pt.schemaname", "pt.tablename")}
                        || CASE WHEN to_jsonb(pr) ->> 'prattrs' IS NOT NULL
                                THEN ' (' || array_to_string(ARRAY(SELECT jsonb_array_elements_text(to_jsonb(pt) -> 'attnames')), ', ') || ')'
                                ELSE '' END
                        || coalesce(' WHERE ' || (to_jsonb(pt) ->> 'rowfilter'), ''), E'\n')
                 FROM pg_publication_tables pt
                 LEFT JOIN pg_namespace pn ON pn.nspname = pt.schemaname
                 LEFT JOIN pg_class pc ON pc.relnamespace = pn.oid AND pc.relname = pt.tablename
                 LEFT JOIN pg_publication_rel pr ON pr.prpubid = p.oid AND pr.prrelid = pc.oid
                WHERE pt.pubname = p.pubname)
         FROM pg_publication p`,
    add(rows, objects) {
      for (const [name, all, ins, upd, del, trunc, viaRoot, genCols, tables] of rows) {
        const publish = [
          ins === true ? "insert" : "",
          upd === true ? "update" : "",
          del === true ? "delete" : "",
          trunc === true ? "truncate" : "",
        ].filter((x) => x !== "");
        const options = [`publish = '${publish.join(", ")}'`];
        if (viaRoot === "true") options.push("publish_via_partition_root = true");
        if (genCols !== null && genCols !== undefined && s(genCols) !== "n")
          options.push(`publish_generated_columns = ${s(genCols) === "s" ? "stored" : s(genCols)}`);
        objects.push({
          kind: "publication",
          name: s(name),
          attrs: {
            definition: `${all === true ? "FOR ALL TABLES " : ""}WITH (${options.join(", ")})`,
            // Sorted here, not by the server's collation.
            tables:
              tables === null || tables === undefined
                ? null
                : s(tables).split("\n").sort().join(", "),
          },
        });
      }
    },
  },
  {
    // Event triggers run on DDL anywhere in the database (one can refuse every migration).
    sql: `SELECT ${qn("e.evtname")}, e.evtevent::text, e.evtfoid::regprocedure::text, e.evtenabled::text,
              array_to_string(e.evttags, ', ')
         FROM pg_event_trigger e WHERE ${notExt("pg_event_trigger", "e")}`,
    add(rows, objects) {
      for (const [name, event, fn, enabled, tags] of rows)
        objects.push({
          kind: "event-trigger",
          name: s(name),
          attrs: {
            definition: `ON ${s(event)}${tags === null ? "" : ` WHEN TAG IN (${s(tags)})`} EXECUTE FUNCTION ${s(fn)}`,
            enabled: EVENT_TRIGGER_ENABLED[s(enabled)] ?? s(enabled),
          },
        });
    },
  },
];

const EVENT_TRIGGER_ENABLED: Record<string, string> = {
  O: "enabled",
  D: "disabled",
  R: "replica",
  A: "always",
};

function mergePrivileges(a: AttrValue, b: string): string {
  const none = (x: string) => x.startsWith("none");
  const parts = [String(a), b].filter((x) => !none(x)).flatMap((x) => x.split(", "));
  return parts.length === 0 ? String(a) : [...new Set(parts)].sort().join(", ");
}
