/**
 * ClickHouse: no parser package reads its dialect, so a token reader (the MySQL/SQLite Cursor,
 * extended) recognises the statements the generic rules look at — DROP, TRUNCATE, RENAME, ALTER
 * TABLE column changes, GRANT, passwords in CREATE/ALTER USER — and the tables and columns a
 * change creates. Other statements (INSERT, OPTIMIZE, SYSTEM, CREATE DICTIONARY…) need no rule and
 * pass as `other`. A statement that starts like one the rules read but that the reader cannot
 * follow is a parse error (manual review), never a silent pass.
 */
import { tokenize, type Token } from "../lexer.js";
import {
  noFacts,
  type AlterAction,
  type ColumnDef,
  type PasswordLiteral,
  type Span,
  type StatementModel,
} from "../model.js";
import { Cursor, Unrecognised } from "./classify.js";
import { splitTopLevel } from "./segments.js";
import type { ParseOutcome, StatementInput } from "./types.js";

export function parseClickhouse(input: StatementInput): ParseOutcome {
  const toks = withoutClusterClauses(tokenize(input.text, "clickhouse"));
  let model: StatementModel | null = null;
  try {
    const cursor = new ClickhouseCursor(toks, input);
    model = cursor.statement();
    // Words left over: a form the reader does not know (DROP TABLE t PERMANENTLY…).
    if (!cursor.done()) model = null;
  } catch (e) {
    if (!(e instanceof Unrecognised)) throw e;
  }
  if (model) return { ok: true, model, ast: undefined };
  const lead = toks.slice(0, 2).map((t) => (t.kind === "word" ? t.text : ""));
  const read = READ_BY_RULES.find(([a, b]) => lead[0] === a && (b === null || lead[1] === b));
  if (read)
    return {
      ok: false,
      message: `unrecognised ${read.filter(Boolean).join(" ")} statement (ClickHouse is read by a token reader, not a full parser)`,
      index: toks[0]!.start,
    };
  return {
    ok: true,
    model: { kind: "other", tag: lead.filter(Boolean).join(" ") || "?", ...noFacts() },
    ast: undefined,
  };
}

/** Statements the generic rules read: these must be understood, not passed as `other`. */
const READ_BY_RULES: Array<[string, string | null]> = [
  ["DROP", "TABLE"],
  ["DROP", "DATABASE"],
  ["DROP", "TEMPORARY"],
  ["TRUNCATE", null],
  ["RENAME", "TABLE"],
  ["ALTER", "TABLE"],
  ["ALTER", "USER"],
  ["CREATE", "USER"],
  ["GRANT", null],
  ["REVOKE", null],
];

/**
 * `ON CLUSTER name` (where a distributed DDL runs) changes nothing the rules look at; dropping
 * it lets the statement read like its single-server form.
 */
function withoutClusterClauses(toks: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < toks.length; i++) {
    if (toks[i]!.kind === "word" && toks[i]!.text === "ON" && toks[i + 1]?.text === "CLUSTER") {
      i += 2; // and the cluster's name (a word, a quoted name or a '{macro}' string)
      continue;
    }
    out.push(toks[i]!);
  }
  return out;
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

class ClickhouseCursor extends Cursor {
  constructor(toks: Token[], input: StatementInput) {
    super(toks, input, "clickhouse", true);
  }

  override statement(): StatementModel | null {
    const t = this.peek();
    if (!t || t.kind !== "word") return null;
    switch (t.text) {
      case "DROP":
        return this.dropStatement();
      case "TRUNCATE":
        return this.truncateStatement();
      case "RENAME":
        return this.isWord("TABLE", 1) ? this.renameTables() : null;
      case "GRANT":
      case "REVOKE":
        return this.grant();
      case "CREATE":
        return this.createStatement();
      case "ALTER":
        return this.alterStatement();
      default:
        return null;
    }
  }

  /** DROP … with ClickHouse's trailing SYNC / NO DELAY (drop at once instead of after a delay). */
  private dropStatement(): StatementModel | null {
    const end = this.toks.length;
    const last = this.toks[end - 1];
    if (last?.kind === "word" && last.text === "SYNC") this.toks.pop();
    else if (last?.text === "DELAY" && this.toks[end - 2]?.text === "NO") this.toks.splice(-2);
    return this.drop();
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
    this.accept("OR", "REPLACE");
    if (this.accept("USER")) {
      const passwords = this.chPasswords();
      this.rest();
      return { kind: "create-other", objectType: "user", ...noFacts(), ddl: true, passwords };
    }
    const temporary = this.accept("TEMPORARY");
    if (this.isWord("TABLE")) return this.createTable(temporary);
    return null; // views, dictionaries, databases, functions…: nothing the generic rules read
  }

  /** Columns by name and type; INDEX, PROJECTION, CONSTRAINT… elements are not columns. */
  protected override tableElement(
    segToks: Token[],
    m: Extract<StatementModel, { kind: "create-table" }>,
  ): void {
    const first = segToks[0];
    if (!first) this.fail();
    if (
      first.kind === "word" &&
      ["INDEX", "PROJECTION", "CONSTRAINT", "PRIMARY", "STATISTICS"].includes(first.text)
    )
      return;
    const sub = new ClickhouseCursor(segToks, this.input);
    m.columns.push(sub.column(sub.ident()));
  }

  private alterStatement(): StatementModel | null {
    this.expect("ALTER");
    if (this.accept("USER")) {
      const passwords = this.chPasswords();
      this.rest();
      return { kind: "other", tag: "ALTER USER", ...noFacts(), ddl: true, passwords };
    }
    this.expect("TABLE");
    this.accept("IF", "EXISTS");
    const table = this.name();
    const m: Extract<StatementModel, { kind: "alter-table" }> = {
      kind: "alter-table",
      table,
      actions: [],
      ...noFacts(),
      ddl: true,
    };
    const rest = this.toks.slice(this.i);
    for (const seg of splitTopLevel(rest, 0)) {
      const segToks = rest.filter((t) => t.start >= seg.start && t.end <= seg.end);
      const span = this.span(seg.start, seg.end);
      m.actions.push(new ClickhouseCursor(segToks, this.input).action(span));
    }
    this.rest();
    return m.actions.length > 0 ? m : null;
  }

  /** One ALTER TABLE action: the column changes the rules read, anything else as `other`. */
  private action(span: Span): AlterAction {
    const other = (): AlterAction => {
      const first = this.toks[0]!;
      const last = this.toks[this.toks.length - 1]!;
      return { type: "other", detail: this.textOf(first, last).slice(0, 60), span };
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
      const from = this.ident();
      this.expect("TO");
      return { type: "rename-column", from, to: this.ident(), span };
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
