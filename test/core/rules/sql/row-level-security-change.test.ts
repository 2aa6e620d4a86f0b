import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("row-level-security-change", {
  valid: [
    { code: "ALTER TABLE users REPLICA IDENTITY DEFAULT;" },
    {
      name: "a table created earlier in the file",
      code: "CREATE TABLE notes (id int, owner text);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nCREATE POLICY own ON notes USING (owner = current_user);",
    },
    {
      name: "a table created by an earlier migration of the change",
      files: {
        "2_a.up.sql": "CREATE TABLE notes (id int);",
        "3_b.up.sql":
          "ALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nALTER TABLE notes FORCE ROW LEVEL SECURITY;",
      },
    },
  ],
  invalid: [
    {
      code: "ALTER TABLE documents ENABLE ROW LEVEL SECURITY;",
      errors: [{ line: 1, message: /creates no policy for it, so .* sees no rows/ }],
    },
    {
      name: "with a policy in the file: still a warning, worded for policies",
      code: "CREATE POLICY tenant ON documents USING (tenant_id = current_setting('app.tenant')::int);\nALTER TABLE documents ENABLE ROW LEVEL SECURITY;",
      errors: [{ line: 2, message: /only the rows the policies allow/ }],
    },
    {
      name: "attacker: a policy on another table does not count; comments, quoting, ONLY",
      code: 'CREATE POLICY p ON other USING (true);\nALTER TABLE ONLY "public"."Documents"\n  ALTER COLUMN a SET DEFAULT 1,\n  ENABLE /* x */ ROW LEVEL SECURITY;',
      errors: [{ line: 4, message: /public\.Documents: this file creates no policy/ }],
    },
    {
      name: "FORCE, DISABLE, NO FORCE; in a DO block",
      code: "ALTER TABLE documents FORCE ROW LEVEL SECURITY;\nALTER TABLE documents DISABLE ROW LEVEL SECURITY;\nDO $$ BEGIN ALTER TABLE documents NO FORCE ROW LEVEL SECURITY; END $$;",
      errors: [
        { line: 1, message: /apply to the owner of documents too/ },
        { line: 2, message: /stop applying: every role/ },
        { line: 3, message: /stop applying to the owner of documents/ },
      ],
    },
  ],
});
