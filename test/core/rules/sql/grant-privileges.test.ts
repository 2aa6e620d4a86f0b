import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("grant-privileges", {
  valid: [
    { code: "REVOKE ALL ON t FROM PUBLIC;" },
    { code: "CREATE ROLE reader;" },
    { code: "REVOKE SELECT ON db.t FROM 'u'@'%';", dialect: "mysql" },
  ],
  invalid: [
    {
      code: "GRANT SELECT, INSERT ON orders TO app;",
      errors: [{ line: 1, message: /SELECT, INSERT privileges to app/ }],
    },
    {
      code: "GRANT SELECT ON ALL TABLES IN SCHEMA public TO PUBLIC;",
      errors: [{ line: 1, message: /PUBLIC means every role/ }],
    },
    {
      code: "GRANT admin TO alice WITH ADMIN OPTION;",
      errors: [{ line: 1, severity: "warning", message: /membership in admin/ }],
    },
    {
      code: "GRANT ALL PRIVILEGES ON app.* TO 'svc'@'%' WITH GRANT OPTION;",
      dialect: "mysql",
      errors: [{ line: 1, severity: "warning" }],
    },
    {
      code: "GRANT SELECT ON app.orders TO 'reporting'@'10.%';",
      dialect: "mysql",
      errors: [{ line: 1 }],
    },
    { code: "GRANT SELECT ON TABLE t TO reader;", dialect: "cockroachdb", errors: [{ line: 1 }] },
    {
      code: "GRANT ON CLUSTER main SELECT(x, y) ON db.t TO reader WITH GRANT OPTION;",
      dialect: "clickhouse",
      errors: [{ line: 1, severity: "warning", message: /to reader, WITH GRANT/ }],
    },
  ],
});
