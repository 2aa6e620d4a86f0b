import { displayName, sameObject, type ObjectName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { sqlRule, type Analyzed, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "sqlite-foreign-keys-pragma-in-transaction",
  defaultSeverity: "error",
  dialects: ["sqlite"],
  category: "data-loss",
  description:
    "PRAGMA foreign_keys=OFF does nothing inside a transaction, and golang-migrate runs every SQLite file in one: a table rebuild (create new, copy, drop old, rename) then drops the old table with foreign keys enforced, which fires ON DELETE CASCADE / SET NULL in the tables that point at it, or fails.",
  saferAlternative:
    "Follow SQLite's 12-step table rebuild: turn foreign keys off outside the transaction. With golang-migrate, set x-no-tx-wrap=true on the database URL and write `PRAGMA foreign_keys=OFF; BEGIN; …rebuild…; PRAGMA foreign_key_check; COMMIT; PRAGMA foreign_keys=ON;` in the file. When every foreign key pointing at the table is NO ACTION, `PRAGMA defer_foreign_keys=ON` inside the transaction also works.",
  suppressible: true,
});

const OFF = new Set(["off", "0", "false", "no"]);
const ON = new Set(["on", "1", "true", "yes"]);

/** A foreign key of the file that points at a table, with its ON DELETE action. */
interface Reference {
  from: ObjectName;
  onDelete: string;
  line: number;
}

export const sqliteForeignKeysPragmaInTransaction = sqlRule({
  meta,
  check(ctx, report) {
    // A file with its own BEGIN is meant for x-no-tx-wrap (golang-migrate's wrapping transaction
    // would make that BEGIN fail: explicit-transaction-control says so); otherwise the driver
    // wraps the whole file.
    const ownBegin = ctx.statements.some(
      (s) => s.model?.kind === "transaction" && s.model.action === "begin",
    );
    const inTransaction = (a: Analyzed): string | null =>
      a.nested
        ? "it runs as part of another statement"
        : ctx.inExplicitTransaction(a.index)
          ? "it sits between BEGIN and COMMIT"
          : ownBegin
            ? null
            : "golang-migrate runs every SQLite migration file in one transaction (unless x-no-tx-wrap=true, and this file has no BEGIN of its own)";

    const pragma = (a: Analyzed) => (a.model.kind === "other" ? a.model.pragma : undefined);
    /** The last setting of a pragma before `index` that takes effect: true on, false off. */
    const setting = (index: number, name: string, effective: (a: Analyzed) => boolean) => {
      let state: boolean | null = null;
      for (const a of ctx.parsed) {
        if (a.index >= index) break;
        const p = pragma(a);
        if (p?.name !== name || p.value === null || !effective(a)) continue;
        if (OFF.has(p.value)) state = false;
        else if (ON.has(p.value)) state = true;
      }
      return state;
    };

    // 1. PRAGMA foreign_keys=OFF inside the transaction: a no-op.
    const rebuilds = findRebuilds(ctx);
    const reported: number[] = [];
    for (const a of ctx.parsed) {
      const p = pragma(a);
      if (p?.name !== "foreign_keys" || p.value === null || !OFF.has(p.value)) continue;
      const how = inTransaction(a);
      if (!how) continue;
      const drop = rebuilds.find((r) => r.kind === "drop-then-rename" && r.drop.index > a.index);
      if (drop) reported.push(drop.drop.index);
      const consequence = drop
        ? ` So the DROP TABLE ${displayName(drop.table)} on line ${ctx.at(drop.drop).startLine} runs with foreign keys enforced (when the connection enables them): SQLite first deletes every row of the table, which fires the ON DELETE action of each foreign key pointing at it — CASCADE deletes the referencing rows, SET NULL / SET DEFAULT overwrite them — or fails the migration (RESTRICT, or NO ACTION with referencing rows).`
        : " Foreign keys stay enforced for the whole file when the connection enables them.";
      report({
        ...ctx.at(a),
        message: `PRAGMA foreign_keys=${p.value.toUpperCase()} does nothing here: SQLite ignores it while a transaction is open, and ${how}.${consequence}`,
      });
    }

    // 2. A rebuild when the file shows foreign keys that point at the table being rebuilt:
    //    dropped with foreign_keys not (effectively) off, or renamed away first, which carries
    //    the references along (SQLite 3.26+, unless legacy_alter_table=ON) whatever foreign_keys.
    for (const r of rebuilds) {
      if (reported.includes(r.drop.index)) continue;
      const first = r.kind === "drop-then-rename" ? r.drop : r.rename;
      if (r.kind === "drop-then-rename") {
        if (setting(r.drop.index, "foreign_keys", (a) => !inTransaction(a)) === false) continue;
      } else if (setting(r.rename.index, "legacy_alter_table", () => true) === true) continue;
      if (ctx.isCertainlyNew("table", r.table, first.index)) continue;
      const refs = referencesTo(ctx, r.table, first.index);
      if (refs.length === 0) continue;
      const deferred = deferActive(ctx, r.drop.index);
      const harmful =
        r.kind === "drop-then-rename"
          ? refs.filter((f) => f.onDelete !== "NO ACTION" || !deferred)
          : refs;
      if (harmful.length === 0) continue;
      const list = harmful
        .map((f) => `${displayName(f.from)} (line ${f.line}, ON DELETE ${f.onDelete})`)
        .join(", ");
      const target = displayName(r.table);
      const message =
        r.kind === "drop-then-rename"
          ? `Rebuilding ${target} drops it while foreign keys point at it: ${list}. With foreign keys enforced on the connection, SQLite first deletes every row of ${target}, which fires those ON DELETE actions (CASCADE deletes the referencing rows, SET NULL / SET DEFAULT overwrite them) or fails the migration (RESTRICT, or NO ACTION with referencing rows without PRAGMA defer_foreign_keys=ON).`
          : `Renaming ${target} to ${displayName(r.to)} rewrites the foreign keys that point at it (${list}) to point at ${displayName(r.to)} (SQLite 3.26+), and ${displayName(r.to)} is dropped on line ${ctx.at(r.drop).startLine}: they are left pointing at a table that no longer exists, and with foreign keys enforced every later write to those tables fails. Create the new table under another name, copy, drop the old one and rename the new one (SQLite's 12-step procedure).`;
      report({ ...ctx.at(first), message });
    }
  },
});

/** PRAGMA defer_foreign_keys=ON in effect before `index` (it only lasts for the transaction). */
function deferActive(ctx: SqlRuleContext, index: number): boolean {
  let on = false;
  for (const a of ctx.parsed) {
    if (a.index >= index) break;
    const m = a.model;
    if (m.kind === "transaction" && (m.action === "commit" || m.action === "rollback")) on = false;
    const p = m.kind === "other" ? m.pragma : undefined;
    if (p?.name === "defer_foreign_keys" && p.value !== null)
      on = ON.has(p.value) ? true : OFF.has(p.value) ? false : on;
  }
  return on;
}

type Rebuild =
  | { kind: "drop-then-rename"; table: ObjectName; drop: Analyzed }
  | {
      kind: "rename-then-drop";
      table: ObjectName;
      to: ObjectName;
      rename: Analyzed;
      drop: Analyzed;
    };

/**
 * Table rebuilds in the file: `DROP TABLE t` followed by `ALTER TABLE t_new RENAME TO t` (the
 * documented order), or `ALTER TABLE t RENAME TO t_old` followed by `DROP TABLE t_old`.
 */
function findRebuilds(ctx: SqlRuleContext): Rebuild[] {
  const out: Rebuild[] = [];
  const renames: Array<{ a: Analyzed; from: ObjectName; to: ObjectName }> = [];
  const drops: Array<{ a: Analyzed; name: ObjectName }> = [];
  for (const a of ctx.parsed) {
    const m = a.model;
    if (m.kind === "alter-table")
      for (const act of m.actions)
        if (act.type === "rename-table") renames.push({ a, from: m.table, to: act.to });
    if (m.kind === "drop" && m.objectType === "table")
      for (const name of m.names) drops.push({ a, name });
  }
  for (const d of drops) {
    if (renames.some((r) => r.a.index > d.a.index && sameObject(r.to, d.name)))
      out.push({ kind: "drop-then-rename", table: d.name, drop: d.a });
    const r = renames.find((r) => r.a.index < d.a.index && sameObject(r.to, d.name));
    if (r) out.push({ kind: "rename-then-drop", table: r.from, to: r.to, rename: r.a, drop: d.a });
  }
  return out.sort((x, y) => x.drop.index - y.drop.index);
}

/** Foreign keys declared in this file (other than by `table` itself) that point at `table`. */
function referencesTo(ctx: SqlRuleContext, table: ObjectName, before: number): Reference[] {
  const out: Reference[] = [];
  for (const a of ctx.parsed) {
    if (a.index >= before) break;
    const m = a.model;
    const line = ctx.at(a).startLine;
    const add = (from: ObjectName, ref: ObjectName | undefined, onDelete: string | undefined) => {
      if (ref && sameObject(ref, table) && !sameObject(from, table) && holdsRows(ctx, from, before))
        out.push({ from, onDelete: onDelete ?? "NO ACTION", line });
    };
    if (m.kind === "create-table") {
      for (const c of m.columns) add(m.table, c.references, c.onDelete);
      for (const c of m.constraints)
        if (c.kind === "foreign-key") add(m.table, c.references, c.onDelete);
    } else if (m.kind === "alter-table") {
      for (const act of m.actions)
        if (act.type === "add-column") add(m.table, act.column.references, act.column.onDelete);
    }
  }
  return out;
}

/**
 * Can `table` hold rows at statement `index`: it existed before the change, or rows were
 * written into it (the copy step of a rebuild of the referencing table)? An empty table created
 * here loses nothing to a cascade.
 */
function holdsRows(ctx: SqlRuleContext, table: ObjectName, index: number): boolean {
  if (!ctx.isCertainlyNew("table", table, index)) return true;
  return ctx.parsed.some(
    (a) => a.index < index && (a.model.writes ?? []).some((w) => sameObject(w, table)),
  );
}
