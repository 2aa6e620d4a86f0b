import { ruleTester } from "../../../helpers/rule-tester.js";

const F_INT_IMMUTABLE = "CREATE FUNCTION f(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1';";
const F_TEXT_VOLATILE = "CREATE FUNCTION f(text) RETURNS int LANGUAGE sql VOLATILE AS 'SELECT 1';";

ruleTester("add-column-rewriting-default", {
  valid: [
    { code: "ALTER TABLE t ADD COLUMN c boolean NOT NULL DEFAULT true;" },
    { code: "ALTER TABLE t ADD COLUMN c timestamptz DEFAULT now();" },
    {
      name: "issue 14: argument types select the immutable overload of ts_rewrite (the other one is volatile)",
      code: "ALTER TABLE t ADD COLUMN q tsquery DEFAULT ts_rewrite('a'::tsquery, 'a'::tsquery, 'b'::tsquery);",
    },
    {
      name: "three untyped arguments fit only the immutable overload",
      code: "ALTER TABLE t ADD COLUMN q tsquery DEFAULT ts_rewrite('a', 'a', 'b');",
    },
    { code: "ALTER TABLE t ADD COLUMN c timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP;" },
    { code: "ALTER TABLE t ADD COLUMN c jsonb NOT NULL DEFAULT '{}'::jsonb;" },
    { code: "ALTER TABLE t ADD COLUMN c text[] DEFAULT ARRAY[]::text[];" },
    { code: "ALTER TABLE t ADD COLUMN c int DEFAULT 1 + 2 * 3;" },
    { code: "ALTER TABLE t ADD COLUMN c text DEFAULT lower('ABC');" },
    { code: "ALTER TABLE t ADD COLUMN c int DEFAULT NULL;", databaseVersion: "10" },
    { code: "ALTER TABLE t ALTER COLUMN c SET DEFAULT gen_random_uuid();" },
    {
      code: "CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN u uuid DEFAULT gen_random_uuid();",
    },
    {
      name: "issue 14: DEFAULT f(1) picks the IMMUTABLE f(int) over the VOLATILE f(text), both declared in the change",
      code: `${F_INT_IMMUTABLE}\n${F_TEXT_VOLATILE}\nALTER TABLE t ADD COLUMN c int DEFAULT f(1);`,
    },
    {
      name: "a STABLE function of the merged history is evaluated once",
      merged: {
        "1_init.up.sql":
          "CREATE TABLE t (id int);\nCREATE FUNCTION public.tenant() RETURNS text LANGUAGE sql STABLE AS 'SELECT current_user';",
      },
      code: "ALTER TABLE t ADD COLUMN owner text DEFAULT tenant();",
    },
    {
      name: "a typed argument picks its declared overload",
      code: `${F_INT_IMMUTABLE}\nCREATE FUNCTION f(bigint) RETURNS int LANGUAGE sql VOLATILE AS 'SELECT 1';\nALTER TABLE t ADD COLUMN c int DEFAULT f(1::integer);`,
    },
    { code: "ALTER TABLE t ADD COLUMN c INT NOT NULL DEFAULT 0;", dialect: "mysql" },
    { code: "ALTER TABLE t ADD COLUMN c TIMESTAMP DEFAULT CURRENT_TIMESTAMP;", dialect: "mysql" },
  ],
  invalid: [
    {
      name: "issue 14: DEFAULT f('a') may pick the VOLATILE f(text): per row",
      code: `${F_INT_IMMUTABLE}\n${F_TEXT_VOLATILE}\nALTER TABLE t ADD COLUMN c int DEFAULT f('a');`,
      errors: [{ line: 3, message: /f\(\) is evaluated for every row/ }],
    },
    {
      name: "attacker: a later CREATE OR REPLACE makes the merged IMMUTABLE function VOLATILE",
      merged: { "1_init.up.sql": `CREATE TABLE t (id int);\n${F_INT_IMMUTABLE}` },
      code: "CREATE OR REPLACE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT $1';\nALTER TABLE t ADD COLUMN c int DEFAULT f(1);",
      errors: [{ line: 2 }],
    },
    {
      name: "attacker: ALTER FUNCTION … VOLATILE in the merged history",
      merged: {
        "1_init.up.sql": `CREATE TABLE t (id int);\n${F_INT_IMMUTABLE}\nALTER FUNCTION f(int) VOLATILE;`,
      },
      code: "ALTER TABLE t ADD COLUMN c int DEFAULT f(1);",
      errors: [{ line: 1 }],
    },
    {
      name: "attacker: code the model cannot read may have replaced the function",
      merged: {
        "1_init.up.sql": `CREATE TABLE t (id int);\n${F_INT_IMMUTABLE}\nDO $$ BEGIN EXECUTE format('CREATE OR REPLACE FUNCTION %s(int) RETURNS int LANGUAGE sql AS ''SELECT 1''', 'f'); END $$;`,
      },
      code: "ALTER TABLE t ADD COLUMN c int DEFAULT f(1);",
      errors: [{ line: 1 }],
    },
    {
      name: "attacker: an IMMUTABLE function of the change beside a volatile built-in is still per row",
      code: `${F_INT_IMMUTABLE}\nALTER TABLE t ADD COLUMN c float8 DEFAULT f(1) + random();`,
      errors: [{ line: 2, message: /random\(\)/ }],
    },
    {
      name: "attacker: public.random() declared IMMUTABLE in the merged history stays volatile",
      merged: {
        "1_init.up.sql":
          "CREATE TABLE t (id int);\nCREATE FUNCTION public.random() RETURNS double precision LANGUAGE sql IMMUTABLE AS 'SELECT 0.5';",
      },
      code: "ALTER TABLE t ADD COLUMN c float8 DEFAULT public.random();",
      errors: [{ line: 1 }],
    },
    {
      name: "attacker: a user function named like a volatile built-in stays volatile",
      code: "CREATE FUNCTION random() RETURNS double precision LANGUAGE sql IMMUTABLE AS 'SELECT 0.5';\nALTER TABLE t ADD COLUMN c float8 DEFAULT random();",
      errors: [{ line: 2 }],
    },
    {
      name: "a function declared without a volatility is VOLATILE",
      code: "CREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'SELECT 1';\nALTER TABLE t ADD COLUMN c int DEFAULT g();",
      errors: [{ line: 2 }],
    },
    {
      name: "issue 14: the two-argument ts_rewrite runs a query: volatile",
      code: "ALTER TABLE t ADD COLUMN q tsquery DEFAULT ts_rewrite('a'::tsquery, 'SELECT t, s FROM aliases'::text);",
      errors: [{ line: 1, message: /ts_rewrite\(\) is evaluated for every row/ }],
    },
    {
      name: "attacker: schema-qualified and with untyped literals, still the volatile overload",
      code: "ALTER TABLE t ADD COLUMN q tsquery DEFAULT pg_catalog.ts_rewrite('a', 'SELECT 1');",
      errors: [{ line: 1 }],
    },
    {
      name: "attacker: argument types that fit no overload fall back to the most volatile one",
      code: "ALTER TABLE t ADD COLUMN q tsquery DEFAULT ts_rewrite(1, 2, 3);",
      errors: [{ line: 1 }],
    },
    {
      code: "ALTER TABLE users ADD COLUMN uid uuid NOT NULL DEFAULT gen_random_uuid();",
      errors: [{ line: 1, message: /volatile default gen_random_uuid\(\)/ }],
    },
    { code: "ALTER TABLE t ADD COLUMN r float8 DEFAULT random();", errors: [{ line: 1 }] },
    {
      code: "ALTER TABLE t ADD COLUMN ts timestamptz DEFAULT clock_timestamp();",
      errors: [{ line: 1 }],
    },
    {
      name: "unknown (user-defined) functions count as volatile",
      code: "ALTER TABLE t ADD COLUMN c text DEFAULT my_schema.make_code();",
      errors: [{ line: 1, message: /make_code\(\)/ }],
    },
    { code: "ALTER TABLE t ADD COLUMN id bigserial;", errors: [{ line: 1, message: /serial/ }] },
    {
      code: "ALTER TABLE t ADD COLUMN id int GENERATED BY DEFAULT AS IDENTITY;",
      errors: [{ line: 1 }],
    },
    {
      code: "ALTER TABLE t ADD COLUMN g int GENERATED ALWAYS AS (a * 2) STORED;",
      errors: [{ line: 1 }],
    },
    {
      name: "any default rewrites before Postgres 11",
      databaseVersion: "10.5",
      code: "ALTER TABLE t ADD COLUMN c boolean NOT NULL DEFAULT false;",
      errors: [{ line: 1, message: /before Postgres 11/ }],
    },
    {
      code: "ALTER TABLE t\n  ADD COLUMN a int,\n  ADD COLUMN u char(36) DEFAULT (uuid());",
      dialect: "mysql",
      errors: [{ line: 3, message: /expression default \(uuid\(\)\)/ }],
    },
  ],
});
