import { ruleTester } from "../../../helpers/rule-tester.js";
import { lint } from "../../../helpers/lint.js";

const on = { "require-statement-timeout": "notice" } as const;

ruleTester("require-statement-timeout", {
  valid: [
    {
      name: "off by default",
      code: "ALTER TABLE users ADD COLUMN c int;",
    },
    { rules: on, code: "SET statement_timeout = '5min';\nALTER TABLE users ADD COLUMN c int;" },
    {
      rules: on,
      name: "SET LOCAL inside golang-migrate's transaction",
      code: "SET LOCAL statement_timeout = 60000;\nUPDATE users SET c = 1 WHERE id < 1000;",
    },
    {
      rules: on,
      name: "only objects created in the change",
      code: "CREATE TABLE t (id int);\nCREATE INDEX t_idx ON t (id);\nINSERT INTO t VALUES (1);",
    },
    { rules: on, code: "SELECT 1;" },
  ],
  invalid: [
    {
      rules: on,
      code: "ALTER TABLE users ADD COLUMN c int;",
      errors: [
        { line: 1, message: /works on users, which already holds data, and no statement_timeout/ },
      ],
    },
    {
      rules: on,
      name: "a backfill; reported once per file",
      code: "UPDATE users SET c = 1 WHERE c IS NULL;\nDELETE FROM sessions WHERE expired;",
      errors: [{ line: 1 }],
    },
    {
      rules: { "require-statement-timeout": "warning" },
      name: "a concurrent index build, at the configured level",
      code: "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);",
      errors: [{ line: 1, severity: "warning" }],
    },
    {
      rules: on,
      name: "attacker: a timeout of 0 disables it",
      code: "SET statement_timeout = 0;\nALTER TABLE users ADD COLUMN c int;",
      errors: [{ line: 2 }],
    },
    {
      rules: on,
      name: "attacker: RESET after the SET",
      code: "SET statement_timeout = '1min';\nRESET statement_timeout;\nALTER TABLE users ADD COLUMN c int;",
      errors: [{ line: 3 }],
    },
    {
      rules: on,
      name: "attacker: SET LOCAL with x-multi-statement and no BEGIN lasts for nothing",
      multiStatement: true,
      code: "SET LOCAL statement_timeout = '1min';\nALTER TABLE users ADD COLUMN c int;",
      errors: [{ line: 2 }],
    },
    {
      rules: on,
      name: "attacker: the write inside a DO block",
      code: "DO $$ BEGIN UPDATE users SET c = 1; END $$;",
      errors: [{ line: 1 }],
    },
  ],
});

test("the rule is off unless the configuration gives it a level", async () => {
  const files = { "2_x.up.sql": "ALTER TABLE users ADD COLUMN c int;" };
  const base = ["1_init.up.sql", "1_init.down.sql"];
  const off = await lint({ files, base });
  expect(off.filter((f) => f.ruleId === "require-statement-timeout")).toEqual([]);
  const onFs = await lint({ files, base, rules: on });
  expect(onFs.filter((f) => f.ruleId === "require-statement-timeout")).toHaveLength(1);
});
