import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("json-instead-of-jsonb", {
  valid: [
    { code: "CREATE TABLE t (doc jsonb, tags jsonb[], raw text);" },
    { name: "a column named json", code: 'CREATE TABLE t (json text, "JSON" jsonb);' },
    { name: "a user type named json in another schema", code: "CREATE TABLE t (doc app.json);" },
    { name: "a cast is no column", code: "SELECT '{}'::json;" },
    { name: "temporary table", code: "CREATE TEMP TABLE t (doc json);" },
    {
      name: "a down file restores the old design",
      files: { "2_change.down.sql": "ALTER TABLE t ALTER COLUMN doc TYPE json;" },
    },
    {
      name: "MySQL's JSON is binary already",
      dialect: "mysql",
      code: "CREATE TABLE t (doc JSON);",
    },
    {
      name: "turned off",
      rules: { "json-instead-of-jsonb": "off" },
      code: "CREATE TABLE t (d json);",
    },
  ],
  invalid: [
    {
      name: "a new table is reported too: that is when switching costs nothing",
      code: "CREATE TABLE events (\n  id bigint,\n  payload json NOT NULL\n);",
      errors: [{ line: 3, message: /column payload of events is json: .*equality operator/ }],
    },
    {
      name: "attacker: ADD COLUMN, ALTER TYPE, a domain, an array, quoted and qualified names, upper case, comments",
      code: [
        "ALTER TABLE s.t ADD COLUMN meta /* x */ JSON;",
        "ALTER TABLE t ALTER COLUMN doc SET DATA TYPE pg_catalog.json USING doc::text::json;",
        "CREATE DOMAIN settings AS json;",
        'ALTER TABLE t ADD tags "json"[];',
      ].join("\n"),
      errors: [
        { line: 1, message: /column meta of s.t is json/ },
        { line: 2, message: /column doc of t/ },
        { line: 3, message: /domain settings/ },
        { line: 4, message: /tags of t is json\[\]/ },
      ],
    },
    {
      name: "attacker: inside a DO block",
      code: "DO $$\nBEGIN\n  ALTER TABLE t ADD COLUMN doc json;\nEND\n$$;",
      errors: [{ line: 3 }],
    },
  ],
});
