import { ruleTester } from "../../../helpers/rule-tester.js";

const my = { dialect: "mysql" as const };
const v8 = { ...my, databaseVersion: "8.0.35" };

ruleTester("mysql-add-unique-index", {
  valid: [
    { ...v8, code: "ALTER TABLE users ADD INDEX users_email_idx (email);" },
    { ...v8, code: "CREATE INDEX users_email_idx ON users (email);" },
    // NULLs never collide; AUTO_INCREMENT numbers every row.
    { ...v8, code: "ALTER TABLE users ADD COLUMN handle varchar(40) UNIQUE;" },
    { ...v8, code: "ALTER TABLE users ADD COLUMN seq bigint NOT NULL AUTO_INCREMENT UNIQUE;" },
    // Tables created in the change have no deployed rows.
    { ...v8, code: "CREATE TABLE t (a int);\nCREATE UNIQUE INDEX t_a ON t (a);" },
    {
      ...v8,
      files: {
        "2_a.up.sql": "CREATE TABLE t (a int);",
        "3_b.up.sql": "ALTER IGNORE TABLE t ADD UNIQUE (a);",
      },
    },
    // Postgres has its own rule (add-unique-constraint).
    {
      code: "ALTER TABLE users ADD CONSTRAINT u UNIQUE (email);",
      rules: { "add-unique-constraint": "off" },
    },
  ],
  invalid: [
    {
      ...v8,
      code: "ALTER TABLE users ADD UNIQUE KEY users_email_uq (email);",
      errors: [
        {
          line: 1,
          message:
            /UNIQUE \(email\) to users fails if existing rows hold duplicate values: .*dirty/,
        },
      ],
    },
    {
      ...v8,
      code: "ALTER TABLE users ADD CONSTRAINT users_email_uq UNIQUE INDEX (email);",
      errors: [{ line: 1 }],
    },
    {
      ...v8,
      code: "CREATE UNIQUE INDEX users_email_uq ON users (email);",
      errors: [{ line: 1, message: /CREATE UNIQUE INDEX on users/ }],
    },
    {
      ...v8,
      code: "ALTER TABLE users ADD PRIMARY KEY (id);",
      errors: [{ line: 1, message: /PRIMARY KEY \(id\).*or NULLs/ }],
    },
    {
      ...v8,
      code: "ALTER TABLE users ADD COLUMN code int NOT NULL UNIQUE;",
      errors: [{ line: 1, message: /one value for every existing row/ }],
    },
    {
      name: "ALTER IGNORE on MariaDB deletes duplicate rows",
      ...my,
      databaseVersion: "10.6",
      code: "ALTER IGNORE TABLE users ADD UNIQUE (email);",
      errors: [{ line: 1, severity: "error", message: /silently deletes every row/ }],
    },
    {
      name: "ALTER IGNORE without databaseVersion: judged for MySQL 5.6, which deletes rows",
      ...my,
      code: "ALTER IGNORE TABLE users ADD UNIQUE (email);",
      errors: [{ line: 1, severity: "error", message: /MySQL 5\.6 \(databaseVersion is not set/ }],
    },
    {
      name: "ALTER IGNORE on MySQL 5.7+ is a syntax error",
      ...my,
      databaseVersion: "5.7",
      code: "ALTER IGNORE TABLE users ADD UNIQUE (email);",
      errors: [{ line: 1, severity: "error", message: /no longer exists on MySQL 5\.7/ }],
    },
    // Attacker: comments, quoting, case, schema-qualified names, several statements.
    {
      name: "attacker: ONLINE IGNORE, comments, quoted qualified name, second statement",
      ...my,
      databaseVersion: "10.11",
      code: "SELECT 1;\nalter online /* x */ ignore table `app`.`Users`\n  -- dedupe\n  add constraint `u` unique (`email`);",
      errors: [{ line: 4, severity: "error", message: /app\.users/ }],
    },
    {
      name: "attacker: the unique key hidden after a harmless action",
      ...v8,
      code: "ALTER TABLE users ADD COLUMN x int,\n  ADD UNIQUE (email);",
      errors: [{ line: 2 }],
    },
  ],
});
