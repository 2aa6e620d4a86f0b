import { ruleTester } from "../../../helpers/rule-tester.js";

const on = { style: "warning" } as const;

ruleTester("prefer-text", {
  valid: [
    { name: "off by default (style)", code: "CREATE TABLE t (name varchar(100));" },
    { rules: on, code: "CREATE TABLE t (name text CHECK (char_length(name) <= 100));" },
    { rules: on, name: "varchar without a length is text", code: "CREATE TABLE t (name varchar);" },
    { rules: on, code: "CREATE TABLE t (code char(2));" },
  ],
  invalid: [
    {
      rules: on,
      code: "CREATE TABLE t (\n  id bigint,\n  email varchar(255) NOT NULL\n);",
      errors: [{ line: 3, message: /column email of t is varchar\(255\)/ }],
    },
    {
      rules: on,
      name: "attacker: CHARACTER VARYING, ALTER COLUMN TYPE, a domain, an array, schema-qualified",
      code: [
        "ALTER TABLE s.t ALTER COLUMN c TYPE CHARACTER VARYING(50);",
        "CREATE DOMAIN email AS pg_catalog.varchar(320);",
        'ALTER TABLE t ADD COLUMN tags "varchar"(20)[];',
      ].join("\n"),
      errors: [
        { line: 1, message: /column c of s.t is varchar\(50\)/ },
        { line: 2, message: /domain email is varchar\(320\)/ },
        { line: 3 },
      ],
    },
  ],
});
