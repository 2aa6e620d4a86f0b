import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("plaintext-password", {
  valid: [
    { code: "CREATE ROLE app LOGIN;" },
    { code: "ALTER ROLE app PASSWORD NULL;" },
    { code: "CREATE USER 'svc'@'%' IDENTIFIED WITH auth_socket;", dialect: "mysql" },
    {
      code: "CREATE USER carol IDENTIFIED WITH ssl_certificate CN 'carol';",
      dialect: "clickhouse",
    },
  ],
  invalid: [
    {
      code: "CREATE ROLE app\n  LOGIN\n  PASSWORD 's3cret';",
      errors: [{ line: 3, message: /plaintext password/ }],
    },
    {
      code: "ALTER USER app WITH ENCRYPTED PASSWORD 'md5d41d8cd98f00b204e9800998ecf8427e';",
      errors: [{ line: 1, severity: "warning", message: /hash/ }],
    },
    {
      code: "CREATE USER MAPPING FOR app SERVER remote OPTIONS (user 'app', password 'hunter2');",
      errors: [{ line: 1 }],
    },
    {
      code: "CREATE USER 'svc'@'%' IDENTIFIED BY 'hunter2';",
      dialect: "mysql",
      errors: [{ line: 1 }],
    },
    {
      code: "ALTER USER 'svc'@'%' IDENTIFIED BY 'new-pass';",
      dialect: "mysql",
      errors: [{ line: 1 }],
    },
    { code: "SET PASSWORD FOR 'svc'@'%' = 'x';", dialect: "mysql", errors: [{ line: 1 }] },
    {
      code: "CREATE USER 'svc'@'%' IDENTIFIED WITH mysql_native_password AS '*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19';",
      dialect: "mysql",
      errors: [{ line: 1, severity: "warning" }],
    },
    { code: "CREATE USER app WITH PASSWORD 'x';", dialect: "cockroachdb", errors: [{ line: 1 }] },
    {
      code: "CREATE USER bob IDENTIFIED WITH sha256_password BY 'hunter2';",
      dialect: "clickhouse",
      errors: [{ line: 1, severity: "error" }],
    },
    {
      code: "ALTER USER al IDENTIFIED WITH sha256_hash BY '65e84be3';",
      dialect: "clickhouse",
      errors: [{ line: 1, severity: "warning", message: /hash/ }],
    },
  ],
});
