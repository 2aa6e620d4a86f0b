import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("autovacuum-disabled", {
  valid: [
    { code: "ALTER TABLE users SET (autovacuum_enabled = true, fillfactor = 70);" },
    {
      code: "ALTER TABLE users SET (autovacuum_enabled);\nALTER TABLE users RESET (autovacuum_enabled);",
    },
    { code: "ALTER TABLE users SET (autovacuum_vacuum_scale_factor = 0.01);" },
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
      name: "a table created in the change: a notice",
      code: "CREATE TABLE staging (id int);\nALTER TABLE staging SET (autovacuum_enabled = false);",
      errors: [{ line: 2, severity: "notice", message: /new in this change/ }],
    },
  ],
});
