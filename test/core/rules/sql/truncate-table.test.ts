import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("truncate-table", {
  valid: [
    { code: "DELETE FROM t WHERE id = 1;" },
    { code: "TRUNCATE t;", dialect: "sqlite" },
    { dialect: "clickhouse", code: "OPTIMIZE TABLE users FINAL;" },
    { dialect: "mysql", code: "ALTER TABLE users ENGINE = InnoDB;" },
    { dialect: "mysql", code: "CREATE TABLE sink (id int) ENGINE = BLACKHOLE;" },
  ],
  invalid: [
    {
      name: "MySQL: an engine that stores nothing discards every row",
      dialect: "mysql",
      code: "ALTER TABLE users ENGINE = BLACKHOLE;",
      errors: [{ line: 1, message: /ENGINE = BLACKHOLE on users .*every row is discarded/ }],
    },
    {
      dialect: "mysql",
      code: "ALTER TABLE users\n  COMMENT 'x',\n  ENGINE 'memory';",
      errors: [{ line: 3, message: /ENGINE = MEMORY on users .*next server restart/ }],
    },
    {
      name: "MySQL: a table created in the same file: notice",
      dialect: "mysql",
      code: "CREATE TABLE t (id int);\nALTER TABLE t ENGINE = BLACKHOLE;",
      errors: [{ line: 2, severity: "notice" }],
    },
    {
      dialect: "clickhouse",
      code: "OPTIMIZE TABLE users FINAL DEDUPLICATE BY email;",
      errors: [{ line: 1, message: /every row but one of each group with the same email/ }],
    },
    { code: "TRUNCATE sessions;", errors: [{ line: 1, message: /ACCESS EXCLUSIVE/ }] },
    { code: "TRUNCATE TABLE a, b RESTART IDENTITY;", errors: [{ line: 1 }, { line: 1 }] },
    {
      code: "TRUNCATE TABLE sessions;",
      dialect: "mysql",
      errors: [{ line: 1, message: /commits implicitly/ }],
    },
    { code: "TRUNCATE sessions;", dialect: "cockroachdb", errors: [{ line: 1 }] },
    {
      name: "a table created in the same file: notice",
      code: "CREATE TABLE t (id int);\nTRUNCATE t;",
      errors: [{ line: 2, severity: "notice" }],
    },
    {
      code: "TRUNCATE TABLE IF EXISTS logs ON CLUSTER c;",
      dialect: "clickhouse",
      errors: [
        {
          line: 1,
          message:
            /every row of the table; the data cannot be restored by rolling back the migration\.$/,
        },
      ],
    },
  ],
});
