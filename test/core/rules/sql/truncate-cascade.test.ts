import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("truncate-cascade", {
  valid: [{ code: "TRUNCATE t;" }, { code: "TRUNCATE t RESTRICT;" }],
  invalid: [
    {
      code: "TRUNCATE users CASCADE;",
      errors: [{ line: 1, message: /foreign keys pointing at it/ }],
    },
    { code: "TRUNCATE\n  a,\n  b\nCASCADE;", errors: [{ line: 1, endLine: 4 }] },
    { code: "TRUNCATE users CASCADE;", dialect: "cockroachdb", errors: [{ line: 1 }] },
  ],
});
