import { ruleTester } from "../../../helpers/rule-tester.js";

const on = { "replace-view-or-function": "notice" } as const;
const fn = "CREATE OR REPLACE FUNCTION total(o bigint) RETURNS numeric LANGUAGE sql AS 'SELECT 1';";

ruleTester("replace-view-or-function", {
  valid: [
    { name: "off by default", code: "CREATE OR REPLACE VIEW v AS SELECT 1;" },
    {
      name: "plain CREATE VIEW / FUNCTION / PROCEDURE",
      rules: on,
      code: [
        "CREATE VIEW v AS SELECT 1;",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        "CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1';",
      ].join("\n"),
    },
    {
      name: "replacing what a plain CREATE made earlier in the file",
      rules: on,
      code: [
        "CREATE VIEW v AS SELECT 1;",
        "CREATE OR REPLACE VIEW v AS SELECT 1, 2;",
        "CREATE FUNCTION total(o bigint) RETURNS numeric LANGUAGE sql AS 'SELECT 0';",
        fn,
      ].join("\n"),
    },
    {
      name: "replacing what a plain CREATE made in an earlier file of the change",
      rules: on,
      files: {
        "2_a.up.sql": "CREATE VIEW app.v AS SELECT 1;",
        "3_b.up.sql": "CREATE OR REPLACE VIEW app.v AS SELECT 1, 2;",
      },
    },
    {
      name: "a down file restores the old definition",
      rules: on,
      files: { "2_change.down.sql": "CREATE OR REPLACE VIEW v AS SELECT 1;" },
    },
    {
      name: "ALTER VIEW of options or names is not a new query",
      rules: on,
      code: "ALTER VIEW v SET (security_barrier = true);\nALTER VIEW v RENAME COLUMN a TO b;",
    },
    {
      name: "MySQL plain CREATE VIEW, ALTER TABLE of a table named view",
      rules: on,
      dialect: "mysql",
      code: "CREATE VIEW v AS SELECT 1;\nALTER TABLE `view` ADD COLUMN x int;",
    },
  ],
  invalid: [
    {
      name: "CREATE OR REPLACE VIEW and FUNCTION",
      rules: on,
      code: `CREATE OR REPLACE VIEW active_users AS SELECT id FROM users;\n${fn}`,
      errors: [
        { line: 1, message: /CREATE OR REPLACE VIEW active_users replaces the view's query/ },
        { line: 2, message: /CREATE OR REPLACE FUNCTION total replaces the body/ },
      ],
    },
    {
      name: "attacker: comments, case, quoted and qualified names, a procedure, inside a DO block",
      rules: on,
      code: [
        "create /* x */ or -- y",
        '  replace view "App"."V" as select 1;',
        "CREATE OR REPLACE PROCEDURE s.p() LANGUAGE sql AS 'SELECT 1';",
        "DO $$",
        "BEGIN",
        "  CREATE OR REPLACE VIEW w AS SELECT 2;",
        "END",
        "$$;",
      ].join("\n"),
      errors: [
        { line: 1, endLine: 2, message: /VIEW App\.V/ },
        { line: 3, message: /PROCEDURE s\.p/ },
        { line: 6 },
      ],
    },
    {
      name: "an OR REPLACE earlier in the change may itself have replaced an existing view",
      rules: on,
      files: {
        "2_a.up.sql": "CREATE OR REPLACE VIEW v AS SELECT 1;",
        "3_b.up.sql": "CREATE OR REPLACE VIEW v AS SELECT 2;",
      },
      errors: [
        { line: 1, file: "2_a.up.sql" },
        { line: 1, file: "3_b.up.sql" },
      ],
    },
    {
      name: "MySQL: CREATE OR REPLACE VIEW, ALTER VIEW … AS, MariaDB OR REPLACE routines",
      rules: on,
      dialect: "mysql",
      code: [
        "CREATE OR REPLACE VIEW v AS SELECT 1;",
        "ALTER ALGORITHM = MERGE DEFINER = 'app'@'%' SQL SECURITY INVOKER VIEW `db`.`V` (a) AS SELECT 2;",
        "CREATE OR REPLACE FUNCTION f() RETURNS int RETURN 1;",
        "CREATE OR REPLACE PROCEDURE p() BEGIN SELECT 1; END;",
      ].join("\n"),
      errors: [
        { line: 1 },
        { line: 2, message: /ALTER VIEW db\.v … AS/ },
        { line: 3, message: /FUNCTION f/ },
        { line: 4, message: /PROCEDURE p/ },
      ],
    },
  ],
});
