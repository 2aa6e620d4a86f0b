import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("replica-identity-change", {
  valid: [
    { code: "ALTER TABLE users ENABLE TRIGGER audit;" },
    {
      name: "a table created earlier in the file",
      code: "CREATE TABLE events (id bigint PRIMARY KEY, body jsonb);\nALTER TABLE events REPLICA IDENTITY FULL;",
    },
    {
      name: "a table created by an earlier migration of the change",
      files: {
        "2_a.up.sql": "CREATE TABLE events (id bigint PRIMARY KEY);",
        "3_b.up.sql": "ALTER TABLE events REPLICA IDENTITY NOTHING;",
      },
    },
  ],
  invalid: [
    {
      code: "ALTER TABLE users REPLICA IDENTITY FULL;",
      errors: [{ line: 1, message: /REPLICA IDENTITY FULL on users: .*whole old row/ }],
    },
    {
      name: "attacker: comments, quoting, ONLY, another action first, each form",
      code: 'ALTER TABLE ONLY "public"."Users"\n  ALTER COLUMN a SET DEFAULT 1,\n  REPLICA /* x */ IDENTITY NOTHING;\nALTER TABLE orders REPLICA IDENTITY DEFAULT;\nALTER TABLE items REPLICA IDENTITY USING INDEX items_sku_key;',
      errors: [
        { line: 3, message: /public\.Users: .*every UPDATE and DELETE on it fails/ },
        { line: 4, message: /primary key again/ },
        { line: 5, message: /that index's columns/ },
      ],
    },
    {
      name: "attacker: in a DO block",
      code: "DO $$ BEGIN ALTER TABLE users REPLICA IDENTITY FULL; END $$;",
      errors: [{ line: 1 }],
    },
  ],
});
