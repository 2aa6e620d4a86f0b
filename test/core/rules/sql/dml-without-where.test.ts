import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("dml-without-where", {
  valid: [
    { code: "DELETE FROM t WHERE created_at < now() - interval '1 year';" },
    { code: "UPDATE t SET a = 1 WHERE id IN (SELECT id FROM u);" },
    { code: "INSERT INTO t SELECT * FROM u;" },
    {
      name: "backfilling a table created in the same file",
      code: "CREATE TABLE t (id int, a int);\nINSERT INTO t SELECT id, 0 FROM u;\nUPDATE t SET a = 1;",
    },
    { code: "DELETE FROM t WHERE id = 1;", dialect: "mysql" },
    { code: "UPDATE t SET a = 1 WHERE id = 2;", dialect: "sqlite" },
  ],
  invalid: [
    {
      code: "DELETE FROM sessions;",
      errors: [{ line: 1, message: /removes every row of sessions/ }],
    },
    {
      code: "UPDATE users\nSET active = true;",
      errors: [{ line: 1, endLine: 2, message: /rewrites every row of users/ }],
    },
    {
      name: "a WHERE inside a subquery is not the statement's WHERE",
      code: "UPDATE t SET a = (SELECT max(x) FROM u WHERE u.id = 1);",
      errors: [{ line: 1 }],
    },
    { code: "DELETE FROM `t`;", dialect: "mysql", errors: [{ line: 1 }] },
    { code: "UPDATE t SET a = 1 LIMIT 10;", dialect: "mysql", errors: [{ line: 1 }] },
    { code: "DELETE FROM t;", dialect: "sqlite", errors: [{ line: 1 }] },
    { code: "UPDATE t SET a = 1;", dialect: "cockroachdb", errors: [{ line: 1 }] },
  ],
});
