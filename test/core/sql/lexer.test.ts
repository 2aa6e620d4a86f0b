import { tokenize } from "../../../src/core/sql/lexer.js";
import { alterTableActionSpans } from "../../../src/core/sql/parse/segments.js";

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

test("ALTER TABLE action spans split at top-level commas only", () => {
  const sql =
    'ALTER TABLE IF EXISTS ONLY s."T" ADD COLUMN a numeric(10, 2) DEFAULT f(1, 2), DROP COLUMN b';
  const spans = alterTableActionSpans(sql, 100, "postgres");
  expect(spans.map((s) => sql.slice(s.start - 100, s.end - 100))).toEqual([
    "ADD COLUMN a numeric(10, 2) DEFAULT f(1, 2)",
    "DROP COLUMN b",
  ]);
  expect(alterTableActionSpans("ALTER INDEX i RENAME TO j", 0, "postgres")).toEqual([]);
});
