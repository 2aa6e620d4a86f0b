import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("set-not-null", {
  valid: [
    { code: "ALTER TABLE t ALTER COLUMN c DROP NOT NULL;" },
    {
      code: "ALTER TABLE t ADD COLUMN c int;\nUPDATE t SET c = 0 WHERE c IS NULL;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;",
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
      code: "ALTER TABLE t MODIFY COLUMN c VARCHAR(10) NOT NULL;",
      dialect: "mysql",
      errors: [{ line: 1, severity: "notice", message: /if the column allows NULL today/ }],
    },
  ],
});
