/**
 * MySQL: `LOAD DATA INFILE 'file' REPLACE INTO TABLE users` deletes and re-inserts every row whose
 * key is in a file on the server — contents no rule can see. Read as an unremarkable statement: no
 * finding, no approval. Postgres' `COPY … PROGRAM` was already unanalyzable-statement; a plain
 * LOAD DATA (which only adds rows) stays quiet.
 */
import { describe, expect, test } from "@jest/globals";
import { expectGated, lintAttack } from "./support.js";

const CONFIG =
  "directories:\n  - path: migrations\n    dialect: mysql\napproval:\n  required: risky\n  teams: [dba]\n";

describe("MySQL: LOAD DATA … REPLACE", () => {
  test("rows replaced from a file the analysis cannot read", async () => {
    const r = await lintAttack(
      {
        "migrations/000003_x.up.sql":
          "LOAD DATA INFILE '/var/lib/mysql-files/users.csv' REPLACE INTO TABLE users;\n",
        "migrations/000003_x.down.sql": "SELECT 1;\n",
      },
      { config: CONFIG },
    );
    expectGated(r);
    expect(r.report.findings.map((f: any) => f.ruleId)).toContain("unanalyzable-statement");
  });

  test("a LOAD DATA that only adds rows is not reported", async () => {
    const r = await lintAttack(
      {
        "migrations/000003_x.up.sql":
          "LOAD DATA INFILE '/var/lib/mysql-files/countries.csv' INTO TABLE orders;\n",
        "migrations/000003_x.down.sql": "SELECT 1;\n",
      },
      { config: CONFIG },
    );
    expect(r.report.findings.map((f: any) => f.ruleId)).not.toContain("unanalyzable-statement");
  });
});
