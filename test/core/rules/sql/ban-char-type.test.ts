import { ruleTester } from "../../../helpers/rule-tester.js";

const on = { style: "warning" } as const;

ruleTester("ban-char-type", {
  valid: [
    { name: "off by default (style)", code: "CREATE TABLE t (code char(2));" },
    { rules: on, code: "CREATE TABLE t (code text CHECK (char_length(code) = 2));" },
    {
      rules: on,
      name: 'the internal one-byte "char" type is not char(n)',
      code: 'CREATE TABLE t (kind "char");',
    },
  ],
  invalid: [
    {
      rules: on,
      code: "CREATE TABLE t (\n  country char(2)\n);",
      errors: [{ line: 2, message: /country of t is char\(2\).*to 2 characters/ }],
    },
    {
      rules: on,
      name: "attacker: CHARACTER, bare char (= char(1)), bpchar, ALTER TYPE, domain",
      code: [
        "CREATE TABLE t (a CHARACTER(10), b char, c bpchar);",
        "ALTER TABLE t ALTER COLUMN d TYPE character(3);",
        "CREATE DOMAIN iso AS char(3);",
      ].join("\n"),
      errors: [{ line: 1 }, { line: 1 }, { line: 1 }, { line: 2 }, { line: 3 }],
    },
  ],
});
