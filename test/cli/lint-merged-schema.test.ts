/**
 * The CLI's git mode reads the merged up migrations from the local repository and the SQL rules
 * judge the change against the merged schema (src/core/schema/).
 */
import { lintJson } from "../support/cli.js";
import { TempRepo } from "../support/git-repo.js";

let repo: TempRepo;
beforeEach(() => {
  repo = new TempRepo();
  repo.write({
    "migrations/000001_users.up.sql":
      "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(50), name text);\n",
    "migrations/000001_users.down.sql": "DROP TABLE users;\n",
    "migrations/000002_check.up.sql":
      "ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;\n",
    "migrations/000002_check.down.sql": "ALTER TABLE users DROP CONSTRAINT users_email_nn;\n",
  });
  repo.commit("base");
  repo.branch("feature");
});
afterEach(() => repo.cleanup());

const ids = (r: { findings: Array<{ ruleId: string; path: string }> }) =>
  r.findings.map((f) => `${f.ruleId} ${f.path.replace("migrations/", "")}`).sort();

test("the split NOT NULL recipe and a widening type change pass, judged with the merged schema", async () => {
  repo.write({
    "migrations/000003_nn.up.sql":
      "SET lock_timeout = '2s';\nALTER TABLE users VALIDATE CONSTRAINT users_email_nn;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\nALTER TABLE users ALTER COLUMN email TYPE varchar(100);\n",
    "migrations/000003_nn.down.sql":
      "SET lock_timeout = '2s';\nALTER TABLE users ALTER COLUMN email DROP NOT NULL;\n",
  });
  repo.commit("change");
  const { report } = await lintJson(
    ["--base", "main", "--head", "feature", "--no-replay"],
    repo.dir,
  );
  const found = ids(report);
  expect(found).not.toContain("set-not-null 000003_nn.up.sql");
  expect(found).not.toContain("alter-column-type 000003_nn.up.sql");
});

test("without the validated check and with a narrowing type, both are still flagged", async () => {
  repo.write({
    "migrations/000003_nn.up.sql":
      "SET lock_timeout = '2s';\nALTER TABLE users ALTER COLUMN name SET NOT NULL;\nALTER TABLE users ALTER COLUMN email TYPE varchar(20);\n",
    "migrations/000003_nn.down.sql": "SELECT 1;\n",
  });
  repo.commit("change");
  const { report } = await lintJson(
    ["--base", "main", "--head", "feature", "--no-replay"],
    repo.dir,
  );
  const found = ids(report);
  expect(found).toContain("set-not-null 000003_nn.up.sql");
  expect(found).toContain("alter-column-type 000003_nn.up.sql");
});
