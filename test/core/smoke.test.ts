import { splitStatements } from "../../src/core/sql/split.js";
import { classifyName } from "../../src/core/migrations/filename.js";

test("smoke", () => {
  const r = splitStatements("-- c\nCREATE TABLE a(x int);\nSELECT 'a;b';\n", "postgres");
  expect(r.statements.map((s) => s.text)).toEqual(["CREATE TABLE a(x int)", "SELECT 'a;b'"]);
  expect(classifyName("0003_x_up.sql").kind).toBe("ignored");
});
