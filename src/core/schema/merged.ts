/**
 * The merged schema, built statically: tables, columns, CHECK constraints and indexes after the
 * merged up migrations (in golang-migrate order), read through the parsers' statement model. It
 * lets rules judge a statement by what it changes (a type widened, a column already NOT NULL, a
 * validated NOT NULL check, an attribute MySQL's MODIFY drops) rather than by its text alone.
 *
 * Never a guess: a statement the model cannot follow (a parse error, dynamic SQL, a call of a
 * user routine, an ALTER it does not model) makes the tables it may touch "unknown", and a rule
 * asking about an unknown or missing table or column gets nothing (today's behaviour).
 *
 * A little over 500 lines: one fold over the statement model whose cases all update the same
 * tables.
 */
import type { ColumnDef, ConstraintDef, ObjectName, StatementModel } from "../sql/model.js";
import type { Dialect } from "../types.js";
import { Routines, type Declaration } from "./routines.js";

export interface SchemaColumn {
  name: string;
  /** The type as written (Postgres: as the parser spells it). */
  dataType: string;
  notNull: boolean;
  /** MySQL TIMESTAMP declared without NULL/NOT NULL: nullability depends on the server setting. */
  nullabilityUnsure?: true;
  /** The default as written; absent for none (or DEFAULT NULL). */
  default?: string;
  onUpdate?: string;
  comment?: string;
  charset?: string;
  collation?: string;
  autoIncrement?: true;
  /** Computed from other columns (GENERATED ALWAYS AS …): a copy cannot write it, nor lose it. */
  generated?: "stored" | "virtual";
}

export interface SchemaCheck {
  name?: string;
  /** CHECK (col IS NOT NULL). */
  notNullColumn?: string;
  validated: boolean;
}

export interface SchemaIndex {
  name?: string;
  /** null: an expression. */
  columns: Array<string | null>;
  unique: boolean;
  partial: boolean;
}

export interface SchemaTable {
  name: ObjectName;
  columns: Map<string, SchemaColumn>;
  checks: SchemaCheck[];
  indexes: SchemaIndex[];
  /** Why the model cannot say what the table holds (then nothing about it is answered). */
  unknown?: string;
  /** Postgres: a partitioned table (PARTITION BY); its indexes are built on every partition. */
  partitioned?: true;
}

/** A MergedSchema as plain data (columns as [key, column] pairs, in the map's order). */
export interface SchemaSnapshot {
  dialect: Dialect;
  origin: SchemaOrigin;
  tables: Array<Omit<SchemaTable, "columns"> & { columns: Array<[string, SchemaColumn]> }>;
  pathChanged: boolean;
  blind?: string;
  routines: Declaration[];
}

/** What a lookup found: a known table, or why there is no answer. */
export type TableLookup = { table: SchemaTable } | { table?: undefined; why: string };

/** Where a schema's starting point came from: the replay's catalog, or the merged history's text. */
export type SchemaOrigin = "catalog" | "history";

export class MergedSchema {
  private tables: SchemaTable[] = [];
  /** SET search_path / USE ran: unqualified names may resolve anywhere. */
  private pathChanged = false;
  /** Why the model lost track of every table (unreadable or unmodelled code ran), if it did. */
  private blind: string | undefined;
  /** Postgres functions declared so far, with their volatility. */
  routines = new Routines();

  /**
   * `origin`: "catalog" when the schema starts from the replay's base-state catalog (what the
   * database did), "history" when built statically from the merged files' text.
   */
  constructor(
    readonly dialect: Dialect,
    readonly origin: SchemaOrigin = "history",
  ) {}

  /** The words a finding decided from this schema carries (docs/sql-analysis.md). */
  get decided(): string {
    return this.origin === "catalog"
      ? "(decided from the replayed catalog)"
      : "(decided from the merged history)";
  }

  /** A table read from a database catalog (a later one of the same name is not expected). */
  addTable(table: SchemaTable): void {
    this.forget(table.name, `${table.name.name} appears twice in the catalog`);
    this.tables.push(table);
  }

  /** Its whole state as plain data (schema/snapshot.ts stores it; `restore` reads it back). */
  snapshot(): SchemaSnapshot {
    return {
      dialect: this.dialect,
      origin: this.origin,
      tables: this.clone().tables.map((t) => ({ ...t, columns: [...t.columns] })),
      pathChanged: this.pathChanged,
      ...(this.blind !== undefined ? { blind: this.blind } : {}),
      routines: this.routines.snapshot(),
    };
  }

  static restore(s: SchemaSnapshot): MergedSchema {
    const m = new MergedSchema(s.dialect, s.origin);
    m.tables = s.tables.map((t) => ({ ...t, columns: new Map(t.columns) }));
    m.pathChanged = s.pathChanged;
    m.blind = s.blind;
    m.routines = Routines.restore(s.routines);
    return m.clone();
  }

  clone(): MergedSchema {
    const c = new MergedSchema(this.dialect, this.origin);
    c.tables = this.tables.map((t) => ({
      name: t.name,
      columns: new Map([...t.columns].map(([k, v]) => [k, { ...v }])),
      checks: t.checks.map((x) => ({ ...x })),
      indexes: t.indexes.map((x) => ({ ...x, columns: [...x.columns] })),
      ...(t.unknown ? { unknown: t.unknown } : {}),
      ...(t.partitioned ? { partitioned: true as const } : {}),
    }));
    c.pathChanged = this.pathChanged;
    c.blind = this.blind;
    c.routines = this.routines.clone();
    return c;
  }

  /** Column and table names compare case-insensitively in MySQL and SQLite. */
  key(name: string): string {
    return this.dialect === "postgres" || this.dialect === "cockroachdb"
      ? name
      : name.toLowerCase();
  }

  private schemaOf(n: ObjectName): string | undefined {
    if (!n.schema) return undefined;
    const s = this.key(n.schema);
    // Postgres' default search_path puts unqualified tables in public.
    return (this.dialect === "postgres" || this.dialect === "cockroachdb") &&
      s === "public" &&
      !this.pathChanged
      ? undefined
      : s;
  }

  /**
   * Where an unqualified name creates a table: Postgres' default search_path puts it in public
   * (so a later search_path change does not move it); otherwise it stays unqualified (unknown).
   */
  private resolved(n: ObjectName): ObjectName {
    const pg = this.dialect === "postgres" || this.dialect === "cockroachdb";
    return pg && !n.schema && !this.pathChanged ? { schema: "public", name: n.name } : n;
  }

  /** The table `name` resolves to, or why there is no answer. */
  lookup(name: ObjectName): TableLookup {
    const found = this.candidates(name);
    if (found.length === 0) return { why: `${name.name} is not created by the merged migrations` };
    if (found.length > 1 || found[0]!.possible)
      return { why: `${name.name} may name more than one table (schemas, search_path)` };
    const t = found[0]!.table;
    return t.unknown ? { why: t.unknown } : { table: t };
  }

  /** The column of a known table, or undefined. */
  column(table: ObjectName, column: string): { table: SchemaTable; column: SchemaColumn } | null {
    const t = this.lookup(table).table;
    const c = t?.columns.get(this.key(column));
    return t && c ? { table: t, column: c } : null;
  }

  private candidates(name: ObjectName): Array<{ table: SchemaTable; possible: boolean }> {
    const n = this.key(name.name);
    const s = this.schemaOf(name);
    const out: Array<{ table: SchemaTable; possible: boolean }> = [];
    for (const t of this.tables) {
      if (this.key(t.name.name) !== n) continue;
      const ts = this.schemaOf(t.name);
      if (ts === s && (s !== undefined || !this.pathChanged)) out.push({ table: t, possible: false });
      else if (ts === undefined || s === undefined) out.push({ table: t, possible: true });
    }
    return out;
  }

  /** Every table `name` may name becomes unknown. */
  private forget(name: ObjectName, why: string): void {
    for (const c of this.candidates(name)) c.table.unknown ??= why;
  }

  /** Nothing can be known any more: every table so far is unknown. */
  private forgetAll(why: string): void {
    for (const t of this.tables) t.unknown ??= why;
    this.blind = why;
    this.routines.forgetAll();
  }

  /** A statement the parser could not read: it may have changed any table. */
  unreadable(path: string, line: number): void {
    this.forgetAll(`a statement of ${path} (line ${line}) could not be read`);
  }

  /**
   * Apply one statement (merged history, or the change before the statement judged). `nested`:
   * it runs inside another (a DO block's body), so no text of its own is read (build.ts).
   */
  apply(m: StatementModel, where: string, nested = false): void {
    const effects = m.effects;
    if (effects && (effects.opaque.length > 0 || effects.calls.length > 0)) {
      this.forgetAll(`${where} runs code whose effect cannot be read`);
    }
    for (const e of effects?.embedded ?? []) {
      if (e.conditional && e.model.ddl) this.forgetAll(`${where} changes tables conditionally`);
      else this.apply(e.model, where, true);
    }
    switch (m.kind) {
      case "create-table":
        return this.createTable(m, where);
      case "alter-table":
        return this.alterTable(m.table, m.actions, where);
      case "create-index": {
        const t = this.lookup(m.table).table;
        if (!t) return;
        if (m.ifNotExists && m.name && t.indexes.some((i) => i.name === m.name!.name)) return;
        t.indexes.push({
          ...(m.name ? { name: m.name.name } : {}),
          columns: m.columns ?? [null],
          unique: m.unique,
          partial: m.partial ?? m.columns === undefined,
        });
        return;
      }
      case "drop":
        for (const n of m.names) {
          if (m.objectType === "table") this.dropTable(n);
          else if (m.objectType === "index") this.dropIndex(n, m.table);
          else if (m.objectType === "schema")
            this.tables = this.tables.filter((t) => this.schemaOf(t.name) !== this.key(n.name));
          else if (m.cascade) this.forgetAll(`${where} drops ${m.objectLabel} ${n.name} CASCADE`);
          else if (m.objectType === "function" || m.objectType === "procedure")
            this.routines.forget(n);
        }
        return;
      case "create-routine":
        // A top-level declaration is read from its text (build.ts); a nested one cannot be.
        if (nested) this.routines.forget(m.name);
        return;
      case "rename-tables":
        for (const r of m.renames) this.renameTable(r.from, r.to, where);
        return;
      case "set":
        if (m.name === "search_path" || m.name === "all") this.pathChanged = true;
        return;
      case "transaction":
        // What ran since BEGIN or a savepoint is undone: the model does not keep states.
        if (m.action === "rollback" || m.action === "rollback-to" || m.action === "prepare")
          this.forgetAll(`${where} rolls back a transaction`);
        return;
      case "other":
        if (m.renamedIndex) this.renameIndex(m.renamedIndex.from, m.renamedIndex.to);
        else if (/^USE\b/i.test(m.tag)) this.pathChanged = true;
        else if (/^(ALTER|CREATE|RENAME|SELECT)\b.*\b(TABLE|INTO)\b/i.test(m.tag))
          this.forgetAll(`${where} (${m.tag}) is not modelled`);
        return;
      default:
        return;
    }
  }

  private createTable(m: Extract<StatementModel, { kind: "create-table" }>, where: string) {
    if (m.temporary) {
      // Shadows a same-named table for the rest of the session.
      this.forget(m.table, `${where} creates a temporary table of the same name`);
      return;
    }
    const existing = this.candidates(m.table);
    // After statements the model could not read, the table may already exist (SELECT … INTO,
    // dynamic SQL): IF NOT EXISTS may then have created nothing.
    const maybeThere = m.ifNotExists && existing.length === 0 ? this.blind : undefined;
    if (m.ifNotExists && existing.length > 0) {
      if (existing.some((c) => c.possible)) this.forget(m.table, `${where} may create it again`);
      return;
    }
    if (existing.length > 0) this.forget(m.table, `${where} creates a table of the same name`);
    const t: SchemaTable = { name: this.resolved(m.table), columns: new Map(), checks: [], indexes: [] };
    if (m.partitioned) t.partitioned = true;
    if (m.asQuery) t.unknown = `${displayWhere(where)} creates it from a query`;
    if (maybeThere) t.unknown ??= `${displayWhere(where)} uses IF NOT EXISTS after ${maybeThere}`;
    for (const c of m.columns) {
      t.columns.set(this.key(c.name), this.columnOf(c));
      if (c.primaryKey || c.unique)
        t.indexes.push({ columns: [c.name], unique: true, partial: false });
    }
    for (const c of m.constraints) this.addConstraint(t, c);
    if (m.columns.length === 0 && !t.unknown)
      t.unknown = `${displayWhere(where)} creates it without listing columns (LIKE, PARTITION OF…)`;
    this.tables.push(t);
  }

  /**
   * Sets column `c` (replacing `replaces`, kept in its place) where MySQL puts it: FIRST, AFTER a
   * column, or last. The order is what mysql-add-column-position reads to tell AFTER the last
   * column (added last anyway) from a reordering.
   */
  private place(t: SchemaTable, c: ColumnDef, replaces?: string): void {
    const k = this.key(c.name);
    const old = replaces === undefined ? k : this.key(replaces);
    const keys = [...t.columns.keys()];
    const rest = [...t.columns].filter(([n]) => n !== k && n !== old);
    let at = -1; // an index into `rest`; -1: last
    if (c.positioned && c.after === undefined) at = 0;
    else if (c.positioned) {
      const i = rest.findIndex(([n]) => n === this.key(c.after!));
      if (i >= 0) at = i + 1;
    } else if (replaces !== undefined && keys.includes(old)) {
      at = keys.slice(0, keys.indexOf(old)).filter((n) => n !== k).length;
    }
    const value: [string, SchemaColumn] = [k, this.columnOf(c)];
    if (at < 0) rest.push(value);
    else rest.splice(at, 0, value);
    t.columns = new Map(rest);
  }

  private columnOf(c: ColumnDef): SchemaColumn {
    const col: SchemaColumn = { name: c.name, dataType: c.dataType, notNull: c.notNull || c.primaryKey };
    if (
      this.dialect === "mysql" &&
      !col.notNull &&
      !c.explicitNull &&
      /^timestamp\b/i.test(c.dataType)
    )
      col.nullabilityUnsure = true;
    if (c.default && !c.default.isNull) col.default = c.default.text;
    if (c.onUpdate) col.onUpdate = c.onUpdate;
    if (c.comment) col.comment = c.comment;
    if (c.charset) col.charset = c.charset;
    if (c.collation) col.collation = c.collation;
    if (c.generated === "auto-increment") col.autoIncrement = true;
    if (c.generated === "stored" || c.generated === "virtual") col.generated = c.generated;
    return col;
  }

  private addConstraint(t: SchemaTable, c: ConstraintDef) {
    const name = c.name;
    switch (c.kind) {
      case "check":
        t.checks.push({
          ...(name ? { name } : {}),
          ...(c.notNullColumn ? { notNullColumn: this.key(c.notNullColumn) } : {}),
          validated: !c.notValid,
        });
        return;
      case "not-null":
        if (!c.notValid)
          for (const k of c.columns) {
            const col = t.columns.get(this.key(k));
            if (col) col.notNull = true;
          }
        return;
      case "primary-key":
      case "unique":
        if (c.kind === "primary-key")
          for (const k of c.columns) {
            const col = t.columns.get(this.key(k));
            if (col) col.notNull = true;
          }
        t.indexes.push({
          ...(name ? { name } : {}),
          columns: c.columns.length > 0 ? [...c.columns] : [null],
          unique: true,
          partial: false,
        });
        return;
      default:
        if (name) t.checks.push({ name, validated: !c.notValid }); // named, so a drop finds it
        return;
    }
  }

  private alterTable(
    name: ObjectName,
    actions: Extract<StatementModel, { kind: "alter-table" }>["actions"],
    where: string,
  ): void {
    const t = this.lookup(name).table;
    if (!t) return;
    for (const a of actions) {
      const col = (n: string) => t.columns.get(this.key(n));
      switch (a.type) {
        case "add-column":
          if (a.ifNotExists && col(a.column.name)) break;
          this.place(t, a.column);
          if (a.column.primaryKey || a.column.unique)
            t.indexes.push({ columns: [a.column.name], unique: true, partial: false });
          break;
        case "drop-column": {
          const k = this.key(a.column);
          t.columns.delete(k);
          t.checks = t.checks.filter((c) => c.notNullColumn !== k);
          t.indexes = t.indexes.filter((i) => !i.columns.some((c) => c !== null && this.key(c) === k));
          break;
        }
        case "alter-column-type": {
          const c = col(a.column);
          if (a.definition) {
            // MySQL MODIFY/CHANGE: the new definition replaces the old one whole.
            this.place(t, a.definition, a.column);
            if (a.syntax === "change") this.renameColumnRefs(t, a.column, a.definition.name);
          } else if (c) c.dataType = a.dataType;
          break;
        }
        case "set-not-null":
        case "drop-not-null": {
          const c = col(a.column);
          if (c) {
            c.notNull = a.type === "set-not-null";
            delete c.nullabilityUnsure;
          }
          break;
        }
        case "set-default": {
          const c = col(a.column);
          if (!c) break;
          if (a.default.isNull) delete c.default;
          else c.default = a.default.text;
          break;
        }
        case "drop-default":
          delete col(a.column)?.default;
          break;
        case "add-constraint":
          this.addConstraint(t, a.constraint);
          break;
        case "validate-constraint":
          for (const c of t.checks) if (c.name === a.name) c.validated = true;
          break;
        case "drop-constraint": {
          const known =
            t.checks.some((c) => c.name === a.name) || t.indexes.some((i) => i.name === a.name);
          // A constraint without a recorded name has a generated one: it may be this one.
          t.checks = t.checks.filter((c) => c.name !== a.name && (known || c.name !== undefined));
          t.indexes = t.indexes.filter((i) => i.name !== a.name && (known || i.name !== undefined));
          // Postgres 18 names every NOT NULL (`<table>_<column>_not_null`): an unknown name may
          // have been one, so no column's nullability is known any more.
          if (!known && (this.dialect === "postgres" || this.dialect === "cockroachdb"))
            t.unknown ??= `${displayWhere(where)} drops constraint ${a.name}, which may be a NOT NULL`;
          break;
        }
        case "rename-column": {
          const c = col(a.from);
          if (!c) break;
          t.columns.delete(this.key(a.from));
          t.columns.set(this.key(a.to), { ...c, name: a.to });
          this.renameColumnRefs(t, a.from, a.to);
          break;
        }
        case "rename-constraint":
          for (const c of t.checks) if (c.name === a.from) c.name = a.to;
          for (const i of t.indexes) if (i.name === a.from) i.name = a.to;
          break;
        case "rename-table":
          this.renameTable(name, a.to, where);
          return;
        case "detach-partition":
          break;
        case "other":
          // Options that change no column (ENGINE, RENAME INDEX, SET STATISTICS, triggers…)
          // leave the model as it is; anything that may retype, refill or convert columns does not.
          if (/CONVERT|CHARSET|CHARACTER|COLLATE|TYPE|DEFAULT|NULL|GENERATED|IDENTITY|EXPRESSION|INHERIT|COLUMN|CONSTRAINT|CHECK/i.test(a.detail))
            t.unknown ??= `${displayWhere(where)} changes it in a way the static model does not follow (${a.detail})`;
          break;
      }
    }
  }

  private renameColumnRefs(t: SchemaTable, from: string, to: string): void {
    const k = this.key(from);
    for (const c of t.checks) if (c.notNullColumn === k) c.notNullColumn = this.key(to);
    for (const i of t.indexes)
      i.columns = i.columns.map((c) => (c !== null && this.key(c) === k ? to : c));
  }

  private dropTable(n: ObjectName): void {
    const found = this.candidates(n);
    if (found.length === 1 && !found[0]!.possible)
      this.tables = this.tables.filter((t) => t !== found[0]!.table);
    else this.forget(n, `DROP TABLE ${n.name} may name more than one table`);
  }

  private dropIndex(n: ObjectName, table?: ObjectName): void {
    for (const t of table ? this.candidates(table).map((c) => c.table) : this.tables)
      t.indexes = t.indexes.filter((i) => i.name !== n.name);
  }

  /** An index keeps its table and columns under its new name (so a later DROP INDEX finds it). */
  private renameIndex(from: ObjectName, to: string): void {
    for (const t of this.tables) for (const i of t.indexes) if (i.name === from.name) i.name = to;
  }

  private renameTable(from: ObjectName, to: ObjectName, where: string): void {
    const found = this.candidates(from);
    // ALTER TABLE also renames an index (or a view, a sequence) of that name.
    if (found.length === 0) this.renameIndex(from, to.name);
    if (found.length !== 1 || found[0]!.possible) {
      this.forget(from, `${where} renames a table the model cannot pin down`);
      return;
    }
    this.forget(to, `${where} renames another table to this name`);
    // ALTER TABLE … RENAME TO keeps the schema; MySQL's RENAME TABLE may move it.
    const schema = to.schema ?? found[0]!.table.name.schema;
    found[0]!.table.name = { name: to.name, ...(schema ? { schema } : {}) };
  }
}

function displayWhere(where: string): string {
  return where.charAt(0).toUpperCase() + where.slice(1);
}
