/**
 * MySQL's and MariaDB's token reader: the DDL the rules care about (ALTER/CREATE/DROP/RENAME/
 * TRUNCATE, with every ALTER TABLE action MySQL has), GRANT/REVOKE, CREATE/ALTER USER and SET
 * PASSWORD, SET, transaction control and prepared statements, each with exact positions.
 *
 * A little over 500 lines: the layout is one reader per dialect, and MySQL's overrides stay next to
 * the reader they override.
 */
import type { Token } from "../../lexer.js";
import {
  noEffects,
  type ColumnDef,
  noFacts,
  type AlterAction,
  type Span,
  type StatementModel,
} from "../../model.js";
import type { StatementInput } from "../types.js";
import { unquote } from "./cursor.js";
import { DdlReader, readStatement, TRANSACTION_WORDS, type TokenReading } from "./ddl.js";
import { isConstraintStart } from "./definitions.js";
import { passwordClauses } from "./passwords.js";

/** The statement read from its MySQL tokens, or null when it is not one the reader knows. */
export function readMysqlTokens(input: StatementInput, toks: Token[]): TokenReading | null {
  return readStatement(new MysqlReader(toks, input));
}

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

class MysqlReader extends DdlReader {
  protected override readonly dropIndexNeedsTable = true;

  protected sub(toks: Token[]): MysqlReader {
    return new MysqlReader(toks, this.input, this.reading);
  }

  /**
   * SERIAL is shorthand in MySQL and MariaDB: the type `SERIAL` is `BIGINT UNSIGNED NOT NULL
   * AUTO_INCREMENT UNIQUE`, and the attribute `SERIAL DEFAULT VALUE` of an integer column is `NOT
   * NULL AUTO_INCREMENT UNIQUE`. Read as what they expand to, or the rules about AUTO_INCREMENT
   * (mysql-table-copy) would take an ADD COLUMN that numbers every row for a plain in-place add.
   */
  protected override columnDef(name: string): ColumnDef {
    const rest = this.toks.slice(this.i);
    const word = (k: number, w: string) => rest[k]?.kind === "word" && rest[k]!.text === w;
    const serialType = word(0, "SERIAL") && !(rest[1]?.kind === "punct" && rest[1].text === "(");
    let depth = 0;
    let serialAttr = -1;
    for (let k = serialType ? 1 : 0; k < rest.length; k++) {
      const t = rest[k]!;
      if (t.kind === "punct" && t.text === "(") depth++;
      else if (t.kind === "punct" && t.text === ")") depth--;
      else if (depth === 0 && word(k, "SERIAL") && word(k + 1, "DEFAULT") && word(k + 2, "VALUE")) {
        serialAttr = k;
        break;
      }
    }
    if (!serialType && serialAttr < 0) return super.columnDef(name);
    const kept = rest.filter(
      (_, k) =>
        !(serialType && k === 0) && !(serialAttr >= 0 && k >= serialAttr && k < serialAttr + 3),
    );
    const col = this.sub(kept).columnDef(name);
    this.i = this.toks.length;
    if (serialType) col.dataType = "bigint unsigned";
    col.notNull = true;
    delete col.explicitNull;
    col.generated = "auto-increment";
    col.unique = true;
    return col;
  }

  statement(): StatementModel | null {
    const t = this.peek();
    if (!t || t.kind !== "word") return null;
    if (TRANSACTION_WORDS.has(t.text)) return this.transaction();
    switch (t.text) {
      case "SET":
        return this.set();
      case "DROP":
        return this.drop();
      case "TRUNCATE":
        return this.truncate();
      case "RENAME":
        return this.renameTables();
      case "CREATE":
        return this.create();
      case "ALTER":
        return this.alter();
      case "GRANT":
      case "REVOKE":
        return this.grant();
      case "PREPARE":
      case "EXECUTE":
      case "DEALLOCATE":
        return this.prepared();
      default:
        return null;
    }
  }

  /**
   * MySQL prepared statements: PREPARE s FROM 'sql' | @var; EXECUTE s [USING …];
   * DEALLOCATE PREPARE s; MariaDB EXECUTE IMMEDIATE 'sql' | expr. A literal's SQL is parsed by
   * the caller (parse/mysql.ts): here it is an embedded statement placeholder.
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

  protected override dropPrepare(): StatementModel {
    this.i++;
    return { kind: "deallocate", name: this.ident(), ...noFacts() };
  }

  private set(): StatementModel {
    this.expect("SET");
    if (this.isWord("PASSWORD")) {
      const passwords = passwordClauses(this.toks, this.i, this.input);
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

  protected override createUser(): StatementModel | null {
    if (!this.accept("USER")) return null;
    const passwords = passwordClauses(this.toks, this.i, this.input);
    const { accounts } = this.accounts();
    this.rest();
    return {
      kind: "create-other",
      objectType: "user",
      ...(accounts.length === 1 ? { name: { name: accounts[0]! } } : {}),
      ...noFacts(),
      ddl: true,
      passwords,
    };
  }

  /**
   * `ALTER [ALGORITHM=…] [DEFINER=…] [SQL SECURITY …] VIEW v [(cols)] AS SELECT …`: MySQL's way
   * of replacing a view's definition (node-sql-parser cannot read it).
   */
  protected override alterView(): StatementModel | null {
    for (let k = 0; k < 12 && this.peek(k); k++) {
      const t = this.peek(k)!;
      if (t.kind !== "word") continue;
      if (t.text === "TABLE") return null;
      if (t.text !== "VIEW") continue;
      this.i += k + 1;
      const name = this.name();
      this.rest();
      return { kind: "other", tag: "ALTER VIEW", redefinedView: name, ...noFacts(), ddl: true };
    }
    return null;
  }

  protected override alterUser(): StatementModel | null {
    if (!this.accept("USER")) return null;
    const passwords = passwordClauses(this.toks, this.i, this.input);
    const { accounts, options } = this.accounts();
    this.rest();
    return {
      kind: "other",
      tag: "ALTER USER",
      ...(accounts.length > 0 ? { alteredRole: { names: accounts, options } } : {}),
      ...noFacts(),
      ddl: true,
      passwords,
    };
  }

  /**
   * `[IF [NOT] EXISTS] 'app'@'%' [auth], … options`: the accounts (`app@%`, quotes removed, lower
   * case, host `%` when not written) and the option keywords that follow (IDENTIFIED is PASSWORD).
   */
  private accounts(): { accounts: string[]; options: string[] } {
    this.accept("IF");
    this.accept("NOT");
    this.accept("EXISTS");
    const accounts: string[] = [];
    const options: string[] = [];
    let start: Token | undefined;
    let last: Token | undefined;
    let inAccount = true;
    const close = () => {
      if (start && last) {
        const raw = this.textOf(start, last)
          .replace(/[`'"\s]/g, "")
          .toLowerCase();
        accounts.push(raw.includes("@") ? raw : `${raw}@%`);
      }
      start = last = undefined;
    };
    for (let k = this.i; k < this.toks.length; k++) {
      const t = this.toks[k]!;
      if (t.kind === "punct" && t.text === ",") {
        close();
        inAccount = true;
        continue;
      }
      if (t.kind === "word" && USER_OPTIONS.has(t.text)) {
        if (inAccount) close();
        inAccount = false;
        const option = t.text === "IDENTIFIED" ? "PASSWORD" : t.text;
        if (!options.includes(option)) options.push(option);
        continue;
      }
      if (inAccount) {
        start ??= t;
        last = t;
      }
    }
    if (inAccount) close();
    return { accounts, options };
  }

  /** At INDEX|KEY of `ADD INDEX|KEY [name] [USING type] (…)`: the number of key parts. */
  private indexKeyParts(): number | undefined {
    const at = this.i;
    this.i++; // INDEX or KEY
    if (!this.isPunct("(") && !this.isWord("USING")) this.ident();
    if (this.accept("USING")) this.ident();
    const n = this.isPunct("(") ? this.listItems() : undefined;
    this.i = at;
    return n;
  }

  alterAction(span: Span): AlterAction | null {
    const t = this.peek();
    if (!t || t.kind !== "word") return null;
    if (this.accept("ADD")) {
      if (this.accept("SYSTEM", "VERSIONING")) {
        const option = "ADD SYSTEM VERSIONING";
        return { type: "other", detail: option, option, span };
      }
      if (
        this.isWord("INDEX") ||
        this.isWord("KEY") ||
        this.isWord("FULLTEXT") ||
        this.isWord("SPATIAL")
      ) {
        const kind = this.isWord("FULLTEXT")
          ? "FULLTEXT "
          : this.isWord("SPATIAL")
            ? "SPATIAL "
            : "";
        const option = `ADD ${kind}INDEX`;
        // ADD INDEX|KEY [name] [USING …] (key parts) …: how many key parts a plain index has.
        const plain = kind === "" ? this.indexKeyParts() : undefined;
        this.rest();
        return {
          type: "other",
          detail: option,
          option,
          ...(plain !== undefined ? { keyParts: plain } : {}),
          span,
        };
      }
      if (this.isWord("PARTITION")) {
        this.rest();
        return { type: "other", detail: "ADD PARTITION", span };
      }
      if (isConstraintStart(this.peek()?.text ?? "") && this.peek()?.kind === "word") {
        const c = this.constraint();
        return c ? { type: "add-constraint", constraint: c, span } : null;
      }
      return this.addColumn(span);
    }
    if (this.accept("DROP")) {
      // MariaDB system-versioned tables: the history rows go with it (drop-system-versioning).
      if (this.accept("SYSTEM", "VERSIONING")) {
        const option = "DROP SYSTEM VERSIONING";
        return { type: "other", detail: option, option, span };
      }
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
      return this.dropColumn(span);
    }
    if (this.accept("RENAME")) {
      if (this.accept("COLUMN")) return this.renameColumn(span);
      if (this.accept("INDEX") || this.accept("KEY")) {
        this.ident();
        this.expect("TO");
        this.ident();
        return { type: "other", detail: "RENAME INDEX", option: "RENAME INDEX", span };
      }
      if (!this.accept("TO")) this.accept("AS"); // MySQL also allows RENAME new_name
      return { type: "rename-table", to: this.name(), span };
    }
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
    return this.tableOption(t, span);
  }

  /** `ENGINE = InnoDB`, `ALGORITHM INPLACE`, `CONVERT TO CHARACTER SET …`, `FORCE`… */
  private tableOption(t: Token, span: Span): AlterAction | null {
    const dflt =
      t.text === "DEFAULT" &&
      ["CHARACTER", "CHARSET", "COLLATE"].includes(this.peek(1)?.text ?? "");
    if (!TABLE_OPTIONS.has(t.text) && !dflt) return null;
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
}

function stripQuotes(v: string): string {
  const m = /^(['"])(.*)\1$/s.exec(v.trim());
  return m ? m[2]! : v.trim();
}

/** Keywords that start an option of CREATE/ALTER USER after the account names. */
const USER_OPTIONS = new Set([
  "IDENTIFIED",
  "REQUIRE",
  "WITH",
  "PASSWORD",
  "ACCOUNT",
  "DEFAULT",
  "FAILED_LOGIN_ATTEMPTS",
  "PASSWORD_LOCK_TIME",
  "ATTRIBUTE",
  "COMMENT",
  "DISCARD",
  "RETAIN",
  "ADD",
  "MODIFY",
  "DROP",
]);
