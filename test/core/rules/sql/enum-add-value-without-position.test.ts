import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("enum-add-value-without-position", {
  valid: [
    { code: "ALTER TYPE mood ADD VALUE 'meh' BEFORE 'sad';" },
    { code: "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'ecstatic' /* last */ AFTER 'happy';" },
    {
      name: "a rename keeps the value's place",
      code: "ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';",
    },
    { name: "the values of a new type", code: "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');" },
    {
      name: "a down file restores a state",
      files: { "2_change.down.sql": "ALTER TYPE mood ADD VALUE 'meh';" },
    },
  ],
  invalid: [
    {
      code: "ALTER TYPE mood ADD VALUE 'meh';",
      errors: [{ line: 1, message: /ADD VALUE 'meh' states no position.*rank it last/ }],
    },
    {
      name: "attacker: IF NOT EXISTS, quoted and qualified names, case, comments, E'' strings",
      code: [
        "alter /* x */ type app.\"Mood\" add value if not exists E'meh';",
        "ALTER TYPE mood ADD VALUE -- no position\n  'fine';",
      ].join("\n"),
      errors: [
        { line: 1, message: /app.Mood ADD VALUE 'meh'/ },
        { line: 2, endLine: 3, message: /'fine'/ },
      ],
    },
    {
      name: "a type created earlier in the change: the order is the same question",
      code: "CREATE TYPE mood AS ENUM ('sad', 'happy');\nALTER TYPE mood ADD VALUE 'ok';",
      errors: [{ line: 2 }],
    },
    {
      name: "attacker: inside a DO block and a constant EXECUTE",
      code: "DO $$\nBEGIN\n  ALTER TYPE mood ADD VALUE 'meh';\n  EXECUTE 'ALTER TYPE mood ADD VALUE ''ok''';\nEND\n$$;",
      errors: [{ line: 3 }, { line: 4 }],
    },
  ],
});
