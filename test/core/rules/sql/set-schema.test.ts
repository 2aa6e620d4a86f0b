import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("set-schema", {
  valid: [
    {
      name: "a table (and a view moved with ALTER TABLE) is rename-table's",
      code: "ALTER TABLE users SET SCHEMA archive;\nALTER TABLE IF EXISTS v SET SCHEMA archive;",
    },
    {
      name: "objects created earlier in the file or change",
      files: {
        "2_a.up.sql": "CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT 1';",
        "3_b.up.sql": [
          "CREATE VIEW v AS SELECT 1;",
          "CREATE TYPE mood AS ENUM ('a');",
          "CREATE SEQUENCE s;",
          "ALTER VIEW v SET SCHEMA app;",
          "ALTER TYPE mood SET SCHEMA app;",
          "ALTER SEQUENCE s SET SCHEMA app;",
          "ALTER FUNCTION f(int) SET SCHEMA app;",
        ].join("\n"),
      },
    },
  ],
  invalid: [
    {
      code: "ALTER VIEW active_users SET SCHEMA reporting;",
      errors: [
        {
          line: 1,
          message:
            /Moving VIEW active_users to schema reporting: the running application version's queries that qualify it/,
        },
      ],
    },
    {
      name: "attacker: comments, quoting, IF EXISTS, schema-qualified, a DO block",
      code: [
        'ALTER /* x */ MATERIALIZED VIEW IF EXISTS "Reports"."Daily" SET SCHEMA "Old";',
        "DO $$ BEGIN ALTER FUNCTION public.audit_row() SET SCHEMA audit; END $$;",
      ].join("\n"),
      errors: [
        { line: 1, message: /MATERIALIZED VIEW Reports\.Daily to schema Old/ },
        { line: 2, message: /FUNCTION public\.audit_row to schema audit/ },
      ],
    },
    {
      name: "each kind",
      code: [
        "ALTER SEQUENCE order_no SET SCHEMA billing;",
        "ALTER TYPE mood SET SCHEMA app;",
        "ALTER DOMAIN email SET SCHEMA app;",
        "ALTER PROCEDURE archive(int) SET SCHEMA app;",
        "ALTER EXTENSION pgcrypto SET SCHEMA extensions;",
        "ALTER FOREIGN TABLE remote_users SET SCHEMA remote;",
      ].join("\n"),
      errors: [
        { line: 1, message: /SEQUENCE order_no to schema billing/ },
        { line: 2, message: /TYPE mood/ },
        { line: 3, message: /DOMAIN email/ },
        { line: 4, message: /PROCEDURE archive/ },
        { line: 5, message: /every function, type and operator of extension pgcrypto moves/ },
        { line: 6, message: /FOREIGN TABLE remote_users/ },
      ],
    },
    {
      name: "attacker: CREATE EXTENSION IF NOT EXISTS first (it may have been installed already)",
      code: "CREATE EXTENSION IF NOT EXISTS pgcrypto;\nALTER EXTENSION pgcrypto SET SCHEMA extensions;",
      errors: [{ line: 2, message: /extension pgcrypto moves/ }],
    },
  ],
});
