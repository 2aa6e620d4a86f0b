import { ruleTester } from "../../../helpers/rule-tester.js";
import { lint } from "../../../helpers/lint.js";

ruleTester("add-constraint-builds-index", {
  valid: [
    { code: "ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_id_idx;" },
    {
      code: "CREATE TABLE t (id int PRIMARY KEY, during tstzrange, EXCLUDE USING gist (during WITH &&));",
    },
    {
      name: "a table created earlier in the same file",
      code: "CREATE TABLE t (id int);\nALTER TABLE t ADD PRIMARY KEY (id);",
    },
    {
      name: "a table created by an earlier migration of the change",
      files: {
        "2_a.up.sql": "CREATE TABLE t (id int, r tstzrange);",
        "3_b.up.sql":
          "ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY (id), ADD CONSTRAINT no_overlap EXCLUDE USING gist (r WITH &&);",
      },
    },
    {
      name: "UNIQUE is add-unique-constraint's finding, not this rule's",
      code: "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
    },
    {
      name: "an inline UNIQUE PRIMARY KEY column is reported once, by add-unique-constraint",
      code: "ALTER TABLE users ADD COLUMN id int UNIQUE PRIMARY KEY;",
    },
    { code: "ALTER TABLE t DROP CONSTRAINT t_pkey;" },
  ],
  invalid: [
    {
      code: "ALTER TABLE users ADD PRIMARY KEY (id);",
      errors: [
        { line: 1, message: /PRIMARY KEY to users builds a unique index .* ACCESS EXCLUSIVE/ },
      ],
    },
    {
      code: "ALTER TABLE ONLY public.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);",
      errors: [{ line: 1, message: /public\.users/ }],
    },
    {
      code: "ALTER TABLE bookings\n  ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);",
      errors: [{ line: 2, message: /EXCLUDE constraint to bookings/ }],
    },
    {
      name: "inline PRIMARY KEY on ADD COLUMN",
      code: "ALTER TABLE users ADD COLUMN id bigint PRIMARY KEY;",
      errors: [{ line: 1 }],
    },
    {
      name: "attacker: comments between keywords and a quoted name",
      code: 'ALTER TABLE "Users" ADD /* nothing to see */ PRIMARY -- here\n KEY (id);',
      errors: [{ line: 1, endLine: 2, message: /Users/ }],
    },
    {
      name: "attacker: inside a DO block",
      code: "DO $$\nBEGIN\n  ALTER TABLE users ADD PRIMARY KEY (id);\nEND\n$$;",
      errors: [{ line: 3 }],
    },
    {
      name: "attacker: EXECUTE of a constant string",
      code: "DO $$ BEGIN EXECUTE 'ALTER TABLE users ADD PRIMARY KEY (id)'; END $$;",
      errors: [{ line: 1 }],
    },
    {
      name: "attacker: a new table of the same name in another schema does not make this one new",
      code: "CREATE TABLE scratch.users (id int);\nALTER TABLE public.users ADD PRIMARY KEY (id);",
      errors: [{ line: 2 }],
    },
    {
      name: "attacker: the new table was renamed away, the name is the live table again",
      code: "CREATE TABLE users_new (id int);\nALTER TABLE users RENAME TO users_old;\nALTER TABLE users_new RENAME TO users_tmp;\nALTER TABLE users_old ADD PRIMARY KEY (id);",
      errors: [{ line: 4 }],
    },
    {
      name: "one finding per action: two constraints in one ALTER",
      code: "ALTER TABLE t\n  ADD PRIMARY KEY (id),\n  ADD EXCLUDE USING gist (r WITH &&);",
      errors: [{ line: 2 }, { line: 3 }],
    },
  ],
});

test("ADD UNIQUE and ADD PRIMARY KEY in one statement: one finding per constraint, no rule reports both", async () => {
  const fs = await lint({
    files: { "2_x.up.sql": "ALTER TABLE t ADD UNIQUE (email), ADD PRIMARY KEY (id);" },
    base: ["1_init.up.sql", "1_init.down.sql"],
  });
  const ids = fs
    .filter(
      (f) => f.ruleId === "add-unique-constraint" || f.ruleId === "add-constraint-builds-index",
    )
    .map((f) => f.ruleId)
    .sort();
  expect(ids).toEqual(["add-constraint-builds-index", "add-unique-constraint"]);
});
