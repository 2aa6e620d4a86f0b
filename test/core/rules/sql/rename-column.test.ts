import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("rename-column", {
  valid: [
    { code: "ALTER TABLE t RENAME TO u;" },
    { code: "ALTER TABLE t ADD COLUMN tmp int;\nALTER TABLE t RENAME COLUMN tmp TO final;" },
    { code: "ALTER TABLE t CHANGE COLUMN c c BIGINT;", dialect: "mysql" },
    { code: "ALTER TABLE t RENAME INDEX a TO b;", dialect: "mysql" },
  ],
  invalid: [
    {
      code: "ALTER TABLE users RENAME COLUMN name TO full_name;",
      errors: [{ line: 1, message: /name of users to full_name/ }],
    },
    { code: "ALTER TABLE users RENAME name TO full_name;", errors: [{ line: 1 }] },
    { code: "ALTER TABLE t RENAME COLUMN a TO b;", dialect: "mysql", errors: [{ line: 1 }] },
    {
      code: "ALTER TABLE t\n  CHANGE COLUMN a b INT NOT NULL;",
      dialect: "mysql",
      errors: [{ line: 2, message: /a of t to b/ }],
    },
    { code: 'ALTER TABLE "t" RENAME COLUMN "a" TO "b";', dialect: "sqlite", errors: [{ line: 1 }] },
    { code: "ALTER TABLE t RENAME a TO b;", dialect: "sqlite", errors: [{ line: 1 }] },
    { code: "ALTER TABLE t RENAME COLUMN a TO b;", dialect: "cockroachdb", errors: [{ line: 1 }] },
    {
      code: "ALTER TABLE t RENAME COLUMN IF EXISTS a TO b;",
      dialect: "clickhouse",
      errors: [{ line: 1, message: /column a of t to b/ }],
    },
  ],
});
