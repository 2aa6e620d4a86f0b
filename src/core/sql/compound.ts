/**
 * Where a statement with a body ends: routines and triggers whose bodies hold `;` (MySQL
 * procedures, functions, triggers and events; Postgres BEGIN ATOMIC; SQLite triggers), and
 * MariaDB's compound statements outside routines (`BEGIN NOT ATOMIC … END`, `IF … END IF`).
 *
 * It follows the grammar rather than counting keywords, because BEGIN and END are not reserved
 * in MySQL or SQLite: a column named `begin` must not open a block (that would swallow every
 * statement after the routine) and one named `end` must not close it. A block opens only where a
 * statement can start (after the routine header, `;`, BEGIN, THEN, ELSE, DO, LOOP, REPEAT or a
 * label), and END closes one only where a statement can start; elsewhere END closes a CASE
 * expression or is a name.
 *
 * Fed one token at a time by the splitter (no allocation per token) and, for analysis, by the
 * routine-body reader, which also wants to know where each statement inside the body starts.
 */
import type { Dialect } from "../types.js";

type Construct = "block" | "if" | "loop" | "while" | "repeat" | "case" | "case-expr";

/** Statement kinds whose bodies may contain `;`, per dialect. */
const ROUTINE_KINDS: Record<Dialect, readonly string[]> = {
  postgres: ["FUNCTION", "PROCEDURE"],
  cockroachdb: ["FUNCTION", "PROCEDURE"],
  mysql: ["PROCEDURE", "FUNCTION", "TRIGGER", "EVENT"],
  sqlite: ["TRIGGER"],
  clickhouse: [],
};

/** Words remembered per statement to recognise routine headers (CREATE OR REPLACE FUNCTION…). */
const HEADER_WORDS = 12;

/** MySQL routine characteristics (between the parameter list and the body). */
const CHARACTERISTICS = new Set([
  "COMMENT",
  "LANGUAGE",
  "SQL",
  "NOT",
  "DETERMINISTIC",
  "CONTAINS",
  "NO",
  "READS",
  "MODIFIES",
  "DATA",
  "SECURITY",
  "DEFINER",
  "INVOKER",
]);

/** Words that may follow a type name in `RETURNS type` (MySQL functions). */
const TYPE_WORDS = new Set([
  "UNSIGNED",
  "SIGNED",
  "ZEROFILL",
  "BINARY",
  "ASCII",
  "UNICODE",
  "CHARSET",
  "CHARACTER",
  "SET",
  "COLLATE",
  "PRECISION",
  "VARYING",
]);

type Mode =
  /** Reading the first words: is this a routine or a compound statement? */
  | "detect"
  /** An ordinary statement: the next `;` ends it. */
  | "plain"
  /** A routine header, before its body. */
  | "header"
  /** Inside the body. */
  | "body";

type HeaderPhase =
  | "pg" // wait for BEGIN ATOMIC
  | "before-params"
  | "params"
  | "chars"
  | "returns-type"
  | "returns-more"
  | "trigger"
  | "trigger-order"
  | "trigger-order-name"
  | "trigger-order-dot"
  | "event"
  | "event-body"
  | "sqlite-trigger";

type HandlerPhase = "none" | "declare" | "for" | "expect" | "sqlstate" | "not" | "done";

export class BlockTracker {
  /** Set when the statement is a routine or compound statement (its body may hold `;`). */
  kind: string | null = null;
  /** File offset where the body starts (first token of the body), -1 before. */
  bodyStart = -1;
  /**
   * Postgres CREATE RULE: its actions may be a parenthesised list whose `;` do not end the
   * statement (`DO ALSO (DELETE …; INSERT …)`).
   */
  rule = false;
  private mode: Mode = "detect";
  private words: string[] = [];
  private phase: HeaderPhase = "pg";
  private depth = 0; // parentheses in the header
  private readonly stack: Construct[] = [];
  private atStart = false;
  private pendingEnd = false;
  private maybeLabel = false;
  private prevWord = "";
  private handler: HandlerPhase = "none";
  private readonly pg: boolean;
  private readonly mysql: boolean;

  constructor(private readonly dialect: Dialect) {
    this.pg = dialect === "postgres" || dialect === "cockroachdb";
    this.mysql = dialect === "mysql";
  }

  /** Words need to be fed (upper-cased) only while this is true. */
  get wantsWords(): boolean {
    return this.mode !== "plain";
  }

  /** Inside a body: a `;` does not end the statement. */
  get open(): boolean {
    return this.mode === "body" && (this.stack.length > 0 || this.pendingEnd);
  }

  /** A body was opened and never closed (BEGIN without END) when the input ended. */
  get unclosed(): boolean {
    return this.mode === "body" && this.stack.length > 0;
  }

  /** Past the routine header (or the start of a compound statement): in the body. */
  get inBody(): boolean {
    return this.mode === "body";
  }

  /** At a position where a statement of the body can start (for the body reader). */
  get statementStart(): boolean {
    return this.mode === "body" && this.atStart && !this.pendingEnd;
  }

  /** Inside IF, CASE, a loop or a handler: what runs here may not run at all. */
  get conditional(): boolean {
    return this.handlerBody || this.stack.some((c) => c !== "block");
  }

  private handlerBody = false;

  word(u: string, offset: number): void {
    switch (this.mode) {
      case "plain":
        return;
      case "detect":
        this.detect(u, offset);
        return;
      case "header":
        this.header(u, "word", offset);
        return;
      case "body":
        this.bodyWord(u);
    }
  }

  /** Any token other than a word or `;` (punct: its character; otherwise its kind). */
  other(p: string, offset: number): void {
    switch (this.mode) {
      case "detect":
        if (this.words.length === 0) this.mode = "plain";
        else if (this.words[0] !== "CREATE") this.mode = "plain";
        return;
      case "header":
        this.header(p, "other", offset);
        return;
      case "body":
        this.bodyOther(p, offset);
        return;
      default:
        return;
    }
  }

  /** A `;`: true when it ends the statement. */
  semicolon(): boolean {
    if (this.mode !== "body") return true;
    if (this.pendingEnd) this.closeTop();
    if (this.handler !== "none") this.handler = "none";
    if (this.stack.length <= this.handlerDepth) this.handlerBody = false;
    if (this.stack.length === 0) return true;
    this.atStart = true;
    this.maybeLabel = false;
    return false;
  }

  private detect(u: string, offset: number): void {
    const w = this.words;
    if (w.length === 0 && this.mysql && ["IF", "WHILE", "LOOP", "REPEAT", "CASE"].includes(u)) {
      // MariaDB runs compound statements outside routines.
      this.startBody(offset, "COMPOUND");
      this.bodyWord(u);
      return;
    }
    w.push(u);
    if (this.mysql && w[0] === "BEGIN") {
      if (w.length === 2 && u !== "NOT") this.mode = "plain";
      else if (w.length === 3) {
        if (u === "ATOMIC") {
          // MariaDB: BEGIN NOT ATOMIC … END runs its body right away.
          this.startBody(offset, "COMPOUND");
          this.stack.push("block");
          this.atStart = true;
        } else this.mode = "plain";
      }
      return;
    }
    if (w[0] !== "CREATE" || w.length > HEADER_WORDS) {
      this.mode = "plain";
      return;
    }
    if (this.pg && u === "RULE" && (w.length === 2 || (w.length === 4 && w[1] === "OR"))) {
      this.rule = true;
      this.mode = "plain";
      return;
    }
    const kinds = ROUTINE_KINDS[this.dialect];
    if (!kinds.includes(u)) return;
    // Only modifiers may sit between CREATE and the kind (OR REPLACE, DEFINER = x, TEMP…).
    for (let i = 1; i < w.length - 1; i++) {
      const x = w[i];
      if (x === "TABLE" || x === "INDEX" || x === "VIEW" || x === "AS") {
        this.mode = "plain";
        return;
      }
    }
    this.kind = u;
    this.mode = "header";
    this.phase = this.pg
      ? "pg"
      : this.dialect === "sqlite"
        ? "sqlite-trigger"
        : u === "TRIGGER"
          ? "trigger"
          : u === "EVENT"
            ? "event"
            : "before-params";
  }

  private startBody(offset: number, kind?: string): void {
    if (kind) this.kind = kind;
    this.mode = "body";
    this.bodyStart = offset;
    this.atStart = true;
  }

  private header(t: string, type: "word" | "other", offset: number): void {
    const word = type === "word";
    switch (this.phase) {
      case "pg":
        if (word && t === "ATOMIC" && this.prevWord === "BEGIN") {
          this.startBody(offset);
          this.stack.push("block");
        }
        break;
      case "before-params":
        if (t === "(") {
          this.depth = 1;
          this.phase = "params";
        }
        break;
      case "params":
        if (t === "(") this.depth++;
        else if (t === ")" && --this.depth === 0) this.phase = "chars";
        break;
      case "chars":
        if (word && t === "RETURNS") this.phase = "returns-type";
        else if ((word && CHARACTERISTICS.has(t)) || (!word && t === "string")) break;
        else return this.bodyStarts(t, type, offset);
        break;
      case "returns-type":
        this.phase = "returns-more";
        break;
      case "returns-more":
        if (t === "(") {
          this.depth++;
        } else if (t === ")") {
          this.depth--;
        } else if (this.depth > 0) {
          // type arguments
        } else if (word && TYPE_WORDS.has(t)) {
          // modifiers; a charset or collation name follows some of them
        } else if (
          word &&
          (this.prevWord === "CHARSET" || this.prevWord === "SET" || this.prevWord === "COLLATE")
        ) {
          // the charset or collation name
        } else if (type === "other" && t === "string" && this.prevWord === "COLLATE") {
          // COLLATE 'name'
        } else {
          this.phase = "chars";
          this.prevWord = "";
          return this.header(t, type, offset);
        }
        break;
      case "trigger":
        if (word && t === "ROW" && this.prevWord === "EACH") this.phase = "trigger-order";
        break;
      case "trigger-order":
        if (word && (t === "FOLLOWS" || t === "PRECEDES")) this.phase = "trigger-order-name";
        else return this.bodyStarts(t, type, offset);
        break;
      case "trigger-order-name":
        this.phase = "trigger-order-dot"; // the other trigger's name
        break;
      case "trigger-order-dot":
        if (t === ".") this.phase = "trigger-order-name";
        else return this.bodyStarts(t, type, offset);
        break;
      case "event":
        if (t === "(") this.depth++;
        else if (t === ")") this.depth--;
        else if (word && t === "DO" && this.depth === 0) this.phase = "event-body";
        break;
      case "event-body":
        return this.bodyStarts(t, type, offset);
      case "sqlite-trigger":
        if (word && t === "BEGIN" && this.prevWord !== ".") {
          this.startBody(offset);
          this.stack.push("block");
          this.prevWord = "BEGIN";
          return;
        }
        break;
    }
    this.prevWord = word ? t : t === "." ? "." : "";
  }

  private bodyStarts(t: string, type: "word" | "other", offset: number): void {
    this.startBody(offset);
    if (type === "word") this.bodyWord(t);
    else this.bodyOther(t, offset);
  }

  private closeTop(): void {
    this.pendingEnd = false;
    this.stack.pop();
    this.atStart = false;
  }

  private bodyWord(u: string): void {
    if (this.pendingEnd) {
      const top = this.stack[this.stack.length - 1];
      this.closeTop();
      this.prevWord = u;
      // END IF / END LOOP / … name what they close; after END, a word is a label.
      if (u === "IF" || u === "LOOP" || u === "WHILE" || u === "REPEAT" || u === "CASE") {
        if (top === "case" || top === "if" || top === "loop" || top === "while" || top === "repeat")
          return;
      }
      return;
    }
    if (this.handler !== "none" && this.handlerWord(u)) return;
    const top = this.stack[this.stack.length - 1];
    const wasStart = this.atStart;
    this.prevWord = u;
    if (u === "END") {
      if ((wasStart || this.afterUntil) && top !== undefined && top !== "case-expr") {
        this.pendingEnd = true;
        this.afterUntil = false;
      } else if (top === "case-expr") {
        this.stack.pop();
        this.atStart = false;
      } else this.atStart = false; // a column named end
      this.maybeLabel = false;
      return;
    }
    if (u === "CASE") {
      this.stack.push(wasStart && this.mysql ? "case" : "case-expr");
      this.atStart = false;
      this.maybeLabel = false;
      return;
    }
    if (this.mysql && top !== undefined && top !== "case-expr") {
      if ((u === "THEN" || u === "ELSE") && (top === "if" || top === "case")) {
        this.atStart = true;
        return;
      }
      if (u === "ELSEIF" || u === "WHEN") {
        this.atStart = false;
        return;
      }
      if (u === "UNTIL" && top === "repeat") {
        this.atStart = false;
        this.afterUntil = true;
        return;
      }
      if (u === "DO" && top === "while" && !wasStart) {
        this.atStart = true;
        return;
      }
    }
    this.atStart = false;
    this.maybeLabel = false;
    if (!wasStart || !this.mysql) return;
    if (u === "BEGIN") {
      this.stack.push("block");
      this.atStart = true;
    } else if (u === "IF") this.stack.push("if");
    else if (u === "WHILE") this.stack.push("while");
    else if (u === "LOOP") {
      this.stack.push("loop");
      this.atStart = true;
    } else if (u === "REPEAT") {
      this.stack.push("repeat");
      this.atStart = true;
    } else if (u === "DECLARE") this.handler = "declare";
    else this.maybeLabel = true;
  }

  private afterUntil = false;

  private bodyOther(p: string, _offset: number): void {
    if (this.pendingEnd) this.closeTop();
    if (this.handler !== "none" && this.handlerOther(p)) return;
    if (p === ":" && this.maybeLabel) {
      this.maybeLabel = false;
      this.atStart = true; // label: the statement starts after it
      return;
    }
    this.maybeLabel = false;
    this.atStart = false;
    this.prevWord = "";
  }

  /** DECLARE … HANDLER FOR condition[, …] statement: the statement starts after the conditions. */
  private handlerWord(u: string): boolean {
    switch (this.handler) {
      case "declare":
        if (u === "HANDLER") this.handler = "for";
        return false;
      case "for":
        if (u === "FOR") this.handler = "expect";
        return true;
      case "expect":
        this.handler = u === "SQLSTATE" ? "sqlstate" : u === "NOT" ? "not" : "done";
        return true;
      case "sqlstate":
        return true; // VALUE
      case "not":
        this.handler = "done"; // FOUND
        return true;
      case "done":
        this.handler = "none";
        this.atStart = true;
        this.startHandlerBody();
        return false; // the handler's statement starts with this word
      default:
        return false;
    }
  }

  private handlerOther(p: string): boolean {
    switch (this.handler) {
      case "expect":
        this.handler = "done"; // an error code
        return true;
      case "sqlstate":
        this.handler = "done"; // the state's string
        return true;
      case "done":
        if (p === ",") {
          this.handler = "expect";
          return true;
        }
        this.handler = "none";
        this.atStart = true;
        this.startHandlerBody();
        return false;
      default:
        return false;
    }
  }

  private handlerDepth = 0;

  private startHandlerBody(): void {
    this.handlerBody = true;
    this.handlerDepth = this.stack.length;
  }
}
