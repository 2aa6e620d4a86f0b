/**
 * What CREATE TABLE and ALTER TABLE define, read from tokens the same way in every dialect that
 * has it: column definitions (type, then attributes in any order), constraints and DEFAULT
 * expressions. An attribute the reader does not know makes the reading inexact (see ddl.ts).
 */
import type { Token } from "../../lexer.js";
import type { ColumnDef, ConstraintDef, ConstraintKind, DefaultExpr } from "../../model.js";
import type { StatementInput } from "../types.js";
import { TokenCursor, unquote } from "./cursor.js";

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

const CURRENT_TIME_WORDS = new Set([
  "CURRENT_TIMESTAMP",
  "NOW",
  "LOCALTIME",
  "LOCALTIMESTAMP",
  "CURRENT_DATE",
  "CURRENT_TIME",
]);

export class DefinitionReader extends TokenCursor {
  constructor(
    toks: Token[],
    input: StatementInput,
    /** Shared with the readers of the statement's parts (columns, ALTER TABLE actions). */
    protected readonly reading: { exact: boolean } = { exact: true },
  ) {
    super(toks, input);
  }

  /** False once the reader went past something it does not know. */
  get exact(): boolean {
    return this.reading.exact;
  }

  /** Go past something this reader does not know: the reading is no longer exact. */
  tolerate(): void {
    this.reading.exact = false;
  }

  /** `[CONSTRAINT [name]] PRIMARY KEY | UNIQUE | FOREIGN KEY | CHECK | KEY/INDEX …` */
  protected constraint(): ConstraintDef | null {
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
      if (kind === "check") {
        // Names not followed by `(` (functions) and not operators: the columns it reads, or
        // more (a keyword missing here only makes the list longer).
        const inner = this.toks.slice(open + 1, this.i - 1);
        d.exprColumns = [
          ...new Set(
            inner
              .filter(
                (t, k) =>
                  (t.kind === "quoted-ident" || (t.kind === "word" && !CHECK_WORDS.has(t.text))) &&
                  !(inner[k + 1]?.kind === "punct" && inner[k + 1]!.text === "("),
              )
              .map((t) => unquote(t).toLowerCase()),
          ),
        ];
        d.columns = [];
      }
    }
    if (kind === "foreign-key") {
      this.expect("REFERENCES");
      d.references = this.name();
      for (let k = this.i; k < this.toks.length - 2; k++) {
        if (this.toks[k]!.text !== "ON" || this.toks[k + 1]!.text !== "DELETE") continue;
        const a = this.toks[k + 2]!.text;
        d.onDelete = a === "SET" || a === "NO" ? `${a} ${this.toks[k + 3]?.text ?? ""}` : a;
      }
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
  protected columnDef(name: string): ColumnDef {
    const col: ColumnDef = {
      name,
      dataType: this.dataType(COLUMN_ATTRS),
      notNull: false,
      primaryKey: false,
      unique: false,
      check: false,
    };
    // MySQL writes the character set inside the type: varchar(50) CHARACTER SET utf8mb4.
    const charset = /\b(?:CHARACTER\s+SET|CHARSET)\s+[`'"]?(\w+)/i.exec(col.dataType);
    if (charset) col.charset = charset[1]!.toLowerCase();
    while (!this.done()) {
      if (this.accept("NOT", "NULL")) {
        col.notNull = true;
        delete col.explicitNull;
      } else if (this.accept("NULL")) {
        col.notNull = false;
        col.explicitNull = true;
      } else if (this.accept("DEFAULT")) {
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
        const onDelete = this.skipReferenceActions();
        if (onDelete) col.onDelete = onDelete;
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
      } else if (this.accept("COMMENT")) {
        const t = this.toks[this.i++];
        if (t) col.comment = t.text;
      } else if (this.accept("COLLATE")) {
        const t = this.toks[this.i++];
        if (t) col.collation = unquote(t).toLowerCase();
      } else if (this.accept("ON", "UPDATE")) {
        const first = this.toks[this.i++];
        if (this.isPunct("(")) this.skipParens();
        if (first) col.onUpdate = this.textOf(first, this.toks[this.i - 1]!);
      } else if (this.accept("AFTER")) {
        col.after = this.ident().toLowerCase();
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
      } else {
        this.tolerate(); // an attribute this reader does not know
        this.i++;
      }
    }
    return col;
  }

  /** Skips a reference's actions and options; returns its ON DELETE action, if written. */
  private skipReferenceActions(): string | undefined {
    let onDelete: string | undefined;
    for (;;) {
      const del = this.accept("ON", "DELETE");
      if (del || this.accept("ON", "UPDATE")) {
        const action = this.accept("SET", "NULL")
          ? "SET NULL"
          : this.accept("SET", "DEFAULT")
            ? "SET DEFAULT"
            : this.accept("NO", "ACTION")
              ? "NO ACTION"
              : this.ident().toUpperCase();
        if (del) onDelete = action;
      } else if (this.accept("MATCH")) this.ident();
      else if (this.accept("NOT", "DEFERRABLE") || this.accept("DEFERRABLE")) {
        if (this.accept("INITIALLY")) this.acceptOne("DEFERRED", "IMMEDIATE");
      } else return onDelete;
    }
  }

  /** The expression after DEFAULT: a literal, a (possibly signed) number, a word or call, or `( … )`. */
  protected defaultExpr(): DefaultExpr | null {
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
}

export function isConstraintStart(w: string): boolean {
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

/** Words of a CHECK expression that name no column. */
const CHECK_WORDS = new Set(
  "AND OR NOT XOR IS NULL IN LIKE ILIKE GLOB REGEXP RLIKE BETWEEN TRUE FALSE UNKNOWN CASE WHEN THEN ELSE END DIV MOD ESCAPE BINARY COLLATE INTERVAL".split(
    " ",
  ),
);
