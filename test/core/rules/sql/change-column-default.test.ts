import { ruleTester } from "../../../helpers/rule-tester.js";

const on = { "change-column-default": "notice" } as const;
const BASE = "CREATE TABLE t (status text DEFAULT 'new', n int);";
const MY_BASE =
  "CREATE TABLE t (status varchar(10) NOT NULL DEFAULT 'new', at timestamp NULL DEFAULT CURRENT_TIMESTAMP, n int);";

ruleTester("change-column-default", {
  valid: [
    { name: "off by default", code: "ALTER TABLE t ALTER COLUMN status SET DEFAULT 'open';" },
    {
      name: "a table or column created in this change: no writer relies on it",
      rules: on,
      code: "CREATE TABLE n (a int);\nALTER TABLE n ALTER COLUMN a SET DEFAULT 1;\nALTER TABLE t ADD COLUMN c int;\nALTER TABLE t ALTER COLUMN c SET DEFAULT 0, ALTER COLUMN c DROP DEFAULT;",
    },
    {
      name: "the merged default restated",
      rules: on,
      merged: { "1_init.up.sql": BASE },
      code: "ALTER TABLE t ALTER COLUMN status SET DEFAULT 'new', ALTER COLUMN n DROP DEFAULT;",
    },
    {
      name: "a down file puts back the default the up changed",
      rules: on,
      files: { "2_change.down.sql": "ALTER TABLE t ALTER COLUMN status SET DEFAULT 'new';" },
    },
    {
      name: "MySQL: MODIFY restating the merged default (case and spacing differ); without the merged schema, unknown",
      rules: on,
      dialect: "mysql",
      merged: { "1_init.up.sql": MY_BASE },
      code: "ALTER TABLE t MODIFY status varchar(20) NOT NULL DEFAULT 'new', MODIFY at timestamp NULL DEFAULT current_timestamp, MODIFY n bigint;",
    },
    {
      name: "MySQL: MODIFY with the merged history unread",
      rules: on,
      dialect: "mysql",
      code: "ALTER TABLE t MODIFY status varchar(20) NOT NULL DEFAULT 'open';",
    },
  ],
  invalid: [
    {
      rules: on,
      code: "ALTER TABLE t ALTER COLUMN status SET DEFAULT 'open';\nALTER TABLE t ALTER COLUMN n DROP DEFAULT;\nALTER TABLE t ALTER COLUMN status SET DEFAULT NULL;",
      errors: [
        { line: 3, message: /SET DEFAULT NULL on status of t: .* stores NULL/ },
        {
          line: 1,
          message:
            /SET DEFAULT 'open' on status of t: from now on, every INSERT that leaves the column out stores 'open' instead/,
        },
        { line: 2, message: /DROP DEFAULT on n of t: .* stores NULL \(or an error/ },
      ],
    },
    {
      name: "attacker: quoting, comments, case, a literal differing in case only, a DO block",
      rules: on,
      merged: { "1_init.up.sql": BASE },
      code: "alter table \"public\".t alter /* x */ column status -- y\n  set default 'NEW';\nDO $$ BEGIN ALTER TABLE t ALTER n SET DEFAULT 1; END $$;",
      errors: [
        { line: 1, endLine: 2, message: /SET DEFAULT 'NEW' on status of public.t/ },
        { line: 3 },
      ],
    },
    {
      dialect: "mysql",
      rules: on,
      merged: { "1_init.up.sql": MY_BASE },
      code: "ALTER TABLE `t` MODIFY status varchar(10) NOT NULL DEFAULT 'open';\nALTER TABLE t CHANGE n n int DEFAULT 0, ALTER COLUMN at DROP DEFAULT;",
      errors: [
        { line: 1, message: /MODIFY status with DEFAULT 'open' \(the merged default: 'new'\)/ },
        { line: 2, message: /CHANGE n with DEFAULT 0 \(the merged default: none\)/ },
        { line: 2, message: /DROP DEFAULT on at of t/ },
      ],
    },
    {
      dialect: "cockroachdb",
      rules: on,
      code: "ALTER TABLE t ALTER COLUMN a SET DEFAULT 1;",
      errors: [{ line: 1 }],
    },
  ],
});
