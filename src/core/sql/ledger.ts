/**
 * What the change creates, in execution order, so rules can tell a new object (an index on a
 * table created two statements earlier: no lock on live traffic) from an existing one.
 *
 * Objects count as new when created earlier in the same file, or — in git mode — by an earlier
 * *added* up migration of the same change and directory (it has not run anywhere yet). In PATH
 * mode every given file may already be deployed, so only the same file counts (otherwise linting
 * a whole history would exempt everything, squawk#364). A down file may also undo what its own
 * up file (same version) created: see `ownUp`.
 */
import {
  sameObject,
  type ConstraintKind,
  type Effects,
  type ObjectName,
  type StatementModel,
  type TriggerDef,
  type TriggerRowEffect,
} from "./model.js";

export type ObjectKind = "table" | "column" | "index" | "constraint" | "schema" | "other";

export interface Creation {
  kind: ObjectKind;
  name: ObjectName;
  /** For columns, indexes and constraints: the table. */
  table?: ObjectName;
  file: number;
  statement: number;
  /** Constraints: added NOT VALID and not validated (yet). */
  notValid?: boolean;
  /** Constraints: PRIMARY KEY, UNIQUE, FOREIGN KEY, CHECK… */
  constraintKind?: ConstraintKind;
  /** CHECK (col IS NOT NULL) constraints: the column. */
  notNullColumn?: string;
  /**
   * Columns added to a table: declared NOT NULL (a later SET NOT NULL is a no-op), or filled in
   * every existing row when added (a non-NULL default, a stored generated expression).
   */
  notNull?: true;
  filled?: true;
  /** Constraints: validated by a later VALIDATE CONSTRAINT (statement index in its file). */
  validatedAt?: { file: number; statement: number };
  /**
   * Created with IF NOT EXISTS: the object may have existed (with its rows) before, so it is
   * new for lock rules but not for destructive ones (`CREATE TABLE IF NOT EXISTS users (…);
   * DROP TABLE users;` must not read as dropping a table of this change).
   */
  tentative?: true;
  /**
   * A temporary table: it shadows a same-named table for unqualified references (Postgres
   * searches pg_temp first, MySQL's TEMPORARY hides the base table) but not qualified ones.
   */
  temp?: true;
  /** Tables: created partitioned (Postgres PARTITION BY). */
  partitioned?: true;
}

/** How sure the ledger is that a name, as written at some statement, is a recorded creation. */
type Match = "certain" | "possible";

/** A routine, trigger or prepared statement created by the change, where it was created. */
export interface Definition<T> {
  file: number;
  statement: number;
  value: T;
}

/** Position of a statement in the change. */
export interface At {
  file: number;
  statement: number;
}

export interface LedgerFile {
  path: string;
  version: bigint | null;
  direction: "up" | "down" | null;
  /** Added by the change (not a modified, already merged file). */
  added: boolean;
}

/** Where an object came from, as seen from one statement. */
export type Origin = "file" | "change" | "own-up";

const RANK: Record<Origin, number> = { file: 3, change: 2, "own-up": 1 };

/** A routine the change creates. */
export interface RoutineDef {
  name: ObjectName;
  body: Effects;
  type: string;
  /** A Postgres trigger function: what it does to the row (model.ts TriggerRowEffect). */
  rowEffect?: TriggerRowEffect;
  /** CREATE OR REPLACE: it may have replaced a routine that existed before the change. */
  orReplace?: true;
}

export class ChangeLedger {
  readonly files: LedgerFile[] = [];
  /** By kind and name: lookups run for nearly every statement of large migration sets. */
  private readonly byName = new Map<string, Creation[]>();
  private readonly byKind = new Map<ObjectKind, Creation[]>();
  private readonly routines = new Map<string, Array<Definition<RoutineDef>>>();
  private readonly triggers: Array<Definition<TriggerDef & { name: string }>> = [];
  private readonly prepared = new Map<string, Array<Definition<"prepare" | "deallocate">>>();
  /**
   * Where a name stopped naming what the change created (dropped, renamed away), by kind and
   * name: after that the name is an existing object again, whatever it refers to.
   */
  private readonly ends = new Map<string, Array<At & { name: ObjectName; table?: ObjectName }>>();
  /** Statements that may change how unqualified names resolve (SET search_path, USE db). */
  private readonly pathChanges: At[] = [];
  /** ALTER TABLE … RENAME CONSTRAINT: the new names, which no longer say what a constraint is. */
  private readonly constraintRenames: Array<At & { table: ObjectName; to: string }> = [];
  /** Statements that write rows of a table (UPDATE, INSERT, MERGE, COPY FROM, DELETE). */
  private readonly writes: Array<At & { table: ObjectName }> = [];

  constructor(private readonly crossFile: boolean) {}

  addFile(f: LedgerFile): number {
    this.files.push(f);
    return this.files.length - 1;
  }

  /**
   * Record what one statement creates (call in execution order). `tentative`: it may not create
   * anything (a statement inside a DO block, which an exception handler or a condition may skip).
   */
  record(file: number, statement: number, m: StatementModel, tentative = false): void {
    const add = (c: Omit<Creation, "file" | "statement">) =>
      this.add({ ...c, file, statement, ...(tentative ? { tentative: true as const } : {}) });
    const at = { file, statement };
    for (const table of m.writes ?? []) this.writes.push({ ...at, table });
    switch (m.kind) {
      case "create-routine": {
        const key = m.name.name.toLowerCase();
        const list = this.routines.get(key) ?? this.routines.set(key, []).get(key)!;
        list.push({
          ...at,
          value: {
            name: m.name,
            body: m.body,
            type: m.routineType,
            ...(m.rowEffect ? { rowEffect: m.rowEffect } : {}),
            ...(m.orReplace ? { orReplace: true as const } : {}),
          },
        });
        break;
      }
      case "prepare":
      case "deallocate": {
        const key = m.name === null ? "\0all" : m.name.toLowerCase();
        const list = this.prepared.get(key) ?? this.prepared.set(key, []).get(key)!;
        list.push({ ...at, value: m.kind });
        break;
      }
      case "create-table":
        add({
          kind: "table",
          name: m.table,
          ...(m.ifNotExists ? { tentative: true as const } : {}),
          ...(m.temporary ? { temp: true as const } : {}),
          ...(m.partitioned ? { partitioned: true as const } : {}),
        });
        for (const c of m.constraints) {
          if (c.name)
            add({
              kind: "constraint",
              name: { name: c.name },
              table: m.table,
              notValid: c.notValid,
              constraintKind: c.kind,
              ...(c.notNullColumn ? { notNullColumn: c.notNullColumn } : {}),
            });
        }
        break;
      case "create-index":
        if (m.name)
          add({
            kind: "index",
            name: m.name,
            table: m.table,
            ...(m.ifNotExists ? { tentative: true as const } : {}),
          });
        break;
      case "create-schema":
        add({
          kind: "schema",
          name: { name: m.name },
          ...(m.ifNotExists ? { tentative: true as const } : {}),
        });
        break;
      case "create-other":
        // OR REPLACE may have replaced an existing object rather than created one.
        if (m.name)
          add({
            kind: "other",
            name: m.name,
            ...(m.orReplace ? { tentative: true as const } : {}),
          });
        if (m.trigger)
          this.triggers.push({ ...at, value: { ...m.trigger, name: m.name?.name ?? "" } });
        break;
      case "rename-tables":
        for (const r of m.renames) this.renamed(r.from, r.to, at);
        break;
      case "drop":
        for (const n of m.names) {
          const kind = DROP_KINDS[m.objectType] ?? "other";
          this.end(kind, n, at, kind === "index" ? m.table : undefined);
          // The schema's objects go with it (CASCADE), and with them what the change created there.
          if (kind === "schema")
            for (const c of this.byKind.get("table") ?? [])
              if (c.name.schema === n.name) this.end("table", c.name, at);
        }
        break;
      case "set":
        if (m.name === "search_path" || m.name === "all") this.pathChanges.push(at);
        break;
      case "other":
        if (/^USE\b/i.test(m.tag)) this.pathChanges.push(at);
        break;
      case "alter-table":
        for (const a of m.actions) {
          if (a.type === "add-column") {
            const c = a.column;
            const filled =
              (c.default !== undefined && !c.default.isNull) || c.generated === "stored";
            add({
              kind: "column",
              name: { name: c.name },
              table: m.table,
              ...(a.ifNotExists ? { tentative: true as const } : {}),
              ...(c.notNull || c.primaryKey ? { notNull: true as const } : {}),
              ...(filled ? { filled: true as const } : {}),
            });
          } else if (a.type === "rename-table") {
            this.renamed(m.table, a.to, at);
          } else if (a.type === "rename-column") {
            const from = this.origin("column", { name: a.from }, at, m.table);
            const sure = this.origin("column", { name: a.from }, at, m.table, true);
            this.end("column", { name: a.from }, at, m.table);
            this.end("column", { name: a.to }, at, m.table);
            if (from)
              add({
                kind: "column",
                name: { name: a.to },
                table: m.table,
                ...(sure ? {} : { tentative: true as const }),
              });
          } else if (a.type === "drop-column") {
            this.end("column", { name: a.column }, at, m.table);
          } else if (a.type === "drop-constraint") {
            this.end("constraint", { name: a.name }, at, m.table);
          } else if (a.type === "add-constraint" && a.constraint.name) {
            add({
              kind: "constraint",
              name: { name: a.constraint.name },
              table: m.table,
              notValid: a.constraint.notValid,
              constraintKind: a.constraint.kind,
              ...(a.constraint.notNullColumn ? { notNullColumn: a.constraint.notNullColumn } : {}),
            });
          } else if (a.type === "rename-constraint") {
            this.constraintRenames.push({ ...at, table: m.table, to: a.to });
            const source = this.find("constraint", { name: a.from }, at, m.table);
            this.end("constraint", { name: a.from }, at, m.table);
            this.end("constraint", { name: a.to }, at, m.table);
            // A constraint of this change keeps what it is under its new name.
            if (source) {
              const { file: _f, statement: _s, name: _n, ...rest } = source;
              add({ ...rest, name: { name: a.to }, table: m.table });
            }
          } else if (a.type === "validate-constraint") {
            const c = this.find("constraint", { name: a.name }, at, m.table);
            if (c && !c.validatedAt) c.validatedAt = at;
          }
        }
        break;
    }
  }

  /**
   * A new table renamed is still new under its new name (certainly new only when the renamed
   * table certainly was); either way neither name holds what it held before.
   */
  private renamed(from: ObjectName, to: ObjectName, at: At) {
    const source = this.find("table", from, at);
    const sure = this.origin("table", from, at, undefined, true) !== null;
    this.end("table", from, at);
    this.end("table", to, at);
    if (!source) return;
    const schema = to.schema ?? from.schema ?? (sure ? source.name.schema : undefined);
    this.add({
      kind: "table",
      name: { ...to, ...(schema ? { schema } : {}) },
      ...at,
      ...(sure ? {} : { tentative: true as const }),
      ...(source.temp ? { temp: true as const } : {}),
      ...(source.partitioned ? { partitioned: true as const } : {}),
    });
  }

  /** `name` stops naming whatever the change created under it (conservatively: any match). */
  private end(kind: ObjectKind, name: ObjectName, at: At, table?: ObjectName): void {
    const key = `${kind}\0${name.name}`;
    (this.ends.get(key) ?? this.ends.set(key, []).get(key)!).push({
      ...at,
      name,
      ...(table ? { table } : {}),
    });
  }

  /**
   * Does `name`, written at `at`, refer to creation `c`? Certain when both resolve the same way:
   * the same schema written out, or both unqualified with no search_path change in between, or
   * an unqualified name and a temporary table (which shadows the others). Possible when a
   * missing schema could resolve either way.
   */
  private match(c: Creation, name: ObjectName, at: At, table?: ObjectName): Match | null {
    if (c.name.name !== name.name) return null;
    let m = this.nameMatch(c, c.name, name, at, c.temp);
    if (m && table && c.table) {
      const t = this.nameMatch(c, c.table, table, at, false);
      m = t === null ? null : t === "possible" ? "possible" : m;
    }
    return m;
  }

  private nameMatch(
    c: At,
    created: ObjectName,
    name: ObjectName,
    at: At,
    temp: boolean | undefined,
  ): Match | null {
    if (created.name !== name.name) return null;
    if (temp) return !name.schema || name.schema === "pg_temp" ? "certain" : "possible";
    if (created.schema && name.schema) return created.schema === name.schema ? "certain" : null;
    if (created.schema || name.schema) return "possible";
    return this.pathChanges.some((p) => after(p, c) && this.relation(p, at) !== null)
      ? "possible"
      : "certain";
  }

  /** Was `c` dropped or renamed away after its creation and before `at`? */
  private ended(c: Creation, at: At): boolean {
    return (this.ends.get(`${c.kind}\0${c.name.name}`) ?? []).some(
      (e) => after(e, c) && this.relation(e, at) !== null && this.match(c, e.name, e, e.table),
    );
  }

  /** How `name` at `at` refers to creation `c`, if `c` still holds the name there. */
  private holds(c: Creation, name: ObjectName, at: At, table?: ObjectName): Match | null {
    if (this.relation(c, at) === null || this.ended(c, at)) return null;
    return this.match(c, name, at, table);
  }

  private add(c: Creation): void {
    const key = `${c.kind}\0${c.name.name}`;
    (this.byName.get(key) ?? this.byName.set(key, []).get(key)!).push(c);
    (this.byKind.get(c.kind) ?? this.byKind.set(c.kind, []).get(c.kind)!).push(c);
  }

  private named(kind: ObjectKind, name: ObjectName): Creation[] {
    return this.byName.get(`${kind}\0${name.name}`) ?? [];
  }

  /**
   * Where `name` was created, as seen from statement `at` (null when it already existed).
   * Same-file creations win over earlier files, which win over the down file's own up.
   */
  origin(
    kind: ObjectKind,
    name: ObjectName,
    at: { file: number; statement: number },
    table?: ObjectName,
    certain = false,
  ): Origin | null {
    // A column of a new table is new too.
    let best: Origin | null =
      kind === "column" && table ? this.origin("table", table, at, undefined, certain) : null;
    for (const c of this.named(kind, name)) {
      if (certain && c.tentative) continue;
      const m = this.holds(c, name, at, table);
      if (m === null || (certain && m !== "certain")) continue;
      const o = this.relation(c, at);
      if (o !== null && (best === null || RANK[o] > RANK[best])) best = o;
    }
    return best;
  }

  /** The creation record itself (latest visible one). */
  find(
    kind: ObjectKind,
    name: ObjectName,
    at: { file: number; statement: number },
    table?: ObjectName,
  ): Creation | undefined {
    let found: Creation | undefined;
    for (const c of this.named(kind, name)) {
      if (this.holds(c, name, at, table) !== null) found = c;
    }
    return found;
  }

  /** All visible creations of a kind (e.g. constraints on a table). */
  visible(kind: ObjectKind, at: { file: number; statement: number }): Creation[] {
    return (this.byKind.get(kind) ?? []).filter(
      (c) => this.relation(c, at) !== null && !this.ended(c, at),
    );
  }

  /** The routine `name` as created by the change before `at` (latest visible one). */
  routine(name: ObjectName, at: At): Definition<RoutineDef> | undefined {
    let found;
    for (const d of this.routines.get(name.name.toLowerCase()) ?? []) {
      if (name.schema && d.value.name.schema && name.schema !== d.value.name.schema) continue;
      if (this.relation(d, at) !== null) found = d;
    }
    return found;
  }

  /**
   * Does a statement after `from` and before `to` write rows of `table` (a backfill)? A missing
   * schema on either side matches, so an ambiguous name counts as written.
   */
  writtenBetween(table: ObjectName, from: At, to: At): boolean {
    return this.writes.some(
      (w) => after(w, from) && this.relation(w, to) !== null && sameObject(w.table, table),
    );
  }

  /** Was a constraint of `table` renamed to `name` by the change before `at`? */
  constraintRenamedTo(name: string, table: ObjectName, at: At): boolean {
    return this.constraintRenames.some(
      (r) => r.to === name && sameObject(r.table, table) && this.relation(r, at) !== null,
    );
  }

  /** Triggers the change created on `table` before `at`. */
  triggersOn(table: ObjectName, at: At): Array<Definition<TriggerDef & { name: string }>> {
    return this.triggers.filter(
      (t) => !t.value.event && sameObject(t.value.table, table) && this.relation(t, at) !== null,
    );
  }

  /** Is `name` prepared (and not deallocated since) before `at`? */
  isPrepared(name: string, at: At): boolean {
    const events = [
      ...(this.prepared.get(name.toLowerCase()) ?? []),
      ...(this.prepared.get("\0all") ?? []),
    ].filter((d) => this.relation(d, at) !== null);
    events.sort((a, b) => a.file - b.file || a.statement - b.statement);
    return events.length > 0 && events[events.length - 1]!.value === "prepare";
  }

  private relation(c: At, at: { file: number; statement: number }): Origin | null {
    if (c.file === at.file) return c.statement < at.statement ? "file" : null;
    if (c.file > at.file) return null;
    const from = this.files[c.file]!;
    const to = this.files[at.file]!;
    if (from.direction !== "up") return null; // down files never run before a later file
    if (to.direction === "down") {
      // A rollback runs long after the ups were deployed: only its own up's objects matter,
      // and only to recognise "undo what the up created".
      return from.version !== null && from.version === to.version ? "own-up" : null;
    }
    return this.crossFile && from.added && to.added ? "change" : null;
  }
}

/** Is position `a` after position `b`? */
function after(a: At, b: At): boolean {
  return a.file > b.file || (a.file === b.file && a.statement > b.statement);
}

const DROP_KINDS: Partial<Record<string, ObjectKind>> = {
  table: "table",
  index: "index",
  schema: "schema",
};
