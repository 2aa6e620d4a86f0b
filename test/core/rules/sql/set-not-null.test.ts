import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("set-not-null", {
  valid: [
    { code: "ALTER TABLE t ALTER COLUMN c DROP NOT NULL;" },
    {
      name: "a column added to a table created in the change, with a default",
      code: "CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN c int DEFAULT 0;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;",
    },
    {
      name: "a column added to an existing table without a default and never filled: nothing to scan",
      code: "ALTER TABLE t ADD COLUMN c int;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;",
    },
    {
      name: "a column added NOT NULL: SET NOT NULL is a no-op",
      code: "ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;",
    },
    {
      name: "a write to another table does not fill the column",
      code: "ALTER TABLE t ADD COLUMN c int;\nUPDATE other SET x = 1 WHERE id = 2;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;",
    },
    {
      name: "an explicit DEFAULT NULL is no default",
      code: "ALTER TABLE t ADD COLUMN c int DEFAULT NULL;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;",
    },
    {
      name: "Postgres 12+: a validated CHECK (c IS NOT NULL) from an earlier migration proves it",
      files: {
        "2_a.up.sql": "ALTER TABLE t ADD CONSTRAINT c_nn CHECK (c IS NOT NULL) NOT VALID;",
        "3_b.up.sql": "ALTER TABLE t VALIDATE CONSTRAINT c_nn;",
        "4_c.up.sql": "ALTER TABLE t ALTER COLUMN c SET NOT NULL;",
      },
    },
    { code: "ALTER TABLE t ADD CONSTRAINT c_nn NOT NULL c NOT VALID;" },
    { code: "ALTER TABLE t MODIFY c INT NULL;", dialect: "mysql" },
  ],
  invalid: [
    {
      code: "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
      errors: [{ line: 1, message: /scans the whole table/ }],
    },
    {
      name: "the CHECK is added but not validated yet",
      files: {
        "2_a.up.sql": "ALTER TABLE t ADD CONSTRAINT c_nn CHECK (c IS NOT NULL) NOT VALID;",
        "3_b.up.sql": "ALTER TABLE t ALTER COLUMN c SET NOT NULL;",
      },
      errors: [{ file: "3_b.up.sql", line: 1 }],
    },
    {
      name: "before Postgres 12 the CHECK does not help",
      databaseVersion: "11",
      files: {
        "2_a.up.sql": "ALTER TABLE t ADD CONSTRAINT c_nn CHECK (c IS NOT NULL) NOT VALID;",
        "3_b.up.sql": "ALTER TABLE t VALIDATE CONSTRAINT c_nn;",
        "4_c.up.sql": "ALTER TABLE t ALTER COLUMN c SET NOT NULL;",
      },
      errors: [{ file: "4_c.up.sql", line: 1 }],
    },
    { code: "ALTER TABLE t ADD CONSTRAINT c_nn NOT NULL c;", errors: [{ line: 1 }] },
    {
      name: "issue 14: a column added to an existing table with a default is filled in every row",
      code: "ALTER TABLE t ADD COLUMN c int DEFAULT 0;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;",
      errors: [{ line: 2, message: /added earlier in this file with a default/ }],
    },
    {
      name: "the default added by an earlier migration of the change",
      files: {
        "2_a.up.sql": "ALTER TABLE t ADD COLUMN c timestamptz DEFAULT now();",
        "3_b.up.sql": "ALTER TABLE t ALTER COLUMN c SET NOT NULL;",
      },
      errors: [{ file: "3_b.up.sql", line: 1, message: /by an earlier migration of this change/ }],
    },
    {
      name: "backfilled between the ADD COLUMN and the SET NOT NULL",
      code: "ALTER TABLE t ADD COLUMN c int;\nUPDATE t SET c = 0 WHERE c IS NULL;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;",
      errors: [{ line: 3, message: /backfilled/ }],
    },
    {
      name: "attacker: the backfill hidden in a DO block",
      code: "ALTER TABLE t ADD COLUMN c int;\nDO $$ BEGIN UPDATE t SET c = 0; END $$;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;",
      errors: [{ line: 3 }],
    },
    {
      name: "attacker: the backfill in a data-modifying CTE",
      code: "ALTER TABLE t ADD COLUMN c int;\nWITH x AS (UPDATE t SET c = 1 RETURNING 1) SELECT 1;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;",
      errors: [{ line: 3 }],
    },
    {
      name: "attacker: a schema-qualified backfill of the same table",
      code: "ALTER TABLE t ADD COLUMN c int;\nINSERT INTO public.t (c) SELECT 1;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;",
      errors: [{ line: 3 }],
    },
    {
      name: "attacker: ADD COLUMN IF NOT EXISTS may name an existing, populated column",
      code: "ALTER TABLE t ADD COLUMN IF NOT EXISTS c int;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;",
      errors: [{ line: 2, message: /IF NOT EXISTS/ }],
    },
    {
      name: "a stored generated column fills every row",
      code: "ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS (id * 2) STORED;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;",
      errors: [{ line: 2 }],
    },
    {
      code: "ALTER TABLE t MODIFY COLUMN c VARCHAR(10) NOT NULL;",
      dialect: "mysql",
      errors: [{ line: 1, severity: "notice", message: /if the column allows NULL today/ }],
    },
  ],
});
