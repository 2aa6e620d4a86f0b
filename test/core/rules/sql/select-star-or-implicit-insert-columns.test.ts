import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("select-star-or-implicit-insert-columns", {
  valid: [
    {
      code: [
        "INSERT INTO t (a, b) VALUES (1, 2);",
        "INSERT INTO t (a, b) SELECT a, b FROM s WHERE EXISTS (SELECT * FROM u);",
        "INSERT INTO t DEFAULT VALUES;",
        "CREATE VIEW v AS SELECT a, count(*) AS n, (SELECT max(x) FROM (SELECT * FROM u) q) AS m FROM t GROUP BY a;",
        "SELECT * FROM t;",
      ].join("\n"),
    },
    {
      name: "a table created in this change: its columns are written out above",
      code: "CREATE TABLE n (a int, b int);\nINSERT INTO n VALUES (1, 2);\nCREATE TABLE m (a int, b int);\nINSERT INTO m SELECT * FROM n;",
    },
    {
      name: "a table created by an earlier file of the change",
      files: {
        "2_a.up.sql": "CREATE TABLE n (a int, b int);",
        "3_b.up.sql": "INSERT INTO n VALUES (1, 2);",
      },
    },
    {
      name: "CREATE TABLE AS SELECT *: the copy takes the columns by name",
      code: "CREATE TABLE t_backup AS SELECT * FROM t;",
    },
    { name: "a * that multiplies", code: "CREATE VIEW v AS SELECT a * 2 AS d FROM t;" },
    {
      name: "MySQL: INSERT … SET names its columns; a view's subquery; multiplication",
      dialect: "mysql",
      code: "INSERT INTO t SET a = 1;\nCREATE VIEW v AS SELECT a * b AS c FROM t WHERE a IN (SELECT * FROM u);",
    },
    {
      name: "SQLite expands a view's * on every query",
      dialect: "sqlite",
      code: "CREATE VIEW v AS SELECT * FROM t;",
    },
  ],
  invalid: [
    {
      code: "INSERT INTO t VALUES (1, 'a');\nINSERT INTO t SELECT a, b FROM s;",
      errors: [
        { line: 1, message: /INSERT INTO t without a column list puts its VALUES rows into/ },
        { line: 2, message: /puts the query's columns into the table's columns by position/ },
      ],
    },
    {
      name: "a column list on the target, SELECT * on the source; both in one finding",
      code: "INSERT INTO t (a, b) SELECT * FROM s;\nINSERT INTO t SELECT s.* FROM s UNION ALL SELECT * FROM r;",
      errors: [
        { line: 1, message: /^Its SELECT \* takes every column of s in their order/ },
        { line: 2, message: /by position: .*, and its SELECT \* takes every column of s, r/ },
      ],
    },
    {
      name: "attacker: quoting, comments, case, a CTE feeding the INSERT, a DO block",
      code: [
        'with x as (select 1) insert /* c */ into "Weird"."T" -- c',
        '  select * from x, "S";',
        "DO $$ BEGIN INSERT INTO t VALUES (1); END $$;",
      ].join("\n"),
      errors: [
        { line: 1, endLine: 2, message: /INSERT INTO Weird.T without .*column of S in/ },
        { line: 3 },
      ],
    },
    {
      name: "views: *, t.*, under a CTE or after DISTINCT, in every arm of a UNION",
      code: [
        "CREATE VIEW v1 AS SELECT * FROM t;",
        "CREATE OR REPLACE VIEW v2 AS WITH c AS (SELECT a FROM t) SELECT DISTINCT c.* FROM c;",
        "CREATE VIEW v3 AS SELECT a FROM t UNION SELECT * FROM u;",
      ].join("\n"),
      errors: [
        { line: 1, message: /The view v1 selects \*: .* refuses to drop/ },
        { line: 2 },
        { line: 3 },
      ],
    },
    {
      dialect: "mysql",
      code: "INSERT INTO `t` VALUES (1);\nREPLACE INTO t SELECT * FROM `s`;\nCREATE ALGORITHM=MERGE VIEW `v` AS SELECT DISTINCT `t`.* FROM t;",
      errors: [
        { line: 1 },
        { line: 2, message: /INSERT INTO t without .* column of s/ },
        { line: 3, message: /The view v selects \*: .* leaves the view invalid/ },
      ],
    },
    {
      dialect: "sqlite",
      code: "INSERT OR IGNORE INTO t VALUES (1);\nINSERT INTO t2 (a) SELECT * FROM t;",
      errors: [{ line: 1 }, { line: 2 }],
    },
    {
      dialect: "cockroachdb",
      code: "INSERT INTO t VALUES (1);\nCREATE VIEW v AS SELECT * FROM t;",
      errors: [{ line: 1 }, { line: 2 }],
    },
  ],
});
