import { ruleTester } from "../../../helpers/rule-tester.js";

const BASE = "CREATE TABLE t (id int, a int, b int);";

ruleTester("mysql-add-column-position", {
  valid: [
    { dialect: "mysql", code: "ALTER TABLE t ADD COLUMN c int, MODIFY a bigint;" },
    {
      name: "a table created in this change has no readers yet",
      dialect: "mysql",
      code: "CREATE TABLE n (id int, b int);\nALTER TABLE n ADD COLUMN a int AFTER id, ADD COLUMN z int FIRST;",
    },
    {
      name: "AFTER the column that is already last: added last anyway",
      dialect: "mysql",
      merged: { "1_init.up.sql": BASE },
      code: "ALTER TABLE t ADD COLUMN c int AFTER `B`;",
    },
    {
      name: "MODIFY … AFTER the column already before it: nothing moves",
      dialect: "mysql",
      merged: { "1_init.up.sql": BASE },
      code: "ALTER TABLE t MODIFY b bigint AFTER a, MODIFY id bigint FIRST;",
    },
    {
      name: "the merged order follows FIRST/AFTER, and MODIFY keeps a column's place: b is last",
      dialect: "mysql",
      merged: {
        "1_init.up.sql": `${BASE}\nALTER TABLE t ADD COLUMN c int AFTER id, MODIFY a bigint;`,
      },
      code: "ALTER TABLE t ADD COLUMN d int AFTER b;",
    },
    {
      name: "a down file puts a column back where the up removed it from",
      dialect: "mysql",
      files: { "2_change.down.sql": "ALTER TABLE t ADD COLUMN a int AFTER id;" },
    },
    {
      name: "FIRST/AFTER as names, not clauses",
      dialect: "mysql",
      code: "ALTER TABLE t ADD COLUMN `after` int, ADD COLUMN `first` int;",
    },
  ],
  invalid: [
    {
      dialect: "mysql",
      code: "ALTER TABLE t\n  ADD COLUMN c int AFTER id,\n  ADD COLUMN d int;",
      errors: [
        {
          line: 2,
          message:
            /ADD COLUMN c … AFTER id puts the new column before existing columns of t: every column after it shifts/,
        },
      ],
    },
    {
      name: "attacker: backticks, case, comments between keywords, FIRST",
      dialect: "mysql",
      code: "alter table `db`.`Orders` add /* x */ column `Note` text -- y\n  first;",
      errors: [{ line: 1, endLine: 2, message: /ADD COLUMN note … FIRST puts .* db.orders/ }],
    },
    {
      name: "MODIFY/CHANGE that move a column, with the merged order",
      dialect: "mysql",
      merged: { "1_init.up.sql": BASE },
      code: "ALTER TABLE t MODIFY b int AFTER id;\nALTER TABLE t CHANGE a a2 int FIRST;",
      errors: [
        { line: 1, message: /MODIFY b … AFTER id moves the column within t/ },
        { line: 2, message: /CHANGE a … FIRST moves/ },
      ],
    },
    {
      name: "AFTER a column that is not last in the merged schema",
      dialect: "mysql",
      merged: { "1_init.up.sql": BASE },
      code: "ALTER TABLE t ADD COLUMN c int AFTER a;",
      errors: [{ line: 1 }],
    },
  ],
});
