/**
 * The DDL statements the dialect readers share: DROP, CREATE TABLE/INDEX/VIEW/TRIGGER/routine/
 * schema, the ALTER TABLE action list, transaction control, RENAME TABLE and GRANT/REVOKE (column
 * definitions and constraints are in definitions.ts). Each dialect's reader (mysql.ts, sqlite.ts,
 * clickhouse.ts) chooses which statements it reads and how it reads an ALTER TABLE action; what a
 * dialect does differently is a member its reader overrides, never a test of the dialect here.
 *
 * A reader reads leniently and says whether it had to: an ALTER TABLE action or a column
 * attribute it does not know, or words left over, make the reading inexact instead of failing.
 * An exact reading gives the statement's facts on its own; an inexact one is used only when a real
 * parser accepts the statement (see parse/mysql.ts), so that the actions it did read still reach
 * the rules. One pass over the tokens serves both.
 *
 * A little over 500 lines: the statements every dialect reader inherits, in one class so that each
 * override has one place to look.
 */
import type { Token } from "../../lexer.js";
import {
  noEffects,
  noFacts,
  referencedTable,
  type AlterAction,
  type DropObjectType,
  type ObjectName,
  type Span,
  type StatementModel,
} from "../../model.js";
import { splitTopLevel } from "../segments.js";
import { tokenTrigger } from "./trigger.js";
import { Unrecognised } from "./cursor.js";
import { DefinitionReader, isConstraintStart } from "./definitions.js";
import { passwordClauses } from "./passwords.js";

/** A statement read from its tokens; `exact` is false when the reader went past what it knows. */
export interface TokenReading {
  model: StatementModel;
  exact: boolean;
}

/** The statement `reader` reads, or null when its shape is not one the reader knows. */
export function readStatement(reader: DdlReader): TokenReading | null {
  try {
    const model = reader.statement();
    if (!model) return null;
    if (!reader.done()) reader.tolerate(); // words left over
    return { model, exact: reader.exact };
  } catch (e) {
    if (e instanceof Unrecognised) return null;
    throw e;
  }
}

export type CreateTable = Extract<StatementModel, { kind: "create-table" }>;
export type AlterTable = Extract<StatementModel, { kind: "alter-table" }>;

const DROP_KINDS: Record<string, DropObjectType> = {
  TABLE: "table",
  VIEW: "view",
  INDEX: "index",
  DATABASE: "database",
  SCHEMA: "schema",
  TRIGGER: "trigger",
  PROCEDURE: "procedure",
  FUNCTION: "function",
  EVENT: "other",
};

/** Words that start transaction control, read alike by MySQL and SQLite. */
export const TRANSACTION_WORDS = new Set([
  "BEGIN",
  "START",
  "COMMIT",
  "END",
  "ROLLBACK",
  "SAVEPOINT",
  "RELEASE",
]);

export abstract class DdlReader extends DefinitionReader {
  /** MySQL's DROP INDEX needs `ON table`; SQLite's and ClickHouse's do not. */
  protected readonly dropIndexNeedsTable: boolean = false;

  /** The statement's model, or null when it is not one this reader knows. */
  abstract statement(): StatementModel | null;

  /** A reader of the same dialect over a part of the statement, sharing its exactness. */
  protected abstract sub(toks: Token[]): DdlReader;

  /** One ALTER TABLE action (the tokens between two top-level commas). */
  abstract alterAction(span: Span): AlterAction | null;

  protected transaction(): StatementModel | null {
    const w = this.toks[this.i++]!.text;
    const m = (action: Extract<StatementModel, { kind: "transaction" }>["action"]) => {
      this.rest(); // modifiers (WORK, TRANSACTION, IMMEDIATE, READ ONLY…) do not matter here
      return { kind: "transaction" as const, action, ...noFacts() };
    };
    switch (w) {
      case "BEGIN":
        // MySQL `BEGIN` starts a transaction only as a whole statement (not BEGIN … END).
        return m("begin");
      case "START":
        this.expect("TRANSACTION");
        return m("begin");
      case "COMMIT":
      case "END":
        return m("commit");
      case "ROLLBACK":
        while (this.accept("WORK") || this.accept("TRANSACTION"));
        return m(this.isWord("TO") ? "rollback-to" : "rollback");
      case "SAVEPOINT":
        return m("savepoint");
      default:
        return m("release");
    }
  }

  /** `DROP PREPARE s` (after DROP [TEMPORARY]): only MySQL has it. */
  protected dropPrepare(): StatementModel | null {
    return null;
  }

  protected drop(): StatementModel | null {
    this.expect("DROP");
    const temporary = this.accept("TEMPORARY");
    const kw = this.peek();
    if (!kw || kw.kind !== "word") return null;
    if (kw.text === "PREPARE") return this.dropPrepare();
    const objectType = DROP_KINDS[kw.text];
    if (!objectType || (temporary && objectType !== "table")) return null;
    this.i++;
    const ifExists = this.accept("IF", "EXISTS");
    const names = this.nameList();
    let table: ObjectName | undefined;
    if (objectType === "index" && this.accept("ON")) table = this.name();
    else if (objectType === "index" && this.dropIndexNeedsTable) return null;
    let cascade = false;
    if (this.accept("CASCADE")) cascade = true;
    else this.accept("RESTRICT");
    this.onlineOptions();
    const m: StatementModel = {
      kind: "drop",
      objectType,
      objectLabel: kw.text,
      names,
      cascade,
      concurrently: false,
      ifExists,
      ...noFacts(),
      ddl: true,
    };
    if (table) m.table = table;
    if (objectType === "table" || objectType === "view") m.strongLocks.push(...names);
    if (objectType === "index" && table) m.strongLocks.push(table);
    return m;
  }

  /** Trailing `ALGORITHM=…, LOCK=…` (MySQL online DDL options). */
  private onlineOptions(): void {
    while (this.isWord("ALGORITHM") || this.isWord("LOCK")) {
      this.i++;
      if (this.isPunct("=")) this.i++;
      this.ident();
      if (this.isPunct(",")) this.i++;
    }
  }

  protected renameTables(): StatementModel {
    this.expect("RENAME");
    this.expect("TABLE");
    const renames: Array<{ from: ObjectName; to: ObjectName }> = [];
    do {
      if (renames.length > 0) this.i++; // the comma
      const from = this.name();
      this.expect("TO");
      renames.push({ from, to: this.name() });
    } while (this.isPunct(","));
    return {
      kind: "rename-tables",
      renames,
      ...noFacts(),
      ddl: true,
      strongLocks: renames.map((r) => r.from),
    };
  }

  /** `CREATE USER …` (after CREATE [OR REPLACE] and the object words): only MySQL's is read. */
  protected createUser(): StatementModel | null {
    return null;
  }

  protected create(): StatementModel | null {
    this.expect("CREATE");
    const orReplace = this.accept("OR", "REPLACE");
    const temporary = this.accept("TEMPORARY") || this.accept("TEMP");
    if (this.isWord("TABLE")) {
      const m = this.createTable(temporary);
      // MariaDB's CREATE OR REPLACE TABLE drops a table of that name first (drop-table).
      if (m?.kind === "create-table" && orReplace && !temporary) m.orReplace = true;
      return m;
    }
    const unique = this.accept("UNIQUE");
    this.acceptOne("FULLTEXT", "SPATIAL");
    if (this.isWord("INDEX")) return this.createIndex(unique);
    if (unique) return null;
    // CREATE [ALGORITHM=…] [DEFINER=…] [SQL SECURITY …] VIEW/TRIGGER/PROCEDURE/FUNCTION/EVENT
    const objectWords = ["VIEW", "TRIGGER", "PROCEDURE", "FUNCTION", "EVENT"];
    for (let k = 0; k < 12 && this.peek(k); k++) {
      const t = this.peek(k)!;
      if (t.kind === "word" && objectWords.includes(t.text)) {
        this.i += k + 1;
        this.accept("IF", "NOT", "EXISTS");
        const name = this.name();
        if (t.text === "PROCEDURE" || t.text === "FUNCTION" || t.text === "EVENT") {
          // The body's effects are read by the dialect's parser (compound-body.ts).
          const loadable =
            t.text === "FUNCTION" &&
            this.toks.some((x) => x.kind === "word" && x.text === "SONAME");
          const body = noEffects();
          if (loadable)
            body.opaque.push({
              span: this.input.span,
              what: "a loadable function from a shared library (native code)",
              conditional: false,
            });
          this.rest();
          return {
            kind: "create-routine",
            routineType:
              t.text === "EVENT" ? "event" : t.text === "FUNCTION" ? "function" : "procedure",
            name,
            body,
            ...(orReplace ? { orReplace: true } : {}),
            ...noFacts(),
            ddl: true,
          };
        }
        const m: StatementModel = {
          kind: "create-other",
          objectType: t.text.toLowerCase(),
          name,
          ...(orReplace && t.text === "VIEW" ? { orReplace: true as const } : {}),
          ...noFacts(),
          ddl: true,
        };
        if (t.text === "TRIGGER") {
          // CREATE TRIGGER name {BEFORE|AFTER|INSTEAD OF} event … ON table: exclusive metadata lock.
          for (let j = this.i; j < this.toks.length - 1; j++) {
            const w = this.toks[j]!;
            if (w.kind === "word" && w.text === "ON") {
              const head = this.toks.slice(this.i, j);
              this.i = j + 1;
              const table = this.name();
              m.strongLocks.push(table);
              m.trigger = {
                table,
                body: noEffects(),
                ...tokenTrigger(head, this.toks.slice(this.i)),
              };
              break;
            }
          }
        }
        // `*` is expanded when the view is created: later columns of the table stay out of it.
        if (t.text === "VIEW" && selectsStar(this.toks.slice(this.i)))
          m.implicitColumns = { star: true };
        this.rest();
        return m;
      }
    }
    if (this.accept("DATABASE") || this.accept("SCHEMA")) {
      const ifNotExists = this.accept("IF", "NOT", "EXISTS");
      const name = this.ident();
      this.rest();
      return {
        kind: "create-schema",
        name,
        ...(ifNotExists ? { ifNotExists } : {}),
        ...noFacts(),
        ddl: true,
      };
    }
    return this.createUser();
  }

  protected createTable(temporary: boolean): StatementModel {
    this.expect("TABLE");
    const ifNotExists = this.accept("IF", "NOT", "EXISTS");
    const table = this.name();
    const m: CreateTable = {
      kind: "create-table",
      table,
      ifNotExists,
      temporary,
      columns: [],
      constraints: [],
      asQuery: false,
      ...noFacts(),
      ddl: true,
    };
    if (this.isPunct("(")) {
      const open = this.i;
      this.skipParens();
      const inner = this.toks.slice(open + 1, this.i - 1);
      for (const seg of splitTopLevel(inner, 0)) {
        const segToks = inner.filter((t) => t.start >= seg.start && t.end <= seg.end);
        this.tableElement(segToks, m);
      }
    } else if (this.isWord("LIKE")) {
      m.derived = "like";
      this.rest();
      return m;
    }
    if (
      this.isWord("AS") ||
      this.isWord("SELECT") ||
      this.isWord("IGNORE") ||
      this.isWord("REPLACE")
    )
      m.asQuery = true;
    this.rest(); // table options (ENGINE=…, WITHOUT ROWID, STRICT)
    for (const r of [
      ...m.columns.map((c) => c.references),
      ...m.constraints.map((c) => c.references),
    ])
      if (r) m.strongLocks.push(r);
    return m;
  }

  /** A column or a constraint of CREATE TABLE (the tokens between two top-level commas). */
  protected tableElement(segToks: Token[], m: CreateTable): void {
    if (segToks.length === 0) this.fail();
    const sub = this.sub(segToks);
    const first = segToks[0]!;
    if (first.kind === "word" && (first.text === "INDEX" || first.text === "KEY")) {
      // INDEX|KEY [name] [USING …] (key parts): kept for wide-non-unique-index.
      const at = sub.i;
      sub.i++;
      const name = sub.isPunct("(") || sub.isWord("USING") ? undefined : sub.ident();
      if (sub.accept("USING")) sub.ident();
      if (sub.isPunct("(")) {
        const keyParts = sub.listItems();
        const span = this.span(first.start, segToks[segToks.length - 1]!.end);
        (m.indexes ??= []).push({ ...(name ? { name } : {}), keyParts, span });
      }
      sub.i = at;
    }
    if (first.kind === "word" && isConstraintStart(first.text)) {
      const c = sub.constraint();
      if (c) m.constraints.push(c);
      return;
    }
    const name = sub.ident();
    m.columns.push(sub.columnDef(name));
  }

  private createIndex(unique: boolean): StatementModel {
    this.expect("INDEX");
    const ifNotExists = this.accept("IF", "NOT", "EXISTS");
    const name = this.name();
    // MySQL: CREATE INDEX i USING BTREE ON t
    if (this.accept("USING")) this.ident();
    this.expect("ON");
    const table = this.name();
    const keyParts = this.listItems();
    this.rest(); // USING, WHERE (SQLite partial index), ALGORITHM/LOCK
    return {
      kind: "create-index",
      name,
      table,
      unique,
      concurrently: false,
      ifNotExists,
      keyParts,
      ...noFacts(),
      ddl: true,
      strongLocks: [table],
    };
  }

  /** `ALTER USER …` (right after ALTER): only MySQL's is read. */
  protected alterUser(): StatementModel | null {
    return null;
  }

  /** `ALTER … VIEW …` (right after ALTER): only MySQL's is read. */
  protected alterView(): StatementModel | null {
    return null;
  }

  /** `ALTER [ONLINE] [IGNORE] TABLE [IF EXISTS] name action, …` (MySQL and SQLite). */
  protected alter(): StatementModel | null {
    this.expect("ALTER");
    const user = this.alterUser() ?? this.alterView();
    if (user) return user;
    this.accept("ONLINE");
    const ignore = this.accept("IGNORE");
    const m = this.alterTable();
    m.strongLocks.push(m.table);
    if (ignore) m.ignore = true;
    return this.alterActions(m, (sub, span) => this.knownOrOtherAction(sub, span));
  }

  /** `TABLE [IF EXISTS] name` after ALTER: the statement, before its actions. */
  protected alterTable(): AlterTable {
    this.expect("TABLE");
    this.accept("IF", "EXISTS");
    const table = this.name();
    return { kind: "alter-table", table, actions: [], ...noFacts(), ddl: true };
  }

  /**
   * The comma-separated actions after the table's name, each read by `read` from its own tokens
   * and placed where it is written; null when there is none or `read` refuses one.
   */
  protected alterActions(
    m: AlterTable,
    read: (sub: DdlReader, span: Span) => AlterAction | null,
  ): AlterTable | null {
    const rest = this.toks.slice(this.i);
    for (const seg of splitTopLevel(rest, 0)) {
      const segToks = rest.filter((t) => t.start >= seg.start && t.end <= seg.end);
      const a = read(this.sub(segToks), this.span(seg.start, seg.end));
      if (!a) return null;
      m.actions.push(a);
      if (a.type === "other" && a.value !== undefined) {
        if (a.option === "ALGORITHM") m.algorithm = a.value;
        else if (a.option === "LOCK") m.lock = a.value;
      }
      const ref = referencedTable(a);
      if (ref) m.strongLocks.push(ref);
    }
    this.rest();
    return m.actions.length > 0 ? m : null;
  }

  /** The action as the dialect reads it; one it cannot read (fully) is kept as `other`. */
  private knownOrOtherAction(sub: DdlReader, span: Span): AlterAction {
    let a: AlterAction | null;
    try {
      a = sub.alterAction(span);
      if (a && !sub.done()) this.tolerate();
    } catch (e) {
      if (!(e instanceof Unrecognised)) throw e;
      a = null;
    }
    if (a) return a;
    this.tolerate();
    const text = this.input.text.slice(span.start - this.input.base, span.end - this.input.base);
    return { type: "other", detail: text.slice(0, 60), span };
  }

  /** `ADD [COLUMN] [IF NOT EXISTS] name definition` after ADD. */
  protected addColumn(span: Span): AlterAction | null {
    this.accept("COLUMN");
    const ifNotExists = this.accept("IF", "NOT", "EXISTS");
    if (this.isPunct("(")) return null; // ADD (a int, b int): several columns, not modelled
    const name = this.ident();
    const column = this.columnDef(name);
    return { type: "add-column", column, ...(ifNotExists ? { ifNotExists } : {}), span };
  }

  /** `[COLUMN] [IF EXISTS] name [CASCADE | RESTRICT]` after DROP. */
  protected dropColumn(span: Span): AlterAction {
    this.accept("COLUMN");
    this.accept("IF", "EXISTS");
    const column = this.ident();
    const cascade = this.accept("CASCADE");
    if (!cascade) this.accept("RESTRICT");
    return { type: "drop-column", column, cascade, span };
  }

  /** `old TO new` after RENAME [COLUMN]. */
  protected renameColumn(span: Span): AlterAction {
    const from = this.ident();
    this.expect("TO");
    return { type: "rename-column", from, to: this.ident(), span };
  }

  /**
   * `ON [TABLE] [db.]t` between tokens `from` and `to`: the table, or undefined for anything
   * else (`*`, `db.*`, FUNCTION/PROCEDURE, a list the grammar does not have).
   */
  private grantTable(from: number, to: number): ObjectName[] | undefined {
    const save = this.i;
    try {
      this.i = from;
      if (this.isWord("FUNCTION") || this.isWord("PROCEDURE")) return undefined;
      this.accept("TABLE");
      const name = this.name();
      return this.i === to ? [name] : undefined;
    } catch {
      return undefined; // `*`, `db.*`: not one table
    } finally {
      this.i = save;
    }
  }

  /** GRANT/REVOKE privileges or roles (MySQL's grammar; ClickHouse's reads the same way). */
  protected grant(): StatementModel {
    const revoke = this.toks[this.i++]!.text === "REVOKE";
    const toIdx = this.toks.findIndex(
      (t, k) => k >= this.i && t.kind === "word" && t.text === (revoke ? "FROM" : "TO"),
    );
    if (toIdx < 0) this.fail();
    const onIdx = this.toks.findIndex(
      (t, k) => k >= this.i && k < toIdx && t.kind === "word" && t.text === "ON",
    );
    const privEnd = onIdx >= 0 ? onIdx : toIdx;
    const privileges = splitTopLevel(this.toks.slice(this.i, privEnd), 0).map((s) =>
      this.input.text.slice(s.start, s.end).toLowerCase().replace(/\s+/g, " "),
    );
    const after = this.toks.slice(toIdx + 1);
    const withIdx = after.findIndex(
      (t) =>
        t.kind === "word" && (t.text === "WITH" || t.text === "IDENTIFIED" || t.text === "REQUIRE"),
    );
    const granteeToks = withIdx >= 0 ? after.slice(0, withIdx) : after;
    const grantees = splitTopLevel(granteeToks, 0).map((s) =>
      this.input.text.slice(s.start, s.end),
    );
    let withGrantOption = false;
    for (let k = 0; k < after.length - 2; k++) {
      if (
        after[k]!.text === "WITH" &&
        (after[k + 1]!.text === "GRANT" || after[k + 1]!.text === "ADMIN") &&
        after[k + 2]!.text === "OPTION"
      )
        withGrantOption = true;
    }
    const passwords = passwordClauses(this.toks, this.i, this.input);
    const tables = onIdx >= 0 ? this.grantTable(onIdx + 1, toIdx) : undefined;
    this.rest();
    return {
      ...(tables ? { tables } : {}),
      kind: "grant",
      revoke,
      target: onIdx >= 0 ? "privileges" : "role",
      privileges,
      grantees,
      withGrantOption,
      ...noFacts(),
      ddl: true,
      passwords,
    };
  }
}

/**
 * Does a view's query hold `*` or `t.*` in a top-level select list (each UNION arm)? Only
 * parenthesis depth 0 counts: subqueries and CTE bodies name no columns of the view, and a `*`
 * after a value (`a * 2`) multiplies.
 */
function selectsStar(toks: readonly Token[]): boolean {
  let depth = 0;
  let list = false;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.kind === "punct" && t.text === "(") depth++;
    else if (t.kind === "punct" && t.text === ")") depth--;
    if (depth !== 0) continue;
    if (t.kind === "word" && t.text === "SELECT") list = true;
    else if (t.kind === "word" && t.text === "FROM") list = false;
    else if (list && t.kind === "punct" && t.text === "*") {
      const p = toks[i - 1];
      if (!p) continue;
      if (p.kind === "punct" && (p.text === "," || p.text === ".")) return true;
      if (p.kind === "word" && ["SELECT", "DISTINCT", "ALL", "DISTINCTROW"].includes(p.text))
        return true;
    }
  }
  return false;
}
