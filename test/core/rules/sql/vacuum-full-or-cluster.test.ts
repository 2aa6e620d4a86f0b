import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("vacuum-full-or-cluster", {
  valid: [
    { code: "VACUUM ANALYZE t;" },
    { code: "VACUUM (ANALYZE) t;" },
    { code: "VACUUM (FULL false) t;" },
  ],
  invalid: [
    { code: "VACUUM FULL users;", errors: [{ line: 1, message: /VACUUM FULL users rewrites/ }] },
    { code: "VACUUM (FULL, ANALYZE) users;", errors: [{ line: 1 }] },
    { code: "VACUUM FULL;", errors: [{ line: 1, message: /every table/ }] },
    { code: "CLUSTER users USING users_pkey;", errors: [{ line: 1 }] },
  ],
});
