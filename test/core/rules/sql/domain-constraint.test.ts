import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("domain-constraint", {
  valid: [
    {
      name: "CREATE DOMAIN … CHECK scans nothing: no column uses a new domain",
      code: "CREATE DOMAIN email AS text CHECK (VALUE ~ '@');",
    },
    { code: "ALTER DOMAIN email ADD CONSTRAINT email_at CHECK (VALUE ~ '@') NOT VALID;" },
    { code: "ALTER DOMAIN email VALIDATE CONSTRAINT email_at;" },
    { code: "ALTER DOMAIN email DROP NOT NULL;" },
    { code: "ALTER DOMAIN email SET DEFAULT '';" },
    {
      name: "a domain created earlier in the file, used only by a new table",
      code: "CREATE DOMAIN email AS text;\nCREATE TABLE t (e email);\nALTER DOMAIN email ADD CONSTRAINT email_at CHECK (VALUE ~ '@');",
    },
  ],
  invalid: [
    {
      code: "ALTER DOMAIN email ADD CONSTRAINT email_at CHECK (VALUE ~ '@');",
      errors: [{ line: 1, message: /checks every row of every column/ }],
    },
    {
      code: "ALTER DOMAIN app.email SET NOT NULL;",
      errors: [{ line: 1, message: /app\.email SET NOT NULL/ }],
    },
    {
      name: "attacker: a new domain given to a column of an existing table first",
      code: "CREATE DOMAIN email AS text;\nALTER TABLE users ALTER COLUMN contact TYPE email;\nALTER DOMAIN email ADD CONSTRAINT email_at CHECK (VALUE ~ '@');",
      errors: [{ line: 3 }],
    },
    {
      name: "attacker: a new domain added as a column with a default to an existing table",
      code: "CREATE DOMAIN flag AS int;\nALTER TABLE users ADD COLUMN f flag DEFAULT 0;\nALTER DOMAIN flag SET NOT NULL;",
      errors: [{ line: 3 }],
    },
    {
      name: "attacker: inside a DO block",
      code: "DO $$ BEGIN ALTER DOMAIN email ADD CHECK (VALUE <> ''); END $$;",
      errors: [{ line: 1 }],
    },
  ],
});
