import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("add-check-validated", {
  valid: [
    { code: "ALTER TABLE t ADD CONSTRAINT positive CHECK (amount > 0) NOT VALID;" },
    { code: "CREATE TABLE t (a int CHECK (a > 0));" },
    { code: "ALTER TABLE t ADD CONSTRAINT ck CHECK (a > 0) NOT ENFORCED;", dialect: "mysql" },
    {
      name: "MySQL before 8.0.16 ignores CHECK",
      code: "ALTER TABLE t ADD CHECK (a > 0);",
      dialect: "mysql",
      databaseVersion: "5.7",
    },
  ],
  invalid: [
    {
      code: "ALTER TABLE t ADD CONSTRAINT positive CHECK (amount > 0);",
      errors: [{ line: 1, message: /without NOT VALID/ }],
    },
    { code: "ALTER TABLE t ADD COLUMN a int CHECK (a > 0);", errors: [{ line: 1 }] },
    {
      code: "ALTER TABLE t ADD CONSTRAINT ck CHECK (a > 0);",
      dialect: "mysql",
      errors: [{ line: 1, message: /copy the table/ }],
    },
  ],
});
