import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("grant-with-grant-or-admin-option", {
  valid: [
    { code: "GRANT SELECT ON orders TO app;" },
    { code: "GRANT admin TO alice;" },
    {
      name: "REVOKE GRANT OPTION FOR takes the option away",
      code: "REVOKE GRANT OPTION FOR SELECT ON orders FROM app;",
    },
    { name: "PG 16: WITH ADMIN FALSE", code: "GRANT admin TO alice WITH ADMIN FALSE;" },
    {
      name: "PG 16: WITH INHERIT TRUE is not admin",
      code: "GRANT admin TO alice WITH INHERIT TRUE;",
    },
    { dialect: "mysql", code: "GRANT SELECT ON app.* TO 'svc'@'%';" },
    {
      name: "MySQL: REVOKE of a role",
      dialect: "mysql",
      code: "REVOKE 'admin' FROM 'svc'@'%';",
    },
  ],
  invalid: [
    {
      name: "ALTER DEFAULT PRIVILEGES … WITH GRANT OPTION",
      code: "ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT ALL ON SEQUENCES TO svc WITH GRANT OPTION;",
      errors: [
        {
          line: 1,
          message:
            /^ALTER DEFAULT PRIVILEGES gives ALL privileges on sequences created later WITH GRANT OPTION to svc: /,
        },
      ],
    },
    {
      code: "GRANT SELECT, INSERT ON orders TO app WITH GRANT OPTION;",
      errors: [
        { line: 1, message: /SELECT, INSERT privileges WITH GRANT OPTION to app: they can grant/ },
      ],
    },
    {
      code: "GRANT admin TO alice WITH ADMIN OPTION;",
      errors: [{ line: 1, message: /membership in admin WITH ADMIN OPTION to alice/ }],
    },
    {
      name: "PG 16 spelling",
      code: "GRANT admin TO alice WITH ADMIN TRUE;",
      errors: [{ line: 1 }],
    },
    {
      name: "lower case, comments and line breaks",
      code: "grant all on all tables in schema public\n  to app with /* c */ grant\n  option;",
      errors: [{ line: 1, endLine: 3 }],
    },
    {
      name: "inside a DO block",
      code: "DO $$ BEGIN\n  GRANT SELECT ON orders TO app WITH GRANT OPTION;\nEND $$;",
      errors: [{ line: 2 }],
    },
    {
      dialect: "mysql",
      code: "GRANT ALL PRIVILEGES ON app.* TO 'svc'@'%' WITH GRANT OPTION;",
      errors: [{ line: 1, message: /gives ALL PRIVILEGES WITH GRANT OPTION to 'svc'@'%'/ }],
    },
    {
      dialect: "mysql",
      name: "MySQL role with ADMIN OPTION",
      code: "GRANT 'admin' TO 'svc'@'%' WITH ADMIN OPTION;",
      errors: [{ line: 1, message: /WITH ADMIN OPTION/ }],
    },
    {
      dialect: "cockroachdb",
      code: "GRANT SELECT ON TABLE t TO reader WITH GRANT OPTION;",
      errors: [{ line: 1 }],
    },
    {
      dialect: "clickhouse",
      code: "GRANT ON CLUSTER main SELECT(x, y) ON db.t TO reader WITH GRANT OPTION;",
      errors: [{ line: 1, message: /to reader/ }],
    },
  ],
});
