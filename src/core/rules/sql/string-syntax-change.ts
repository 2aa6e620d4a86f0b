import { tokenize } from "../../sql/lexer.js";
import {
  parseBool,
  settingChanges,
  sqlModeEffect,
  unsafeEncoding,
  type SettingChange,
} from "../../sql/session.js";
import type { Dialect } from "../../types.js";
import { ruleMeta } from "../types.js";
import { sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "string-syntax-change",
  defaultSeverity: "error",
  dialects: ["postgres", "mysql", "cockroachdb"],
  category: "security",
  description:
    "A statement changes how the server reads quotes and backslashes in the SQL that follows (Postgres standard_conforming_strings = off or backslash_quote = on, a client encoding such as SJIS, BIG5 or GBK, MySQL sql_mode with NO_BACKSLASH_ESCAPES or ANSI_QUOTES), or the file reads differently under such a setting.",
  saferAlternative:
    "Keep the server's standard string syntax and a UTF-8 client encoding; write string literals so they read the same under every setting (Postgres: E'…' for backslash escapes, '' for a quote).",
  suppressible: true,
});

const SCOPE: Record<SettingChange["scope"], string> = {
  session:
    "for the rest of this session: every later statement and migration of the run is read that way",
  local: "until the transaction ends",
  "new-sessions":
    "for every new session: later migration runs and the application read SQL that way",
  function: "while the function runs: its body is read that way",
};

/** Why a setting change alters how later SQL is read, or null when it does not. */
function verdict(
  c: SettingChange,
  dialect: Dialect,
): { severity?: "warning"; what: string } | null {
  if (c.value === undefined) return computedVerdict(c);
  const value = c.value;
  switch (c.name) {
    case "standard_conforming_strings": {
      if (value === null || parseBool(value) !== false) return null;
      return {
        what: "turns standard_conforming_strings off: backslashes then escape in every '…' string, so `'\\''; DELETE …` ends the string where a standard reading does not",
      };
    }
    case "backslash_quote":
      if (value === null || parseBool(value) !== true) return null;
      return {
        what: "turns backslash_quote on: \\' is then accepted as a quote even under client encodings in which a backslash can be part of another character",
      };
    case "client_encoding":
    case "character_set_client":
      if (value === null || !unsafeEncoding(value, dialect)) return null;
      return {
        what: `sets the client encoding to ${value.toUpperCase()}, in which a backslash or quote byte can be the second byte of a character: the server reads the text differently from its UTF-8 bytes`,
      };
    case "sql_mode": {
      if (value === null) return null;
      const e = sqlModeEffect(value);
      if (!e.noBackslashEscapes && !e.ansiQuotes) return null;
      const parts = [
        e.noBackslashEscapes ? "NO_BACKSLASH_ESCAPES (a backslash no longer escapes a quote)" : "",
        e.ansiQuotes ? 'ANSI_QUOTES ("…" becomes a name instead of a string)' : "",
      ].filter((x) => x !== "");
      return { what: `sets sql_mode with ${parts.join(" and ")}` };
    }
  }
}

/** A value computed at run time: it may be the one that changes the reading. */
function computedVerdict(c: SettingChange): { severity?: "warning"; what: string } {
  switch (c.name) {
    case "standard_conforming_strings":
      return {
        what: "sets standard_conforming_strings to a value computed at run time, which may turn it off",
      };
    case "backslash_quote":
      return { severity: "warning", what: "sets backslash_quote to a value computed at run time" };
    case "sql_mode":
      return {
        severity: "warning",
        what: "sets sql_mode to a value computed at run time, which may add NO_BACKSLASH_ESCAPES or ANSI_QUOTES",
      };
    default:
      return {
        what: `sets ${c.name} to a value computed at run time, which may be a multibyte encoding`,
      };
  }
}

export const stringSyntaxChange = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const text = ctx.textOf(a);
      if (!/set|names|charset|character/i.test(text)) continue;
      const { changes, unknown } = settingChanges(tokenize(text, ctx.dialect), ctx.dialect);
      const lines = ctx.at(a);
      if (unknown)
        report({
          ...lines,
          severity: "warning",
          message:
            "This statement calls set_config() with a setting name computed at run time: it may change how the server reads strings (standard_conforming_strings, client_encoding).",
        });
      for (const c of changes) {
        const v = verdict(c, ctx.dialect);
        if (!v) continue;
        report({
          ...lines,
          ...(v.severity ? { severity: v.severity } : {}),
          message: `This statement ${v.what}, ${SCOPE[c.scope]}. A review of the text, and this tool, read it the standard way; statements can hide inside what looks like a string.`,
        });
      }
    }
    for (const r of ctx.readings) {
      if (r.kind !== "string-syntax") continue;
      report({
        ...ctx.lines(r.span),
        severity: "warning",
        message: `This file reads differently when ${r.label}: the server would then see ${r.statements} statement${r.statements === 1 ? "" : "s"} that a standard reading does not (the first one here). A merged migration, the database's or role's defaults or the server's configuration can change that setting; those statements were analysed too.`,
        suggestion:
          ctx.dialect === "mysql"
            ? "Write string literals that read the same in every sql_mode: single quotes, '' for a quote, and no backslash before a quote."
            : "Write string literals that read the same either way: E'…' when you need a backslash escape (E'\\\\' for a backslash), '' for a quote, and no backslash before a quote in '…'.",
      });
    }
  },
});
