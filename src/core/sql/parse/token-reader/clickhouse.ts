/**
 * ClickHouse's token reader (no parser package reads its dialect): DROP, TRUNCATE, RENAME TABLE,
 * the column actions of ALTER TABLE, GRANT/REVOKE, passwords in CREATE/ALTER USER, and the tables
 * and columns a change creates. parse/clickhouse.ts decides what a statement it does not read is.
 */
import type { Token } from "../../lexer.js";
import {
  noFacts,
  type AlterAction,
  type ColumnDef,
  type PasswordLiteral,
  type Span,
  type StatementModel,
} from "../../model.js";
import type { StatementInput } from "../types.js";
import { Unrecognised } from "./cursor.js";
import { DdlReader, type CreateTable } from "./ddl.js";

/**
 * The statement read from its ClickHouse tokens (without `ON CLUSTER` clauses), or null when it
 * is not one the reader knows, fully.
 */
export function readClickhouseTokens(input: StatementInput, toks: Token[]): StatementModel | null {
  try {
    const reader = new ClickhouseReader(toks, input);
    const model = reader.statement();
    // Words left over: a form the reader does not know (DROP TABLE t PERMANENTLY…).
    return reader.done() ? model : null;
  } catch (e) {
    if (e instanceof Unrecognised) return null;
    throw e;
  }
}

/** Words that end a column's type in ClickHouse and start its other properties. */
const CH_COLUMN_PROPERTIES = new Set([
  "NULL",
  "NOT",
  "DEFAULT",
  "MATERIALIZED",
  "EPHEMERAL",
  "ALIAS",
  "CODEC",
  "TTL",
  "COMMENT",
  "SETTINGS",
  "STATISTICS",
  "PRIMARY",
  "AFTER",
  "FIRST",
  "REMOVE",
  "MODIFY",
  "RESET",
]);

class ClickhouseReader extends DdlReader {
  protected sub(toks: Token[]): ClickhouseReader {
    return new ClickhouseReader(toks, this.input);
  }

  statement(): StatementModel | null {
    const t = this.peek();
    if (!t || t.kind !== "word") return null;
    switch (t.text) {
      case "DROP":
        return this.dropStatement();
      case "TRUNCATE":
        return this.truncateStatement();
      case "RENAME":
        return this.isWord("TABLE", 1) ? this.renameTables() : null;
      case "EXCHANGE":
        return this.exchangeTables();
      case "GRANT":
      case "REVOKE":
        return this.grant();
      case "CREATE":
        return this.createStatement();
      case "ALTER":
        return this.alterStatement();
      case "DETACH":
        return this.detachStatement();
      case "OPTIMIZE":
        return this.optimizeStatement();
      default:
        return null;
    }
  }

  /**
   * DETACH TABLE|VIEW|DICTIONARY [IF EXISTS] name [PERMANENTLY] [SYNC]: the object disappears
   * for every query (PERMANENTLY: for good, also after a restart) while its data stays on disk,
   * reachable only by a manual ATTACH. A drop as far as the application can tell.
   */
  private detachStatement(): StatementModel {
    this.expect("DETACH");
    const kw = this.peek();
    const objectType = kw?.text === "TABLE" ? "table" : kw?.text === "VIEW" ? "view" : "other";
    if (!kw || !this.acceptOne("TABLE", "VIEW", "DICTIONARY")) this.fail();
    const ifExists = this.accept("IF", "EXISTS");
    const name = this.name();
    const permanently = this.accept("PERMANENTLY");
    this.accept("SYNC");
    if (!this.done()) this.fail();
    return {
      kind: "drop",
      objectType,
      objectLabel: kw.text,
      names: [name],
      cascade: false,
      concurrently: false,
      ifExists,
      detach: permanently ? "permanently" : "until-restart",
      ...noFacts(),
      ddl: true,
    };
  }

  /** OPTIMIZE TABLE name [PARTITION …] [FINAL] [DEDUPLICATE [BY expr]] [CLEANUP]. */
  private optimizeStatement(): StatementModel {
    this.expect("OPTIMIZE", "TABLE");
    const table = this.name();
    const at = this.toks.findIndex(
      (t, k) => k >= this.i && t.kind === "word" && t.text === "DEDUPLICATE",
    );
    const m: StatementModel = { kind: "other", tag: "OPTIMIZE TABLE", ...noFacts() };
    if (at >= 0) {
      const by = this.toks.slice(at + 1);
      m.deduplicate = { table };
      if (by[0]?.text === "BY" && by.length > 1)
        m.deduplicate.by = this.textOf(by[1]!, by[by.length - 1]!);
    }
    this.rest();
    return m;
  }

  /** DROP … with ClickHouse's trailing SYNC / NO DELAY (drop at once instead of after a delay). */
  private dropStatement(): StatementModel | null {
    const end = this.toks.length;
    const last = this.toks[end - 1];
    if (last?.kind === "word" && last.text === "SYNC") this.toks.pop();
    else if (last?.text === "DELAY" && this.toks[end - 2]?.text === "NO") this.toks.splice(-2);
    return this.drop();
  }

  /**
   * EXCHANGE TABLES a AND b: each table takes the other's name, two renames at once (the running
   * application then reads and writes the other table's rows).
   */
  private exchangeTables(): StatementModel {
    this.expect("EXCHANGE");
    if (!this.accept("TABLES") && !this.accept("DICTIONARIES")) this.fail();
    const a = this.name();
    this.expect("AND");
    const b = this.name();
    if (!this.done()) this.fail();
    return {
      kind: "rename-tables",
      renames: [
        { from: a, to: b },
        { from: b, to: a },
      ],
      ...noFacts(),
      ddl: true,
      strongLocks: [a, b],
    };
  }

  /** TRUNCATE [TEMPORARY] [TABLE] [IF EXISTS] name. */
  private truncateStatement(): StatementModel {
    this.expect("TRUNCATE");
    this.accept("TEMPORARY");
    this.accept("TABLE");
    this.accept("IF", "EXISTS");
    const table = this.name();
    if (!this.done()) this.fail();
    return {
      kind: "truncate",
      tables: [table],
      cascade: false,
      ...noFacts(),
      ddl: true,
    };
  }

  private createStatement(): StatementModel | null {
    this.expect("CREATE");
    const orReplace = this.accept("OR", "REPLACE");
    if (this.accept("USER")) {
      const passwords = this.chPasswords();
      this.rest();
      return { kind: "create-other", objectType: "user", ...noFacts(), ddl: true, passwords };
    }
    const temporary = this.accept("TEMPORARY");
    if (this.isWord("TABLE")) {
      const m = this.createTable(temporary);
      // CREATE OR REPLACE TABLE drops a table of that name, with its rows (drop-table).
      if (m.kind === "create-table" && orReplace && !temporary) m.orReplace = true;
      return m;
    }
    return null; // views, dictionaries, databases, functions…: nothing the generic rules read
  }

  /** Columns by name and type; INDEX, PROJECTION, CONSTRAINT… elements are not columns. */
  protected override tableElement(segToks: Token[], m: CreateTable): void {
    const first = segToks[0];
    if (!first) this.fail();
    if (
      first.kind === "word" &&
      ["INDEX", "PROJECTION", "CONSTRAINT", "PRIMARY", "STATISTICS"].includes(first.text)
    )
      return;
    const sub = this.sub(segToks);
    m.columns.push(sub.column(sub.ident()));
  }

  private alterStatement(): StatementModel | null {
    this.expect("ALTER");
    if (this.accept("USER")) {
      const passwords = this.chPasswords();
      this.rest();
      return { kind: "other", tag: "ALTER USER", ...noFacts(), ddl: true, passwords };
    }
    const m = this.alterTable();
    // Every action is read (as `other` when no rule needs it); one the reader cannot follow
    // fails the statement.
    return this.alterActions(m, (sub, span) => sub.alterAction(span));
  }

  /** One ALTER TABLE action: the column changes the rules read, anything else as `other`. */
  alterAction(span: Span): AlterAction {
    const other = (): AlterAction => {
      const first = this.toks[0]!;
      const last = this.toks[this.toks.length - 1]!;
      // The leading keywords, without comments or the detail's 60-character cut, for the rules
      // that tell a partition or TTL action from the rest (truncate-table).
      const words: string[] = [];
      for (const t of this.toks) {
        if (t.kind !== "word" || words.length === 3) break;
        words.push(t.text);
      }
      return {
        type: "other",
        detail: this.textOf(first, last).slice(0, 60),
        option: words.join(" "),
        span,
      };
    };
    if (this.accept("ADD", "COLUMN")) {
      this.accept("IF", "NOT", "EXISTS");
      return { type: "add-column", column: this.column(this.ident()), span };
    }
    if (this.accept("DROP", "COLUMN")) {
      this.accept("IF", "EXISTS");
      return { type: "drop-column", column: this.ident(), cascade: false, span };
    }
    if (this.accept("RENAME", "COLUMN")) {
      this.accept("IF", "EXISTS");
      return this.renameColumn(span);
    }
    if (this.accept("MODIFY", "COLUMN")) {
      this.accept("IF", "EXISTS");
      const column = this.ident();
      // MODIFY COLUMN c DEFAULT …, CODEC(…), TTL …, REMOVE …: the type stays.
      const next = this.peek();
      if (!next || (next.kind === "word" && CH_COLUMN_PROPERTIES.has(next.text))) return other();
      const def = this.column(column);
      return {
        type: "alter-column-type",
        column,
        dataType: def.dataType,
        using: false,
        syntax: "modify",
        span,
      };
    }
    // DELETE/UPDATE mutations, partitions, indexes, projections, TTL, settings, comments…
    return other();
  }

  /** A column after its name: the type as written; the properties are not needed by any rule. */
  private column(name: string): ColumnDef {
    const dataType = this.dataType(CH_COLUMN_PROPERTIES);
    this.rest();
    return {
      name,
      dataType,
      notNull: false,
      primaryKey: false,
      unique: false,
      check: false,
    };
  }

  /**
   * `IDENTIFIED [WITH method] BY 'secret'`: plaintext unless the method takes a hash
   * (`sha256_hash`, `double_sha1_hash`, `bcrypt_hash`).
   */
  private chPasswords(): PasswordLiteral[] {
    const out: PasswordLiteral[] = [];
    const toks = this.toks;
    for (let k = this.i; k < toks.length; k++) {
      const t = toks[k]!;
      if (t.kind !== "word" || t.text !== "IDENTIFIED") continue;
      let j = k + 1;
      let method = "";
      if (toks[j]?.text === "WITH") {
        method = toks[j + 1]?.text ?? "";
        j += 2;
      }
      if (toks[j]?.text !== "BY") continue;
      const lit = toks[j + 1];
      if (lit?.kind === "string")
        out.push({
          span: this.span(t.start, lit.end),
          hashed: method.endsWith("_HASH"),
          clause: this.textOf(t, lit),
        });
    }
    return out;
  }
}
