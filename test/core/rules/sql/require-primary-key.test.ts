import { ruleTester } from "../../../helpers/rule-tester.js";

const on = { "require-primary-key": "notice" } as const;

ruleTester("require-primary-key", {
  valid: [
    { name: "off by default", code: "CREATE TABLE t (a int);" },
    {
      rules: on,
      code: [
        "CREATE TABLE a (id bigint PRIMARY KEY);",
        "CREATE TABLE b (x int, y int, CONSTRAINT b_pk PRIMARY KEY (x, y));",
        "CREATE TEMPORARY TABLE tmp (a int);",
        "CREATE TABLE c PARTITION OF p FOR VALUES IN (1);",
        "CREATE TABLE d (LIKE a INCLUDING ALL);",
      ].join("\n"),
    },
    {
      name: "a key added later in the same file (quoted, schema-qualified, in a DO block)",
      rules: on,
      code: 'CREATE TABLE s.e (id bigint);\nCREATE TABLE "F" (x int);\nALTER TABLE s.e ADD PRIMARY KEY (id);\nDO $$ BEGIN ALTER TABLE "F" ADD CONSTRAINT f_pk PRIMARY KEY (x); END $$;',
    },
    {
      name: "a down file recreates a table its up dropped",
      rules: on,
      files: { "2_change.down.sql": "CREATE TABLE t (a int);" },
    },
    {
      name: "MySQL: an inline or table-level key, LIKE",
      rules: on,
      dialect: "mysql",
      code: "CREATE TABLE `a` (id bigint AUTO_INCREMENT PRIMARY KEY);\nCREATE TABLE b (x int, PRIMARY KEY (x));\nCREATE TABLE c LIKE a;",
    },
    {
      name: "SQLite: INTEGER PRIMARY KEY aliases the rowid",
      rules: on,
      dialect: "sqlite",
      code: "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);",
    },
  ],
  invalid: [
    {
      rules: on,
      code: "CREATE TABLE events (id bigint, at timestamptz);\nCREATE TABLE other (id bigint);\nALTER TABLE other ADD PRIMARY KEY (id);",
      errors: [
        {
          line: 1,
          message:
            /CREATE TABLE events declares no primary key, and none is added later in this file: .* logical replication/,
        },
      ],
    },
    {
      name: "attacker: a key added before the CREATE, a UNIQUE NOT NULL key, CTAS, a unique index",
      rules: on,
      code: "ALTER TABLE t ADD PRIMARY KEY (id);\ncreate table T (id int not null unique);\nCREATE TABLE u AS SELECT 1 AS id;\nCREATE UNIQUE INDEX u_id ON u (id);",
      errors: [{ line: 2 }, { line: 3 }],
    },
    {
      name: "a typed table: its type carries columns, never a key",
      rules: on,
      code: "CREATE TABLE d OF some_type;\nCREATE TABLE e OF some_type (PRIMARY KEY (id));",
      errors: [{ line: 1 }],
    },
    {
      dialect: "mysql",
      rules: on,
      code: "CREATE TABLE `t` (a int, UNIQUE KEY (a), KEY k (a));",
      errors: [{ line: 1, message: /hidden row id/ }],
    },
    {
      dialect: "sqlite",
      rules: on,
      code: "CREATE TABLE t (id integer, name text);",
      errors: [{ line: 1, message: /rowid/ }],
    },
    {
      dialect: "cockroachdb",
      rules: on,
      code: "CREATE TABLE t (id int);",
      errors: [{ line: 1, message: /hidden rowid/ }],
    },
  ],
});
