import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("require-lock-timeout", {
  valid: [
    { code: "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN c int;" },
    { code: "SET LOCAL lock_timeout TO 2000;\nALTER TABLE users ADD COLUMN c int;" },
    { code: "CREATE TABLE t (id int);\nCREATE INDEX ON t (id);\nALTER TABLE t ADD COLUMN c int;" },
    { code: "CREATE INDEX CONCURRENTLY i ON users (email);" },
    { code: "ALTER TABLE users VALIDATE CONSTRAINT c;" },
    { code: "UPDATE users SET a = 1 WHERE id = 1;" },
    {
      code: "SET SESSION lock_wait_timeout = 5;\nALTER TABLE t ADD COLUMN c INT;",
      dialect: "mysql",
    },
  ],
  invalid: [
    {
      name: "reported once, at the first statement that needs it",
      code: "-- migrate\nALTER TABLE users ADD COLUMN c int;\nALTER TABLE orders ADD COLUMN d int;",
      errors: [{ line: 2, message: /lock on users/ }],
    },
    {
      name: "SET after the statement is too late",
      code: "ALTER TABLE users ADD COLUMN c int;\nSET lock_timeout = '1s';",
      errors: [{ line: 1 }],
    },
    {
      name: "lock_timeout = 0 disables it",
      code: "SET lock_timeout = 0;\nDROP INDEX i;",
      errors: [{ line: 2 }],
    },
    {
      name: "SET LOCAL has no effect outside a transaction (x-multi-statement)",
      multiStatement: true,
      code: "SET LOCAL lock_timeout = '1s';\nALTER TABLE users ADD COLUMN c int;",
      errors: [{ line: 2 }],
    },
    {
      name: "a new table referencing an existing one locks the existing one",
      code: "CREATE TABLE orders (id int, user_id int REFERENCES users (id));",
      errors: [{ line: 1, message: /users/ }],
    },
    { code: "CREATE INDEX ON users (email);", errors: [{ line: 1 }] },
    {
      code: "ALTER TABLE t ADD COLUMN c INT;",
      dialect: "mysql",
      errors: [{ line: 1, message: /one year/ }],
    },
    {
      code: "SET GLOBAL lock_wait_timeout = 5;\nRENAME TABLE a TO b;",
      dialect: "mysql",
      errors: [{ line: 2 }],
    },
  ],
});
