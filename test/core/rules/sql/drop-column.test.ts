import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("drop-column", {
  valid: [
    {
      name: "SQLite rebuild with double-quoted names (identifiers, read as strings by the parser)",
      dialect: "sqlite",
      merged: { "1_init.up.sql": 'CREATE TABLE "users" ("id" integer PRIMARY KEY, "email" text);' },
      code: 'CREATE TABLE "users_new" ("id" integer PRIMARY KEY, "email" text);\nINSERT INTO "users_new" ("id", "email") SELECT "id", "email" FROM "users";\nDROP TABLE "users";\nALTER TABLE "users_new" RENAME TO "users";',
    },
    {
      dialect: "sqlite",
      merged: { "1_init.up.sql": "CREATE TABLE users (id integer PRIMARY KEY, email text);" },
      code: "CREATE TABLE users_new (id integer PRIMARY KEY, email text);\nINSERT INTO users_new SELECT * FROM users;\nDROP TABLE users;\nALTER TABLE users_new RENAME TO users;",
    },
    {
      name: "SQLite rebuild that leaves a generated column out of the copy, the new table computing it again",
      dialect: "sqlite",
      merged: {
        "1_init.up.sql":
          "CREATE TABLE users (id integer PRIMARY KEY, first text, last text, full text GENERATED ALWAYS AS (first || ' ' || last) STORED, initial text AS (substr(first, 1, 1)));",
      },
      code: "CREATE TABLE users_new (id integer PRIMARY KEY, first text NOT NULL, last text, full text GENERATED ALWAYS AS (first || ' ' || last) STORED, initial text AS (substr(first, 1, 1)));\nINSERT INTO users_new (id, first, last) SELECT id, coalesce(first, ''), last FROM users;\nDROP TABLE users;\nALTER TABLE users_new RENAME TO users;",
    },
    {
      name: "the same, the table created earlier in the file",
      dialect: "sqlite",
      code: "CREATE TABLE t (a int, b int AS (a * 2));\nCREATE TABLE t2 (a int NOT NULL, b int AS (a * 2));\nINSERT INTO t2 (a) SELECT coalesce(a, 0) FROM t;\nDROP TABLE t;\nALTER TABLE t2 RENAME TO t;",
    },
    { code: "CREATE TYPE q AS (a int, b int);\nALTER TYPE q DROP ATTRIBUTE b;" },
    { code: "ALTER TABLE t ADD COLUMN c int;" },
    { code: "ALTER TABLE t DROP CONSTRAINT c;" },
    { code: "ALTER TABLE t DROP INDEX i;", dialect: "mysql" },
    { code: "ALTER TABLE t DROP FOREIGN KEY fk;", dialect: "mysql" },
    { code: "ALTER TABLE t DROP INDEX idx, DROP PARTITION 202401;", dialect: "clickhouse" },
  ],
  invalid: [
    {
      name: "SQLite rebuild whose copy leaves a merged column behind",
      dialect: "sqlite",
      merged: {
        "1_init.up.sql": "CREATE TABLE users (id integer PRIMARY KEY, email text, name text);",
      },
      code: "CREATE TABLE users_new (id integer PRIMARY KEY, email text);\nINSERT INTO users_new SELECT id, email FROM users;\nDROP TABLE users;\nALTER TABLE users_new RENAME TO users;",
      errors: [
        {
          line: 3,
          message: /does not read column name of users \(decided from the merged history\)/,
        },
      ],
    },
    {
      name: "SQLite rebuild whose new table no longer has the generated column: dropped",
      dialect: "sqlite",
      merged: {
        "1_init.up.sql":
          "CREATE TABLE users (id integer PRIMARY KEY, first text, full text GENERATED ALWAYS AS (first || '!') STORED);",
      },
      code: "CREATE TABLE users_new (id integer PRIMARY KEY, first text);\nINSERT INTO users_new SELECT id, first FROM users;\nDROP TABLE users;\nALTER TABLE users_new RENAME TO users;",
      errors: [{ line: 3, message: /does not read column full of users/ }],
    },
    {
      name: "SQLite rebuild whose new table makes the generated column a plain one, left empty: dropped",
      dialect: "sqlite",
      merged: {
        "1_init.up.sql":
          "CREATE TABLE users (id integer PRIMARY KEY, first text, full text AS (first || '!'));",
      },
      code: "CREATE TABLE users_new (id integer PRIMARY KEY, first text, full text);\nINSERT INTO users_new (id, first) SELECT id, first FROM users;\nDROP TABLE users;\nALTER TABLE users_new RENAME TO users;",
      errors: [{ line: 3, message: /does not read column full of users/ }],
    },
    {
      name: "SQLite rebuild that leaves out a stored column beside a generated one: the stored one only",
      dialect: "sqlite",
      merged: {
        "1_init.up.sql":
          "CREATE TABLE users (id integer PRIMARY KEY, first text, nick text, full text AS (first || '!'));",
      },
      code: "CREATE TABLE users_new (id integer PRIMARY KEY, first text, full text AS (first || '!'));\nINSERT INTO users_new (id, first) SELECT id, first FROM users;\nDROP TABLE users;\nALTER TABLE users_new RENAME TO users;",
      errors: [{ line: 3, message: /does not read column nick of users \(/ }],
    },
    {
      name: "a rebuild of a table created earlier in the file: a notice",
      dialect: "sqlite",
      code: "CREATE TABLE t (a int, b int);\nCREATE TABLE t2 (a int);\nINSERT INTO t2 SELECT a FROM t;\nDROP TABLE t;\nALTER TABLE t2 RENAME TO t;",
      errors: [
        {
          line: 4,
          severity: "notice",
          message: /column b of t \(as created earlier in this file\)/,
        },
      ],
    },
    {
      code: "ALTER TYPE addr DROP ATTRIBUTE zip;",
      errors: [{ line: 1, message: /every column of type addr loses it/ }],
    },
    {
      name: "points at the DROP COLUMN action inside a multi-line ALTER TABLE",
      code: "ALTER TABLE users\n  ADD COLUMN a int,\n  DROP COLUMN legacy,\n  DROP COLUMN IF EXISTS other CASCADE;",
      errors: [
        { line: 3, message: /column legacy of users/ },
        { line: 4, message: /column other of users/ },
      ],
    },
    { code: "ALTER TABLE `t` DROP `c`;", dialect: "mysql", errors: [{ line: 1 }] },
    {
      code: "ALTER TABLE t\n  ADD COLUMN x int,\n  DROP COLUMN c,\n  ALGORITHM=INPLACE, LOCK=NONE;",
      dialect: "mysql",
      errors: [{ line: 3 }],
    },
    { code: "ALTER TABLE t DROP COLUMN c;", dialect: "sqlite", errors: [{ line: 1 }] },
    { code: "ALTER TABLE t DROP c;", dialect: "sqlite", errors: [{ line: 1 }] },
    { code: "ALTER TABLE t DROP COLUMN c;", dialect: "cockroachdb", errors: [{ line: 1 }] },
    {
      name: "a column added earlier in the same file: notice",
      code: "ALTER TABLE t ADD COLUMN c int;\nALTER TABLE t DROP COLUMN c;",
      errors: [{ line: 2, severity: "notice" }],
    },
    {
      name: "down file removing the column its up added: notice",
      files: {
        "2_c.up.sql": "ALTER TABLE t ADD COLUMN c int;",
        "2_c.down.sql": "ALTER TABLE t DROP COLUMN c;",
      },
      errors: [{ file: "2_c.down.sql", line: 1, severity: "notice" }],
    },
    {
      name: "non-ASCII text before the statement does not shift lines",
      code: "-- Ünïcödé 🚀 comment\nCOMMENT ON TABLE t IS 'naïve ☃';\nALTER TABLE t DROP COLUMN c;",
      errors: [{ line: 3 }],
    },
    {
      name: "ClickHouse, among other ALTER actions",
      code: "ALTER TABLE users ON CLUSTER main\n  MODIFY TTL at + INTERVAL 1 DAY,\n  DROP COLUMN IF EXISTS email;",
      dialect: "clickhouse",
      errors: [{ line: 3, message: /column email of users/ }],
    },
  ],
});
