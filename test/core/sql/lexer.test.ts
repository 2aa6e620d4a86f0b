import { firstToken, tokenize, tokenReader } from "../../../src/core/sql/lexer.js";

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

test("tokenReader and firstToken give tokenize's tokens, from any offset, comments skipped", () => {
  const texts: Array<[string, Parameters<typeof tokenize>[1]]> = [
    [
      "CREATE TABLE t (a int DEFAULT now() /* x, */, b text -- y\n DEFAULT E'a\\'b', c int)",
      "postgres",
    ],
    ["SELECT $q$ a ; b $q$, U&\"d\\0061\", 'x''y' /* /* nested */ */ FROM t", "postgres"],
    ["ALTER TABLE `t` /*!50001 ADD COLUMN c int */ # c\n, ADD d int", "mysql"],
    ["unterminated 'string", "postgres"],
  ];
  for (const [text, dialect] of texts) {
    for (let from = 0; from <= text.length; from++) {
      const all = tokenize(text, dialect, from);
      const read = tokenReader(text, dialect, from);
      const one = [];
      for (let t = read(); t !== null; t = read()) one.push(t);
      expect(one).toEqual(all);
      expect(read()).toBeNull();
      if (dialect === "postgres") expect(firstToken(text, dialect, from)).toEqual(all[0]);
    }
  }
});
