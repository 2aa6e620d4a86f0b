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
    {
      name: "merged schema: the split recipe, NOT VALID merged earlier, VALIDATE and SET NOT NULL now",
      merged: {
        "1_init.up.sql":
          "CREATE TABLE t (id int PRIMARY KEY, c int);\nALTER TABLE t ADD CONSTRAINT c_nn CHECK (c IS NOT NULL) NOT VALID;",
      },
      code: "ALTER TABLE t VALIDATE CONSTRAINT c_nn;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;",
    },
    {
      name: "merged schema: the check validated by a merged migration, the table schema-qualified",
      merged: {
        "1_init.up.sql":
          "CREATE TABLE public.t (id int, c int);\nALTER TABLE t ADD CONSTRAINT c_nn CHECK (c IS NOT NULL) NOT VALID;\nALTER TABLE public.t VALIDATE CONSTRAINT c_nn;",
      },
      code: "ALTER TABLE public.t ALTER COLUMN c SET NOT NULL;",
    },
    {
      name: "merged schema: the column is NOT NULL already (no scan)",
      merged: { "1_init.up.sql": "CREATE TABLE t (id int, c int NOT NULL);" },
      code: "ALTER TABLE t ALTER COLUMN c SET NOT NULL;",
    },
    {
      name: "merged schema, issue 14: MODIFY restating NOT NULL on a column that is NOT NULL already",
      dialect: "mysql",
      merged: {
        "1_init.up.sql":
          "CREATE TABLE t (id INT PRIMARY KEY, created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);",
      },
      code: "ALTER TABLE t MODIFY created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3);",
    },
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
      name: "merged schema: the merged check is NOT VALID and never validated",
      merged: {
        "1_init.up.sql":
          "CREATE TABLE t (id int, c int);\nALTER TABLE t ADD CONSTRAINT c_nn CHECK (c IS NOT NULL) NOT VALID;",
      },
      code: "ALTER TABLE t ALTER COLUMN c SET NOT NULL;",
      errors: [{ line: 1 }],
    },
    {
      name: "attacker: a merged migration drops and re-adds the column after the check was validated",
      merged: {
        "1_init.up.sql":
          "CREATE TABLE t (id int, c int);\nALTER TABLE t ADD CONSTRAINT c_nn CHECK (c IS NOT NULL);\nALTER TABLE t DROP COLUMN c;\nALTER TABLE t ADD COLUMN c int;",
      },
      code: "ALTER TABLE t ALTER COLUMN c SET NOT NULL;",
      errors: [{ line: 1 }],
    },
    {
      name: "attacker: the check is on another table of the same name in another schema",
      merged: {
        "1_init.up.sql":
          "CREATE TABLE t (id int, c int);\nCREATE TABLE audit.t (id int, c int NOT NULL);\nALTER TABLE audit.t ADD CONSTRAINT c_nn CHECK (c IS NOT NULL);",
      },
      code: "ALTER TABLE t ALTER COLUMN c SET NOT NULL;",
      errors: [{ line: 1 }],
    },
    {
      name: 'attacker: quoted identifiers keep their case ("C" is not c)',
      merged: { "1_init.up.sql": 'CREATE TABLE t (id int, "C" int NOT NULL, c int);' },
      code: "ALTER TABLE t ALTER COLUMN c SET NOT NULL;",
      errors: [{ line: 1 }],
    },
    {
      name: "attacker: merged dynamic SQL built at run time leaves the table unknown",
      merged: {
        "1_init.up.sql":
          "CREATE TABLE t (id int, c int NOT NULL);\nDO $$ BEGIN EXECUTE format('ALTER TABLE t ALTER COLUMN c %s NOT NULL', current_setting('app.op')); END $$;",
      },
      code: "ALTER TABLE t ALTER COLUMN c SET NOT NULL;",
      errors: [{ line: 1 }],
    },
    {
      name: "attacker: merged dynamic SQL with a constant string is followed (DROP NOT NULL)",
      merged: {
        "1_init.up.sql":
          "CREATE TABLE t (id int, c int NOT NULL);\nDO $$ BEGIN EXECUTE 'ALTER TABLE t ALTER COLUMN c DROP NOT NULL'; END $$;",
      },
      code: "ALTER TABLE t ALTER COLUMN c SET NOT NULL;",
      errors: [{ line: 1 }],
    },
    {
      name: "attacker: the change itself drops NOT NULL before setting it again",
      merged: { "1_init.up.sql": "CREATE TABLE t (id int, c int NOT NULL);" },
      code: "ALTER TABLE t ALTER COLUMN c DROP NOT NULL;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;",
      errors: [{ line: 2 }],
    },
    {
      name: "attacker: a search_path change makes the unqualified name ambiguous",
      merged: {
        "1_init.up.sql":
          "CREATE TABLE t (id int, c int NOT NULL);\nCREATE SCHEMA app;\nCREATE TABLE app.t (id int, c int);",
      },
      code: "SET search_path = app;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;",
      errors: [{ line: 2 }],
    },
    {
      code: "ALTER TABLE t MODIFY COLUMN c VARCHAR(10) NOT NULL;",
      dialect: "mysql",
      errors: [{ line: 1, severity: "notice", message: /if the column allows NULL today/ }],
    },
  ],
});
