import { ruleTester } from "../../../helpers/rule-tester.js";

const n = (prefix: string, bytes: number) => prefix + "x".repeat(bytes - prefix.length);
const long = n("orders_customer_id_created_at_", 64); // 64 bytes
const ok = n("orders_customer_id_created_at_", 63);

ruleTester("identifier-too-long", {
  valid: [
    { code: `CREATE INDEX ${ok} ON orders (customer_id, created_at);` },
    { code: `CREATE TABLE t (${ok} int);` },
    {
      name: "a long name referenced, not created (a string, a comment, a reference)",
      code: `-- ${long}\nSELECT '${long}';\nSELECT * FROM ${long};`,
    },
    {
      name: "63 bytes of two-byte characters (31 characters + 1 ASCII)",
      code: `CREATE TABLE "${"é".repeat(31)}a" (c int);`,
    },
  ],
  invalid: [
    {
      code: `CREATE INDEX ${long} ON orders (customer_id, created_at);`,
      errors: [
        {
          line: 1,
          message:
            /is 64 bytes: Postgres keeps only 63 and silently truncates it to "orders_customer_id_created_at_x{33}"/,
        },
      ],
    },
    {
      name: "every kind of created name: table, column, constraint, sequence, view",
      code: [
        `CREATE TABLE ${n("t_", 70)} (`,
        `  ${n("c_", 64)} int,`,
        `  CONSTRAINT ${n("k_", 80)} CHECK (true)`,
        `);`,
        `CREATE SEQUENCE ${n("s_", 64)};`,
        `CREATE VIEW ${n("v_", 64)} AS SELECT 1;`,
        `ALTER TABLE t ADD COLUMN ${n("a_", 64)} int, ADD CONSTRAINT ${n("f_", 64)} UNIQUE (x);`,
        `ALTER TABLE t RENAME COLUMN c TO ${n("r_", 64)};`,
        `CREATE FUNCTION ${n("fn_", 64)}() RETURNS int LANGUAGE sql AS 'SELECT 1';`,
      ].join("\n"),
      errors: [
        { line: 1 },
        { line: 2 },
        { line: 3 },
        { line: 5 },
        { line: 6 },
        { line: 7 },
        { line: 7 },
        { line: 8 },
        { line: 9 },
      ],
    },
    {
      name: "UTF-8: 32 two-byte characters are 64 bytes, truncated on a character boundary",
      code: `CREATE TABLE "${"é".repeat(32)}" (c int);`,
      errors: [{ line: 1, message: /is 64 bytes.*truncates it to "é{31}"/ }],
    },
    {
      name: "attacker: a quoted name with spaces and mixed case",
      code: `CREATE INDEX "${"Long Name ".repeat(7)}" ON t (c);`,
      errors: [{ line: 1, message: /is 70 bytes/ }],
    },
    {
      name: "attacker: two names colliding after truncation (the second IF NOT EXISTS is skipped)",
      code: `CREATE INDEX IF NOT EXISTS ${n("idx_", 63)}_a ON t (a);\nCREATE INDEX IF NOT EXISTS ${n("idx_", 63)}_b ON t (b);`,
      errors: [{ line: 1 }, { line: 2 }],
    },
    {
      name: "attacker: inside a DO block and a CREATE SCHEMA",
      code: `DO $$ BEGIN CREATE TABLE ${n("d_", 64)} (c int); END $$;\nCREATE SCHEMA s CREATE TABLE ${n("e_", 64)} (c int);`,
      errors: [{ line: 1 }, { line: 2 }],
    },
    {
      name: "an unquoted name in upper case is folded before it is measured",
      code: `CREATE TABLE ${n("T_", 64).toUpperCase()} (c int);`,
      errors: [{ line: 1 }],
    },
  ],
});
