import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("drop-system-versioning", {
  valid: [
    { dialect: "mysql", code: "ALTER TABLE accounts ADD SYSTEM VERSIONING;" },
    {
      name: "a column named system is not the clause",
      dialect: "mysql",
      code: "ALTER TABLE accounts DROP COLUMN `system`;",
    },
  ],
  invalid: [
    {
      dialect: "mysql",
      code: "ALTER TABLE accounts DROP SYSTEM VERSIONING;",
      errors: [
        {
          line: 1,
          severity: "error",
          message: /deletes every historical row version of accounts.*FOR SYSTEM_TIME/,
        },
      ],
    },
    {
      name: "attacker: case, backticks, comments, another action first, a version comment",
      dialect: "mysql",
      code: "alter table `shop`.`accounts` add column note text,\n  drop /* x */ system\n  versioning;\n/*!100300 ALTER TABLE ledger DROP SYSTEM VERSIONING */;",
      errors: [
        { line: 2, endLine: 3, severity: "error", message: /shop\.accounts/ },
        { line: 4, severity: "error", message: /ledger/ },
      ],
    },
    {
      name: "a table created earlier in the file: a notice",
      dialect: "mysql",
      code: "CREATE TABLE t (a int) WITH SYSTEM VERSIONING;\nALTER TABLE t DROP SYSTEM VERSIONING;",
      errors: [{ line: 2, severity: "notice", message: /created earlier in this file/ }],
    },
    {
      name: "versioning added earlier in the same file: a notice",
      dialect: "mysql",
      code: "ALTER TABLE t ADD SYSTEM VERSIONING;\nALTER TABLE t DROP SYSTEM VERSIONING;",
      errors: [{ line: 2, severity: "notice", message: /only this migration's history/ }],
    },
    {
      name: "attacker: versioning added for another table does not lower it",
      dialect: "mysql",
      code: "ALTER TABLE other ADD SYSTEM VERSIONING;\nALTER TABLE t DROP SYSTEM VERSIONING;",
      errors: [{ line: 2, severity: "error" }],
    },
    {
      name: "a down file undoing its up: a notice",
      dialect: "mysql",
      files: {
        "2_a.up.sql": "ALTER TABLE t ADD SYSTEM VERSIONING;",
        "2_a.down.sql": "ALTER TABLE t DROP SYSTEM VERSIONING;",
      },
      errors: [{ file: "2_a.down.sql", line: 1, severity: "notice", message: /down migration/ }],
    },
  ],
});
