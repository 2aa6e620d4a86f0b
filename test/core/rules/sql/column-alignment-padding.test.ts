import { expect, test } from "@jest/globals";
import { lint } from "../../../helpers/lint.js";
import { ruleTester } from "../../../helpers/rule-tester.js";

const on = { "column-alignment-padding": "notice" } as const;

ruleTester("column-alignment-padding", {
  valid: [
    {
      name: "off by default (style)",
      code: "CREATE TABLE t (a boolean, b bigint, c boolean, d bigint);",
    },
    {
      name: "already ordered by alignment",
      rules: on,
      code: "CREATE TABLE t (id bigint, created_at timestamptz, n integer, k smallint, ok boolean, name text);",
    },
    {
      name: "padding that the 8-byte rounding of a row hides (bool, int4: 8 bytes either way)",
      rules: on,
      code: "CREATE TABLE t (ok boolean, n integer);",
    },
    {
      name: "variable-length columns first: what follows depends on their length",
      rules: on,
      code: "CREATE TABLE t (name text, a boolean, b bigint);",
    },
    {
      name: "less than 8 bytes of padding next to variable-length columns",
      rules: on,
      code: "CREATE TABLE t (id integer, created_at timestamptz, name text);",
    },
    {
      name: "columns from elsewhere (LIKE, INHERITS, PARTITION OF) come first or in between",
      rules: on,
      code: [
        "CREATE TABLE a (x boolean, LIKE other, y bigint, z boolean, w bigint);",
        "CREATE TABLE b (x boolean, y bigint, z boolean, w bigint) INHERITS (p);",
      ].join("\n"),
    },
    {
      name: "user types and arrays have unknown or variable width",
      rules: on,
      code: "CREATE TABLE t (a app.flag, b bigint, c bigint[], d boolean, e bigint);",
    },
    {
      name: "temporary tables and down files",
      rules: on,
      files: {
        "2_change.up.sql": "CREATE TEMP TABLE t (a boolean, b bigint, c boolean, d bigint);",
        "2_change.down.sql": "CREATE TABLE t (a boolean, b bigint, c boolean, d bigint);",
      },
    },
  ],
  invalid: [
    {
      name: "bool, bigint, bool, bigint: 14 bytes of padding, 8 bytes per row",
      rules: on,
      code: "CREATE TABLE t (\n  a boolean,\n  b bigint,\n  c boolean,\n  d bigint\n);",
      errors: [
        {
          line: 1,
          endLine: 6,
          message:
            /14 bytes per row \(7 before b, 7 before d\); ordered by alignment they need none, so each row would be 8 bytes smaller/,
        },
      ],
    },
    {
      name: "with variable-length columns: the padding before the first one",
      rules: on,
      code: "CREATE TABLE orders (id integer, created_at timestamptz, active boolean, total bigint, note text, qty int);",
      errors: [
        {
          line: 1,
          message:
            /11 bytes per row \(4 before created_at, 7 before total\).* 11 bytes less padding/,
        },
      ],
    },
    {
      name: 'attacker: quoted and qualified names, spelled-out types, "char", uuid, comments, a DO block',
      rules: on,
      code: [
        'CREATE TABLE "App"."T" ("Flag" "char", id /* x */ pg_catalog.int8, ok bool, at timestamp with time zone);',
        "DO $$",
        "BEGIN",
        "  CREATE TABLE s.u (k smallint, u uuid, v double precision, w smallint, x double precision);",
        "END",
        "$$;",
      ].join("\n"),
      errors: [
        { line: 1, message: /App\.T: .*14 bytes per row \(7 before id, 7 before at\)/ },
        { line: 4, message: /s\.u: .*before v/ },
      ],
    },
  ],
});

test("the suggestion orders by alignment: 8-byte, 4, 2, 1, variable-length last", async () => {
  const fs = await lint({
    files: {
      "2_t.up.sql":
        "CREATE TABLE t (a boolean, b bigint, c smallint, d integer, e timestamptz, f jsonb, g int);",
    },
    rules: on,
  });
  const f = fs.filter((x) => x.ruleId === "column-alignment-padding");
  expect(f.map((x) => x.suggestion)).toEqual([
    expect.stringContaining("by alignment: b, e, d, g, c, a, f (8-byte"),
  ]);
  expect(f[0]?.message).toMatch(/9 bytes per row \(7 before b, 2 before d\)/);
});
