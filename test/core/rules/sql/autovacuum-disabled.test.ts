import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("autovacuum-disabled", {
  valid: [
    { code: "ALTER TABLE users SET (autovacuum_enabled = true, fillfactor = 70);" },
    {
      code: "ALTER TABLE users SET (autovacuum_enabled);\nALTER TABLE users RESET (autovacuum_enabled);",
    },
    { code: "ALTER TABLE users SET (autovacuum_vacuum_scale_factor = 0.01);" },
    { code: "CREATE TABLE t (a int) WITH (autovacuum_enabled = true, fillfactor = 70);" },
    {
      name: "a temporary table: autovacuum never processes it anyway",
      code: "CREATE TEMP TABLE t (a int) WITH (autovacuum_enabled = false);",
    },
    {
      name: "a bulk load into a new table: created off, turned on again in the same file",
      code: "CREATE TABLE t (a int) WITH (autovacuum_enabled = false);\nINSERT INTO t SELECT 1;\nALTER TABLE t RESET (autovacuum_enabled);",
    },
    {
      name: "a bulk load: turned off and on again in the same file",
      code: "ALTER TABLE events SET (autovacuum_enabled = false);\nINSERT INTO events SELECT * FROM staging;\nALTER TABLE events SET (autovacuum_enabled = true);",
    },
    {
      name: "RESET later in the file",
      code: "ALTER TABLE events SET (autovacuum_enabled = off, toast.autovacuum_enabled = off);\nALTER TABLE events RESET (autovacuum_enabled, toast.autovacuum_enabled);",
    },
  ],
  invalid: [
    {
      code: "ALTER TABLE users SET (autovacuum_enabled = false);",
      errors: [{ line: 1, message: /turns autovacuum off for users: its dead rows/ }],
    },
    {
      name: "attacker: spellings of false, quoting, comments, another action first",
      code: "ALTER TABLE ONLY \"public\".events\n  ALTER COLUMN a SET DEFAULT 1,\n  SET ( /* x */ fillfactor = 70, AUTOVACUUM_ENABLED = 'off');\nALTER TABLE a SET (autovacuum_enabled = 0);\nALTER TABLE b SET (autovacuum_enabled = no);\nALTER TABLE c SET (autovacuum_enabled = f);",
      errors: [{ line: 3, message: /public\.events/ }, { line: 4 }, { line: 5 }, { line: 6 }],
    },
    {
      name: "the TOAST table only; in a DO block",
      code: "ALTER TABLE docs SET (toast.autovacuum_enabled = false);\nDO $$ BEGIN ALTER TABLE users SET (autovacuum_enabled = false); END $$;",
      errors: [{ line: 1, message: /the TOAST table of docs/ }, { line: 2 }],
    },
    {
      name: "attacker: turned on again for another table, or only the TOAST one",
      code: "ALTER TABLE events SET (autovacuum_enabled = false);\nALTER TABLE other SET (autovacuum_enabled = true);\nALTER TABLE logs SET (autovacuum_enabled = false);\nALTER TABLE logs SET (toast.autovacuum_enabled = true);",
      errors: [{ line: 1 }, { line: 3 }],
    },
    {
      name: "a table created in the change: still a warning, for the rows it will hold",
      code: "CREATE TABLE staging (id int);\nALTER TABLE staging SET (autovacuum_enabled = false);",
      errors: [
        { line: 2, severity: "warning", message: /new in this change.*every row it will hold/ },
      ],
    },
    {
      name: "CREATE TABLE … WITH (autovacuum_enabled = false)",
      code: "CREATE TABLE events (id bigint)\n  WITH (fillfactor = 70, autovacuum_enabled = false);",
      errors: [
        {
          line: 1,
          endLine: 2,
          severity: "warning",
          message: /WITH \(autovacuum_enabled = false\) creates events with autovacuum off/,
        },
      ],
    },
    {
      name: "attacker: CREATE TABLE AS, TOAST only, quoting, case, comments, IF NOT EXISTS",
      code: "CREATE TABLE IF NOT EXISTS \"Big\" WITH (/* x */ TOAST.AUTOVACUUM_ENABLED = 'off') AS SELECT 1 AS a;\nCREATE UNLOGGED TABLE s (a int) WITH (autovacuum_enabled = 0);",
      errors: [{ line: 1, message: /the TOAST table of Big/ }, { line: 2 }],
    },
    {
      name: "attacker: created with autovacuum off, turned on for the TOAST table only",
      code: "CREATE TABLE t (a text) WITH (autovacuum_enabled = false, toast.autovacuum_enabled = false);\nALTER TABLE t SET (toast.autovacuum_enabled = true);",
      errors: [{ line: 1 }],
    },
    {
      name: "in a DO block",
      code: "DO $$ BEGIN CREATE TABLE t (a int) WITH (autovacuum_enabled = off); END $$;",
      errors: [{ line: 1 }],
    },
  ],
});
