import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("add-not-null-column-without-default", {
  valid: [
    { code: "ALTER TABLE t ADD COLUMN c int;" },
    { code: "ALTER TABLE t ADD COLUMN c boolean NOT NULL DEFAULT false;" },
    { code: "ALTER TABLE t ADD COLUMN id bigserial NOT NULL;" },
    { code: "ALTER TABLE t ADD COLUMN id int GENERATED ALWAYS AS IDENTITY;" },
    { code: "CREATE TABLE t (id int NOT NULL);\nALTER TABLE t ADD COLUMN c int NOT NULL;" },
    { code: "ALTER TABLE t ADD COLUMN c INT NOT NULL DEFAULT 0;", dialect: "mysql" },
    { code: "ALTER TABLE t ADD COLUMN id INT NOT NULL AUTO_INCREMENT;", dialect: "mysql" },
    { code: "ALTER TABLE t ADD COLUMN c TEXT NOT NULL DEFAULT '';", dialect: "sqlite" },
    {
      name: "in two steps, backfilled in between (set-not-null's finding: the scan)",
      code: "ALTER TABLE t ADD COLUMN c int;\nUPDATE t SET c = 0 WHERE c IS NULL;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;",
    },
    {
      name: "in two steps on a table created in the change",
      code: "CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN c int;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;",
    },
    {
      code: "ALTER TABLE t ADD COLUMN c int DEFAULT 0;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;",
    },
    { name: "an existing column", code: "ALTER TABLE t ALTER COLUMN c SET NOT NULL;" },
  ],
  invalid: [
    {
      name: "attacker: the same thing in two steps (ADD COLUMN, then SET NOT NULL)",
      code: "ALTER TABLE users ADD COLUMN tenant_id uuid;\nALTER TABLE users ALTER COLUMN tenant_id SET NOT NULL;",
      errors: [{ line: 2, message: /added to users earlier in this file without a default/ }],
    },
    {
      name: "attacker: the two steps in two migrations of the change",
      files: {
        "2_a.up.sql": "ALTER TABLE users ADD COLUMN tenant_id uuid;",
        "3_b.up.sql": "ALTER TABLE users ALTER COLUMN tenant_id SET NOT NULL;",
      },
      errors: [{ file: "3_b.up.sql", line: 1, message: /by an earlier migration of this change/ }],
    },
    {
      code: "ALTER TABLE users ADD COLUMN tenant_id uuid NOT NULL;",
      errors: [{ line: 1, message: /tenant_id is added to users/ }],
    },
    { code: "ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT NULL;", errors: [{ line: 1 }] },
    { code: "ALTER TABLE t ADD COLUMN id int PRIMARY KEY;", errors: [{ line: 1 }] },
    {
      code: "ALTER TABLE t\n  ADD COLUMN a int,\n  ADD COLUMN b int NOT NULL;",
      errors: [{ line: 3 }],
    },
    {
      code: "ALTER TABLE `t` ADD `c` bool NOT NULL;",
      dialect: "mysql",
      errors: [{ line: 1, message: /strict mode/ }],
    },
    {
      code: "ALTER TABLE t ADD COLUMN c TEXT NOT NULL;",
      dialect: "sqlite",
      errors: [{ line: 1, message: /SQLite refuses/ }],
    },
    {
      code: "ALTER TABLE t ADD COLUMN c INT8 NOT NULL;",
      dialect: "cockroachdb",
      errors: [{ line: 1 }],
    },
  ],
});
