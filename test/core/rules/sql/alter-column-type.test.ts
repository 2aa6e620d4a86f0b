import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("alter-column-type", {
  valid: [
    { code: "ALTER TABLE t ALTER COLUMN c SET DEFAULT 0;" },
    {
      name: "a table created in the same file",
      code: "CREATE TABLE t (c int);\nALTER TABLE t ALTER COLUMN c TYPE bigint;",
    },
    {
      name: "a column added by an earlier migration of the change",
      files: {
        "2_a.up.sql": "ALTER TABLE t ADD COLUMN c int;",
        "3_b.up.sql": "ALTER TABLE t ALTER COLUMN c TYPE bigint;",
      },
    },
    { code: "ALTER TABLE t ALTER COLUMN c SET DEFAULT 1;", dialect: "mysql" },
    {
      name: "ClickHouse: MODIFY COLUMN without a type keeps the type",
      code: "ALTER TABLE t MODIFY COLUMN c DEFAULT 'x', MODIFY COLUMN d CODEC(ZSTD), MODIFY COLUMN e REMOVE TTL, MODIFY ORDER BY (id);",
      dialect: "clickhouse",
    },
  ],
  invalid: [
    {
      code: "ALTER TABLE users ALTER COLUMN id TYPE bigint;",
      errors: [{ line: 1, message: /id of users to bigint rewrites the table/ }],
    },
    {
      code: "ALTER TABLE t\n  ALTER COLUMN a SET NOT NULL,\n  ALTER COLUMN b TYPE varchar(320) USING b::varchar;",
      errors: [{ line: 3, message: /varchar\(320\) with USING/ }],
    },
    {
      code: "ALTER TABLE t MODIFY COLUMN name VARCHAR(255) NOT NULL;",
      dialect: "mysql",
      errors: [{ line: 1, message: /MODIFY COLUMN name of t .*ALGORITHM=COPY/ }],
    },
    {
      name: "MySQL with ALGORITHM=INPLACE: MySQL refuses to copy, so a warning",
      code: "ALTER TABLE t MODIFY c BIGINT, ALGORITHM=INPLACE, LOCK=NONE;",
      dialect: "mysql",
      errors: [{ line: 1, severity: "warning" }],
    },
    {
      code: "ALTER TABLE t CHANGE COLUMN old_name new_name TEXT;",
      dialect: "mysql",
      errors: [{ line: 1, message: /CHANGE COLUMN/ }],
    },
    {
      code: "ALTER TABLE t ALTER COLUMN c TYPE STRING;",
      dialect: "cockroachdb",
      errors: [{ line: 1 }],
    },
    {
      name: "ClickHouse: a mutation that rewrites the column",
      code: "ALTER TABLE users MODIFY COLUMN age Nullable(UInt16) DEFAULT 0;",
      dialect: "clickhouse",
      errors: [
        { line: 1, message: /age of users changes its type to Nullable\(UInt16\): ClickHouse/ },
      ],
    },
  ],
});
