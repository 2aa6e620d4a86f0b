import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("drop-table", {
  valid: [
    { code: "DROP VIEW v;" },
    { code: "DROP INDEX CONCURRENTLY i;" },
    { code: "CREATE TABLE t (id int);" },
    { code: "DROP VIEW v;", dialect: "mysql" },
  ],
  invalid: [
    {
      name: "a rebuild into a TEMPORARY table",
      dialect: "sqlite",
      code: "CREATE TEMP TABLE users_new (id int, email text);\nINSERT INTO users_new SELECT id, email FROM users;\nDROP TABLE users;\nALTER TABLE users_new RENAME TO users;",
      errors: [{ line: 3, message: /is a TEMPORARY table/ }],
    },
    {
      dialect: "clickhouse",
      code: "DETACH TABLE users PERMANENTLY;",
      errors: [{ line: 1, message: /for good/ }],
    },
    {
      dialect: "clickhouse",
      code: "DETACH DICTIONARY d;",
      errors: [{ line: 1, severity: "warning", message: /until the next server restart/ }],
    },
    { code: "DROP TABLE users;", errors: [{ line: 1, message: /DROP TABLE users deletes/ }] },
    {
      code: "-- cleanup\n\nDROP TABLE IF EXISTS\n  a,\n  s.b CASCADE;",
      errors: [
        { line: 3, endLine: 5, message: /DROP TABLE a / },
        { line: 3, endLine: 5, message: /DROP TABLE s\.b / },
      ],
    },
    { code: "DROP TABLE `users`;", dialect: "mysql", errors: [{ line: 1 }] },
    { code: "DROP TEMPORARY TABLE IF EXISTS t", dialect: "mysql", errors: [{ line: 1 }] },
    { code: "DROP TABLE users;", dialect: "sqlite", errors: [{ line: 1 }] },
    { code: "DROP TABLE users CASCADE;", dialect: "cockroachdb", errors: [{ line: 1 }] },
    {
      name: "a table created earlier in the same file: notice",
      code: "CREATE TABLE tmp (id int);\nINSERT INTO tmp VALUES (1);\nDROP TABLE tmp;",
      errors: [{ line: 3, severity: "notice", message: /earlier in this file/ }],
    },
    {
      name: "a new table created, dropped and created again, then dropped: notices",
      code: "CREATE TABLE tmp (id int);\nDROP TABLE tmp;\nCREATE TABLE tmp (id int);\nDROP TABLE tmp;",
      errors: [
        { line: 2, severity: "notice", message: /earlier in this file/ },
        { line: 4, severity: "notice", message: /earlier in this file/ },
      ],
    },
    {
      name: "a temporary table dropped: notice; the same name dropped again is the live table",
      code: "CREATE TEMP TABLE users (id int);\nDROP TABLE users;\nDROP TABLE users;",
      errors: [
        { line: 2, severity: "notice", message: /earlier in this file/ },
        {
          line: 3,
          severity: "error",
          message:
            /DROP TABLE users deletes the table and every row in it, and application code that still reads or writes it starts failing\.$/,
        },
      ],
    },
    {
      name: "a new table under the same qualified name: notice",
      code: "CREATE SCHEMA audit;\nCREATE TABLE audit.users (id int);\nDROP TABLE audit.users;",
      errors: [{ line: 3, severity: "notice" }],
    },
    {
      name: "a new table in another schema does not make the unqualified name new",
      code: "CREATE SCHEMA audit;\nCREATE TABLE audit.users (id int);\nDROP TABLE users;",
      errors: [{ line: 3, severity: "error" }],
    },
    {
      name: "after SET search_path an unqualified name may be another table",
      code: "CREATE SCHEMA s;\nSET search_path = s;\nCREATE TABLE users (id int);\nSET search_path = public;\nDROP TABLE users;",
      errors: [{ line: 5, severity: "error" }],
    },
    {
      name: "a live table renamed into a name the file created and dropped is not new",
      code: "CREATE TABLE tmp (id int);\nDROP TABLE tmp;\nALTER TABLE users RENAME TO tmp;\nDROP TABLE tmp;",
      errors: [
        { line: 2, severity: "notice" },
        { line: 4, severity: "error" },
      ],
    },
    {
      name: "a new table renamed is new under its new name only",
      code: "CREATE TABLE a (id int);\nALTER TABLE a RENAME TO b;\nDROP TABLE b;\nDROP TABLE a;",
      errors: [
        { line: 3, severity: "notice" },
        { line: 4, severity: "error" },
      ],
    },
    {
      name: "MySQL: a TEMPORARY table of an earlier migration, dropped, then the live one",
      dialect: "mysql",
      files: {
        "2_a.up.sql": "CREATE TEMPORARY TABLE users (id int);",
        "3_b.up.sql": "DROP TABLE users;",
        "4_c.up.sql": "DROP TABLE users;",
      },
      errors: [
        { file: "3_b.up.sql", line: 1, severity: "notice" },
        { file: "4_c.up.sql", line: 1, severity: "error" },
      ],
    },
    {
      name: "a table created by an earlier migration of the change: notice",
      files: { "2_a.up.sql": "CREATE TABLE t (id int);", "3_b.up.sql": "DROP TABLE t;" },
      errors: [
        {
          file: "3_b.up.sql",
          line: 1,
          severity: "notice",
          message: /earlier migration of this change/,
        },
      ],
    },
    {
      name: "PATH mode: earlier files may be deployed, so no exemption across files",
      mode: "paths",
      files: { "2_a.up.sql": "CREATE TABLE t (id int);", "3_b.up.sql": "DROP TABLE t;" },
      errors: [{ file: "3_b.up.sql", line: 1 }],
    },
    {
      name: "a modified (already merged) migration does not make its tables new",
      modified: { "2_a.up.sql": "CREATE TABLE t (id int);" },
      files: { "3_b.up.sql": "DROP TABLE t;" },
      errors: [{ file: "3_b.up.sql", line: 1 }],
    },
    {
      name: "a down file dropping what its own up created: notice",
      files: {
        "2_t.up.sql": "CREATE TABLE t (id int);",
        "2_t.down.sql": "DROP TABLE t;",
      },
      errors: [
        { file: "2_t.down.sql", line: 1, severity: "notice", message: /undoes what its up/ },
      ],
    },
    {
      name: "a down added for a merged up that created the table: still a notice",
      pairedUps: { "2_t.up.sql": "CREATE TABLE t (id int);" },
      files: { "2_t.down.sql": "DROP TABLE t;" },
      errors: [
        { file: "2_t.down.sql", line: 1, severity: "notice", message: /undoes what its up/ },
      ],
    },
    {
      name: "a down for a merged up that did not create the table: an error",
      pairedUps: { "2_t.up.sql": "ALTER TABLE t ADD COLUMN c int;" },
      files: { "2_t.down.sql": "DROP TABLE t;" },
      errors: [{ file: "2_t.down.sql", line: 1 }],
    },
    {
      name: "attacker: another version's merged up created it; the down drops more than its up made",
      pairedUps: {
        "2_t.up.sql": "CREATE TABLE t (id int);",
        "3_u.up.sql": "CREATE TABLE u (id int);",
      },
      files: { "2_t.down.sql": 'DROP TABLE t;\nDROP TABLE u;\nDROP TABLE "T";' },
      errors: [
        { file: "2_t.down.sql", line: 1, severity: "notice" },
        { file: "2_t.down.sql", line: 2 },
        { file: "2_t.down.sql", line: 3 },
      ],
    },
    {
      name: "attacker: a merged up's table is not new for a later up file",
      pairedUps: { "2_t.up.sql": "CREATE TABLE t (id int);" },
      files: { "2_t.down.sql": "SELECT 1;", "3_x.up.sql": "DROP TABLE t;" },
      errors: [{ file: "3_x.up.sql", line: 1 }],
    },
    {
      name: "a down file dropping a table its up did not create",
      files: { "2_t.up.sql": "ALTER TABLE t ADD COLUMN c int;", "2_t.down.sql": "DROP TABLE t;" },
      errors: [{ file: "2_t.down.sql", line: 1 }],
    },
    {
      name: "SQLite table rebuild (copy, drop, rename): notice",
      dialect: "sqlite",
      code: [
        'CREATE TABLE "_users_tmp" (id TEXT PRIMARY KEY, email TEXT NOT NULL);',
        'INSERT INTO "_users_tmp" (id, email) SELECT id, email FROM "users";',
        'DROP TABLE "users";',
        'ALTER TABLE "_users_tmp" RENAME TO "users";',
      ].join("\n"),
      errors: [{ line: 3, severity: "notice", message: /table rebuild/ }],
    },
    {
      name: "a swap without copying the rows is not a rebuild (issue 11: it hid a DROP)",
      code: [
        "CREATE TABLE users_new (id bigint);",
        "DROP TABLE users;",
        "ALTER TABLE users_new RENAME TO users;",
      ].join("\n"),
      errors: [{ line: 2, message: /no INSERT … SELECT copies users's rows/ }],
    },
    {
      name: "a rebuild whose new table is created IF NOT EXISTS still counts when rows are copied",
      dialect: "sqlite",
      code: [
        'CREATE TABLE IF NOT EXISTS "_t_tmp" (id TEXT);',
        'INSERT INTO "_t_tmp" SELECT id FROM t;',
        "DROP TABLE t;",
        'ALTER TABLE "_t_tmp" RENAME TO t;',
      ].join("\n"),
      errors: [{ line: 3, severity: "notice" }],
    },
    {
      name: "CREATE TABLE IF NOT EXISTS then DROP: the table may have existed with its rows",
      code: "CREATE TABLE IF NOT EXISTS users (id int);\nDROP TABLE users;",
      errors: [{ line: 2, severity: "error" }],
    },
    {
      name: "a backup created IF NOT EXISTS, restored, then dropped: notice",
      code: [
        "CREATE TABLE IF NOT EXISTS _bkp (id int);",
        "INSERT INTO _bkp SELECT id FROM t;",
        "INSERT INTO t2 SELECT id FROM _bkp;",
        "DROP TABLE _bkp;",
      ].join("\n"),
      errors: [{ line: 4, severity: "notice" }],
    },
    {
      name: "a table created inside a DO block may not exist afterwards (exception handler)",
      code: "DO $$ BEGIN CREATE TABLE users (id int); EXCEPTION WHEN duplicate_table THEN NULL; END $$;\nDROP TABLE users;",
      errors: [{ line: 2, severity: "error" }],
    },
    {
      name: "DROP OWNED … CASCADE drops every table the role owns",
      code: "DROP OWNED BY app_owner CASCADE;",
      errors: [{ line: 1, message: /DROP OWNED BY app_owner drops every table/ }],
    },
    {
      name: "DROP TABLE through EXECUTE of a constant in a DO block",
      code: "DO $$\nBEGIN\n  EXECUTE 'DROP TABLE users';\nEND $$;",
      errors: [{ line: 3, message: /through EXECUTE/ }],
    },
    {
      name: "a function created and called in the migration drops a table through EXECUTE, only when rows exist",
      code: "CREATE FUNCTION fix() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n  IF EXISTS (SELECT 1 FROM users) THEN\n    EXECUTE 'DROP TABLE users';\n  END IF;\nEND $$;\nSELECT fix();",
      errors: [{ line: 4, message: /when fix\(\) is called on line 7\b.*only when a condition/ }],
    },
    {
      name: "a procedure created and CALLed in the migration drops a table through EXECUTE, only when rows exist",
      code: "CREATE PROCEDURE fix() LANGUAGE plpgsql AS $$\nBEGIN\n  IF EXISTS (SELECT 1 FROM users) THEN\n    EXECUTE 'DROP TABLE users';\n  END IF;\nEND $$;\nCALL fix();",
      errors: [{ line: 4, message: /when fix\(\) is called on line 7\b.*only when a condition/ }],
    },
    {
      name: "DROP TABLE inside a MySQL versioned comment is code",
      dialect: "mysql",
      code: "/*!50000 DROP TABLE users */;",
      errors: [{ line: 1 }],
    },
    {
      name: "comments between keywords are whitespace, executable ones are code",
      dialect: "mysql",
      code: "DROP/**/TABLE a;\n/*!DROP*/ TABLE b;\nDROP/*!50000 TABLE*/ c;",
      errors: [{ line: 1 }, { line: 2 }, { line: 3 }],
    },
    {
      name: "Postgres: a comment between keywords, and a U&'' string before the statement",
      code: "SELECT U&'\\0041;';DROP/* x */TABLE a;",
      errors: [{ line: 1 }],
    },
    {
      name: "MySQL: `--` without a space is not a comment",
      dialect: "mysql",
      code: "SELECT 1--1; DROP TABLE users;",
      errors: [{ line: 1 }],
    },
    {
      name: "MySQL: `begin` as a name inside a routine does not hide what follows",
      dialect: "mysql",
      code: "CREATE PROCEDURE p() SELECT begin FROM t;\nDROP TABLE users;",
      errors: [{ line: 2 }],
    },
    {
      name: "MySQL: `begin` as a column in a trigger body does not hide what follows",
      dialect: "mysql",
      code: "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN\n  SET NEW.begin = 1;\n  SET NEW.end = 2;\nEND;\nDROP TABLE users;",
      errors: [{ line: 5 }],
    },
    {
      name: "config override",
      code: "DROP TABLE t;",
      rules: { "drop-table": "warning" },
      errors: [{ line: 1, severity: "warning" }],
    },
    {
      name: "suppressed with a reason stays visible, marked suppressed",
      code: "-- migration-warden:ignore drop-table -- table unused since v2.3\nDROP TABLE t;",
      errors: [{ line: 2, suppressed: true }],
    },
    {
      name: "ClickHouse, on a cluster, dropped at once",
      code: "DROP TABLE IF EXISTS db.events ON CLUSTER '{cluster}' SYNC;",
      dialect: "clickhouse",
      errors: [{ line: 1, message: /DROP TABLE db\.events deletes the table/ }],
    },
  ],
});
