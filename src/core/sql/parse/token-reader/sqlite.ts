/**
 * SQLite's token reader: its few ALTER TABLE forms (RENAME TO, RENAME COLUMN, ADD COLUMN, DROP
 * COLUMN), DROP, CREATE TABLE/INDEX/VIEW/TRIGGER, transaction control and PRAGMA, each with exact
 * positions. SQLite accepts a 'string' where it expects a name, and so does this reader.
 */
import type { Token } from "../../lexer.js";
import { noFacts, type AlterAction, type Span, type StatementModel } from "../../model.js";
import type { StatementInput } from "../types.js";
import { unquote } from "./cursor.js";
import { DdlReader, readStatement, TRANSACTION_WORDS, type TokenReading } from "./ddl.js";

/** The statement read from its SQLite tokens, or null when it is not one the reader knows. */
export function readSqliteTokens(input: StatementInput, toks: Token[]): TokenReading | null {
  return readStatement(new SqliteReader(toks, input));
}

class SqliteReader extends DdlReader {
  protected override readonly stringNames = true;

  protected sub(toks: Token[]): SqliteReader {
    return new SqliteReader(toks, this.input, this.reading);
  }

  statement(): StatementModel | null {
    const t = this.peek();
    if (!t || t.kind !== "word") return null;
    if (TRANSACTION_WORDS.has(t.text)) return this.transaction();
    switch (t.text) {
      case "PRAGMA":
        return this.pragma();
      case "DROP":
        return this.drop();
      case "CREATE":
        return this.create();
      case "ALTER":
        return this.alter();
      default:
        return null;
    }
  }

  /** `PRAGMA [schema.]name [= value | (value)]`. */
  private pragma(): StatementModel {
    this.i++;
    const name = this.name().name.toLowerCase();
    let value: string | null = null;
    const read = () => {
      const parts: string[] = [];
      while (!this.done() && !this.isPunct(")")) {
        const t = this.toks[this.i++]!;
        parts.push(t.kind === "string" || t.kind === "quoted-ident" ? unquote(t) : t.text);
      }
      return parts.join("").toLowerCase();
    };
    if (this.isPunct("=")) {
      this.i++;
      value = read();
    } else if (this.isPunct("(")) {
      this.i++;
      value = read();
    }
    this.rest();
    return { kind: "other", tag: "PRAGMA", pragma: { name, value }, ...noFacts() };
  }

  alterAction(span: Span): AlterAction | null {
    const t = this.peek();
    if (!t || t.kind !== "word") return null;
    if (this.accept("ADD")) return this.addColumn(span);
    if (this.accept("DROP")) return this.dropColumn(span);
    if (this.accept("RENAME")) {
      if (this.accept("COLUMN") || this.isWord("TO", 1)) return this.renameColumn(span);
      if (!this.accept("TO")) return null;
      return { type: "rename-table", to: this.name(), span };
    }
    return null;
  }
}
