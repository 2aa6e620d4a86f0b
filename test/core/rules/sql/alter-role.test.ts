import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("alter-role", {
  valid: [
    {
      name: "a role the change created",
      code: "CREATE ROLE reporting NOLOGIN;\nALTER ROLE reporting SET statement_timeout = '5s';\nALTER ROLE reporting WITH LOGIN;",
    },
    {
      name: "MySQL: a user the change created (quoting differs)",
      dialect: "mysql",
      code: "CREATE USER 'reporting'@'%' IDENTIFIED WITH caching_sha2_password;\nALTER USER `reporting`@`%` ACCOUNT LOCK;",
    },
    { name: "ALTER of other objects", code: "ALTER TABLE users ADD COLUMN a int;" },
  ],
  invalid: [
    {
      code: "ALTER ROLE app WITH SUPERUSER;",
      errors: [
        {
          line: 1,
          message:
            /ALTER of role app \(SUPERUSER\) in an application migration: grants a privilege/,
        },
      ],
    },
    {
      name: "attacker: comments, quoting, several options, ALTER USER spelling",
      code: "ALTER /* x */ USER \"App\"\n  CONNECTION LIMIT 0 VALID UNTIL '2020-01-01' NOLOGIN;",
      errors: [
        {
          line: 1,
          endLine: 2,
          message:
            /role App \(CONNECTION LIMIT, VALID UNTIL, NOLOGIN\).*can lock the application out/,
        },
      ],
    },
    {
      name: "SET and RESET, ALL roles, IN DATABASE",
      code: "ALTER ROLE app SET search_path = evil, public;\nALTER ROLE ALL IN DATABASE app RESET ALL;",
      errors: [
        { line: 1, message: /\(SET search_path\).*every new session/ },
        { line: 2, message: /every role \(RESET ALL\)/ },
      ],
    },
    {
      name: "attacker: in a DO block",
      code: "DO $$ BEGIN ALTER ROLE app BYPASSRLS; END $$;",
      errors: [{ line: 1, message: /BYPASSRLS/ }],
    },
    {
      name: "attacker: a role created with another name does not cover this one",
      code: "CREATE ROLE app2;\nALTER ROLE app CREATEROLE;",
      errors: [{ line: 2, message: /role app \(CREATEROLE\)/ }],
    },
    {
      name: "MySQL ALTER USER",
      dialect: "mysql",
      code: "ALTER USER IF EXISTS 'app'@'10.%' REQUIRE SSL WITH MAX_USER_CONNECTIONS 1 ACCOUNT LOCK;",
      errors: [
        { line: 1, message: /role app@10\.% \(REQUIRE, WITH, ACCOUNT\).*lock the application out/ },
      ],
    },
    {
      name: "MySQL: several accounts, one created by the change",
      dialect: "mysql",
      code: "CREATE USER 'a';\nALTER USER 'a' ACCOUNT LOCK, 'b'@'localhost' ACCOUNT LOCK;",
      errors: [{ line: 2, message: /role b@localhost \(ACCOUNT\)/ }],
    },
  ],
});
