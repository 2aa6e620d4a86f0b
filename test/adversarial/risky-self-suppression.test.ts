/**
 * Under `approval.required: risky`, the author of the pull request decides whether a DBA is asked:
 * an ignore comment in the author's own migration (with any reason) suppresses the finding, and a
 * suppressed finding does not count as risky (src/core/approval/decide.ts, policyRequiresApproval
 * gets only unsuppressed error/warning counts; documented in docs/approval.md). A plain
 * `DROP TABLE users` reaches the default branch with lint passing and "No approval required".
 * Suppressions of data-loss rules in changed files should still require approval (the comment is
 * then what the DBA approves), or `risky` should count suppressed findings.
 */
import { describe, test } from "@jest/globals";
import { expectGated, lintAttack } from "./support.js";

describe("required: risky and the author's own ignore comments", () => {
  test("a suppressed DROP TABLE of a live table needs no approval", async () => {
    const r = await lintAttack({
      "migrations/000003_drop_users.up.sql":
        "-- migration-warden:ignore drop-table,require-lock-timeout,lock-access-exclusive -- unused since v2\n" +
        "DROP TABLE users;\n",
      "migrations/000003_drop_users.down.sql":
        "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
    });
    expectGated(r);
  });
});
