import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("revoke-privileges", {
  valid: [
    { code: "GRANT SELECT ON users TO reporting;" },
    {
      name: "a role the change created has no deployed client",
      code: "CREATE ROLE reporting_v2;\nGRANT SELECT, UPDATE ON users TO reporting_v2;\nREVOKE UPDATE ON users FROM reporting_v2;",
    },
    {
      name: "created by an earlier migration of the change (quoted)",
      files: {
        "2_a.up.sql": 'CREATE ROLE "Jobs";',
        "3_b.up.sql": 'REVOKE ALL ON users FROM "Jobs";',
      },
    },
    {
      name: "a table the change created: no deployed client has its privileges",
      code: "CREATE TABLE audit (id int);\nGRANT ALL ON audit TO app;\nREVOKE DELETE, UPDATE ON TABLE audit FROM app;",
    },
    {
      name: "tables created by earlier migrations of the change, quoted, column privileges",
      files: {
        "2_a.up.sql": 'CREATE TABLE "Audit" (id int);\nCREATE TABLE log (id int);',
        "3_b.up.sql": 'REVOKE UPDATE (id) ON "Audit", log FROM app;',
      },
    },
    {
      name: "MySQL: a table created earlier in the file, backticks and a version comment",
      dialect: "mysql",
      code: "CREATE TABLE shop.audit (id int);\n/*!80000 REVOKE DELETE ON TABLE `shop`.`audit` FROM 'app'@'%' */;",
    },
  ],
  invalid: [
    {
      name: "ALTER DEFAULT PRIVILEGES REVOKE: only later objects differ (a notice)",
      code: "ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT ON TABLES FROM reporting;",
      errors: [
        {
          line: 1,
          severity: "notice",
          message:
            /^ALTER DEFAULT PRIVILEGES REVOKE: tables created later no longer give SELECT privileges to reporting\. Existing tables keep their grants; a later migration that creates one must grant what it needs explicitly\.$/,
        },
      ],
    },
    {
      code: "REVOKE SELECT ON users FROM reporting;",
      errors: [
        { line: 1, message: /REVOKE takes SELECT privileges from reporting: .*permission denied/ },
      ],
    },
    {
      name: "attacker: comments, several grantees, one of them new",
      code: "CREATE ROLE fresh;\nREVOKE /* x */ INSERT, UPDATE\n  ON ALL TABLES IN SCHEMA public\n  FROM fresh, app;",
      errors: [{ line: 2, endLine: 4, message: /from app:/ }],
    },
    {
      name: "attacker: in a DO block; role membership; PUBLIC",
      code: "DO $$ BEGIN REVOKE app_writer FROM alice; END $$;\nREVOKE ALL ON SCHEMA public FROM PUBLIC;",
      errors: [
        { line: 1, message: /membership in app_writer/ },
        { line: 2, message: /PUBLIC: every role that has no grant of its own/ },
      ],
    },
    {
      name: "attacker: one of the tables is not new",
      code: "CREATE TABLE audit (id int);\nREVOKE SELECT ON audit, users FROM reporting;",
      errors: [{ line: 2, message: /SELECT privileges from reporting/ }],
    },
    {
      name: "attacker: CREATE TABLE IF NOT EXISTS may name a table clients already use",
      code: "CREATE TABLE IF NOT EXISTS users (id int);\nREVOKE SELECT ON users FROM reporting;",
      errors: [{ line: 2 }],
    },
    {
      name: "attacker: ALL TABLES IN SCHEMA of a new table's schema, a sequence of the same name",
      code: "CREATE TABLE audit (id int);\nREVOKE SELECT ON ALL TABLES IN SCHEMA public FROM reporting;\nREVOKE USAGE ON SEQUENCE audit FROM reporting;",
      errors: [{ line: 2 }, { line: 3 }],
    },
    {
      name: "attacker: MySQL db.* and a table of the same name in another database",
      dialect: "mysql",
      code: "CREATE TABLE shop.audit (id int);\nREVOKE SELECT ON shop.* FROM 'r'@'%';\nREVOKE SELECT ON other.audit FROM 'r'@'%';",
      errors: [{ line: 2 }, { line: 3 }],
    },
    {
      name: "only the grant option: a notice",
      code: "REVOKE GRANT OPTION FOR SELECT ON users FROM reporting;",
      errors: [{ line: 1, severity: "notice", message: /keep the access/ }],
    },
    {
      name: "a down file: a notice",
      files: {
        "2_a.up.sql": "GRANT SELECT ON users TO reporting;",
        "2_a.down.sql": "REVOKE SELECT ON users FROM reporting;",
      },
      errors: [{ file: "2_a.down.sql", line: 1, severity: "notice", message: /down migration/ }],
    },
    {
      dialect: "mysql",
      code: "REVOKE SELECT ON shop.orders FROM 'app'@'%';\nREVOKE ALL PRIVILEGES, GRANT OPTION FROM 'app'@'%';",
      errors: [
        { line: 1, message: /SELECT privileges from 'app'@'%'/ },
        { line: 2, message: /ALL PRIVILEGES, GRANT OPTION privileges/ },
      ],
    },
    {
      dialect: "cockroachdb",
      code: "REVOKE SELECT ON TABLE users FROM reporting;",
      errors: [{ line: 1 }],
    },
    {
      dialect: "clickhouse",
      code: "REVOKE SELECT ON db.events FROM reporting;",
      errors: [{ line: 1 }],
    },
  ],
});
