/**
 * A token-level reader for the DDL shapes of MySQL and SQLite that the rules care about.
 *
 * node-sql-parser has no statement or action positions and rejects many everyday statements
 * (MySQL: `ALTER COLUMN … SET DEFAULT`, `GRANT ALL PRIVILEGES`, `DROP TABLE … CASCADE`, `bool`
 * columns, `ENGINE=…, CONVERT TO …`; SQLite: `DROP INDEX`, `BEGIN`, `PRAGMA`, several ALTER
 * TABLE forms), so these statements are read here from the lexer's tokens. The reader is strict
 * about what it accepts: a statement whose shape it does not recognise returns null and goes to
 * node-sql-parser, whose error becomes a `sql-parse-error` finding.
 */
import type { Dialect } from "../../types.js";
import { tokenize, type Token } from "../lexer.js";
import {
  noEffects,
  noFacts,
  type AlterAction,
  type ColumnDef,
  type ConstraintDef,
  type ConstraintKind,
  type DefaultExpr,
  type DropObjectType,
  type ObjectName,
  type PasswordLiteral,
  type Span,
  type StatementModel,
} from "../model.js";
import { splitTopLevel } from "./segments.js";
import type { StatementInput } from "./types.js";

export type TokenDialect = Extract<Dialect, "mysql" | "sqlite" | "clickhouse">;

/**
 * The statement's model, or null when its shape is not one this reader knows. `lenient` is for
 * statements a real parser has already accepted: unknown ALTER TABLE actions, column attributes
 * and trailing clauses are then tolerated instead of rejecting the statement.
 */
export function classify(
  input: StatementInput,
  dialect: TokenDialect,
  lenient = false,
): StatementModel | null {
  const toks = tokenize(input.text, dialect);
  if (toks.length === 0) return null;
  const c = new Cursor(toks, input, dialect, lenient);
  try {
    const m = c.statement();
    return m && (lenient || c.done()) ? m : null;
  } catch (e) {
    if (e instanceof Unrecognised) return null;
    throw e;
  }
}

/** Thrown by a Cursor when the statement is not of a shape it knows. */
export class Unrecognised extends Error {}

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

/** Words that end a column's data type and start its attributes. */
const COLUMN_ATTRS = new Set([
  "NOT",
  "NULL",
  "DEFAULT",
  "PRIMARY",
  "UNIQUE",
  "KEY",
  "AUTO_INCREMENT",
  "AUTOINCREMENT",
  "COMMENT",
  "COLLATE",
  "REFERENCES",
  "CHECK",
  "CONSTRAINT",
  "GENERATED",
  "AS",
  "FIRST",
  "AFTER",
  "VISIBLE",
  "INVISIBLE",
  "ON",
  "STORED",
  "VIRTUAL",
  "COLUMN_FORMAT",
  "STORAGE",
  "ENGINE_ATTRIBUTE",
  "SECONDARY_ENGINE_ATTRIBUTE",
  "SRID",
]);

/** Table options whose value the online DDL rules read (`ENGINE = InnoDB`). */
const VALUED_OPTIONS = new Set([
  "ALGORITHM",
  "LOCK",
  "ENGINE",
  "CHARACTER SET",
  "COLLATE",
  "ROW_FORMAT",
]);

/** ALTER TABLE options that are neither column nor constraint changes. */
const TABLE_OPTIONS = new Set([
  "ALGORITHM",
  "LOCK",
  "ENGINE",
  "CHARACTER",
  "CHARSET",
  "COLLATE",
  "CONVERT",
  "AUTO_INCREMENT",
  "COMMENT",
  "ROW_FORMAT",
  "FORCE",
  "ORDER",
  "ENABLE",
  "DISABLE",
  "KEY_BLOCK_SIZE",
  "STATS_PERSISTENT",
  "STATS_AUTO_RECALC",
  "STATS_SAMPLE_PAGES",
  "PACK_KEYS",
  "CHECKSUM",
  "MAX_ROWS",
  "MIN_ROWS",
  "AVG_ROW_LENGTH",
  "COMPRESSION",
  "ENCRYPTION",
  "TABLESPACE",
  "WITH",
  "WITHOUT",
  "DISCARD",
  "IMPORT",
  "ANALYZE",
  "OPTIMIZE",
  "REBUILD",
  "REPAIR",
  "REMOVE",
  "TRUNCATE",
  "COALESCE",
  "REORGANIZE",
  "EXCHANGE",
  "PARTITION",
  "DEFAULT",
]);

const CURRENT_TIME_WORDS = new Set([
  "CURRENT_TIMESTAMP",
  "NOW",
  "LOCALTIME",
  "LOCALTIMESTAMP",
  "CURRENT_DATE",
  "CURRENT_TIME",
]);

/** Reads a statement's tokens; ClickHouse's reader (clickhouse.ts) extends it. */
export class Cursor {
  protected i = 0;

  constructor(
    protected readonly toks: Token[],
    protected readonly input: StatementInput,
    protected readonly dialect: TokenDialect,
    protected readonly lenient: boolean,
  ) {}

  done(): boolean {
    return this.i >= this.toks.length;
  }

  protected peek(k = 0): Token | undefined {
    return this.toks[this.i + k];
  }

  protected isWord(w: string, k = 0): boolean {
    const t = this.peek(k);
    return t !== undefined && t.kind === "word" && t.text === w;
  }

  protected isPunct(p: string, k = 0): boolean {
    const t = this.peek(k);
    return t !== undefined && t.kind === "punct" && t.text === p;
  }

  /** Consume the words if they all come next. */
  protected accept(...ws: string[]): boolean {
    for (let k = 0; k < ws.length; k++) if (!this.isWord(ws[k]!, k)) return false;
    this.i += ws.length;
    return true;
  }

  /** Consume one of the words if it comes next. */
  private acceptOne(...ws: string[]): boolean {
    return ws.some((w) => this.accept(w));
  }

  protected expect(...ws: string[]): void {
    if (!this.accept(...ws)) throw new Unrecognised();
  }

  protected fail(): never {
    throw new Unrecognised();
  }

  /** An identifier (word or quoted), unquoted and, for these dialects, lower-cased. */
  protected ident(): string {
    const t = this.peek();
    if (!t || (t.kind !== "word" && t.kind !== "quoted-ident" && !this.isStringIdent(t)))
      this.fail();
    this.i++;
    return unquote(t);
  }

  /** SQLite accepts a 'string' where it expects a name (a legacy quirk it keeps). */
  private isStringIdent(t: Token): boolean {
    return this.dialect === "sqlite" && t.kind === "string";
  }

  protected name(): ObjectName {
    const first = this.ident();
    if (this.isPunct(".")) {
      this.i++;
      return { schema: first, name: this.ident() };
    }
    return { name: first };
  }

  private nameList(): ObjectName[] {
    const out = [this.name()];
    while (this.isPunct(",")) {
      this.i++;
      out.push(this.name());
    }
    return out;
  }

  /** Skip a balanced parenthesised group starting at the current `(`. */
  private skipParens(): Span {
    if (!this.isPunct("(")) this.fail();
    const start = this.peek()!.start;
    let depth = 0;
    while (!this.done()) {
      const t = this.toks[this.i++]!;
      if (t.kind === "punct" && t.text === "(") depth++;
      else if (t.kind === "punct" && t.text === ")" && --depth === 0) return { start, end: t.end };
    }
    return this.fail();
  }

  protected rest(): void {
    this.i = this.toks.length;
  }

  protected span(from: number, to: number): Span {
    return { start: this.input.base + from, end: this.input.base + to };
  }

  protected textOf(a: Token, b: Token): string {
    return this.input.text.slice(a.start, b.end);
  }

  statement(): StatementModel | null {
    const t = this.peek();
    if (!t || t.kind !== "word") return null;
    switch (t.text) {
      case "BEGIN":
      case "START":
      case "COMMIT":
      case "END":
      case "ROLLBACK":
      case "SAVEPOINT":
      case "RELEASE":
        return this.transaction();
      case "PRAGMA":
        if (this.dialect !== "sqlite") return null;
        this.rest();
        return { kind: "other", tag: "PRAGMA", ...noFacts() };
      case "SET":
        return this.dialect === "mysql" ? this.set() : null;
      case "DROP":
        return this.drop();
      case "TRUNCATE":
        return this.dialect === "mysql" ? this.truncate() : null;
      case "RENAME":
        return this.dialect === "mysql" ? this.renameTables() : null;
      case "CREATE":
        return this.create();
      case "ALTER":
        return this.alter();
      case "GRANT":
      case "REVOKE":
        return this.dialect === "mysql" ? this.grant() : null;
      case "PREPARE":
      case "EXECUTE":
      case "DEALLOCATE":
        return this.dialect === "mysql" ? this.prepared() : null;
      default:
        return null;
    }
  }

  /**
   * MySQL prepared statements: PREPARE s FROM 'sql' | @var; EXECUTE s [USING …];
   * DEALLOCATE PREPARE s; MariaDB EXECUTE IMMEDIATE 'sql' | expr. A literal's SQL is parsed by
   * the caller (mysql.ts): here it is an embedded statement placeholder.
   */
  private prepared(): StatementModel | null {
    const w = this.toks[this.i++]!.text;
    if (w === "DEALLOCATE") {
      this.expect("PREPARE");
      const name = this.ident();
      return { kind: "deallocate", name, ...noFacts() };
    }
    if (w === "EXECUTE" && !this.isWord("IMMEDIATE")) {
      const name = this.ident();
      this.rest(); // USING @a, @b
      const m: StatementModel = { kind: "execute", name, ...noFacts() };
      m.effects = {
        ...noEffects(),
        executes: [{ name, span: this.input.span, conditional: false }],
      };
      return m;
    }
    let name = "";
    if (w === "PREPARE") {
      name = this.ident();
      this.expect("FROM");
    } else this.expect("IMMEDIATE");
    const source = this.toks.slice(this.i);
    this.rest();
    const literal = source.length === 1 && source[0]!.kind === "string";
    const m: StatementModel =
      w === "PREPARE"
        ? { kind: "prepare", name, dynamic: !literal, ...noFacts() }
        : { kind: "other", tag: "EXECUTE IMMEDIATE", ...noFacts() };
    if (!literal) {
      m.effects = noEffects();
      m.effects.opaque.push({
        span: this.input.span,
        what: `${w === "PREPARE" ? `PREPARE ${name} FROM` : "EXECUTE IMMEDIATE of"} SQL built at run time (${this.input.text
          .slice(source[0]?.start ?? 0)
          .trim()
          .slice(0, 60)})`,
        conditional: false,
      });
    }
    return m;
  }

  private transaction(): StatementModel | null {
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

  private set(): StatementModel {
    this.expect("SET");
    if (this.isWord("PASSWORD")) {
      const passwords = this.passwords();
      this.rest();
      return { kind: "other", tag: "SET PASSWORD", ...noFacts(), passwords };
    }
    let scope: "session" | "local" | "global" = "session";
    if (this.accept("GLOBAL") || this.accept("PERSIST") || this.accept("PERSIST_ONLY"))
      scope = "global";
    else if (this.accept("SESSION") || this.accept("LOCAL")) scope = "session";
    const first = this.peek();
    if (!first) this.fail();
    // @@session.lock_wait_timeout, @@lock_wait_timeout, @user_var, or a plain name.
    let j = this.i;
    while (j < this.toks.length && !(this.toks[j]!.kind === "punct" && this.toks[j]!.text === "="))
      j++;
    const lhs = this.input.text
      .slice(first.start, this.toks[j - 1]?.end ?? first.end)
      .replace(/^@@(session\.|global\.|local\.)?/i, (_m, s: string | undefined) => {
        if (s && /^global/i.test(s)) scope = "global";
        return "";
      });
    const valueToks: Token[] = [];
    for (let k = j + 1; k < this.toks.length; k++) {
      const t = this.toks[k]!;
      if (t.kind === "punct" && t.text === ",") break;
      valueToks.push(t);
    }
    this.rest();
    const value =
      valueToks.length > 0 ? this.textOf(valueToks[0]!, valueToks[valueToks.length - 1]!) : null;
    return {
      kind: "set",
      name: lhs.toLowerCase(),
      value: value === null ? null : stripQuotes(value),
      scope,
      ...noFacts(),
    };
  }

  protected drop(): StatementModel | null {
    this.expect("DROP");
    const temporary = this.accept("TEMPORARY");
    const kw = this.peek();
    if (!kw || kw.kind !== "word") return null;
    if (kw.text === "PREPARE" && this.dialect === "mysql") {
      this.i++;
      return { kind: "deallocate", name: this.ident(), ...noFacts() };
    }
    const objectType = DROP_KINDS[kw.text];
    if (!objectType || (temporary && objectType !== "table")) return null;
    this.i++;
    const ifExists = this.accept("IF", "EXISTS");
    const names = this.nameList();
    let table: ObjectName | undefined;
    if (objectType === "index" && this.accept("ON")) table = this.name();
    else if (objectType === "index" && this.dialect === "mysql") return null; // MySQL needs ON
    let cascade = false;
    if (this.accept("CASCADE")) cascade = true;
    else this.accept("RESTRICT");
    this.tableOptions();
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
  private tableOptions(): void {
    while (this.isWord("ALGORITHM") || this.isWord("LOCK")) {
      this.i++;
      if (this.isPunct("=")) this.i++;
      this.ident();
      if (this.isPunct(",")) this.i++;
    }
  }

  private truncate(): StatementModel {
    this.expect("TRUNCATE");
    this.accept("TABLE");
    const tables = this.nameList();
    return {
      kind: "truncate",
      tables,
      cascade: false,
      ...noFacts(),
      ddl: true,
      strongLocks: [...tables],
    };
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

  private create(): StatementModel | null {
    this.expect("CREATE");
    this.accept("OR", "REPLACE");
    const temporary = this.accept("TEMPORARY") || this.accept("TEMP");
    if (this.isWord("TABLE")) return this.createTable(temporary);
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
            ...noFacts(),
            ddl: true,
          };
        }
        const m: StatementModel = {
          kind: "create-other",
          objectType: t.text.toLowerCase(),
          name,
          ...noFacts(),
          ddl: true,
        };
        if (t.text === "TRIGGER") {
          // CREATE TRIGGER name {BEFORE|AFTER|INSTEAD OF} event … ON table: exclusive metadata lock.
          for (let j = this.i; j < this.toks.length - 1; j++) {
            const w = this.toks[j]!;
            if (w.kind === "word" && w.text === "ON") {
              this.i = j + 1;
              const table = this.name();
              m.strongLocks.push(table);
              m.trigger = { table, body: noEffects() };
              break;
            }
          }
        }
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
    if (this.dialect === "mysql" && this.accept("USER")) {
      const passwords = this.passwords();
      this.rest();
      return { kind: "create-other", objectType: "user", ...noFacts(), ddl: true, passwords };
    }
    return null;
  }

  protected createTable(temporary: boolean): StatementModel {
    this.expect("TABLE");
    const ifNotExists = this.accept("IF", "NOT", "EXISTS");
    const table = this.name();
    const m: Extract<StatementModel, { kind: "create-table" }> = {
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

  protected tableElement(
    segToks: Token[],
    m: Extract<StatementModel, { kind: "create-table" }>,
  ): void {
    if (segToks.length === 0) this.fail();
    const sub = new Cursor(segToks, this.input, this.dialect, this.lenient);
    const first = segToks[0]!;
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
    this.skipParens();
    this.rest(); // USING, WHERE (SQLite partial index), ALGORITHM/LOCK
    return {
      kind: "create-index",
      name,
      table,
      unique,
      concurrently: false,
      ifNotExists,
      ...noFacts(),
      ddl: true,
      strongLocks: [table],
    };
  }

  private alter(): StatementModel | null {
    this.expect("ALTER");
    if (this.dialect === "mysql" && this.accept("USER")) {
      const passwords = this.passwords();
      this.rest();
      return { kind: "other", tag: "ALTER USER", ...noFacts(), ddl: true, passwords };
    }
    this.accept("ONLINE");
    const ignore = this.accept("IGNORE");
    if (!this.accept("TABLE")) return null;
    this.accept("IF", "EXISTS");
    const table = this.name();
    const m: Extract<StatementModel, { kind: "alter-table" }> = {
      kind: "alter-table",
      table,
      actions: [],
      ...noFacts(),
      ddl: true,
      strongLocks: [table],
    };
    if (ignore) m.ignore = true;
    const rest = this.toks.slice(this.i);
    for (const seg of splitTopLevel(rest, 0)) {
      const segToks = rest.filter((t) => t.start >= seg.start && t.end <= seg.end);
      const sub = new Cursor(segToks, this.input, this.dialect, this.lenient);
      const span = this.span(seg.start, seg.end);
      let a: AlterAction | null;
      try {
        a = sub.alterAction(span);
        if (a && !sub.done() && !this.lenient) a = null;
      } catch (e) {
        if (!(e instanceof Unrecognised) || !this.lenient) throw e;
        a = null;
      }
      if (!a && this.lenient)
        a = { type: "other", detail: this.input.text.slice(seg.start, seg.end).slice(0, 60), span };
      if (!a) return null;
      m.actions.push(a);
      if (a.type === "other" && a.value !== undefined) {
        if (a.option === "ALGORITHM") m.algorithm = a.value;
        else if (a.option === "LOCK") m.lock = a.value;
      }
      const ref =
        a.type === "add-column"
          ? a.column.references
          : a.type === "add-constraint"
            ? a.constraint.references
            : undefined;
      if (ref) m.strongLocks.push(ref);
    }
    this.rest();
    return m.actions.length > 0 ? m : null;
  }

  private alterAction(span: Span): AlterAction | null {
    const t = this.peek();
    if (!t || t.kind !== "word") return null;
    const sqlite = this.dialect === "sqlite";
    if (this.accept("ADD")) {
      if (
        !sqlite &&
        (this.isWord("INDEX") ||
          this.isWord("KEY") ||
          this.isWord("FULLTEXT") ||
          this.isWord("SPATIAL"))
      ) {
        const kind = this.isWord("FULLTEXT")
          ? "FULLTEXT "
          : this.isWord("SPATIAL")
            ? "SPATIAL "
            : "";
        this.rest();
        const option = `ADD ${kind}INDEX`;
        return { type: "other", detail: option, option, span };
      }
      if (!sqlite && this.isWord("PARTITION")) {
        this.rest();
        return { type: "other", detail: "ADD PARTITION", span };
      }
      if (!sqlite && isConstraintStart(this.peek()?.text ?? "") && this.peek()?.kind === "word") {
        const c = this.constraint();
        return c ? { type: "add-constraint", constraint: c, span } : null;
      }
      this.accept("COLUMN");
      const ifNotExists = this.accept("IF", "NOT", "EXISTS");
      if (this.isPunct("(")) return null; // ADD (a int, b int): several columns, not modelled
      const name = this.ident();
      const column = this.columnDef(name);
      return { type: "add-column", column, ...(ifNotExists ? { ifNotExists } : {}), span };
    }
    if (this.accept("DROP")) {
      if (!sqlite) {
        if (this.accept("INDEX") || this.accept("KEY")) {
          this.ident();
          return { type: "other", detail: "DROP INDEX", option: "DROP INDEX", span };
        }
        if (this.accept("PRIMARY", "KEY"))
          return { type: "drop-constraint", name: "PRIMARY", cascade: false, span };
        if (this.accept("FOREIGN", "KEY") || this.accept("CONSTRAINT") || this.accept("CHECK")) {
          this.accept("IF", "EXISTS");
          return { type: "drop-constraint", name: this.ident(), cascade: false, span };
        }
        if (this.accept("PARTITION")) {
          this.rest();
          return { type: "other", detail: "DROP PARTITION", span };
        }
      }
      this.accept("COLUMN");
      this.accept("IF", "EXISTS");
      const column = this.ident();
      const cascade = this.accept("CASCADE");
      if (!cascade) this.accept("RESTRICT");
      return { type: "drop-column", column, cascade, span };
    }
    if (this.accept("RENAME")) {
      if (this.accept("COLUMN") || (sqlite && this.isWord("TO", 1))) {
        const from = this.ident();
        this.expect("TO");
        return { type: "rename-column", from, to: this.ident(), span };
      }
      if (!sqlite && (this.accept("INDEX") || this.accept("KEY"))) {
        this.ident();
        this.expect("TO");
        this.ident();
        return { type: "other", detail: "RENAME INDEX", option: "RENAME INDEX", span };
      }
      const hasTo = this.accept("TO") || (!sqlite && this.accept("AS"));
      if (!hasTo && sqlite) return null; // MySQL allows RENAME new_name
      return { type: "rename-table", to: this.name(), span };
    }
    if (sqlite) return null;
    if (this.accept("MODIFY")) {
      this.accept("COLUMN");
      const name = this.ident();
      const def = this.columnDef(name);
      return {
        type: "alter-column-type",
        column: name,
        dataType: def.dataType,
        using: false,
        definition: def,
        syntax: "modify",
        span,
      };
    }
    if (this.accept("CHANGE")) {
      this.accept("COLUMN");
      const from = this.ident();
      const to = this.ident();
      const def = this.columnDef(to);
      return {
        type: "alter-column-type",
        column: from,
        dataType: def.dataType,
        using: false,
        definition: def,
        syntax: "change",
        span,
      };
    }
    if (this.accept("ALTER")) {
      if (this.accept("INDEX")) {
        this.rest();
        return { type: "other", detail: "ALTER INDEX", span };
      }
      if (this.accept("CHECK") || this.accept("CONSTRAINT")) {
        this.rest();
        return { type: "other", detail: "ALTER CONSTRAINT", span };
      }
      this.accept("COLUMN");
      const column = this.ident();
      if (this.accept("SET", "DEFAULT")) {
        const d = this.defaultExpr();
        return d ? { type: "set-default", column, default: d, span } : null;
      }
      if (this.accept("DROP", "DEFAULT")) return { type: "drop-default", column, span };
      if (this.accept("SET", "VISIBLE") || this.accept("SET", "INVISIBLE"))
        return { type: "other", detail: "SET VISIBLE/INVISIBLE", span };
      return null;
    }
    const dflt =
      t.text === "DEFAULT" &&
      ["CHARACTER", "CHARSET", "COLLATE"].includes(this.peek(1)?.text ?? "");
    if (TABLE_OPTIONS.has(t.text) || dflt) {
      const first = t;
      if (dflt) this.i++;
      const kw = this.peek()!.text;
      const option =
        kw === "CHARSET" || (kw === "CHARACTER" && this.isWord("SET", 1)) ? "CHARACTER SET" : kw;
      this.i += kw === "CHARACTER" && option === "CHARACTER SET" ? 2 : 1;
      // `ENGINE = InnoDB`, `ALGORITHM INPLACE`: the value is the first word or string after.
      const v = this.isPunct("=") ? this.peek(1) : this.peek();
      this.rest();
      const last = this.toks[this.toks.length - 1]!;
      const a: AlterAction = {
        type: "other",
        detail: this.textOf(first, last).slice(0, 60),
        option,
        span,
      };
      if (
        VALUED_OPTIONS.has(option) &&
        v &&
        (v.kind === "word" || v.kind === "quoted-ident" || v.kind === "string")
      )
        a.value = unquote(v).toUpperCase();
      return a;
    }
    return null;
  }

  /** `[CONSTRAINT [name]] PRIMARY KEY | UNIQUE | FOREIGN KEY | CHECK | KEY/INDEX …` */
  constraint(): ConstraintDef | null {
    let name: string | undefined;
    if (this.accept("CONSTRAINT")) {
      if (!isConstraintKeyword(this.peek()?.text ?? "") || this.peek()?.kind !== "word")
        name = this.ident();
    }
    let kind: ConstraintKind;
    if (this.accept("PRIMARY", "KEY")) kind = "primary-key";
    else if (this.accept("UNIQUE")) {
      this.acceptOne("INDEX", "KEY");
      kind = "unique";
    } else if (this.accept("FOREIGN", "KEY")) kind = "foreign-key";
    else if (this.accept("CHECK")) kind = "check";
    else if (
      this.accept("KEY") ||
      this.accept("INDEX") ||
      this.accept("FULLTEXT") ||
      this.accept("SPATIAL")
    ) {
      this.rest();
      return null; // a plain index inside CREATE TABLE
    } else return this.fail();
    const d: ConstraintDef = {
      kind,
      notValid: false,
      usingIndex: false,
      notEnforced: false,
      columns: [],
    };
    if (name) d.name = name;
    // Optional index name (UNIQUE KEY uk (a), FOREIGN KEY fk (a)).
    if (kind !== "check" && !this.isPunct("(") && !this.done() && !this.isWord("USING")) {
      const n = this.ident();
      d.name ??= n;
    }
    if (this.accept("USING")) this.ident();
    if (this.isPunct("(")) {
      const open = this.i;
      this.skipParens();
      d.columns = this.toks
        .slice(open + 1, this.i - 1)
        .filter((t) => t.kind === "word" || t.kind === "quoted-ident")
        .map((t) => unquote(t));
      if (kind === "check") d.columns = [];
    }
    if (kind === "foreign-key") {
      this.expect("REFERENCES");
      d.references = this.name();
    }
    // ON DELETE…, NOT ENFORCED, index options, DEFERRABLE…: only NOT ENFORCED matters here.
    for (let k = this.i; k < this.toks.length - 1; k++) {
      if (this.toks[k]!.text === "NOT" && this.toks[k + 1]!.text === "ENFORCED")
        d.notEnforced = true;
    }
    this.rest();
    return d;
  }

  /** A column's type as written: the tokens up to the first of `ends` outside parentheses. */
  protected dataType(ends: ReadonlySet<string>): string {
    const typeStart = this.peek();
    let typeEnd: Token | undefined;
    let depth = 0;
    while (!this.done()) {
      const t = this.peek()!;
      if (t.kind === "punct" && t.text === "(") depth++;
      else if (t.kind === "punct" && t.text === ")") depth--;
      else if (depth === 0 && t.kind === "word" && ends.has(t.text)) break;
      typeEnd = t;
      this.i++;
    }
    return typeStart && typeEnd ? this.textOf(typeStart, typeEnd) : "";
  }

  /** A column definition after its name: type, then attributes in any order. */
  columnDef(name: string): ColumnDef {
    const col: ColumnDef = {
      name,
      dataType: this.dataType(COLUMN_ATTRS),
      notNull: false,
      primaryKey: false,
      unique: false,
      check: false,
    };
    while (!this.done()) {
      if (this.accept("NOT", "NULL")) col.notNull = true;
      else if (this.accept("NULL")) col.notNull = false;
      else if (this.accept("DEFAULT")) {
        const d = this.defaultExpr();
        if (!d) this.fail();
        col.default = d;
      } else if (this.accept("PRIMARY", "KEY")) {
        col.primaryKey = true;
        col.notNull = true;
      } else if (this.accept("UNIQUE")) {
        this.accept("KEY");
        col.unique = true;
      } else if (this.accept("KEY")) {
        col.primaryKey = true;
      } else if (this.accept("AUTO_INCREMENT") || this.accept("AUTOINCREMENT")) {
        col.generated = "auto-increment";
      } else if (this.accept("REFERENCES")) {
        col.references = this.name();
        if (this.isPunct("(")) this.skipParens();
        this.skipReferenceActions();
      } else if (this.accept("CHECK")) {
        col.check = true;
        this.skipParens();
      } else if (this.accept("CONSTRAINT")) {
        if (!this.isWord("CHECK") && !this.isWord("PRIMARY") && !this.isWord("UNIQUE"))
          this.ident();
      } else if (this.accept("GENERATED", "ALWAYS", "AS") || this.accept("AS")) {
        this.skipParens();
        col.generated = "virtual";
      } else if (this.accept("STORED")) {
        col.generated = "stored";
      } else if (this.accept("VIRTUAL")) {
        col.generated = "virtual";
      } else if (this.accept("COMMENT") || this.accept("COLLATE")) {
        this.i++;
      } else if (this.accept("ON", "UPDATE")) {
        this.i++;
        if (this.isPunct("(")) this.skipParens();
      } else if (this.accept("AFTER")) {
        this.ident();
        col.positioned = true;
      } else if (this.accept("FIRST")) {
        col.positioned = true;
      } else if (this.accept("VISIBLE") || this.accept("INVISIBLE")) {
        // position / visibility: no effect on the rules
      } else if (this.accept("COLUMN_FORMAT") || this.accept("STORAGE") || this.accept("SRID")) {
        this.i++;
      } else if (this.accept("ENGINE_ATTRIBUTE") || this.accept("SECONDARY_ENGINE_ATTRIBUTE")) {
        if (this.isPunct("=")) this.i++;
        this.i++;
      } else if (this.lenient) this.i++;
      else this.fail();
    }
    return col;
  }

  private skipReferenceActions(): void {
    for (;;) {
      if (this.accept("ON", "DELETE") || this.accept("ON", "UPDATE")) {
        if (!(
          this.accept("SET", "NULL") ||
          this.accept("SET", "DEFAULT") ||
          this.accept("NO", "ACTION")
        ))
          this.ident();
      } else if (this.accept("MATCH")) this.ident();
      else if (this.accept("NOT", "DEFERRABLE") || this.accept("DEFERRABLE")) {
        if (this.accept("INITIALLY")) this.acceptOne("DEFERRED", "IMMEDIATE");
      } else return;
    }
  }

  /** The expression after DEFAULT: a literal, a (possibly signed) number, a word or call, or `( … )`. */
  private defaultExpr(): DefaultExpr | null {
    const first = this.peek();
    if (!first) return null;
    let last = first;
    let volatility: DefaultExpr["volatility"] = "constant";
    const volatileFunctions: string[] = [];
    if (first.kind === "punct" && first.text === "(") {
      this.skipParens();
      last = this.toks[this.i - 1]!;
      // MySQL evaluates expression defaults per row: the table is rebuilt, never instant.
      volatility = "volatile";
      volatileFunctions.push(this.textOf(first, last));
    } else if (first.kind === "punct" && (first.text === "-" || first.text === "+")) {
      this.i++;
      last = this.peek() ?? first;
      this.i++;
    } else if (first.kind === "word") {
      this.i++;
      if (CURRENT_TIME_WORDS.has(first.text)) volatility = "stable";
      else if (
        first.text !== "NULL" &&
        first.text !== "TRUE" &&
        first.text !== "FALSE" &&
        this.isPunct("(")
      )
        return null; // a function call without parentheses around it: not valid MySQL/SQLite here
      if (this.isPunct("(")) {
        this.skipParens();
        last = this.toks[this.i - 1]!;
      }
    } else {
      this.i++;
      // b'0', x'ff', _utf8mb4'x': a prefix word glued to a string is still one literal
    }
    return {
      text: this.textOf(first, last),
      volatility,
      volatileFunctions,
      isNull: first.kind === "word" && first.text === "NULL" && first === last,
    };
  }

  /** MySQL GRANT/REVOKE. */
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
    const passwords = this.passwords();
    this.rest();
    return {
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

  /**
   * MySQL password clauses: IDENTIFIED BY 'pw', IDENTIFIED WITH plugin BY 'pw',
   * IDENTIFIED WITH plugin AS 'hash', SET PASSWORD … = 'pw', PASSWORD('pw').
   */
  private passwords(): PasswordLiteral[] {
    const out: PasswordLiteral[] = [];
    const toks = this.toks;
    for (let k = this.i; k < toks.length; k++) {
      const t = toks[k]!;
      if (t.kind !== "word") continue;
      let lit: Token | undefined;
      let hashed = false;
      if (t.text === "IDENTIFIED") {
        let j = k + 1;
        if (toks[j]?.text === "WITH") j += 2; // plugin name
        if (toks[j]?.text === "AS") hashed = true;
        if (toks[j]?.text === "BY" || toks[j]?.text === "AS") {
          if (toks[j + 1]?.text === "PASSWORD") {
            hashed = true; // IDENTIFIED BY PASSWORD '*hash' (5.x)
            j++;
          }
          lit = toks[j + 1];
        }
      } else if (t.text === "PASSWORD" && (k === this.i || toks[k - 1]?.text === "SET")) {
        let j = k + 1;
        while (j < toks.length && !(toks[j]!.kind === "punct" && toks[j]!.text === "=")) j++;
        lit = toks[j + 1];
        if (lit?.kind === "word" && lit.text === "PASSWORD" && toks[j + 2]?.text === "(")
          lit = toks[j + 3];
      }
      if (lit && lit.kind === "string") {
        out.push({ span: this.span(t.start, lit.end), hashed, clause: this.textOf(t, lit) });
      }
    }
    return out;
  }
}

function isConstraintStart(w: string): boolean {
  return (
    w === "CONSTRAINT" ||
    isConstraintKeyword(w) ||
    w === "KEY" ||
    w === "INDEX" ||
    w === "FULLTEXT" ||
    w === "SPATIAL"
  );
}

function isConstraintKeyword(w: string): boolean {
  return w === "PRIMARY" || w === "UNIQUE" || w === "FOREIGN" || w === "CHECK";
}

/** Identifier text without quotes; MySQL and SQLite compare names case-insensitively here. */
export function unquote(t: Token): string {
  let s = t.text;
  if (t.kind === "quoted-ident" || t.kind === "string") {
    const q = s[0]!;
    if (q === "[") s = s.slice(1, -1);
    else
      s = s
        .slice(1, s.endsWith(q) && s.length > 1 ? -1 : undefined)
        .split(q + q)
        .join(q);
  }
  return s.toLowerCase();
}

function stripQuotes(v: string): string {
  const m = /^(['"])(.*)\1$/s.exec(v.trim());
  return m ? m[2]! : v.trim();
}
