import { describe, expect, test } from "@jest/globals";
import { lint } from "../../../helpers/lint.js";
import { ruleTester } from "../../../helpers/rule-tester.js";

const v8029 = { dialect: "mysql" as const, databaseVersion: "8.0.29" };

ruleTester("mysql-missing-algorithm-lock", {
  valid: [
    { ...v8029, code: "ALTER TABLE users ADD COLUMN a int, ALGORITHM=INSTANT;" },
    { ...v8029, code: "ALTER TABLE users ADD INDEX i (a), LOCK=NONE;" },
    {
      ...v8029,
      name: "a table created earlier in the file",
      code: "CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN a int;",
    },
    {
      ...v8029,
      name: "a copy is mysql-table-copy's finding, not this one",
      code: "ALTER TABLE users CONVERT TO CHARACTER SET utf8mb4;",
    },
    {
      name: "no databaseVersion: ADD COLUMN rebuilds on MySQL 5.6 (mysql-table-copy's notice)",
      dialect: "mysql",
      code: "ALTER TABLE users ADD COLUMN a int;",
    },
    {
      ...v8029,
      name: "a MODIFY may be a type change: not claimed online",
      code: "ALTER TABLE users MODIFY a bigint;",
    },
    {
      ...v8029,
      name: "an action the table does not know (a COMMENT) makes no claim",
      code: "ALTER TABLE users ADD COLUMN a int, COMMENT = 'x';",
    },
  ],
  invalid: [
    {
      ...v8029,
      code: "ALTER TABLE users ADD COLUMN a int;",
      errors: [
        {
          line: 1,
          severity: "notice",
          message:
            /ALTER TABLE users \(ADD COLUMN\) states no ALGORITHM or LOCK: MySQL 8\.0\.29 runs it online.*ALGORITHM=INSTANT/,
        },
      ],
    },
    {
      ...v8029,
      name: "attacker: backticks, case, comments, a version comment; an in-place index",
      code: "alter /* x */ table `shop`.`users` add index `i` (`a`);\n/*!80000 ALTER TABLE users DROP INDEX j */;",
      errors: [
        { line: 1, message: /shop\.users \(ADD INDEX\).*ALGORITHM=INPLACE, LOCK=NONE/ },
        { line: 2, message: /DROP INDEX/ },
      ],
    },
    {
      name: "no databaseVersion: said so",
      dialect: "mysql",
      code: "ALTER TABLE users DROP INDEX i;",
      errors: [{ line: 1, message: /MySQL 5\.6 \(assumed: databaseVersion is not set\)/ }],
    },
  ],
});

describe("one finding per statement", () => {
  test("an ALTER that mysql-table-copy reports gets no second notice", async () => {
    const fs = await lint({
      ...v8029,
      files: { "2_b.up.sql": "ALTER TABLE users ADD COLUMN a int, ENGINE=InnoDB;" },
    });
    const ids = fs.map((f) => f.ruleId);
    expect(ids).toContain("mysql-table-copy");
    expect(ids).not.toContain("mysql-missing-algorithm-lock");
  });
});
