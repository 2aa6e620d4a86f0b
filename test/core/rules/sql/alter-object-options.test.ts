import { ruleTester } from "../../../helpers/rule-tester.js";

const on = { "alter-object-options": "notice" } as const;

ruleTester("alter-object-options", {
  valid: [
    { name: "off by default", code: "ALTER FUNCTION f() SECURITY DEFINER;" },
    {
      name: "renames, owners, schemas and view columns are other rules' matter",
      rules: on,
      code: [
        "ALTER FUNCTION f() RENAME TO g;",
        "ALTER FUNCTION g() OWNER TO app;",
        "ALTER VIEW v RENAME TO w;",
        "ALTER VIEW w ALTER COLUMN a SET DEFAULT 1;",
        "ALTER FUNCTION g() DEPENDS ON EXTENSION e;",
        "ALTER TABLE t SET (fillfactor = 70);",
        "SET work_mem = '64MB';",
      ].join("\n"),
    },
    {
      name: "a routine and a view a plain CREATE made earlier in the change",
      rules: on,
      files: {
        "2_a.up.sql":
          "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\nCREATE VIEW v AS SELECT 1;",
        "3_b.up.sql":
          "ALTER FUNCTION f() SECURITY DEFINER SET search_path = pg_catalog;\nALTER VIEW v SET (security_barrier);",
      },
    },
    {
      name: "a down file restores the options",
      rules: on,
      files: { "2_change.down.sql": "ALTER FUNCTION f() SECURITY INVOKER;" },
    },
  ],
  invalid: [
    {
      name: "each kind of object",
      rules: on,
      code: [
        "ALTER FUNCTION f(int) SECURITY DEFINER SET search_path = app, pg_temp;",
        "ALTER VIEW v SET (security_invoker = true);",
        "ALTER DATABASE app SET statement_timeout = '5s';",
        "ALTER EXTENSION postgis UPDATE TO '3.4.0';",
      ].join("\n"),
      errors: [
        {
          line: 1,
          message:
            /ALTER FUNCTION f SECURITY DEFINER, SET search_path changes .*owner's privileges/,
        },
        { line: 2, message: /ALTER VIEW v SET \(security_invoker\) .*which rows callers see/ },
        { line: 3, message: /ALTER DATABASE app SET statement_timeout .*every new session/ },
        { line: 4, message: /ALTER EXTENSION postgis UPDATE TO 3\.4\.0/ },
      ],
    },
    {
      name: "ALTER SYSTEM (alone in its file: it cannot run in a transaction)",
      rules: on,
      multiStatement: true,
      code: "ALTER SYSTEM SET max_connections = 500;",
      errors: [{ line: 1, message: /ALTER SYSTEM SET max_connections .*postgresql\.auto\.conf/ }],
    },
    {
      name: "attacker: comments, case, quoted and qualified names, procedures, RESET ALL, a DO block",
      rules: on,
      code: [
        'alter /* x */ procedure "App"."P"() -- y',
        "  reset all;",
        "ALTER ROUTINE s.r() STABLE;",
        'ALTER DATABASE "App" WITH CONNECTION LIMIT 0;',
        "ALTER EXTENSION e DROP FUNCTION g();",
        "DO $$",
        "BEGIN",
        "  ALTER FUNCTION s.f() VOLATILE;",
        "END",
        "$$;",
      ].join("\n"),
      errors: [
        { line: 1, endLine: 2, message: /ALTER PROCEDURE App\.P RESET ALL .*SET\/RESET/ },
        { line: 3, message: /ALTER ROUTINE s\.r STABLE .*planner/ },
        { line: 4, message: /CONNECTION LIMIT/ },
        { line: 5, message: /DROP FUNCTION/ },
        { line: 8 },
      ],
    },
    {
      name: "an OR REPLACE function earlier in the change may be an existing one",
      rules: on,
      files: {
        "2_a.up.sql": "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        "3_b.up.sql": "ALTER FUNCTION f() SECURITY DEFINER;",
      },
      errors: [{ line: 1, file: "3_b.up.sql" }],
    },
  ],
});
