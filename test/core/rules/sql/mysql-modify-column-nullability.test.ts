import { ruleTester } from "../../../helpers/rule-tester.js";

const BASE =
  "CREATE TABLE t (id INT PRIMARY KEY, a INT NULL, b INT NOT NULL, c VARCHAR(10), ts TIMESTAMP);";

ruleTester("mysql-modify-column-nullability", {
  valid: [
    {
      name: "already NOT NULL",
      dialect: "mysql",
      merged: { "1_init.up.sql": BASE },
      code: "ALTER TABLE t MODIFY b BIGINT NOT NULL;",
    },
    {
      name: "stays nullable",
      dialect: "mysql",
      merged: { "1_init.up.sql": BASE },
      code: "ALTER TABLE t MODIFY a BIGINT NULL;",
    },
    {
      name: "a TIMESTAMP without NULL/NOT NULL: its nullability depends on explicit_defaults_for_timestamp",
      dialect: "mysql",
      merged: { "1_init.up.sql": BASE },
      code: "ALTER TABLE t MODIFY ts TIMESTAMP NOT NULL;",
    },
    {
      name: "no merged history: set-not-null keeps its notice instead",
      dialect: "mysql",
      code: "ALTER TABLE t MODIFY a INT NOT NULL;",
    },
  ],
  invalid: [
    {
      dialect: "mysql",
      merged: { "1_init.up.sql": BASE },
      code: "ALTER TABLE t MODIFY a INT NOT NULL DEFAULT 0;",
      errors: [
        {
          line: 1,
          message: /decided from the merged history\).*strict SQL mode.*implicit default/,
        },
      ],
    },
    {
      name: "attacker: CHANGE with a new name, the old name differently cased",
      dialect: "mysql",
      merged: { "1_init.up.sql": BASE },
      code: "ALTER TABLE t CHANGE COLUMN `C` code VARCHAR(10) NOT NULL;",
      errors: [{ line: 1 }],
    },
    {
      name: "attacker: a merged MODIFY made the column nullable again",
      dialect: "mysql",
      merged: { "1_init.up.sql": `${BASE}\nALTER TABLE t MODIFY b INT NULL;` },
      code: "ALTER TABLE t MODIFY b INT NOT NULL;",
      errors: [{ line: 1 }],
    },
  ],
});
