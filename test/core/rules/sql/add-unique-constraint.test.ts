import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("add-unique-constraint", {
  valid: [
    { code: "ALTER TABLE t ADD CONSTRAINT t_email_key UNIQUE USING INDEX t_email_idx;" },
    { code: "CREATE TABLE t (email text UNIQUE);" },
    { code: "CREATE TABLE t (email text);\nALTER TABLE t ADD CONSTRAINT u UNIQUE (email);" },
  ],
  invalid: [
    {
      code: "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
      errors: [{ line: 1, message: /unique index while holding an ACCESS EXCLUSIVE/ }],
    },
    { code: "ALTER TABLE users ADD COLUMN handle text UNIQUE;", errors: [{ line: 1 }] },
    { code: "ALTER TABLE users\n  ADD COLUMN a int,\n  ADD UNIQUE (a);", errors: [{ line: 3 }] },
  ],
});
