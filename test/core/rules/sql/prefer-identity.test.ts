import { ruleTester } from "../../../helpers/rule-tester.js";

const on = { style: "warning" } as const;

ruleTester("prefer-identity", {
  valid: [
    { name: "off by default (style)", code: "CREATE TABLE t (id bigserial PRIMARY KEY);" },
    { rules: on, code: "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);" },
    {
      rules: on,
      name: "before Postgres 10 there are no identity columns",
      databaseVersion: "9.6",
      code: "CREATE TABLE t (id bigserial PRIMARY KEY);",
    },
    {
      rules: on,
      name: "a user type called serial in a schema",
      code: "CREATE TABLE t (id app.serial);",
    },
  ],
  invalid: [
    {
      rules: on,
      code: "CREATE TABLE t (\n  id bigserial PRIMARY KEY\n);",
      errors: [{ line: 2, message: /bigserial: a shorthand for bigint/ }],
    },
    {
      rules: on,
      name: "attacker: quoted, upper case, ADD COLUMN after a comment, several columns",
      code: 'ALTER TABLE "Orders" ADD COLUMN /* x */ n "serial",\n  ADD COLUMN m SMALLSERIAL;',
      errors: [
        { line: 1, message: /column n of Orders is serial/ },
        { line: 2, message: /smallserial.*smallint/ },
      ],
    },
  ],
});
