import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("drop-other-object", {
  valid: [
    { code: "DROP TABLE IF EXISTS users_old;\nDROP INDEX CONCURRENTLY users_email_idx;" },
    {
      name: "objects created earlier in the file",
      code: [
        "CREATE VIEW active_users AS SELECT * FROM users WHERE active;",
        "CREATE SEQUENCE order_no;",
        "CREATE TYPE mood AS ENUM ('happy');",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        "DROP VIEW active_users;",
        "DROP SEQUENCE order_no;",
        "DROP TYPE mood;",
        "DROP FUNCTION f();",
      ].join("\n"),
    },
    {
      name: "a trigger and a policy of a table created in the change",
      files: {
        "2_a.up.sql":
          "CREATE TABLE t (id int);\nCREATE POLICY p ON t USING (true);\nCREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();",
        "3_b.up.sql": "DROP POLICY p ON t;\nDROP TRIGGER trg ON t;",
      },
    },
    {
      name: "a down file removing what its up created",
      files: {
        "2_a.up.sql": "CREATE MATERIALIZED VIEW stats AS SELECT count(*) FROM users;",
        "2_a.down.sql": "DROP MATERIALIZED VIEW stats;",
      },
    },
  ],
  invalid: [
    {
      code: "DROP VIEW active_users;",
      errors: [{ line: 1, message: /DROP VIEW active_users: queries of the view fail/ }],
    },
    {
      name: "attacker: IF EXISTS, quoting, comments, CASCADE, several names",
      code: 'DROP /* x */ VIEW IF EXISTS "Reports"."Daily", weekly CASCADE;',
      errors: [{ line: 1, message: /DROP VIEW Reports\.Daily, weekly/ }],
    },
    {
      name: "attacker: in a DO block",
      code: "DO $$ BEGIN DROP FUNCTION IF EXISTS audit_row() ; END $$;",
      errors: [{ line: 1, message: /calls of the function/ }],
    },
    {
      name: "each kind",
      code: [
        "DROP MATERIALIZED VIEW stats;",
        "DROP SEQUENCE order_no;",
        "DROP TYPE mood;",
        "DROP DOMAIN email;",
        "DROP PROCEDURE archive(int);",
        "DROP TRIGGER audit ON users;",
        "DROP EXTENSION pgcrypto;",
        "DROP POLICY tenant_isolation ON users;",
        "DROP RULE no_delete ON users;",
        "DROP AGGREGATE array_accum(anyelement);",
      ].join("\n"),
      errors: [
        { line: 1 },
        { line: 2, message: /nextval/ },
        { line: 3 },
        { line: 4, message: /DROP DOMAIN email/ },
        { line: 5, message: /CALLs/ },
        { line: 6, message: /audit on users: what the trigger did/ },
        { line: 7, message: /extension provides/ },
        { line: 8, message: /tenant_isolation on users/ },
        { line: 9 },
        { line: 10 },
      ],
    },
    {
      name: "dropped and created again later in the file: a notice",
      code: "DROP VIEW active_users;\nCREATE VIEW active_users AS SELECT id FROM users WHERE active;\nDROP FUNCTION f(int);\nCREATE FUNCTION f(bigint) RETURNS int LANGUAGE sql AS 'SELECT 1';",
      errors: [
        { line: 1, severity: "notice", message: /same name on line 2/ },
        { line: 3, severity: "notice", message: /same name on line 4/ },
      ],
    },
    {
      name: "attacker: the view the file created is dropped, then the existing one of another schema",
      code: "CREATE VIEW app.v AS SELECT 1;\nDROP VIEW app.v;\nDROP VIEW reports.v;",
      errors: [{ line: 3 }],
    },
  ],
});
