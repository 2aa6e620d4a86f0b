import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("drop-constraint", {
  valid: [
    { code: "ALTER TABLE users ADD CONSTRAINT users_age_check CHECK (age >= 0) NOT VALID;" },
    {
      name: "a table created earlier in the file (unnamed constraint)",
      code: "CREATE TABLE t (id int PRIMARY KEY, email text UNIQUE);\nALTER TABLE t DROP CONSTRAINT t_email_key;",
    },
    {
      name: "a constraint added by an earlier migration of the change",
      files: {
        "2_a.up.sql": "ALTER TABLE users ADD CONSTRAINT users_age_check CHECK (age >= 0);",
        "3_b.up.sql": "ALTER TABLE users DROP CONSTRAINT users_age_check;",
      },
    },
    {
      name: "a down file removing what its up added",
      files: {
        "2_a.up.sql": "ALTER TABLE users ADD CONSTRAINT users_age_check CHECK (age >= 0);",
        "2_a.down.sql": "ALTER TABLE users DROP CONSTRAINT users_age_check;",
      },
    },
    {
      dialect: "mysql",
      code: "CREATE TABLE t (id int, org_id int, CONSTRAINT fk_org FOREIGN KEY (org_id) REFERENCES orgs (id));\nALTER TABLE t DROP FOREIGN KEY fk_org;",
    },
  ],
  invalid: [
    {
      code: "ALTER TABLE users DROP CONSTRAINT users_email_key;",
      errors: [
        { line: 1, message: /Dropping constraint users_email_key of users removes a guarantee/ },
      ],
    },
    {
      name: "attacker: IF EXISTS, quoting, comments, ONLY, another action first",
      code: 'ALTER TABLE ONLY "public"."users"\n  ALTER COLUMN a SET DEFAULT 1,\n  DROP /* x */ CONSTRAINT IF EXISTS "Users_Fk";',
      errors: [{ line: 3, message: /constraint Users_Fk of public\.users/ }],
    },
    {
      name: "attacker: in a DO block",
      code: "DO $$ BEGIN ALTER TABLE users DROP CONSTRAINT users_org_fk; END $$;",
      errors: [{ line: 1 }],
    },
    {
      name: "dropped and added again: a notice; dropping the one the file added is silent",
      code: "ALTER TABLE users DROP CONSTRAINT c;\nALTER TABLE users ADD CONSTRAINT c CHECK (a > 0);\nALTER TABLE users DROP CONSTRAINT c;",
      errors: [
        { line: 1, severity: "notice", message: /added again under the same name on line 2/ },
      ],
    },
    {
      name: "replaced in the same statement: a notice",
      code: "ALTER TABLE users DROP CONSTRAINT users_org_fk, ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id) ON DELETE CASCADE NOT VALID;",
      errors: [{ line: 1, severity: "notice", message: /in the same statement/ }],
    },
    {
      name: "a unique constraint turned into a unique index of the same name: a notice",
      code: "ALTER TABLE users DROP CONSTRAINT IF EXISTS users_email_key;\nDROP INDEX IF EXISTS users_email_key;\nCREATE UNIQUE INDEX users_email_key ON users (email);",
      errors: [{ line: 1, severity: "notice", message: /as a unique index\) on line 3/ }],
    },
    {
      name: "a non-unique index of the same name, or a unique one on another table: a warning",
      code: "ALTER TABLE users DROP CONSTRAINT users_email_key;\nCREATE INDEX users_email_key ON users (email);\nALTER TABLE users DROP CONSTRAINT users_nick_key;\nCREATE UNIQUE INDEX users_nick_key ON orgs (nick);",
      errors: [
        { line: 1, severity: "warning" },
        { line: 3, severity: "warning" },
      ],
    },
    {
      name: "added again under another table's name: still a warning",
      code: "ALTER TABLE users DROP CONSTRAINT c;\nALTER TABLE orgs ADD CONSTRAINT c CHECK (a > 0);",
      errors: [{ line: 1, severity: "warning" }],
    },
    {
      dialect: "mysql",
      code: "ALTER TABLE t DROP FOREIGN KEY fk_org;\nALTER TABLE t DROP PRIMARY KEY;\nALTER TABLE t DROP CHECK chk_age;",
      errors: [
        { line: 1, message: /constraint fk_org of t/ },
        { line: 2, message: /Dropping the primary key of t/ },
        { line: 3 },
      ],
    },
    {
      dialect: "cockroachdb",
      code: "ALTER TABLE users DROP CONSTRAINT users_email_key;",
      errors: [{ line: 1 }],
    },
  ],
});
