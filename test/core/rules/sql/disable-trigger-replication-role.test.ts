import { ruleTester } from "../../../helpers/rule-tester.js";

// session_replication_role = replica: the session-wide way to switch triggers (and foreign key
// checks) off, next to ALTER TABLE … DISABLE TRIGGER (disable-trigger.test.ts).
ruleTester("disable-trigger", {
  valid: [
    { name: "origin is the default", code: "SET session_replication_role = origin;" },
    { name: "local mode fires ordinary triggers", code: "SET session_replication_role = 'local';" },
    {
      name: "SET LOCAL with x-multi-statement and no BEGIN does nothing",
      multiStatement: true,
      code: "SET LOCAL session_replication_role = replica;\nUPDATE t SET a = 1 WHERE id = 1;",
    },
    {
      name: "set_config of another setting",
      code: "SELECT set_config('lock_timeout', '1s', false);",
    },
    {
      name: "set_config with a computed value is not read as replica",
      code: "SELECT set_config('session_replication_role', current_setting('x'), false);",
    },
  ],
  invalid: [
    {
      name: "SET for the session, never reset",
      code: "SET session_replication_role = replica;\nDELETE FROM parents WHERE id = 1;",
      errors: [
        {
          line: 1,
          severity: "warning",
          message:
            /session_replication_role = replica turns off.*foreign keys.*nothing in this file sets it back.*same connection/,
        },
      ],
    },
    {
      name: "attacker: comments, quotes, case, TO",
      code: "SET /* x */ SESSION\n  Session_Replication_Role TO 'REPLICA';",
      errors: [{ line: 1, endLine: 2, severity: "warning" }],
    },
    {
      name: "reset later in the file: a notice naming the line",
      code: "SET session_replication_role = replica;\nINSERT INTO t VALUES (1);\nRESET session_replication_role;",
      errors: [{ line: 1, severity: "notice", message: /until line 3/ }],
    },
    {
      name: "RESET ALL and SET … TO DEFAULT restore it too",
      code: "SET session_replication_role = replica;\nSET session_replication_role TO DEFAULT;\nSET session_replication_role = replica;\nRESET ALL;",
      errors: [
        { line: 1, severity: "notice", message: /until line 2/ },
        { line: 3, severity: "notice", message: /until line 4/ },
      ],
    },
    {
      name: "attacker: set again to replica is not a reset",
      code: "SET session_replication_role = replica;\nSET session_replication_role = 'replica';",
      errors: [
        { line: 1, severity: "warning" },
        { line: 2, severity: "warning" },
      ],
    },
    {
      name: "SET LOCAL in golang-migrate's file transaction: until its end",
      code: "SET LOCAL session_replication_role = replica;\nUPDATE t SET a = 1 WHERE id = 1;",
      errors: [{ line: 1, severity: "notice", message: /until the end of the transaction/ }],
    },
    {
      name: "SET LOCAL inside BEGIN with x-multi-statement",
      multiStatement: true,
      code: "BEGIN;\nSET LOCAL session_replication_role = replica;\nCOMMIT;",
      errors: [{ line: 2, severity: "notice" }],
    },
    {
      name: "attacker: set_config, schema-qualified, cast value, session-wide",
      code: "SELECT pg_catalog.set_config('session_replication_role', 'replica'::text, false);",
      errors: [{ line: 1, severity: "warning", message: /by set_config\(\)/ }],
    },
    {
      name: "set_config local (true)",
      code: "SELECT set_config('session_replication_role', 'replica', true);",
      errors: [{ line: 1, severity: "notice" }],
    },
    {
      name: "attacker: inside a DO block, with PERFORM",
      code: "DO $$ BEGIN\n  PERFORM set_config('session_replication_role', 'replica', false);\nEND $$;",
      errors: [{ line: 2, severity: "warning" }],
    },
    {
      name: "attacker: SET inside a DO block",
      code: "DO $$ BEGIN SET session_replication_role = replica; END $$;",
      errors: [{ line: 1, severity: "warning" }],
    },
  ],
});
