import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("grant-privileges", {
  valid: [
    { code: "REVOKE ALL ON t FROM PUBLIC;" },
    {
      name: "WITH GRANT/ADMIN OPTION is grant-with-grant-or-admin-option's finding (one per statement)",
      code: "GRANT admin TO alice WITH ADMIN OPTION;\nGRANT SELECT ON t TO bob WITH GRANT OPTION;",
    },
    {
      name: "MySQL WITH GRANT OPTION moves too",
      dialect: "mysql",
      code: "GRANT ALL PRIVILEGES ON app.* TO 'svc'@'%' WITH GRANT OPTION;",
    },
    {
      name: "ClickHouse WITH GRANT OPTION moves too",
      dialect: "clickhouse",
      code: "GRANT ON CLUSTER main SELECT(x, y) ON db.t TO reader WITH GRANT OPTION;",
    },
    {
      name: "GRANT … TO PUBLIC alone is grant-to-public's finding (one per risk)",
      code: "GRANT SELECT ON ALL TABLES IN SCHEMA public TO PUBLIC;",
    },
    { code: "CREATE ROLE reader;" },
    { code: "REVOKE SELECT ON db.t FROM 'u'@'%';", dialect: "mysql" },
  ],
  invalid: [
    {
      name: "ALTER DEFAULT PRIVILEGES grants to roles: objects created later",
      code: "ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO app, reporting;",
      errors: [
        {
          line: 1,
          message:
            /^ALTER DEFAULT PRIVILEGES gives EXECUTE privileges on functions created later to app, reporting: check this access is intended\.$/,
        },
      ],
    },
    {
      code: "GRANT SELECT, INSERT ON orders TO app;",
      errors: [{ line: 1, message: /SELECT, INSERT privileges to app/ }],
    },
    {
      name: "PUBLIC next to a named grantee: only the named one here (PUBLIC is grant-to-public's)",
      code: "GRANT SELECT ON orders TO app, PUBLIC;",
      errors: [{ line: 1, message: /SELECT privileges to app: check/ }],
    },
    {
      name: "a role whose name merely contains public is a named grantee",
      code: 'GRANT SELECT ON orders TO "publicity";',
      errors: [{ line: 1, message: /to publicity: check/ }],
    },
    {
      code: "GRANT SELECT ON app.orders TO 'reporting'@'10.%';",
      dialect: "mysql",
      errors: [{ line: 1 }],
    },
    { code: "GRANT SELECT ON TABLE t TO reader;", dialect: "cockroachdb", errors: [{ line: 1 }] },
    {
      code: "GRANT admin TO alice;",
      errors: [{ line: 1, severity: "notice", message: /membership in admin to alice/ }],
    },
    {
      code: "GRANT ON CLUSTER main SELECT(x, y) ON db.t TO reader;",
      dialect: "clickhouse",
      errors: [{ line: 1, severity: "notice", message: /to reader: check/ }],
    },
  ],
});
