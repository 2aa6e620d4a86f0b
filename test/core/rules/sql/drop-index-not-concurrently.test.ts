import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("drop-index-not-concurrently", {
  valid: [
    { code: "DROP INDEX CONCURRENTLY IF EXISTS i;" },
    {
      name: "index on a table created in this change",
      code: "CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\nDROP INDEX t_a;",
    },
    { code: "DROP INDEX i ON t;", dialect: "mysql" },
  ],
  invalid: [
    {
      code: "DROP INDEX users_email_idx;",
      errors: [{ line: 1, message: /ACCESS EXCLUSIVE lock on its table/ }],
    },
    { code: "DROP INDEX IF EXISTS a, b;", errors: [{ line: 1 }, { line: 1 }] },
    {
      name: "a down file dropping the index its up created: notice",
      files: {
        "2_i.up.sql": "CREATE INDEX CONCURRENTLY users_email ON users (email);",
        "2_i.down.sql": "DROP INDEX users_email;",
      },
      errors: [{ file: "2_i.down.sql", line: 1, severity: "notice", message: /on users/ }],
    },
  ],
});
