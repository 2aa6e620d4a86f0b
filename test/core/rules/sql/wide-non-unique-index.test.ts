import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("wide-non-unique-index", {
  valid: [
    { code: "CREATE INDEX i ON t (a, b, c);" },
    {
      name: "UNIQUE: every column is part of the rule",
      code: "CREATE UNIQUE INDEX i ON t (a, b, c, d);",
    },
    { name: "INCLUDE columns are not keys", code: "CREATE INDEX i ON t (a, b) INCLUDE (c, d, e);" },
    { name: "GIN searches on any column", code: "CREATE INDEX i ON t USING gin (a, b, c, d);" },
    { name: "commas inside an expression", code: "CREATE INDEX i ON t (coalesce(a, b, c, d), e);" },
    {
      name: "a down file restores an index its up dropped",
      files: { "2_change.down.sql": "CREATE INDEX i ON t (a, b, c, d);" },
    },
    {
      name: "MySQL: a unique key, a fulltext index, three key parts",
      dialect: "mysql",
      code: "ALTER TABLE t ADD UNIQUE KEY u (a, b, c, d), ADD FULLTEXT INDEX f (a, b, c, d), ADD INDEX i (a, b(10), c);",
    },
  ],
  invalid: [
    {
      name: "a new table's index is reported too: it is cheapest to change before it holds rows",
      code: "CREATE TABLE t (a int, b int, c int, d int);\nCREATE INDEX t_abcd ON t (a, b, c, d);",
      errors: [{ line: 2, message: /non-unique index t_abcd on t has 4 key columns/ }],
    },
    {
      name: "attacker: CONCURRENTLY, IF NOT EXISTS, expressions, btree spelled out, comments, quoting",
      code: 'create index concurrently if not exists "I" on s."T" using btree (a /* x */, lower(b), (c + d), e desc nulls last);',
      errors: [{ line: 1, message: /I on s.T has 4 key columns/ }],
    },
    {
      name: "attacker: inside a DO block",
      code: "DO $$\nBEGIN\n  CREATE INDEX i ON t (a, b, c, d);\nEND\n$$;",
      errors: [{ line: 3 }],
    },
    {
      dialect: "mysql",
      code: "CREATE INDEX i USING BTREE ON t (a, b(10), c, d);\nALTER TABLE t\n  ADD KEY k (a, b, c, d, e),\n  ADD INDEX (a, b, c, d);",
      errors: [
        { line: 1, message: /4 key columns/ },
        { line: 3, message: /5 key columns/ },
        { line: 4, message: /4 key columns/ },
      ],
    },
    {
      name: "MySQL: INDEX/KEY inside CREATE TABLE (backticks, USING, a prefix length, comments)",
      dialect: "mysql",
      code: [
        "CREATE TABLE `t` (",
        "  a int, b int, c int, d varchar(20),",
        "  KEY `k_abcd` (a, b, `c`, d(10)),",
        "  INDEX /* x */ USING BTREE (d, c, b, a),",
        "  index i3 (a, b, c),",
        "  UNIQUE KEY u (a, b, c, d),",
        "  FULLTEXT INDEX f (d, d, d, d)",
        ");",
      ].join("\n"),
      errors: [
        { line: 3, message: /non-unique index k_abcd on t has 4 key columns/ },
        { line: 4, message: /non-unique index on t has 4 key columns/ },
      ],
    },
    {
      dialect: "sqlite",
      code: "CREATE INDEX IF NOT EXISTS i ON t (a, b, c COLLATE NOCASE, d) WHERE a > 0;",
      errors: [{ line: 1 }],
    },
    {
      dialect: "cockroachdb",
      code: "CREATE INDEX i ON t (a, b, c, d);",
      errors: [{ line: 1 }],
    },
  ],
});
