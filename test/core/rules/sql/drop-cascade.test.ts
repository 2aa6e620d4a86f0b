import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("drop-cascade", {
  valid: [
    { code: "DROP TABLE t;" },
    { code: "DROP VIEW v RESTRICT;" },
    { code: "ALTER TABLE t DROP COLUMN c;" },
  ],
  invalid: [
    {
      code: "DROP TABLE users CASCADE;",
      errors: [{ line: 1, message: /DROP TABLE users CASCADE/ }],
    },
    { code: "DROP VIEW report CASCADE;", errors: [{ line: 1 }] },
    { code: "DROP TYPE mood CASCADE;", errors: [{ line: 1 }] },
    {
      code: "ALTER TABLE t\n  DROP COLUMN a CASCADE,\n  DROP CONSTRAINT c CASCADE;",
      errors: [{ line: 2 }, { line: 3 }],
    },
    {
      name: "an object created in this change: notice",
      code: "CREATE TABLE tmp (id int);\nDROP TABLE tmp CASCADE;",
      errors: [{ line: 2, severity: "notice" }],
    },
    { code: "DROP TABLE t CASCADE;", dialect: "cockroachdb", errors: [{ line: 1 }] },
  ],
});
