import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("drop-not-null", {
  valid: [
    { code: "ALTER TABLE users ALTER COLUMN email SET NOT NULL;" },
    {
      name: "a column added earlier in the change has no readers yet",
      code: "ALTER TABLE users ADD COLUMN nick text NOT NULL DEFAULT '';\nALTER TABLE users ALTER COLUMN nick DROP NOT NULL;",
    },
    {
      name: "a table created in the change",
      files: {
        "2_a.up.sql": "CREATE TABLE t (c int NOT NULL);",
        "3_b.up.sql": "ALTER TABLE t ALTER COLUMN c DROP NOT NULL;",
      },
    },
  ],
  invalid: [
    {
      code: "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;",
      errors: [{ line: 1, message: /DROP NOT NULL on email of users/ }],
    },
    {
      name: "attacker: hidden among other actions and in a DO block",
      code: "ALTER TABLE users\n  ALTER COLUMN a SET DEFAULT 1,\n  ALTER b DROP NOT NULL;\nDO $$ BEGIN ALTER TABLE users ALTER COLUMN c DROP NOT NULL; END $$;",
      errors: [{ line: 3 }, { line: 4 }],
    },
    {
      name: "attacker: the new column was dropped; the name is an existing column again",
      code: "ALTER TABLE users ADD COLUMN email2 text;\nALTER TABLE users DROP COLUMN email2;\nALTER TABLE users RENAME COLUMN email TO email2;\nALTER TABLE users ALTER COLUMN email2 DROP NOT NULL;",
      errors: [{ line: 4 }],
    },
  ],
});
