import { ruleTester } from "../../../helpers/rule-tester.js";

const on = { "add-column-breaks-positional": "notice" } as const;

ruleTester("add-column-breaks-positional", {
  valid: [
    { name: "off by default", code: "ALTER TABLE t ADD COLUMN c int;" },
    {
      name: "a table created in this change: no code reads it yet",
      rules: on,
      code: "CREATE TABLE n (a int);\nALTER TABLE n ADD COLUMN b int;",
    },
    {
      name: "a down file puts back a column its up dropped",
      rules: on,
      files: { "2_change.down.sql": "ALTER TABLE t ADD COLUMN c int;" },
    },
    {
      name: "other actions",
      rules: on,
      code: "ALTER TABLE t DROP COLUMN c, ADD CONSTRAINT u UNIQUE (a);",
    },
  ],
  invalid: [
    {
      rules: on,
      code: "ALTER TABLE t ADD COLUMN c int, ADD COLUMN d int DEFAULT 0;",
      errors: [
        {
          line: 1,
          message:
            /ADD COLUMN c gives t one more column: .* INSERT INTO t VALUES \(…\) without a column list now fails/,
        },
        { line: 1, message: /ADD COLUMN d/ },
      ],
    },
    {
      name: "attacker: quoting, comments, case, IF NOT EXISTS, a DO block",
      rules: on,
      code: 'alter table "S"."T" add /* x */ column if not exists "C" text;\nDO $$ BEGIN ALTER TABLE t ADD c int; END $$;',
      errors: [{ line: 1, message: /ADD COLUMN C gives S.T/ }, { line: 2 }],
    },
    {
      dialect: "mysql",
      rules: on,
      code: "ALTER TABLE `t` ADD `c` int AFTER a, ADD COLUMN d int, ADD e int;",
      errors: [{ line: 1 }, { line: 1 }, { line: 1 }],
    },
    {
      dialect: "sqlite",
      rules: on,
      code: "ALTER TABLE t ADD COLUMN c int;",
      errors: [{ line: 1 }],
    },
    {
      dialect: "cockroachdb",
      rules: on,
      code: "ALTER TABLE t ADD COLUMN c int;",
      errors: [{ line: 1 }],
    },
  ],
});
