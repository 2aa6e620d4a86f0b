import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("duplicate-column-assignment", {
  valid: [
    { code: "UPDATE users SET a = 1, b = 2 WHERE id = 1;" },
    { code: "INSERT INTO users (a, b) VALUES (1, 2) ON CONFLICT (a) DO UPDATE SET b = 3;" },
    {
      name: "parts of one array column are separate assignments in Postgres",
      code: "UPDATE users SET tags[1] = 'a', tags[2] = 'b' WHERE id = 1;",
    },
    {
      name: 'a quoted "A" is another column than a in Postgres',
      code: 'UPDATE users SET "A" = 1, a = 2 WHERE id = 1;',
    },
    { code: "CREATE TABLE t (a int, b int);" },
    { code: "ALTER TABLE t ADD COLUMN a int, ADD COLUMN b int;" },
    { dialect: "mysql", code: "INSERT INTO t (a, b) VALUES (1, 2) ON DUPLICATE KEY UPDATE b = 3;" },
    { dialect: "sqlite", code: "UPDATE t SET a = 1, b = 2;" },
    {
      name: "a multi-table UPDATE sets a column of the same name in each table",
      dialect: "mysql",
      code: "UPDATE t1 JOIN t2 ON t1.id = t2.id SET t1.a = 1, t2.a = 2;\nUPDATE t1, t2 SET t1.a = 1, t2.a = 2 WHERE t1.id = t2.id;",
    },
  ],
  invalid: [
    {
      code: "UPDATE users SET a = 1, a = 2 WHERE id = 1;",
      errors: [{ line: 1, message: /SET names column a twice: the server rejects/ }],
    },
    {
      name: "attacker: a whole assignment next to a part of the same column",
      code: "UPDATE users SET tags = '{}', tags[1] = 'a' WHERE id = 1;",
      errors: [{ line: 1 }],
    },
    {
      name: "attacker: comments, case and a multi-column assignment",
      code: "UPDATE users SET /* x */ (a, b) = (1, 2),\n  -- again\n  A = 3\nWHERE id = 1;",
      errors: [{ line: 1, endLine: 4, message: /column a twice/ }],
    },
    {
      code: "INSERT INTO users (a, b, a) VALUES (1, 2, 3);",
      errors: [{ line: 1, message: /INSERT column list names column a twice/ }],
    },
    {
      code: "INSERT INTO users (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET b = 1, b = 2;",
      errors: [{ line: 1, message: /ON CONFLICT DO UPDATE SET names column b twice/ }],
    },
    {
      code: "CREATE TABLE t (a int, b int, a text);",
      errors: [{ line: 1, message: /CREATE TABLE t defines column a twice/ }],
    },
    {
      code: "ALTER TABLE users ADD COLUMN x int, ADD COLUMN x text;",
      errors: [{ line: 1, message: /ALTER TABLE users defines column x twice/ }],
    },
    {
      name: "attacker: inside a DO block and a data-modifying CTE",
      code: "DO $$ BEGIN UPDATE users SET a = 1, a = 2 WHERE id = 1; END $$;\nWITH u AS (UPDATE users SET b = 1, b = 2 WHERE id = 2 RETURNING id) SELECT * FROM u;",
      errors: [{ line: 1 }, { line: 2 }],
    },
    {
      dialect: "cockroachdb",
      code: "UPDATE users SET a = 1, a = 2 WHERE id = 1;",
      errors: [{ line: 1 }],
    },
    {
      dialect: "mysql",
      code: "INSERT INTO t (a, `A`) VALUES (1, 2);\nUPDATE t SET a = 1, t.a = 2 WHERE id = 1;\nINSERT INTO t (a) VALUES (1) ON DUPLICATE KEY UPDATE b = 1, b = 2;\nCREATE TABLE u (a int, A int);\nUPDATE t1, t2 SET t1.a = 1, T1.A = 2 WHERE t1.id = t2.id;",
      errors: [
        { line: 1, message: /ER_FIELD_SPECIFIED_TWICE/ },
        { line: 2, severity: "warning", message: /left to right/ },
        { line: 3, severity: "warning" },
        { line: 4 },
        { line: 5, severity: "warning" },
      ],
    },
    {
      dialect: "sqlite",
      code: "INSERT INTO t (a, A) VALUES (1, 2);\nUPDATE t SET a = 1, a = 2;\nALTER TABLE t ADD COLUMN c int;\nCREATE TABLE u (a int, a int);",
      errors: [
        { line: 1, severity: "warning", message: /only one of the two values/ },
        { line: 2, severity: "warning", message: /rightmost/ },
        { line: 4 },
      ],
    },
  ],
});
