import { ruleTester } from "../../../helpers/rule-tester.js";

const on = { style: "warning" } as const;

ruleTester("prefer-timestamptz", {
  valid: [
    { name: "off by default (style)", code: "CREATE TABLE t (at timestamp);" },
    { rules: on, code: "CREATE TABLE t (a timestamptz, b timestamp with time zone, c date);" },
  ],
  invalid: [
    {
      rules: on,
      code: "CREATE TABLE t (\n  created_at timestamp NOT NULL DEFAULT now()\n);",
      errors: [{ line: 2, message: /created_at of t is timestamp \(without time zone\)/ }],
    },
    {
      rules: on,
      name: "attacker: spelled out, with precision, ALTER TYPE, upper case, multi-statement file",
      code: "SELECT 1; ALTER TABLE t ALTER COLUMN a TYPE TIMESTAMP(3) WITHOUT TIME ZONE;\nALTER TABLE t ADD b pg_catalog.timestamp;",
      errors: [{ line: 1 }, { line: 2 }],
    },
  ],
});
