import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("drop-database", {
  valid: [{ code: "CREATE DATABASE d;" }, { code: "DROP SCHEMA s;", dialect: "mysql" }],
  invalid: [
    { code: "DROP DATABASE app;", errors: [{ line: 1, message: /whole database/ }] },
    { code: "DROP DATABASE IF EXISTS app WITH (FORCE);", errors: [{ line: 1 }] },
    { code: "DROP DATABASE `app`;", dialect: "mysql", errors: [{ line: 1 }] },
    { code: "DROP DATABASE app;", dialect: "cockroachdb", errors: [{ line: 1 }] },
    {
      code: "DROP DATABASE IF EXISTS app ON CLUSTER c SYNC;",
      dialect: "clickhouse",
      errors: [{ line: 1 }],
    },
  ],
});
