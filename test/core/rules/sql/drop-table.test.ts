import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("drop-table", {
  valid: [
    { code: "DROP VIEW v;" },
    { code: "DROP INDEX CONCURRENTLY i;" },
    { code: "CREATE TABLE t (id int);" },
    { code: "DROP VIEW v;", dialect: "mysql" },
  ],
  invalid: [
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
