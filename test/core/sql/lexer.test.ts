import { tokenize } from "../../../src/core/sql/lexer.js";

test("tokens per dialect: strings, identifiers, E'' prefix, comments skipped", () => {
  const kinds = (sql: string, d: Parameters<typeof tokenize>[1]) =>
    tokenize(sql, d).map((t) => [t.kind, t.text]);
  expect(kinds("select E'a\\'b', \"X\" -- c\n/* d */ 1.5", "postgres")).toEqual([
    ["word", "SELECT"],
    ["string", "E'a\\'b'"],
    ["punct", ","],
    ["quoted-ident", '"X"'],
    ["number", "1"],
    ["punct", "."],
    ["number", "5"],
  ]);
  expect(kinds('`a` "b" # c\n[d]', "mysql")).toEqual([
    ["quoted-ident", "`a`"],
    ["string", '"b"'],
    ["punct", "["],
    ["word", "D"],
    ["punct", "]"],
  ]);
  expect(kinds("[d e]", "sqlite")).toEqual([["quoted-ident", "[d e]"]]);
});

// The ALTER TABLE action span test moved to parse/postgres-spans.test.ts (the parser's tokens).
