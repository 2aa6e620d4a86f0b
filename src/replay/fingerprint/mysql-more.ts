/**
 * MySQL / MariaDB reads beyond tables' and routines' definitions: partitioning, MariaDB
 * sequences' definitions, and who views, routines, triggers and events run as (DEFINER). What
 * the fingerprint does not read, a down need not restore and drift cannot see.
 *
 * Nothing volatile is read: no row counts, sizes, AUTO_INCREMENT counters, a sequence's next
 * value, or the history partitions MariaDB's SYSTEM_TIME partitioning adds by itself.
 */
import type { AttrValue } from "../schema.js";
import { text as s, type CatalogRecord } from "./catalog.js";

export type Select = (sql: string, params?: AttrValue[]) => Promise<CatalogRecord[]>;

const quoteName = (name: string) => `\`${name.replace(/`/g, "``")}\``;

/**
 * Each partitioned table's layout as one line: method and expression, subpartitioning, then each
 * partition with its bounds and subpartitions, in order:
 * `RANGE (year(`d`)) SUBPARTITION BY HASH (`id`): p0 VALUES LESS THAN (2020) [p0sp0, p0sp1], …`.
 * Partition comments are left out like every comment (docs/drift.md). SYSTEM_TIME partitioning
 * reads as the method alone: its LIMIT or INTERVAL is not in information_schema, and with AUTO
 * the server adds history partitions as time passes, which is neither drift nor a down's doing.
 */
export async function mysqlPartitions(select: Select, db: string): Promise<Map<string, string>> {
  const rows = await select(
    `SELECT TABLE_NAME AS t, PARTITION_NAME AS p, SUBPARTITION_NAME AS sp,
            PARTITION_METHOD AS method, SUBPARTITION_METHOD AS submethod,
            PARTITION_EXPRESSION AS expr, SUBPARTITION_EXPRESSION AS subexpr,
            PARTITION_DESCRIPTION AS bounds
       FROM information_schema.PARTITIONS
      WHERE TABLE_SCHEMA = ? AND PARTITION_NAME IS NOT NULL
      ORDER BY TABLE_NAME, PARTITION_ORDINAL_POSITION, SUBPARTITION_ORDINAL_POSITION`,
    [db],
  );
  const tables = new Map<
    string,
    { head: string; parts: Map<string, string[]>; bounds: Map<string, string> }
  >();
  for (const r of rows) {
    const table = s(r.t);
    let t = tables.get(table);
    if (!t) {
      const method = s(r.method);
      let head = method === "SYSTEM_TIME" ? method : `${method} (${s(r.expr)})`;
      if (r.submethod !== null && r.submethod !== undefined)
        head += ` SUBPARTITION BY ${s(r.submethod)} (${s(r.subexpr)})`;
      t = { head, parts: new Map(), bounds: new Map() };
      tables.set(table, t);
    }
    const p = s(r.p);
    const subs = t.parts.get(p) ?? [];
    if (r.sp !== null && r.sp !== undefined) subs.push(s(r.sp));
    t.parts.set(p, subs);
    t.bounds.set(p, bounds(s(r.method), r.bounds ?? null));
  }
  const out = new Map<string, string>();
  for (const [table, t] of tables) {
    if (t.head === "SYSTEM_TIME") {
      out.set(table, t.head);
      continue;
    }
    const parts = [...t.parts].map(
      ([p, subs]) =>
        `${quoteName(p)}${t.bounds.get(p)}${subs.length > 0 ? ` [${subs.map(quoteName).join(", ")}]` : ""}`,
    );
    out.set(table, `${t.head}: ${parts.join(", ")}`);
  }
  return out;
}

function bounds(method: string, description: AttrValue): string {
  if (description === null) return "";
  if (method.startsWith("RANGE")) return ` VALUES LESS THAN (${s(description)})`;
  if (method.startsWith("LIST")) return ` VALUES IN (${s(description)})`;
  return ` (${s(description)})`;
}

/**
 * A MariaDB sequence's definition, read from the sequence itself (information_schema.SEQUENCES
 * came in 11.5): every setting, never its next value or how often it cycled, which using it
 * changes. Reading a sequence does not advance it.
 */
export async function mysqlSequence(
  select: Select,
  db: string,
  name: string,
): Promise<Record<string, AttrValue>> {
  const [r] = await select(
    `SELECT start_value AS start, increment AS inc, minimum_value AS min, maximum_value AS max,
            cache_size AS cache, cycle_option AS cycle
       FROM ${quoteName(db)}.${quoteName(name)}`,
  );
  if (!r) throw new Error(`the sequence ${db}.${name} read no row`);
  return {
    start: s(r.start),
    increment: s(r.inc),
    min: s(r.min),
    max: s(r.max),
    cache: s(r.cache),
    cycle: Number(r.cycle) !== 0,
  };
}

/**
 * A DEFINER as compared. Objects run with their definer's privileges (triggers and events
 * always, views and routines with SQL SECURITY DEFINER), so another definer is a privilege
 * change. Accounts differ between the replay's server and the live one, so the migrations'
 * account is `(migrations account)`: on the replay, the account reading, which ran them there;
 * on the live database, drift's account and drift.migrationsAccount (docs/drift.md). Any other
 * is named as GRANT writes it, quoted, so no account can read as the placeholder.
 */
export function definerOf(definer: AttrValue, ours: readonly string[]): string | null {
  if (definer === null || definer === undefined || definer === "") return null;
  const d = s(definer);
  if (ours.includes(d)) return "(migrations account)";
  const at = d.lastIndexOf("@");
  const q = (x: string) => `'${x.replace(/'/g, "''")}'`;
  return at < 0 ? q(d) : `${q(d.slice(0, at))}@${q(d.slice(at + 1))}`;
}
