import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("explicit-transaction-control", {
  valid: [
    { code: "ALTER TABLE t ADD COLUMN c int;" },
    {
      name: "x-multi-statement: BEGIN … COMMIT around the whole file is how to get atomicity",
      multiStatement: true,
      code: "BEGIN;\nALTER TABLE t ADD COLUMN c int;\nCOMMIT;",
    },
    {
      name: "MySQL: DML only, a real transaction",
      dialect: "mysql",
      code: "START TRANSACTION;\nUPDATE t SET a = 1 WHERE id = 1;\nCOMMIT;",
    },
  ],
  invalid: [
    {
      name: "redundant wrap on Postgres: notice",
      code: "BEGIN;\nALTER TABLE t ADD COLUMN c int;\nCOMMIT;",
      errors: [
        { line: 1, severity: "notice", message: /redundant/ },
        { line: 3, severity: "notice" },
      ],
    },
    {
      name: "COMMIT in the middle splits the file's transaction",
      code: "ALTER TABLE t ADD COLUMN c int;\nCOMMIT;\nALTER TABLE t ADD COLUMN d int;",
      errors: [{ line: 2, message: /splits golang-migrate's single transaction/ }],
    },
    {
      name: "x-multi-statement with a BEGIN never committed",
      multiStatement: true,
      code: "BEGIN;\nALTER TABLE t ADD COLUMN c int;",
      errors: [{ line: 1 }],
    },
    {
      code: "START TRANSACTION;\nALTER TABLE t ADD COLUMN c INT;\nCOMMIT;",
      dialect: "mysql",
      errors: [{ line: 1, message: /commits implicitly/ }, { line: 3 }],
    },
    {
      code: "BEGIN TRANSACTION;\nALTER TABLE t ADD COLUMN c TEXT;\nCOMMIT;",
      dialect: "sqlite",
      errors: [
        { line: 1, severity: "error", message: /cannot start a transaction within a transaction/ },
        { line: 3, severity: "error" },
      ],
    },
    {
      code: "BEGIN;\nALTER TABLE t ADD COLUMN c INT8;\nCOMMIT;",
      dialect: "cockroachdb",
      errors: [
        { line: 1, severity: "notice" },
        { line: 3, severity: "notice" },
      ],
    },
  ],
});
