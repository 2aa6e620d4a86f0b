import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("add-enum-value-in-transaction", {
  valid: [
    { name: "alone in its file: no transaction block", code: "ALTER TYPE mood ADD VALUE 'meh';" },
    {
      name: "Postgres 12+: in a transaction, the value not used",
      code: "SET lock_timeout = '1s';\nALTER TYPE mood ADD VALUE 'meh';",
    },
    {
      name: "the value used by a later migration (its own transaction)",
      files: {
        "2_a.up.sql": "SET lock_timeout = '1s';\nALTER TYPE mood ADD VALUE 'meh';",
        "3_b.up.sql": "UPDATE people SET mood = 'meh' WHERE mood IS NULL;",
      },
    },
    {
      name: "x-multi-statement: each statement commits on its own",
      multiStatement: true,
      code: "ALTER TYPE mood ADD VALUE 'meh';\nUPDATE people SET mood = 'meh' WHERE id = 1;",
    },
    {
      name: "a type created in the same transaction can be extended and used",
      code: "CREATE TYPE mood AS ENUM ('sad', 'ok');\nALTER TYPE mood ADD VALUE 'meh';\nCREATE TABLE p (m mood DEFAULT 'meh');",
    },
    {
      name: "a COMMIT ends the transaction before the use",
      multiStatement: true,
      code: "BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nCOMMIT;\nBEGIN;\nUPDATE people SET mood = 'meh' WHERE id = 1;\nCOMMIT;",
    },
    {
      name: "the name of the value in an identifier or a comment is not a use",
      code: "ALTER TYPE mood ADD VALUE 'meh';\n-- 'meh'\nCREATE INDEX meh ON people (mood);",
    },
    { code: "ALTER TYPE mood RENAME VALUE 'sad' TO 'meh';\nSELECT 'meh'::mood;" },
  ],
  invalid: [
    {
      code: "ALTER TYPE mood ADD VALUE 'meh';\nUPDATE people SET mood = 'meh' WHERE mood = 'ok';",
      errors: [
        { line: 1, message: /'meh' added to mood is used on line 2 .*unsafe use of new value/ },
      ],
    },
    {
      name: "before Postgres 12 ADD VALUE cannot run in a transaction block at all",
      databaseVersion: "11",
      code: "SET lock_timeout = '1s';\nALTER TYPE mood ADD VALUE 'meh';",
      errors: [{ line: 2, message: /before Postgres 12/ }],
    },
    {
      name: "before Postgres 12, between BEGIN and COMMIT with x-multi-statement",
      databaseVersion: "11.5",
      multiStatement: true,
      code: "BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nCOMMIT;",
      errors: [{ line: 2, message: /BEGIN and COMMIT/ }],
    },
    {
      name: "used as a column default",
      code: "ALTER TYPE app.mood ADD VALUE IF NOT EXISTS 'meh' AFTER 'ok';\nALTER TABLE people ALTER COLUMN mood SET DEFAULT 'meh';",
      errors: [{ line: 1, message: /app\.mood/ }],
    },
    {
      name: "attacker: the use hidden in a DO block, as an E'' string",
      code: "ALTER TYPE mood ADD VALUE 'meh';\nDO $$ BEGIN UPDATE people SET mood = E'meh' WHERE id = 1; END $$;",
      errors: [{ line: 1 }],
    },
    {
      name: "attacker: the use as a dollar-quoted string and a cast",
      code: "ALTER TYPE mood ADD VALUE 'meh';\nSELECT $q$meh$q$::mood;",
      errors: [{ line: 1 }],
    },
    {
      name: "attacker: both inside one DO block",
      code: "DO $$\nBEGIN\n  ALTER TYPE mood ADD VALUE 'meh';\n  INSERT INTO people (mood) VALUES ('meh');\nEND $$;",
      errors: [{ line: 3 }],
    },
    {
      name: "x-multi-statement, both inside BEGIN … COMMIT",
      multiStatement: true,
      code: "BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nINSERT INTO people (mood) VALUES ('meh');\nCOMMIT;",
      errors: [{ line: 2 }],
    },
  ],
});
