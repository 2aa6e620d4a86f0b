/**
 * The same SQL gaps through the real app path (webhook handler against the in-memory GitHub, the
 * sandbox replay on, as deployed): with `required: risky`, a pull request that drops the live
 * `users` table gets `migration-warden/lint` success and `migration-warden/approval` success
 * without any DBA. The first line (a routine extension) stops the replay, which is only a notice,
 * so the lock-access-exclusive warning the replay would add never appears; the rest hides the
 * drop from the static rules (see pg-rename-into-dropped-name and pg-shadowed-names).
 */
import { describe, expect, test } from "@jest/globals";
import {
  APPROVAL,
  LINT,
  helloWorld,
  pullRequestEvent,
  type Harness,
  useHarness,
} from "../github/harness.js";

let h: Harness;
useHarness((created) => (h = created));

const CONFIG =
  "directories:\n  - path: migrations\n    dialect: postgres\napproval:\n  required: risky\n  teams: [dba]\n";
const BASE = {
  ".github/migration-warden.yml": CONFIG,
  "migrations/0001_users.up.sql":
    "CREATE TABLE users (id bigint PRIMARY KEY, email text);\nINSERT INTO users VALUES (1, 'a@example.com');\n",
  "migrations/0001_users.down.sql": "DROP TABLE users;\n",
};

describe("a silent DROP of a live table through the app", () => {
  test.each([
    [
      "rename into a name created and dropped earlier",
      "CREATE EXTENSION IF NOT EXISTS postgis;\nSET lock_timeout = '2s';\nCREATE TABLE tmp (id int);\nDROP TABLE tmp;\nALTER TABLE users RENAME TO tmp;\nDROP TABLE tmp;\n",
    ],
    [
      "a temporary table of the same name",
      "CREATE EXTENSION IF NOT EXISTS postgis;\nCREATE TEMP TABLE users (id int);\nDROP TABLE users;\nDROP TABLE users;\n",
    ],
  ])("%s", async (_name, up) => {
    const { repo, number } = helloWorld(h.fake, BASE, {
      "migrations/0002_tidy.up.sql": up,
      "migrations/0002_tidy.down.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
    });
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
    const last = (name: string) => h.runs(name).at(-1)!;
    const outcome = {
      lint: [last(LINT).conclusion, last(LINT).output.title],
      approval: [last(APPROVAL).conclusion, last(APPROVAL).output.title],
    };
    // The safe outcome: the lint check fails, or the approval check waits for a DBA.
    const gated = outcome.lint[0] === "failure" || outcome.approval[0] !== "success";
    expect({ ...outcome, gated }).toEqual(expect.objectContaining({ gated: true }));
  });
});
