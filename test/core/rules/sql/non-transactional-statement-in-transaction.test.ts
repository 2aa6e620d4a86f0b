import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("non-transactional-statement-in-transaction", {
  valid: [
    {
      name: "CREATE INDEX CONCURRENTLY alone in its file (comments are fine; squawk#338)",
      code: "-- build the index online\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a); -- trailing note\n",
    },
    { code: "DROP INDEX CONCURRENTLY IF EXISTS i;" },
    { code: "VACUUM ANALYZE t;" },
    {
      name: "x-multi-statement runs statements one by one",
      multiStatement: true,
      code: "SET statement_timeout = 0;\nCREATE INDEX CONCURRENTLY i ON t (a);\nCREATE INDEX CONCURRENTLY j ON t (b);",
    },
    {
      name: "ALTER TYPE … ADD VALUE is add-enum-value-in-transaction's finding, on any version",
      databaseVersion: "11",
      code: "ALTER TYPE mood ADD VALUE 'meh';\nSELECT 1;",
    },
    {
      name: "statements commented out do not count (harness#3633)",
      code: "-- CREATE INDEX CONCURRENTLY a ON t (x);\n/* CREATE INDEX CONCURRENTLY b ON t (y); */\nCREATE INDEX CONCURRENTLY c ON t (z);",
    },
  ],
  invalid: [
    {
      code: "SET lock_timeout = '1s';\nCREATE INDEX CONCURRENTLY i ON t (a);",
      errors: [{ line: 2, message: /2 statements as one query/ }],
    },
    {
      name: "several CONCURRENTLY statements in one file (golang-migrate#284)",
      code: "CREATE INDEX CONCURRENTLY a ON t (x);\nCREATE INDEX CONCURRENTLY b ON t (y);",
      errors: [{ line: 1 }, { line: 2 }],
    },
    {
      name: "x-multi-statement but inside BEGIN … COMMIT",
      multiStatement: true,
      code: "BEGIN;\nDROP INDEX CONCURRENTLY i;\nCOMMIT;",
      errors: [{ line: 2, message: /between BEGIN and COMMIT/ }],
    },
    { code: "VACUUM FULL t;\nSELECT 1;", errors: [{ line: 1 }] },
    { code: "REINDEX INDEX CONCURRENTLY i;\nSELECT 1;", errors: [{ line: 1 }] },
    { code: "CREATE DATABASE x;\nSELECT 1;", errors: [{ line: 1 }] },
  ],
});
