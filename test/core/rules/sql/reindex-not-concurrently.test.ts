import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("reindex-not-concurrently", {
  valid: [
    { code: "REINDEX INDEX CONCURRENTLY users_email_idx;" },
    { code: "REINDEX (CONCURRENTLY) TABLE users;" },
    { code: "REINDEX (VERBOSE, CONCURRENTLY true) SCHEMA app;" },
    {
      name: "an index created earlier in the file",
      code: "CREATE INDEX t_idx ON t (c);\nREINDEX INDEX t_idx;",
    },
    {
      name: "a table created earlier in the file",
      code: "CREATE TABLE t (c int);\nREINDEX TABLE t;",
    },
  ],
  invalid: [
    {
      code: "REINDEX INDEX users_email_idx;",
      errors: [{ line: 1, message: /REINDEX INDEX users_email_idx rebuilds the index/ }],
    },
    {
      code: "REINDEX TABLE public.users;",
      errors: [{ line: 1, message: /every index of the table/ }],
    },
    { code: "REINDEX SCHEMA app;", multiStatement: true, errors: [{ line: 1 }] },
    { code: "REINDEX DATABASE app;", errors: [{ line: 1 }] },
    { code: "REINDEX SYSTEM app;", errors: [{ line: 1, message: /system catalogs/ }] },
    {
      name: "attacker: CONCURRENTLY switched off explicitly",
      code: "REINDEX (CONCURRENTLY false) TABLE users;",
      errors: [{ line: 1 }],
    },
    {
      name: "attacker: inside a DO block",
      code: "DO $$\nBEGIN\n  REINDEX TABLE users;\nEND $$;",
      errors: [{ line: 3 }],
    },
    {
      name: "attacker: the new index of the same name is in another schema",
      code: "CREATE INDEX t_idx ON scratch.t (c);\nREINDEX INDEX public.t_idx;",
      errors: [{ line: 2 }],
    },
    {
      name: "before Postgres 12: the suggestion says how without CONCURRENTLY",
      databaseVersion: "11",
      code: "REINDEX INDEX users_email_idx;",
      errors: [{ line: 1 }],
    },
  ],
});
