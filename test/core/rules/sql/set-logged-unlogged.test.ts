import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("set-logged-unlogged", {
  valid: [
    {
      name: "a bulk load into an unlogged copy, logged before the swap",
      code: "CREATE UNLOGGED TABLE users_new (id int, email text);\nINSERT INTO users_new SELECT id, email FROM users;\nALTER TABLE users_new SET LOGGED;\nDROP TABLE users;\nALTER TABLE users_new RENAME TO users;",
    },
    { code: "CREATE UNLOGGED TABLE s (id int);" },
    { code: "CREATE TABLE s (id int);\nALTER TABLE s SET UNLOGGED;" },
    { code: "ALTER TABLE users SET (autovacuum_enabled = true);" },
    { code: "ALTER TABLE users SET TABLESPACE x;" },
  ],
  invalid: [
    {
      name: "the existing table swapped for an UNLOGGED copy",
      code: "CREATE UNLOGGED TABLE users_new (id int, email text);\nINSERT INTO users_new SELECT id, email FROM users;\nDROP TABLE users;\nALTER TABLE users_new RENAME TO users;",
      errors: [{ line: 3, message: /an UNLOGGED table renamed to users/ }],
    },
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
