/**
 * Session settings that change how the server reads the SQL that follows, and so how this tool
 * must lex it:
 *
 * - Postgres `standard_conforming_strings = off`: backslashes escape in every '…' string, so
 *   `SELECT '\''; DELETE FROM users; -- '` runs a DELETE that a standard reading sees as a string.
 * - MySQL `sql_mode` with NO_BACKSLASH_ESCAPES (backslashes stop escaping) or ANSI_QUOTES (and the
 *   combination modes that include it: "…" becomes an identifier).
 * - A client encoding in which an ASCII byte can be the second byte of a character (SJIS, BIG5,
 *   GBK, GB18030, UHC, JOHAB): the server converts the text before lexing it, so a backslash after
 *   such a lead byte is not a backslash at all.
 *
 * `settingChanges` recognises the statements that change these settings (token-level, so it works
 * before and without a parser) and `sessionAfter` says what each does to the reading;
 * `SessionTracker` (session-tracker.ts) follows them through a file with transaction semantics,
 * and `encodingView` (encoding-view.ts) rewrites text the way a multibyte client encoding makes
 * the server see it.
 */
import type { Dialect } from "../types.js";
import type { LexSyntax, Token } from "./lexer.js";

/** What the session's settings make the server do when it reads quotes. */
export interface Session {
  /** Backslashes escape in plain '…' strings (and MySQL "…" strings). */
  backslashStrings: boolean;
  /** MySQL ANSI_QUOTES: "…" is an identifier. */
  ansiQuotes: boolean;
  /** A client encoding whose multibyte characters can end in an ASCII byte (normalised name). */
  encoding: UnsafeEncoding | null;
}

export function defaultSession(dialect: Dialect): Session {
  return {
    backslashStrings: dialect === "mysql" || dialect === "clickhouse",
    ansiQuotes: false,
    encoding: null,
  };
}

export function sameSession(a: Session, b: Session): boolean {
  return (
    a.backslashStrings === b.backslashStrings &&
    a.ansiQuotes === b.ansiQuotes &&
    a.encoding === b.encoding
  );
}

export function lexSyntax(s: Session, execComment: LexSyntax["execComment"]): LexSyntax {
  return { backslashStrings: s.backslashStrings, ansiQuotes: s.ansiQuotes, execComment };
}

/** Settings that matter here, by the name the server knows them by. */
export type SettingName =
  | "standard_conforming_strings"
  | "backslash_quote"
  | "client_encoding"
  | "sql_mode"
  | "character_set_client";

export type SettingScope =
  /** This session, from now on. */
  | "session"
  /** This transaction only (Postgres SET LOCAL, set_config(…, true)). */
  | "local"
  /** Sessions started later: ALTER DATABASE/ROLE … SET, ALTER SYSTEM, MySQL SET GLOBAL. */
  | "new-sessions"
  /** Only while one function runs (CREATE/ALTER FUNCTION … SET). */
  | "function";

export interface SettingChange {
  name: SettingName;
  /** The value as written (unquoted); null for RESET/DEFAULT; undefined when computed. */
  value: string | null | undefined;
  scope: SettingScope;
  /** Offsets of the clause in the text the tokens came from. */
  start: number;
  end: number;
}

const PG_NAMES: Record<string, SettingName> = {
  STANDARD_CONFORMING_STRINGS: "standard_conforming_strings",
  BACKSLASH_QUOTE: "backslash_quote",
  CLIENT_ENCODING: "client_encoding",
};
const MYSQL_NAMES: Record<string, SettingName> = {
  SQL_MODE: "sql_mode",
  CHARACTER_SET_CLIENT: "character_set_client",
};

/**
 * The setting changes one statement makes, from its code tokens (upper-cased words). Also
 * returns `unknown: true` when the statement changes a setting whose name is computed
 * (set_config(name_var, …)), which may be any of them.
 */
export function settingChanges(
  toks: readonly Token[],
  dialect: Dialect,
): { changes: SettingChange[]; unknown: boolean } {
  const changes: SettingChange[] = [];
  let unknown = false;
  const w = (k: number) => (toks[k]?.kind === "word" ? toks[k]!.text : "");
  const p = (k: number) => (toks[k]?.kind === "punct" ? toks[k]!.text : "");
  const pg = dialect === "postgres" || dialect === "cockroachdb";
  if (toks.length === 0) return { changes, unknown };

  if (pg) {
    const first = w(0);
    if (first === "SET" || first === "RESET") {
      let k = 1;
      let scope: SettingScope = "session";
      if (w(k) === "SESSION" && w(k + 1) !== "AUTHORIZATION" && w(k + 1) !== "CHARACTERISTICS") k++;
      else if (w(k) === "LOCAL") {
        scope = "local";
        k++;
      }
      pgAssignment(toks, k, first === "RESET", scope, changes);
    } else if (first === "ALTER") {
      // ALTER DATABASE d SET …, ALTER ROLE r [IN DATABASE d] SET …, ALTER SYSTEM SET …,
      // ALTER FUNCTION f(…) SET …: find the SET/RESET at the top level.
      const target = w(1);
      const routine = target === "FUNCTION" || target === "PROCEDURE" || target === "ROUTINE";
      if (
        target === "DATABASE" ||
        target === "ROLE" ||
        target === "USER" ||
        target === "SYSTEM" ||
        routine
      ) {
        for (let k = 2, depth = 0; k < toks.length; k++) {
          if (p(k) === "(") depth++;
          else if (p(k) === ")") depth--;
          else if (depth === 0 && (w(k) === "SET" || w(k) === "RESET")) {
            pgAssignment(
              toks,
              k + 1,
              w(k) === "RESET",
              routine ? "function" : "new-sessions",
              changes,
            );
            break;
          }
        }
      }
    } else if (first === "CREATE") {
      // CREATE FUNCTION … SET name = value: in effect while the function runs (and compiles).
      if (
        toks.some((t) => t.kind === "word" && (t.text === "FUNCTION" || t.text === "PROCEDURE"))
      ) {
        for (let k = 1, depth = 0; k < toks.length; k++) {
          if (p(k) === "(") depth++;
          else if (p(k) === ")") depth--;
          else if (depth === 0 && w(k) === "SET" && toks[k + 1]?.kind === "word") {
            pgAssignment(toks, k + 1, false, "function", changes);
          }
        }
      }
    }
    // set_config('name', 'value', is_local) anywhere in the statement.
    for (let k = 0; k < toks.length; k++) {
      if (w(k) !== "SET_CONFIG" || p(k + 1) !== "(") continue;
      const args = callArgs(toks, k + 1);
      const nameTok = args[0]?.length === 1 ? args[0][0] : undefined;
      if (!nameTok || nameTok.kind !== "string") {
        unknown = true;
        continue;
      }
      const name = PG_NAMES[unquoteString(nameTok.text).trim().toUpperCase()];
      if (!name) continue;
      const valueTok = args[1]?.length === 1 ? args[1][0] : undefined;
      const value = valueTok?.kind === "string" ? unquoteString(valueTok.text) : undefined;
      const localArg = args[2]?.length === 1 ? args[2][0] : undefined;
      const local =
        localArg === undefined
          ? undefined
          : localArg.kind === "word" || localArg.kind === "string"
            ? parseBool(localArg.kind === "string" ? unquoteString(localArg.text) : localArg.text)
            : undefined;
      changes.push({
        name,
        value,
        // An unknown is_local could be false: count it as the session (the wider effect).
        scope: local === true ? "local" : "session",
        start: toks[k]!.start,
        end: toks[Math.min(toks.length - 1, k + 1 + args.flat().length + args.length)]!.end,
      });
    }
    return { changes, unknown };
  }

  if (dialect === "mysql" && w(0) === "SET") {
    // SET [GLOBAL|SESSION|…] a = x, [scope] b = y …; SET NAMES cs; SET CHARACTER SET cs.
    if (w(1) === "NAMES" || (w(1) === "CHARACTER" && w(2) === "SET") || w(1) === "CHARSET") {
      const k = w(1) === "CHARACTER" ? 3 : 2;
      const v = toks[k];
      changes.push({
        name: "character_set_client",
        value: !v ? undefined : v.kind === "word" && v.text === "DEFAULT" ? null : unquoteAny(v),
        scope: "session",
        start: toks[0]!.start,
        end: (v ?? toks[0]!).end,
      });
      return { changes, unknown };
    }
    let k = 1;
    while (k < toks.length) {
      const start = k;
      let scope: SettingScope = "session";
      if (["GLOBAL", "PERSIST", "PERSIST_ONLY"].includes(w(k))) {
        scope = "new-sessions";
        k++;
      } else if (w(k) === "SESSION" || w(k) === "LOCAL") k++;
      // @@scope.name or name
      if (p(k) === "@" && p(k + 1) === "@") {
        k += 2;
        if ((w(k) === "GLOBAL" || w(k) === "SESSION" || w(k) === "LOCAL") && p(k + 1) === ".") {
          if (w(k) === "GLOBAL") scope = "new-sessions";
          k += 2;
        }
      }
      const name = w(k);
      k++;
      // value: tokens up to the next top-level comma
      let depth = 0;
      let eq = -1;
      const valueStart = k;
      for (; k < toks.length; k++) {
        if (p(k) === "(") depth++;
        else if (p(k) === ")") depth--;
        else if (depth === 0 && p(k) === ",") break;
        else if (eq < 0 && (p(k) === "=" || p(k) === ":")) eq = k;
      }
      const setting = MYSQL_NAMES[name];
      if (setting) {
        let vs = toks.slice(valueStart, k);
        while (vs.length > 0 && (vs[0]!.text === "=" || vs[0]!.text === ":")) vs = vs.slice(1);
        const v = vs.length === 1 ? vs[0]! : undefined;
        changes.push({
          name: setting,
          value:
            v === undefined
              ? undefined
              : v.kind === "word" && v.text === "DEFAULT"
                ? null
                : v.kind === "string" || v.kind === "word" || v.kind === "quoted-ident"
                  ? unquoteAny(v)
                  : undefined,
          scope,
          start: toks[start]!.start,
          end: toks[k - 1]!.end,
        });
      }
      k++; // the comma
    }
  }
  return { changes, unknown };
}

/** `name {TO|=} value` (or, for RESET, `name` / `ALL`) starting at token k. */
function pgAssignment(
  toks: readonly Token[],
  k: number,
  reset: boolean,
  scope: SettingScope,
  out: SettingChange[],
): void {
  const t = toks[k];
  if (!t) return;
  const start = toks[Math.max(0, k - 1)]!.start;
  if (reset) {
    if (t.kind === "word" && t.text === "ALL") {
      for (const name of Object.values(PG_NAMES))
        out.push({ name, value: null, scope, start, end: t.end });
      return;
    }
    const name = PG_NAMES[identText(t)];
    if (name) out.push({ name, value: null, scope, start, end: t.end });
    return;
  }
  // SET NAMES 'enc' is SET client_encoding TO 'enc'.
  let name: SettingName | undefined;
  let v = k + 1;
  if (t.kind === "word" && t.text === "NAMES") name = "client_encoding";
  else {
    name = PG_NAMES[identText(t)];
    const sep = toks[v];
    if (sep && ((sep.kind === "word" && sep.text === "TO") || sep.text === "=")) v++;
    else if (sep?.kind === "word" && sep.text === "FROM") {
      // SET x FROM CURRENT (functions): the value the session has now, unknown here.
      if (name)
        out.push({ name, value: undefined, scope, start, end: toks[v + 1]?.end ?? sep.end });
      return;
    }
  }
  if (!name) return;
  const rest = toks.slice(v);
  const end = rest.findIndex((x) => x.kind === "word" && (x.text === "SET" || x.text === "RESET"));
  const vs = end >= 0 ? rest.slice(0, end) : rest;
  const only = vs.length === 1 ? vs[0]! : undefined;
  const value =
    only === undefined
      ? vs.length === 0 && name === "client_encoding"
        ? null // SET NAMES with no value: the default
        : undefined
      : only.kind === "word" && only.text === "DEFAULT"
        ? null
        : unquoteAny(only);
  out.push({ name, value, scope, start, end: (vs[vs.length - 1] ?? toks[k]!).end });
}

/** Argument token lists of a call whose `(` is at `open`. */
function callArgs(toks: readonly Token[], open: number): Token[][] {
  const args: Token[][] = [[]];
  let depth = 0;
  for (let k = open; k < toks.length; k++) {
    const t = toks[k]!;
    if (t.kind === "punct" && t.text === "(") {
      if (depth++ === 0) continue;
    } else if (t.kind === "punct" && t.text === ")") {
      if (--depth === 0) break;
    } else if (depth === 1 && t.kind === "punct" && t.text === ",") {
      args.push([]);
      continue;
    }
    args[args.length - 1]!.push(t);
  }
  // Casts ('off'::text) and E'' prefixes: keep the literal itself.
  return args.map((a) =>
    a.length > 1 && a[0]!.kind === "string" && a[1]!.text === ":" ? [a[0]!] : a,
  );
}

function identText(t: Token): string {
  if (t.kind === "quoted-ident") return t.text.slice(1, -1).toUpperCase();
  return t.text.toUpperCase();
}

function unquoteString(s: string): string {
  const body = /^[eEnN]?'/.test(s)
    ? s.slice(s.indexOf("'") + 1, s.endsWith("'") ? -1 : undefined)
    : s;
  return body.replace(/''/g, "'");
}

function unquoteAny(t: Token): string {
  if (t.kind === "string")
    return unquoteString(t.text.startsWith('"') ? `'${t.text.slice(1, -1)}'` : t.text);
  if (t.kind === "quoted-ident") return t.text.slice(1, -1);
  return t.text.toLowerCase();
}

/**
 * Postgres parse_bool: on/off, true/false, yes/no, 1/0 and unambiguous prefixes (case-insensitive).
 * Undefined when the server would reject the value.
 */
export function parseBool(raw: string): boolean | undefined {
  const v = raw.trim().toLowerCase();
  if (v === "") return undefined;
  if ("true".startsWith(v) || "yes".startsWith(v) || v === "1") return true;
  if ("false".startsWith(v) || "no".startsWith(v) || v === "0") return false;
  if (v.length >= 2 && "on".startsWith(v)) return true;
  if (v.length >= 2 && "off".startsWith(v)) return false;
  return undefined;
}

/** MySQL sql_mode values that include ANSI_QUOTES. */
const ANSI_QUOTES_MODES = new Set([
  "ANSI_QUOTES",
  "ANSI",
  "DB2",
  "MAXDB",
  "MSSQL",
  "ORACLE",
  "POSTGRESQL",
]);

export interface SqlModeEffect {
  noBackslashEscapes: boolean;
  ansiQuotes: boolean;
}

/** What a MySQL sql_mode value does to quoting. */
export function sqlModeEffect(value: string): SqlModeEffect {
  const modes = value
    .split(",")
    .map((m) => m.trim().toUpperCase())
    .filter((m) => m !== "");
  return {
    noBackslashEscapes: modes.includes("NO_BACKSLASH_ESCAPES"),
    ansiQuotes: modes.some((m) => ANSI_QUOTES_MODES.has(m)),
  };
}

/**
 * How one change affects the current session's reading (null: not at all, undefined: unknown).
 */
export function sessionAfter(
  s: Session,
  c: SettingChange,
  dialect: Dialect,
): Session | null | undefined {
  const pg = dialect === "postgres" || dialect === "cockroachdb";
  switch (c.name) {
    case "standard_conforming_strings": {
      if (!pg) return null;
      if (c.value === null) return { ...s, backslashStrings: false };
      if (c.value === undefined) return undefined;
      const b = parseBool(c.value);
      return b === undefined ? null : { ...s, backslashStrings: !b };
    }
    case "sql_mode": {
      if (c.value === null) return { ...s, backslashStrings: true, ansiQuotes: false };
      if (c.value === undefined) return undefined;
      const e = sqlModeEffect(c.value);
      return { ...s, backslashStrings: !e.noBackslashEscapes, ansiQuotes: e.ansiQuotes };
    }
    case "client_encoding":
    case "character_set_client":
      if (c.value === null) return { ...s, encoding: null };
      if (c.value === undefined) return undefined;
      return { ...s, encoding: unsafeEncoding(c.value, dialect) };
    case "backslash_quote":
      return null; // decides whether \' is accepted, not how strings end
  }
}

/** The statements that change the reading of later SQL, with their verdict. */
export type UnsafeEncoding = "sjis" | "big5" | "gbk" | "gb18030" | "uhc" | "johab";

/**
 * The encodings whose multibyte characters may end in an ASCII byte, by the names each server
 * accepts (Postgres ignores case and punctuation in encoding names).
 */
export function unsafeEncoding(name: string, dialect: Dialect): UnsafeEncoding | null {
  const n = name.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (dialect === "mysql") {
    if (n === "sjis" || n === "cp932") return "sjis";
    if (n === "big5") return "big5";
    if (n === "gbk") return "gbk";
    if (n === "gb18030") return "gb18030";
    return null;
  }
  if (["sjis", "mskanji", "shiftjis", "win932", "windows932", "shiftjis2004"].includes(n))
    return "sjis";
  if (["big5", "win950", "windows950"].includes(n)) return "big5";
  if (["gbk", "win936", "windows936"].includes(n)) return "gbk";
  if (n === "gb18030") return "gb18030";
  if (["uhc", "win949", "windows949"].includes(n)) return "uhc";
  if (n === "johab") return "johab";
  return null;
}
