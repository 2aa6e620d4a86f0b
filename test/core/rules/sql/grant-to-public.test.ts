import { ruleTester } from "../../../helpers/rule-tester.js";
import { lint } from "../../../helpers/lint.js";

ruleTester("grant-to-public", {
  valid: [
    { code: "GRANT SELECT ON orders TO app;" },
    {
      name: "revoking from PUBLIC is the safe direction",
      code: "REVOKE ALL ON orders FROM PUBLIC;",
    },
    {
      name: "a quoted role named publicity",
      code: 'GRANT SELECT ON orders TO "publicity";',
    },
    {
      name: "MySQL has no PUBLIC grantee",
      dialect: "mysql",
      code: "GRANT SELECT ON app.* TO 'public'@'%';",
    },
  ],
  invalid: [
    {
      name: "ALTER DEFAULT PRIVILEGES: every table created later is readable by every role",
      code: "ALTER DEFAULT PRIVILEGES FOR ROLE owner IN SCHEMA public\n  GRANT SELECT ON TABLES TO PUBLIC;",
      errors: [
        {
          line: 1,
          endLine: 2,
          message:
            /^ALTER DEFAULT PRIVILEGES gives SELECT privileges on tables created later to PUBLIC: every role/,
        },
      ],
    },
    {
      code: "GRANT SELECT ON ALL TABLES IN SCHEMA public TO PUBLIC;",
      errors: [{ line: 1, message: /SELECT privileges to PUBLIC: every role/ }],
    },
    {
      name: "lower case, comments, several grantees",
      code: "grant /* read */ select, insert\n  on orders to app, public;",
      errors: [{ line: 1, endLine: 2, message: /SELECT, INSERT privileges to PUBLIC/ }],
    },
    {
      name: "schema USAGE and function EXECUTE",
      code: "GRANT USAGE ON SCHEMA billing TO PUBLIC;\nGRANT EXECUTE ON FUNCTION f() TO PUBLIC;",
      errors: [{ line: 1 }, { line: 2 }],
    },
    {
      name: "inside a DO block",
      code: "DO $$ BEGIN\n  GRANT SELECT ON orders TO PUBLIC;\nEND $$;",
      errors: [{ line: 2 }],
    },
    {
      name: "WITH GRANT OPTION too",
      code: "GRANT ALL ON orders TO PUBLIC WITH GRANT OPTION;",
      errors: [{ line: 1 }],
    },
    {
      dialect: "cockroachdb",
      code: "GRANT SELECT ON TABLE orders TO public;",
      errors: [{ line: 1 }],
    },
  ],
});

test("GRANT … TO PUBLIC is reported once, by grant-to-public, not also by grant-privileges", async () => {
  const fs = await lint({
    base: ["1_init.up.sql", "1_init.down.sql"],
    files: {
      "2_change.up.sql": "GRANT SELECT ON orders TO PUBLIC;",
      "2_change.down.sql": "REVOKE SELECT ON orders FROM PUBLIC;",
    },
  });
  const grants = fs.filter((f) => f.ruleId.startsWith("grant-") && f.path.endsWith(".up.sql"));
  expect(grants.map((f) => `${f.ruleId}:${f.severity}`)).toEqual(["grant-to-public:warning"]);
});
