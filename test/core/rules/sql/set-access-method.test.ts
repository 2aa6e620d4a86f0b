import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("set-access-method", {
  valid: [
    { code: "CREATE TABLE s (id int) USING heap;" },
    { code: "CREATE TABLE s (id int);\nALTER TABLE s SET ACCESS METHOD heap;" },
    { code: "ALTER TABLE users SET UNLOGGED;" },
  ],
  invalid: [
    {
      code: "ALTER TABLE users SET ACCESS METHOD heap;",
      errors: [{ line: 1, message: /rewrites the existing table users into access method heap/ }],
    },
    {
      code: "ALTER TABLE users\n  ALTER COLUMN email SET STATISTICS 100,\n  SET ACCESS METHOD DEFAULT;",
      errors: [{ line: 3, message: /the default access method/ }],
    },
  ],
});
