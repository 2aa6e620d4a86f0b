import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("set-logged-unlogged", {
  valid: [
    { code: "CREATE UNLOGGED TABLE s (id int);" },
    { code: "CREATE TABLE s (id int);\nALTER TABLE s SET UNLOGGED;" },
    { code: "ALTER TABLE users SET (autovacuum_enabled = true);" },
    { code: "ALTER TABLE users SET TABLESPACE x;" },
  ],
  invalid: [
    {
      code: "ALTER TABLE users SET UNLOGGED;",
      errors: [{ line: 1, message: /crash empties it .* replica/ }],
    },
    {
      code: "ALTER TABLE users\n  ADD COLUMN n int,\n  SET LOGGED;",
      errors: [{ line: 3, message: /SET LOGGED rewrites the existing table users/ }],
    },
    {
      name: "IF NOT EXISTS: the table (and its rows) may have existed",
      code: "CREATE TABLE IF NOT EXISTS users (id int);\nALTER TABLE users SET UNLOGGED;",
      errors: [{ line: 2 }],
    },
    {
      code: "DO $$ BEGIN ALTER TABLE users SET UNLOGGED; END $$;",
      errors: [{ line: 1, message: /SET UNLOGGED/ }],
    },
  ],
});
