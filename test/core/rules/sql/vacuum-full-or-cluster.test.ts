import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("vacuum-full-or-cluster", {
  valid: [
    { code: "VACUUM ANALYZE t;" },
    { code: "VACUUM (ANALYZE) t;" },
    { code: "VACUUM (FULL false) t;" },
    {
      code: "CREATE TABLE t (id int);\nCREATE INDEX t_id ON t (id);\nALTER TABLE t SET TABLESPACE s;\nALTER INDEX t_id SET TABLESPACE s;",
    },
    { code: "ALTER INDEX i RENAME TO j;" },
    { code: "ALTER TABLE users SET (fillfactor = 70);" },
  ],
  invalid: [
    { code: "VACUUM FULL users;", errors: [{ line: 1, message: /VACUUM FULL users rewrites/ }] },
    { code: "VACUUM (FULL, ANALYZE) users;", errors: [{ line: 1 }] },
    { code: "VACUUM FULL;", errors: [{ line: 1, message: /every table/ }] },
    { code: "CLUSTER users USING users_pkey;", errors: [{ line: 1 }] },
    {
      code: "ALTER TABLE users\n  ADD COLUMN note text,\n  SET TABLESPACE fast;",
      errors: [{ line: 3, message: /SET TABLESPACE fast copies the existing table users/ }],
    },
    {
      code: "ALTER INDEX users_email SET TABLESPACE fast;",
      errors: [{ line: 1, message: /copies the existing index users_email/ }],
    },
    {
      code: "ALTER MATERIALIZED VIEW totals SET TABLESPACE fast;",
      errors: [{ line: 1, message: /existing materialized view totals/ }],
    },
    {
      code: "ALTER TABLE ALL IN TABLESPACE slow SET TABLESPACE fast;",
      errors: [
        { line: 1, message: /ALL IN TABLESPACE slow … SET TABLESPACE fast copies every table/ },
      ],
    },
  ],
});
