import { ruleTester } from "../../../helpers/rule-tester.js";

const on = { "require-schema-qualified": "notice" } as const;

ruleTester("require-schema-qualified", {
  valid: [
    { name: "off by default", code: "CREATE TABLE users (id bigint);" },
    {
      name: "every name qualified",
      rules: on,
      code: [
        "CREATE TABLE app.users (id bigint PRIMARY KEY, org bigint REFERENCES app.orgs (id));",
        "CREATE INDEX users_org_idx ON app.users (org);",
        "ALTER TABLE app.users ADD COLUMN team bigint REFERENCES app.teams;",
        "CREATE VIEW app.v AS SELECT * FROM users;",
        "CREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        "CREATE TYPE app.mood AS ENUM ('a');",
        "ALTER TYPE app.mood ADD VALUE 'b' AFTER 'a';",
        "DROP INDEX app.users_org_idx;",
        "CREATE TRIGGER t AFTER INSERT ON app.users FOR EACH ROW EXECUTE FUNCTION app.f();",
        'ALTER TABLE "App"."Users" RENAME TO people;',
      ].join("\n"),
    },
    {
      name: "names that are not in a schema: schemas, extensions, roles, databases, temp tables",
      rules: on,
      code: [
        "CREATE SCHEMA app;",
        "CREATE EXTENSION IF NOT EXISTS pgcrypto;",
        "CREATE TEMP TABLE scratch (id int);",
        "DROP SCHEMA old;",
        "GRANT SELECT ON ALL TABLES IN SCHEMA app TO reader;",
        "SET search_path = app;",
      ].join("\n"),
    },
    {
      name: "DML is not DDL",
      rules: on,
      code: "INSERT INTO users VALUES (1);\nUPDATE users SET a = 1 WHERE id = 1;\nSELECT * FROM users;",
    },
  ],
  invalid: [
    {
      name: "CREATE TABLE with an unqualified reference, one finding naming both",
      rules: on,
      code: "CREATE TABLE users (id bigint PRIMARY KEY, org bigint REFERENCES orgs (id));",
      errors: [{ line: 1, message: /^users, orgs are named without a schema/ }],
    },
    {
      name: "each kind of DDL",
      rules: on,
      code: [
        "CREATE INDEX users_org_idx ON users (org);",
        "ALTER TABLE app.users ADD CONSTRAINT fk FOREIGN KEY (org) REFERENCES orgs;",
        "DROP VIEW app.v, v2;",
        "TRUNCATE t;",
        "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        "ALTER TYPE mood ADD VALUE 'b';",
        "CREATE SEQUENCE s;",
        "CREATE TRIGGER trg AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION app.f();",
        "ALTER FUNCTION f() SECURITY INVOKER;",
        "ALTER INDEX i RENAME TO j;",
      ].join("\n"),
      errors: [
        { line: 1, message: /^users is named/ },
        { line: 2, message: /^orgs is named/ },
        { line: 3, message: /^v2 is named/ },
        { line: 4, message: /^t is/ },
        { line: 5, message: /^f is/ },
        { line: 6, message: /^mood is/ },
        { line: 7, message: /^s is/ },
        { line: 8, message: /^users is/ },
        { line: 9, message: /^f is/ },
        { line: 10, message: /^i is/ },
      ],
    },
    {
      name: "attacker: quoted names, comments, case, search_path set, a DO block, a down file",
      rules: on,
      files: {
        "2_change.up.sql": [
          "SET search_path = app;",
          'create /* x */ table "Users" -- y',
          "  (id int);",
          "DO $$",
          "BEGIN",
          "  ALTER TABLE users ADD COLUMN a int;",
          "END",
          "$$;",
        ].join("\n"),
        "2_change.down.sql": "DROP TABLE users;",
      },
      errors: [
        { line: 2, endLine: 3, file: "2_change.up.sql", message: /^Users is named/ },
        { line: 6, file: "2_change.up.sql" },
        { line: 1, file: "2_change.down.sql" },
      ],
    },
  ],
});
