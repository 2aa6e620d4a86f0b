import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("create-index-not-concurrently", {
  valid: [
    { code: "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);" },
    {
      name: "index on a table created in the same file (squawk#349)",
      code: "CREATE TABLE t (id int, email text);\nCREATE UNIQUE INDEX t_email ON t (email);",
    },
    {
      name: "index on a table created by an earlier migration of the change",
      files: {
        "2_a.up.sql": "CREATE TABLE t (id int);",
        "3_b.up.sql": "CREATE INDEX t_id ON t (id);",
      },
    },
    {
      name: "index on a table created and then renamed in the same file",
      code: "CREATE TABLE t_new (id int);\nALTER TABLE t_new RENAME TO t;\nCREATE INDEX ON t (id);",
    },
    { code: "CREATE INDEX i ON t (a);", dialect: "mysql" },
  ],
  invalid: [
    {
      code: "CREATE INDEX users_email_idx ON users (email);",
      errors: [{ line: 1, message: /SHARE lock: every INSERT, UPDATE and DELETE/ }],
    },
    {
      code: "-- an index\nCREATE UNIQUE INDEX\n  ON public.users\n  USING btree (lower(email))\n  WHERE deleted_at IS NULL;",
      errors: [{ line: 2, endLine: 5, message: /UNIQUE INDEX on public\.users/ }],
    },
    {
      name: "PATH mode: a table from an earlier file may already be deployed",
      mode: "paths",
      files: { "2_a.up.sql": "CREATE TABLE t (id int);", "3_b.up.sql": "CREATE INDEX ON t (id);" },
      errors: [{ file: "3_b.up.sql", line: 1 }],
    },
    {
      name: "a down file re-creating an index on a live table",
      files: {
        "2_i.up.sql": "DROP INDEX CONCURRENTLY IF EXISTS i;",
        "2_i.down.sql": "CREATE INDEX i ON t (a);",
      },
      errors: [{ file: "2_i.down.sql", line: 1 }],
    },
  ],
});
