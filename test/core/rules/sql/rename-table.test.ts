import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("rename-table", {
  valid: [
    { code: "ALTER TABLE t RENAME COLUMN a TO b;" },
    {
      name: "renaming a table created in the same file",
      code: "CREATE TABLE t_new (id int);\nALTER TABLE t_new RENAME TO t2;",
    },
    {
      name: "renaming a table created earlier in the change",
      files: {
        "2_a.up.sql": "CREATE TABLE a (id int);",
        "3_b.up.sql": "ALTER TABLE a RENAME TO b;",
      },
    },
    {
      name: "a copy (made by another file) renamed into the place of a table dropped here",
      mode: "paths",
      dialect: "sqlite",
      code: 'DROP TABLE "t";\nALTER TABLE "_t_tmp" RENAME TO "t";',
    },
    {
      name: "SQLite rebuild: the new table takes the old name",
      dialect: "sqlite",
      code: 'CREATE TABLE "_t_tmp" (id TEXT);\nDROP TABLE "t";\nALTER TABLE "_t_tmp" RENAME TO "t";',
    },
    { code: "RENAME DICTIONARY a TO b;", dialect: "clickhouse" },
  ],
  invalid: [
    {
      code: "ALTER TABLE users RENAME TO accounts;",
      errors: [{ line: 1, message: /users to accounts/ }],
    },
    {
      name: "a live table renamed into the name of a table the file created and dropped",
      code: "CREATE TABLE tmp (id int);\nDROP TABLE tmp;\nALTER TABLE users RENAME TO tmp;",
      errors: [{ line: 3, message: /users to tmp/ }],
    },
    {
      name: "a table created IF NOT EXISTS may be a live one: renaming it is reported",
      code: "CREATE TABLE IF NOT EXISTS a (id int);\nALTER TABLE a RENAME TO b;",
      errors: [{ line: 2, message: /a to b/ }],
    },

    { code: "ALTER TABLE IF EXISTS public.users RENAME TO accounts;", errors: [{ line: 1 }] },
    { code: "RENAME TABLE a TO b, c TO d;", dialect: "mysql", errors: [{ line: 1 }, { line: 1 }] },
    {
      code: "ALTER TABLE a\n  ADD COLUMN x int,\n  RENAME TO b;",
      dialect: "mysql",
      errors: [{ line: 3 }],
    },
    { code: "ALTER TABLE a RENAME TO b;", dialect: "sqlite", errors: [{ line: 1 }] },
    { code: "ALTER TABLE a RENAME TO b;", dialect: "cockroachdb", errors: [{ line: 1 }] },
    {
      name: "a down file renaming back is as breaking",
      files: {
        "2_r.up.sql": "ALTER TABLE a RENAME TO b;",
        "2_r.down.sql": "ALTER TABLE b RENAME TO a;",
      },
      errors: [
        { file: "2_r.up.sql", line: 1 },
        { file: "2_r.down.sql", line: 1 },
      ],
    },
    {
      code: "RENAME TABLE a TO b, db.c TO db.d ON CLUSTER x;",
      dialect: "clickhouse",
      errors: [
        { line: 1, message: /table a to b/ },
        { line: 1, message: /db\.c to db\.d/ },
      ],
    },
  ],
});
