import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("rename-other-object", {
  valid: [
    {
      name: "tables, columns, schemas and enum values are other rules' findings",
      code: [
        "ALTER TABLE users RENAME TO people;",
        "ALTER TABLE people RENAME COLUMN a TO b;",
        "ALTER TABLE people SET SCHEMA archive;",
        "ALTER SCHEMA app RENAME TO app2;",
        "ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';",
        "ALTER TABLE people RENAME CONSTRAINT c TO d;",
      ].join("\n"),
    },
    {
      name: "objects created earlier in the file",
      code: [
        "CREATE VIEW v_tmp AS SELECT 1 AS a;",
        "CREATE SEQUENCE s_tmp;",
        "CREATE TYPE t_tmp AS (a int);",
        "CREATE FUNCTION f_tmp() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        "CREATE INDEX i_tmp ON users (id);",
        "ALTER VIEW v_tmp RENAME TO v;",
        "ALTER VIEW v_tmp RENAME COLUMN a TO b;",
        "ALTER SEQUENCE s_tmp RENAME TO s;",
        "ALTER TYPE t_tmp RENAME ATTRIBUTE a TO b;",
        "ALTER FUNCTION f_tmp() RENAME TO f;",
        "ALTER INDEX i_tmp RENAME TO i;",
      ].join("\n"),
    },
    {
      name: "a trigger of a table created in an earlier migration of the change",
      files: {
        "2_a.up.sql":
          "CREATE TABLE t (id int);\nCREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();",
        "3_b.up.sql": "ALTER TRIGGER trg ON t RENAME TO trg2;",
      },
    },
  ],
  invalid: [
    {
      code: "ALTER VIEW active_users RENAME TO users_active;",
      errors: [
        {
          line: 1,
          message:
            /Renaming VIEW active_users to users_active: queries of the view by its old name fail/,
        },
      ],
    },
    {
      name: "attacker: comments, quoting, IF EXISTS, schema-qualified",
      code: 'ALTER /* x */ MATERIALIZED VIEW IF EXISTS "Reports"."Daily"\n  RENAME TO daily;',
      errors: [{ line: 1, endLine: 2, message: /MATERIALIZED VIEW Reports\.Daily to daily/ }],
    },
    {
      name: "attacker: in a DO block",
      code: "DO $$ BEGIN ALTER FUNCTION audit_row() RENAME TO audit_row_v1; END $$;",
      errors: [{ line: 1, message: /FUNCTION audit_row to audit_row_v1: calls of the function/ }],
    },
    {
      name: "each kind",
      code: [
        "ALTER SEQUENCE order_no RENAME TO order_seq;",
        "ALTER TYPE mood RENAME TO feeling;",
        "ALTER DOMAIN email RENAME TO email_address;",
        "ALTER PROCEDURE archive(int) RENAME TO archive_v1;",
        "ALTER TRIGGER audit ON users RENAME TO z_audit;",
        "ALTER POLICY tenant ON users RENAME TO tenant_isolation;",
        "ALTER ROLE app RENAME TO app_rw;",
        "ALTER VIEW v RENAME COLUMN a TO b;",
        "ALTER TYPE address RENAME ATTRIBUTE zip TO postcode;",
        "ALTER FOREIGN TABLE remote_users RENAME TO ru;",
      ].join("\n"),
      errors: [
        { line: 1, message: /nextval/ },
        { line: 2, message: /TYPE mood to feeling/ },
        { line: 3, message: /DOMAIN email/ },
        { line: 4, message: /CALLs/ },
        { line: 5, message: /audit on users to z_audit: triggers of a table fire in name order/ },
        { line: 6, message: /POLICY tenant on users/ },
        { line: 7, message: /ROLE app to app_rw: connections/ },
        { line: 8, message: /column a of VIEW v to b/ },
        { line: 9, message: /attribute zip of TYPE address to postcode/ },
        { line: 10, message: /FOREIGN TABLE remote_users to ru/ },
      ],
    },
    {
      name: "an index rename is a notice",
      code: "ALTER INDEX users_email_key RENAME TO users_email_uq;",
      errors: [{ line: 1, severity: "notice", message: /ON CONFLICT ON CONSTRAINT/ }],
    },
    {
      name: "renamed away and created again under the old name: a notice",
      code: ["ALTER VIEW report RENAME TO report_v1;", "CREATE VIEW report AS SELECT 1 AS a;"].join(
        "\n",
      ),
      errors: [{ line: 1, severity: "notice", message: /again on line 2/ }],
    },
    {
      name: "a down file renaming back is still a rename of a live object",
      files: {
        "2_a.up.sql": "ALTER VIEW a RENAME TO b;",
        "2_a.down.sql": "ALTER VIEW b RENAME TO a;",
      },
      errors: [
        { file: "2_a.up.sql", line: 1 },
        { file: "2_a.down.sql", line: 1 },
      ],
    },
  ],
});
