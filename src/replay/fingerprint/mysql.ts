/**
 * The MySQL / MariaDB schema fingerprint, from information_schema, scoped to one database: tables
 * (engine, collation, options, partitioning), columns (type, nullability, default, extra: generated
 * STORED/VIRTUAL, INVISIBLE…, generation expression, collation), indexes (columns, prefix lengths,
 * order, type, visibility), foreign keys, CHECK constraints, views, triggers, procedures and
 * functions (parameters, body digest, characteristics), events, each with its definer, MariaDB
 * sequences (mysql-more.ts). Comments are not read (docs/drift.md). Names are unqualified (the
 * database is the scope), a part holding a dot or a quote quoted (schema.ts namePart: the table
 * "a.b" and its column c is `"a.b".c`, never the column "b.c" of the table a). Runs over any
 * connection: a replay server or a live database, read-only.
 */
import { namePart, schemaOf, type AttrValue, type Schema, type SchemaObject } from "../schema.js";
import { nullable, records, text, type CatalogQuery, type CatalogRecord } from "./catalog.js";
import { definerOf, mysqlPartitions, mysqlSequence } from "./mysql-more.js";
import { definitionDigest } from "./normalize.js";

const quoteName = (name: string) => `\`${name.replace(/`/g, "``")}\``;

export interface MysqlReadOptions {
  /** Accounts whose definers read like the reading account's (drift.migrationsAccount). */
  migrationsAccounts?: readonly string[];
}

export async function mysqlFingerprint(
  query: CatalogQuery,
  database: string,
  opts: MysqlReadOptions = {},
): Promise<Schema> {
  const db = database;
  const select = async (sql: string, params: AttrValue[] = []) => records(await query(sql, params));
  const objects: SchemaObject[] = [];
  const s = text;
  const opt = nullable;
  const tables = new Map<string, string>();
  // The server qualifies every name in a view's definition with the database: left out, the same
  // view reads the same in the replay's database and in the live one.
  const own = `${quoteName(db)}.`;
  const unqualified = (def: string) => def.split(own).join("");
  const [me] = await select(`SELECT CURRENT_USER() AS me`);
  const ours = [s(me?.me), ...(opts.migrationsAccounts ?? [])];
  const definer = (d: AttrValue | undefined) => definerOf(d ?? null, ours);
  const partitions = await mysqlPartitions(select, db);

  for (const r of await select(
    `SELECT TABLE_NAME AS name, TABLE_TYPE AS type, ENGINE AS engine, TABLE_COLLATION AS coll,
            CREATE_OPTIONS AS options
       FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?`,
    [db],
  )) {
    const name = s(r.name);
    const type = s(r.type);
    if (type === "VIEW" || type === "TEMPORARY") continue;
    if (type === "SEQUENCE") {
      objects.push({
        kind: "sequence",
        name: namePart(name),
        attrs: await mysqlSequence(select, db, name),
      });
      continue;
    }
    tables.set(name, s(r.coll));
    const attrs: Record<string, AttrValue> = {
      engine: opt(r.engine),
      collation: opt(r.coll),
      options: s(r.options) || null,
      systemVersioned: type === "SYSTEM VERSIONED",
    };
    // Only when partitioned: an ordinary table reads as it always did.
    const layout = partitions.get(name);
    if (layout !== undefined) attrs.partitioning = layout;
    objects.push({ kind: "table", name: namePart(name), attrs });
  }

  for (const r of await select(
    `SELECT TABLE_NAME AS t, COLUMN_NAME AS c, COLUMN_TYPE AS type, IS_NULLABLE AS nullable,
            COLUMN_DEFAULT AS def, EXTRA AS extra, GENERATION_EXPRESSION AS gen, COLLATION_NAME AS coll
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    [db],
  )) {
    const table = s(r.t);
    if (!tables.has(table)) continue; // views' columns
    const attrs: Record<string, AttrValue> = {
      type: s(r.type),
      notNull: r.nullable === "NO",
      default: opt(r.def),
    };
    if (s(r.extra)) attrs.extra = s(r.extra);
    if (s(r.gen)) attrs.generated = s(r.gen);
    if (r.coll !== null && r.coll !== tables.get(table)) attrs.collation = s(r.coll);
    const t = namePart(table);
    objects.push({ kind: "column", name: `${t}.${namePart(s(r.c))}`, table: t, attrs });
  }

  // SELECT *: MySQL 8 adds EXPRESSION and IS_VISIBLE, MariaDB IGNORED.
  const indexes = new Map<
    string,
    { table: string; unique: boolean; type: string; parts: string[]; visible: AttrValue }
  >();
  for (const r of await select(
    `SELECT * FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ?
      ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
    [db],
  )) {
    const table = s(r.TABLE_NAME);
    const key = `${namePart(table)}.${namePart(s(r.INDEX_NAME))}`;
    const ix = indexes.get(key) ?? {
      table,
      unique: Number(r.NON_UNIQUE) === 0,
      type: s(r.INDEX_TYPE),
      parts: [],
      visible:
        r.IS_VISIBLE !== undefined
          ? r.IS_VISIBLE === "YES"
          : r.IGNORED !== undefined
            ? r.IGNORED !== "YES"
            : null,
    };
    const col = r.COLUMN_NAME !== null ? s(r.COLUMN_NAME) : `(${s(r.EXPRESSION)})`;
    const sub = r.SUB_PART !== null && r.SUB_PART !== undefined ? `(${s(r.SUB_PART)})` : "";
    ix.parts.push(`${col}${sub}${r.COLLATION === "D" ? " DESC" : ""}`);
    indexes.set(key, ix);
  }
  for (const [name, ix] of indexes) {
    if (!tables.has(ix.table)) continue;
    const attrs: Record<string, AttrValue> = {
      definition: `${ix.unique ? "UNIQUE " : ""}${ix.type} (${ix.parts.join(", ")})`,
      unique: ix.unique,
      primary: name === `${namePart(ix.table)}.PRIMARY`,
    };
    if (ix.visible !== null) attrs.visible = ix.visible;
    objects.push({ kind: "index", name, table: namePart(ix.table), attrs });
  }

  for (const r of await select(
    `SELECT rc.TABLE_NAME AS t, rc.CONSTRAINT_NAME AS n, rc.REFERENCED_TABLE_NAME AS ref,
            rc.UPDATE_RULE AS upd, rc.DELETE_RULE AS del,
            GROUP_CONCAT(k.COLUMN_NAME ORDER BY k.ORDINAL_POSITION SEPARATOR ', ') AS cols,
            GROUP_CONCAT(k.REFERENCED_COLUMN_NAME ORDER BY k.ORDINAL_POSITION SEPARATOR ', ') AS refcols,
            MAX(k.REFERENCED_TABLE_SCHEMA) AS refdb
       FROM information_schema.REFERENTIAL_CONSTRAINTS rc
       JOIN information_schema.KEY_COLUMN_USAGE k
         ON k.CONSTRAINT_SCHEMA = rc.CONSTRAINT_SCHEMA AND k.CONSTRAINT_NAME = rc.CONSTRAINT_NAME
        AND k.TABLE_NAME = rc.TABLE_NAME
      WHERE rc.CONSTRAINT_SCHEMA = ?
      GROUP BY rc.TABLE_NAME, rc.CONSTRAINT_NAME, rc.REFERENCED_TABLE_NAME, rc.UPDATE_RULE, rc.DELETE_RULE`,
    [db],
  )) {
    const table = s(r.t);
    const ref = r.refdb !== null && r.refdb !== db ? `${s(r.refdb)}.${s(r.ref)}` : s(r.ref);
    objects.push({
      kind: "constraint",
      name: `${namePart(table)}.${namePart(s(r.n))}`,
      table: namePart(table),
      attrs: {
        type: "foreign key",
        definition: `FOREIGN KEY (${s(r.cols)}) REFERENCES ${ref} (${s(r.refcols)}) ON UPDATE ${s(r.upd)} ON DELETE ${s(r.del)}`,
      },
    });
  }

  // CHECK constraints: MariaDB's CHECK_CONSTRAINTS has TABLE_NAME, MySQL's does not.
  const checkTables = new Map<string, string>();
  for (const r of await select(
    `SELECT * FROM information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND CONSTRAINT_TYPE = 'CHECK'`,
    [db],
  ))
    checkTables.set(s(r.CONSTRAINT_NAME), s(r.TABLE_NAME));
  // Servers before CHECK constraints (MySQL 5.7) have no such table: asked first, so that a
  // failing query is never mistaken for "no constraints".
  const hasChecks = await select(
    `SELECT 1 AS x FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = 'information_schema' AND TABLE_NAME = 'CHECK_CONSTRAINTS'`,
  );
  const checks: CatalogRecord[] =
    hasChecks.length === 0
      ? []
      : await select(
          `SELECT * FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?`,
          [db],
        );
  for (const r of checks) {
    const table =
      r.TABLE_NAME !== undefined ? s(r.TABLE_NAME) : (checkTables.get(s(r.CONSTRAINT_NAME)) ?? "");
    const attrs: Record<string, AttrValue> = { type: "check", definition: s(r.CHECK_CLAUSE) };
    if (r.ENFORCED !== undefined) attrs.valid = r.ENFORCED === "YES";
    objects.push({
      kind: "constraint",
      name: `${namePart(table)}.${namePart(s(r.CONSTRAINT_NAME))}`,
      table: namePart(table),
      attrs,
    });
  }

  for (const r of await select(
    `SELECT TABLE_NAME AS name, VIEW_DEFINITION AS def, CHECK_OPTION AS chk, SECURITY_TYPE AS sec,
            DEFINER AS definer
       FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?`,
    [db],
  ))
    objects.push({
      kind: "view",
      name: namePart(s(r.name)),
      attrs: {
        definition: unqualified(s(r.def)),
        checkOption: s(r.chk),
        security: s(r.sec),
        definer: definer(r.definer),
      },
    });

  for (const r of await select(
    `SELECT TRIGGER_NAME AS name, EVENT_OBJECT_TABLE AS t, ACTION_TIMING AS timing,
            EVENT_MANIPULATION AS ev, ACTION_ORDER AS ord, ACTION_STATEMENT AS body,
            DEFINER AS definer
       FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?`,
    [db],
  ))
    objects.push({
      kind: "trigger",
      name: `${namePart(s(r.t))}.${namePart(s(r.name))}`,
      table: namePart(s(r.t)),
      attrs: {
        definition: `${s(r.timing)} ${s(r.ev)} ON ${s(r.t)} FOR EACH ROW ${s(r.body)}`,
        order: Number(r.ord),
        definer: definer(r.definer),
      },
    });

  const params = new Map<string, string[]>();
  for (const r of await select(
    `SELECT SPECIFIC_NAME AS name, ROUTINE_TYPE AS type, PARAMETER_MODE AS mode, PARAMETER_NAME AS p,
            DTD_IDENTIFIER AS dtd
       FROM information_schema.PARAMETERS WHERE SPECIFIC_SCHEMA = ? AND ORDINAL_POSITION > 0
      ORDER BY SPECIFIC_NAME, ORDINAL_POSITION`,
    [db],
  )) {
    const key = `${s(r.type)} ${s(r.name)}`;
    const list = params.get(key) ?? [];
    list.push([s(r.mode), s(r.p), s(r.dtd)].filter((x) => x !== "").join(" "));
    params.set(key, list);
  }
  for (const r of await select(
    `SELECT ROUTINE_NAME AS name, ROUTINE_TYPE AS type, DTD_IDENTIFIER AS returns,
            ROUTINE_DEFINITION AS definition, IS_DETERMINISTIC AS det, SQL_DATA_ACCESS AS access,
            SECURITY_TYPE AS sec, DEFINER AS definer
       FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?`,
    [db],
  )) {
    const type = s(r.type);
    const args = (params.get(`${type} ${s(r.name)}`) ?? []).join(", ");
    objects.push({
      kind: "function",
      name: `${namePart(s(r.name))}(${args})`,
      attrs: {
        kind: type.toLowerCase(),
        returns: r.returns === null ? null : s(r.returns),
        definitionMd5: definitionDigest(r.definition === null ? null : s(r.definition)),
        deterministic: r.det === "YES",
        dataAccess: s(r.access),
        security: s(r.sec),
        definer: definer(r.definer),
      },
    });
  }

  for (const r of await select(
    `SELECT EVENT_NAME AS name, EVENT_TYPE AS type, EXECUTE_AT AS at, INTERVAL_VALUE AS every,
            INTERVAL_FIELD AS unit, STATUS AS status, ON_COMPLETION AS done, EVENT_DEFINITION AS definition,
            DEFINER AS definer
       FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?`,
    [db],
  ))
    objects.push({
      kind: "event",
      name: namePart(s(r.name)),
      attrs: {
        schedule: s(r.type) === "ONE TIME" ? `AT ${s(r.at)}` : `EVERY ${s(r.every)} ${s(r.unit)}`,
        status: s(r.status),
        onCompletion: s(r.done),
        definitionMd5: definitionDigest(r.definition === null ? null : s(r.definition)),
        definer: definer(r.definer),
      },
    });

  return schemaOf(objects);
}
