import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("alter-column-type", {
  valid: [
    { code: "ALTER TYPE p ALTER ATTRIBUTE x TYPE int;" },
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
    ...[
      ["varchar(50)", "varchar(100)"],
      ["character varying(50)", "text"],
      ["varchar(50)", "varchar"],
      ["text", "varchar"],
      ["numeric(10,2)", "numeric(12,2)"],
      ["decimal(10,2)", "numeric"],
      ["timestamp(3)", "timestamp(6)"],
    ].map(([from, to]) => ({
      name: `merged schema: ${from} → ${to} is binary coercible (no rewrite)`,
      merged: { "1_init.up.sql": `CREATE TABLE t (id int, c ${from});` },
      code: `ALTER TABLE t ALTER COLUMN c TYPE ${to};`,
    })),
    {
      name: "merged schema: the type follows a later merged retype and a rename",
      merged: {
        "1_init.up.sql":
          "CREATE TABLE t (id int, old integer);\nALTER TABLE t ALTER COLUMN old TYPE varchar(20);\nALTER TABLE t RENAME COLUMN old TO c;",
      },
      code: "ALTER TABLE t ALTER COLUMN c TYPE varchar(40);",
    },
    {
      name: "merged schema, MySQL: MODIFY restating the same type (display width only) copies nothing",
      dialect: "mysql",
      merged: { "1_init.up.sql": "CREATE TABLE t (id INT PRIMARY KEY, n INT(11) NULL);" },
      code: "ALTER TABLE t MODIFY n INT NOT NULL DEFAULT 0;",
    },
    {
      name: "ClickHouse: MODIFY COLUMN without a type keeps the type",
      code: "ALTER TABLE t MODIFY COLUMN c DEFAULT 'x', MODIFY COLUMN d CODEC(ZSTD), MODIFY COLUMN e REMOVE TTL, MODIFY ORDER BY (id);",
      dialect: "clickhouse",
    },
  ],
  invalid: [
    {
      code: "ALTER TYPE p ALTER ATTRIBUTE x TYPE int CASCADE;",
      errors: [{ line: 1, message: /every typed table of p/ }],
    },
    ...[
      ["varchar(100)", "varchar(50)"],
      ["text", "varchar(50)"],
      ["numeric(10,2)", "numeric(12,4)"],
      ["integer", "bigint"],
      ["varchar(50)[]", "varchar(100)[]"],
      ["char(10)", "text"],
      ["timestamp", "timestamptz"],
    ].map(([from, to]) => ({
      name: `merged schema: ${from} → ${to} rewrites`,
      merged: { "1_init.up.sql": `CREATE TABLE t (id int, c ${from});` },
      code: `ALTER TABLE t ALTER COLUMN c TYPE ${to};`,
      errors: [{ line: 1 }],
    })),
    {
      name: "attacker: USING may change the values, so binary compatibility does not count",
      merged: { "1_init.up.sql": "CREATE TABLE t (id int, c varchar(50));" },
      code: "ALTER TABLE t ALTER COLUMN c TYPE varchar(100) USING upper(c);",
      errors: [{ line: 1 }],
    },
    {
      name: "attacker: a new collation rebuilds the indexes",
      merged: { "1_init.up.sql": "CREATE TABLE t (id int, c varchar(50));" },
      code: 'ALTER TABLE t ALTER COLUMN c TYPE varchar(100) COLLATE "C";',
      errors: [{ line: 1 }],
    },
    {
      name: "attacker: a user type named like a built-in in another schema",
      merged: {
        "1_init.up.sql": "CREATE TABLE t (id int, c varchar(50));",
      },
      code: "ALTER TABLE t ALTER COLUMN c TYPE app.varchar;",
      errors: [{ line: 1 }],
    },
    {
      name: "attacker: a merged migration dropped and re-created the column with another type",
      merged: {
        "1_init.up.sql":
          "CREATE TABLE t (id int, c varchar(50));\nALTER TABLE t DROP COLUMN c;\nALTER TABLE t ADD COLUMN c integer;",
      },
      code: "ALTER TABLE t ALTER COLUMN c TYPE varchar(100);",
      errors: [{ line: 1 }],
    },
    {
      name: "attacker: a merged file the model cannot read keeps today's finding",
      merged: {
        "1_init.up.sql":
          "CREATE TABLE t (id int, c varchar(50));\nALTER TABLE t ALTER COLUMN c TYPE;",
      },
      code: "ALTER TABLE t ALTER COLUMN c TYPE varchar(100);",
      errors: [{ line: 1 }],
    },
    {
      name: "merged schema, MySQL: narrowing varchar(100) to varchar(50)",
      dialect: "mysql",
      merged: { "1_init.up.sql": "CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(100));" },
      code: "ALTER TABLE t MODIFY name VARCHAR(50);",
      errors: [
        {
          line: 1,
          message: /varchar\(100\) to varchar\(50\) \(decided from the merged history\).*strict/,
        },
      ],
    },
    {
      name: "merged schema, MySQL: int to tinyint, the table name in backquotes and another case",
      dialect: "mysql",
      merged: { "1_init.up.sql": "CREATE TABLE `Orders` (id INT PRIMARY KEY, qty INT NOT NULL);" },
      code: "ALTER TABLE `orders` CHANGE `QTY` qty TINYINT NOT NULL;",
      errors: [{ line: 1, message: /int to the smaller tinyint/ }],
    },
    {
      name: "merged schema, MySQL: the same type with another character set still copies",
      dialect: "mysql",
      merged: {
        "1_init.up.sql":
          "CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(50) CHARACTER SET latin1);",
      },
      code: "ALTER TABLE t MODIFY name VARCHAR(50) CHARACTER SET utf8mb4;",
      errors: [{ line: 1, message: /ALGORITHM=COPY/ }],
    },
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
