import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("set-role-or-owner", {
  valid: [
    {
      name: "back to the session's own role",
      code: "RESET ROLE;\nSET ROLE NONE;\nSET SESSION AUTHORIZATION DEFAULT;\nRESET SESSION AUTHORIZATION;",
    },
    {
      name: "OWNER TO the migration's own role",
      code: "ALTER TABLE t OWNER TO CURRENT_USER;\nALTER FUNCTION f() OWNER TO SESSION_USER;\nALTER SCHEMA s OWNER TO CURRENT_ROLE;",
    },
    { name: "other settings", code: "SET search_path = app;\nSET lock_timeout = '1s';" },
    { name: "a grant instead of ownership", code: "GRANT SELECT ON t TO reporting;" },
    {
      name: "a routine's SET clause of other settings, or of role back to the default",
      code: [
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET search_path = app AS 'SELECT 1';",
        "ALTER FUNCTION f() SET role TO DEFAULT;",
        "ALTER FUNCTION f() RESET role;",
        "ALTER FUNCTION f() SET role FROM CURRENT;",
        "CREATE PROCEDURE p() LANGUAGE sql SET role = none AS 'SELECT 1';",
      ].join("\n"),
    },
  ],
  invalid: [
    {
      code: "SET ROLE app_owner;\nCREATE TABLE t (id bigint);",
      errors: [
        {
          line: 1,
          message: /SET ROLE app_owner switches.*schema_migrations run as app_owner.*must be owner/,
        },
      ],
    },
    {
      name: "attacker: SET LOCAL, quoted, session authorization, set_config, comments, case",
      code: [
        "set local role 'Admin';",
        "SET /* x */ SESSION AUTHORIZATION bob;",
        "SELECT set_config('role', 'carol', false);",
      ].join("\n"),
      errors: [
        {
          line: 1,
          message: /SET ROLE Admin \(LOCAL\) switches to Admin until this transaction ends/,
        },
        { line: 2, message: /SET SESSION AUTHORIZATION bob/ },
        { line: 3, message: /SET ROLE carol/ },
      ],
    },
    {
      name: "OWNER TO of tables, sequences, views, functions, schemas, types; REASSIGN OWNED",
      code: [
        'ALTER TABLE s."T" OWNER TO admin;',
        "ALTER SEQUENCE q OWNER TO admin;",
        "ALTER VIEW v OWNER TO admin;",
        "ALTER FUNCTION f(int) OWNER TO admin;",
        "ALTER SCHEMA app OWNER TO admin;",
        "ALTER TYPE mood OWNER TO admin;",
        "REASSIGN OWNED BY app TO admin;",
      ].join("\n"),
      errors: [
        {
          line: 1,
          message: /ALTER TABLE s.T OWNER TO admin hands the table to admin.*must be owner/,
        },
        { line: 2, message: /ALTER SEQUENCE q OWNER TO admin/ },
        { line: 3, message: /ALTER VIEW v OWNER TO admin/ },
        { line: 4, message: /ALTER FUNCTION f OWNER TO admin/ },
        { line: 5, message: /ALTER SCHEMA app OWNER TO admin/ },
        { line: 6, message: /ALTER TYPE mood OWNER TO admin/ },
        { line: 7, message: /REASSIGN OWNED hands every object/ },
      ],
    },
    {
      name: "a table created in the change is handed over too: later migrations still cannot change it",
      code: "CREATE TABLE t (id bigint);\nALTER TABLE t ADD COLUMN n int, OWNER TO admin;",
      errors: [{ line: 2 }],
    },
    {
      name: "attacker: inside a DO block",
      code: "DO $$\nBEGIN\n  SET ROLE admin;\n  ALTER TABLE t OWNER TO admin;\nEND\n$$;",
      errors: [{ line: 3 }, { line: 4 }],
    },
    {
      name: "a routine's SET role clause: every call runs as that role",
      code: [
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET role = admin AS 'SELECT 1';",
        "ALTER FUNCTION g(int) SET ROLE TO 'Owner';",
      ].join("\n"),
      errors: [
        {
          line: 1,
          message: /CREATE FUNCTION f \.\.\. SET role = admin: every call of f runs as admin/,
        },
        { line: 2, message: /ALTER FUNCTION g SET role = Owner: every call of g runs as Owner/ },
      ],
    },
    {
      name: "attacker: comments, case, a procedure, OR REPLACE, session_authorization, a DO block",
      code: [
        "create or replace procedure s.p() language sql",
        "  /* x */ set -- y",
        "  Role = carol as 'SELECT 1';",
        "ALTER ROUTINE r() SET session_authorization = dave;",
        "DO $$",
        "BEGIN",
        "  ALTER FUNCTION h() SET role = erin;",
        "END",
        "$$;",
      ].join("\n"),
      errors: [
        { line: 1, endLine: 3, message: /CREATE PROCEDURE s\.p \.\.\. SET role = carol/ },
        { line: 4, message: /ALTER ROUTINE r SET session_authorization = dave/ },
        { line: 7 },
      ],
    },
  ],
});
