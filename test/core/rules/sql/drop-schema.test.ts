import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("drop-schema", {
  valid: [{ code: "CREATE SCHEMA s;" }, { code: "DROP TABLE s.t;" }],
  invalid: [
    { code: "DROP SCHEMA reporting CASCADE;", errors: [{ line: 1, message: /CASCADE deletes/ }] },
    { code: "DROP SCHEMA IF EXISTS a, b;", errors: [{ line: 1 }, { line: 1 }] },
    {
      code: "DROP SCHEMA legacy;",
      dialect: "mysql",
      errors: [{ line: 1, message: /DROP DATABASE in MySQL/ }],
    },
    { code: "DROP SCHEMA s;", dialect: "cockroachdb", errors: [{ line: 1 }] },
    {
      name: "schema created in the same file",
      code: "CREATE SCHEMA tmp;\nDROP SCHEMA tmp;",
      errors: [{ line: 2, severity: "notice" }],
    },
  ],
});
