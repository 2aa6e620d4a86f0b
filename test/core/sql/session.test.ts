import { tokenize } from "../../../src/core/sql/lexer.js";
import { SWALLOWED, encodingView } from "../../../src/core/sql/encoding-view.js";
import {
  parseBool,
  settingChanges,
  sqlModeEffect,
  unsafeEncoding,
} from "../../../src/core/sql/session.js";
import type { Dialect } from "../../../src/core/types.js";

const changes = (sql: string, d: Dialect = "postgres") =>
  settingChanges(tokenize(sql, d), d).changes.map((c) => [c.name, c.value, c.scope]);

test("Postgres booleans: on/off, true/false, yes/no, 1/0 and unambiguous prefixes", () => {
  expect(["on", "TRUE", "t", "ye", "1"].map(parseBool)).toEqual([true, true, true, true, true]);
  expect(["off", "of", "f", "n", "0", "FALSE"].map(parseBool)).toEqual([
    false,
    false,
    false,
    false,
    false,
    false,
  ]);
  expect(["o", "", "maybe"].map(parseBool)).toEqual([undefined, undefined, undefined]);
});

test("Postgres statements that change settings, with their scope", () => {
  expect(changes("SET standard_conforming_strings = off")).toEqual([
    ["standard_conforming_strings", "off", "session"],
  ]);
  expect(changes("SET SESSION standard_conforming_strings TO 'off'")).toEqual([
    ["standard_conforming_strings", "off", "session"],
  ]);
  expect(changes("SET LOCAL backslash_quote = on")).toEqual([["backslash_quote", "on", "local"]]);
  expect(changes("RESET ALL").map((c) => c[0])).toEqual([
    "standard_conforming_strings",
    "backslash_quote",
    "client_encoding",
  ]);
  expect(changes("SET NAMES 'SJIS'")).toEqual([["client_encoding", "SJIS", "session"]]);
  expect(changes("SELECT set_config('standard_conforming_strings', 'off', true)")).toEqual([
    ["standard_conforming_strings", "off", "local"],
  ]);
  expect(changes("SELECT set_config('Standard_Conforming_Strings', v, false) FROM t")).toEqual([
    ["standard_conforming_strings", undefined, "session"],
  ]);
  expect(
    settingChanges(tokenize("SELECT set_config(n, 'off', false)", "postgres"), "postgres").unknown,
  ).toBe(true);
  expect(changes("ALTER DATABASE d SET standard_conforming_strings TO off")).toEqual([
    ["standard_conforming_strings", "off", "new-sessions"],
  ]);
  expect(changes("ALTER ROLE r IN DATABASE d RESET standard_conforming_strings")).toEqual([
    ["standard_conforming_strings", null, "new-sessions"],
  ]);
  expect(changes("ALTER FUNCTION f(int) SET standard_conforming_strings = off")).toEqual([
    ["standard_conforming_strings", "off", "function"],
  ]);
  expect(changes("SET search_path = a, b")).toEqual([]);
  expect(changes("UPDATE t SET standard_conforming_strings = 'off'")).toEqual([]);
});

test("MySQL statements that change settings", () => {
  expect(changes("SET sql_mode = 'ANSI,STRICT_ALL_TABLES'", "mysql")).toEqual([
    ["sql_mode", "ANSI,STRICT_ALL_TABLES", "session"],
  ]);
  expect(changes("SET @@GLOBAL.sql_mode := ''", "mysql")).toEqual([
    ["sql_mode", "", "new-sessions"],
  ]);
  expect(changes("SET autocommit = 0, SESSION sql_mode = DEFAULT", "mysql")).toEqual([
    ["sql_mode", null, "session"],
  ]);
  expect(changes("SET sql_mode = CONCAT(@@sql_mode, ',ANSI')", "mysql")).toEqual([
    ["sql_mode", undefined, "session"],
  ]);
  expect(changes("SET NAMES gbk COLLATE gbk_chinese_ci", "mysql")).toEqual([
    ["character_set_client", "gbk", "session"],
  ]);
  expect(changes("SET CHARACTER SET 'big5'", "mysql")).toEqual([
    ["character_set_client", "big5", "session"],
  ]);
  expect(sqlModeEffect("ANSI")).toEqual({ noBackslashEscapes: false, ansiQuotes: true });
  expect(sqlModeEffect(" no_backslash_escapes ,X")).toEqual({
    noBackslashEscapes: true,
    ansiQuotes: false,
  });
});

test("encodings in which an ASCII byte can be part of another character", () => {
  expect(unsafeEncoding("Shift_JIS", "postgres")).toBe("sjis");
  expect(unsafeEncoding("WIN936", "postgres")).toBe("gbk");
  expect(unsafeEncoding("cp932", "mysql")).toBe("sjis");
  expect(unsafeEncoding("EUC_JP", "postgres")).toBeNull();
  expect(unsafeEncoding("utf8mb4", "mysql")).toBeNull();
  expect(unsafeEncoding("uhc", "mysql")).toBeNull(); // MySQL has no UHC
});

test("the server's view of UTF-8 text under a multibyte client encoding (same length)", () => {
  // 中 is E4 B8 AD: in GBK, E4 B8 is one character and AD 5C (the backslash) another.
  const s = "SELECT '\u4e2d\\'; DROP";
  expect(encodingView(s, 0, "gbk")).toBe(`SELECT '\u4e2d${SWALLOWED}'; DROP`);
  expect(encodingView(s, 0, "big5")).toBe(`SELECT '\u4e2d${SWALLOWED}'; DROP`);
  // In SJIS, AD is a one-byte katakana: the backslash stays.
  expect(encodingView(s, 0, "sjis")).toBe(s);
  // Nothing before `from` changes.
  expect(encodingView(`${s} ${s}`, s.length, "gbk").slice(0, s.length)).toBe(s);
  // GB18030 four-byte sequences swallow digits: 81 30 81 30.
  expect(encodingView("\u00c4\u0081\u0030x", 0, "gb18030").length).toBe(4);
});
