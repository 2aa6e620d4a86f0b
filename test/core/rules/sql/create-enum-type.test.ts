import { ruleTester } from "../../../helpers/rule-tester.js";

const on = { "create-enum-type": "notice" } as const;

ruleTester("create-enum-type", {
  valid: [
    { name: "off by default", code: "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');" },
    {
      name: "other types: composite, range, domain, a lookup table",
      rules: on,
      code: [
        "CREATE TYPE pair AS (a int, b int);",
        "CREATE TYPE floatrange AS RANGE (subtype = float8);",
        "CREATE DOMAIN mood_d AS text CHECK (VALUE IN ('sad', 'ok'));",
        "CREATE TABLE moods (value text PRIMARY KEY);",
        'CREATE TABLE t (enum text, "ENUM" int);',
      ].join("\n"),
    },
    {
      name: "changing an existing enum is another rule's matter",
      rules: on,
      code: "ALTER TYPE mood ADD VALUE 'meh' AFTER 'ok';\nALTER TYPE mood RENAME VALUE 'sad' TO 'blue';",
    },
    {
      name: "a down file recreates what the up dropped",
      rules: on,
      files: { "2_change.down.sql": "CREATE TYPE mood AS ENUM ('sad', 'ok');" },
    },
    {
      name: "a string that looks like it is no statement",
      rules: on,
      code: "SELECT 'CREATE TYPE mood AS ENUM (''a'')';\n-- CREATE TYPE mood AS ENUM ('a');",
    },
  ],
  invalid: [
    {
      name: "a new enum type",
      rules: on,
      code: "CREATE TABLE t (id int);\nCREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');",
      errors: [{ line: 2, message: /CREATE TYPE mood AS ENUM \(3 values\): .*never remove/ }],
    },
    {
      name: "attacker: comments between keywords, case, quoted and qualified names, no values",
      rules: on,
      code: [
        'create /* x */ type "App"."Mood" as -- y',
        "  EnUm ('a');",
        'CREATE TYPE public."empty" AS ENUM ();',
      ].join("\n"),
      errors: [
        { line: 1, endLine: 2, message: /App\.Mood AS ENUM \(1 value\)/ },
        { line: 3, message: /public\.empty AS ENUM \(0 values\)/ },
      ],
    },
    {
      name: "attacker: inside a DO block (conditional creation)",
      rules: on,
      code: [
        "DO $$",
        "BEGIN",
        "  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN",
        "    CREATE TYPE mood AS ENUM ('sad', 'ok');",
        "  END IF;",
        "END",
        "$$;",
      ].join("\n"),
      errors: [{ line: 4 }],
    },
    {
      name: "attacker: EXECUTE of a constant string in a DO block",
      rules: on,
      code: "DO $$\nBEGIN\n  EXECUTE 'CREATE TYPE mood AS ENUM (''a'', ''b'')';\nEND\n$$;",
      errors: [{ line: 3 }],
    },
    {
      name: "the configured severity applies",
      rules: { "create-enum-type": "warning" },
      code: "CREATE TYPE mood AS ENUM ('a', 'b');",
      errors: [{ line: 1, severity: "warning" }],
    },
  ],
});
