/**
 * Statements two rules used to report for the same risk: each now gets one finding, from the
 * rule whose advice fits (the other rule's own cases stay in its test file).
 */
import { describe, expect, test } from "@jest/globals";
import { lint } from "../../../helpers/lint.js";

const EVENTS =
  "CREATE TABLE events (id bigint, at timestamptz NOT NULL, kind text) PARTITION BY RANGE (at);\n" +
  "CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');\n" +
  "CREATE TABLE plain (id bigint, kind text);\n";

const ids = async (code: string, merged?: Record<string, string>) =>
  (await lint({ files: { "2_b.up.sql": code }, ...(merged ? { merged } : {}) }))
    .filter((f) => WATCHED.has(f.ruleId))
    .map((f) => `${f.ruleId}:${f.startLine}`)
    .sort();

const WATCHED = new Set([
  "create-index-not-concurrently",
  "index-on-partitioned-table",
  "alter-role",
  "plaintext-password",
]);
const watched = <T extends { ruleId: string }>(fs: T[]) => fs.filter((f) => WATCHED.has(f.ruleId));

describe("CREATE INDEX on a partitioned table", () => {
  test("index-on-partitioned-table alone, with the per-partition advice", async () => {
    const fs = await lint({
      files: { "2_b.up.sql": "CREATE INDEX events_kind_idx ON events (kind);" },
      merged: { "1_init.up.sql": EVENTS },
    });
    const idx = watched(fs);
    expect(idx.map((f) => f.ruleId)).toEqual(["index-on-partitioned-table"]);
    expect(idx[0]!.suggestion).toMatch(/ON ONLY.*CONCURRENTLY on each partition.*ATTACH PARTITION/);
  });

  test("attacker: created partitioned earlier in the file, then renamed, quoted, in a DO block", async () => {
    expect(
      await ids(
        'CREATE TABLE IF NOT EXISTS logs (at timestamptz) PARTITION BY RANGE (at);\nDO $$ BEGIN CREATE INDEX "logs_at" ON public.logs (at); END $$;',
      ),
    ).toEqual([]);
    expect(
      await ids("CREATE INDEX ON events (at);\nCREATE INDEX ON plain (kind);", {
        "1_init.up.sql": EVENTS,
      }),
    ).toEqual(["create-index-not-concurrently:2", "index-on-partitioned-table:1"]);
  });

  test("a table not known to be partitioned keeps create-index-not-concurrently", async () => {
    expect(await ids("CREATE INDEX events_kind_idx ON events (kind);")).toEqual([
      "create-index-not-concurrently:1",
    ]);
  });
});

describe("ALTER ROLE … PASSWORD", () => {
  test("a password literal alone: plaintext-password only, which names the lock-out", async () => {
    const fs = watched(
      await lint({ files: { "2_b.up.sql": "ALTER ROLE app WITH PASSWORD 's3cret';" } }),
    );
    expect(fs.map((f) => f.ruleId)).toEqual(["plaintext-password"]);
    expect(fs[0]!.message).toMatch(/changes the password of role app.*old one/);
  });

  test("MySQL ALTER USER … IDENTIFIED BY: plaintext-password only", async () => {
    const fs = watched(
      await lint({
        dialect: "mysql",
        files: { "2_b.up.sql": "ALTER USER 'app'@'%' IDENTIFIED BY 's3cret';" },
      }),
    );
    expect(fs.map((f) => f.ruleId)).toEqual(["plaintext-password"]);
  });

  test("other options next to the password are still alter-role's", async () => {
    expect(await ids("ALTER ROLE app WITH SUPERUSER PASSWORD 's3cret';")).toEqual([
      "alter-role:1",
      "plaintext-password:1",
    ]);
  });

  test("a password change without a literal (NULL, a plugin) stays alter-role's", async () => {
    expect(await ids("ALTER ROLE app PASSWORD NULL;")).toEqual(["alter-role:1"]);
  });

  test("a role the change created: the password is still a secret in git", async () => {
    const fs = watched(
      await lint({
        files: { "2_b.up.sql": "CREATE ROLE app LOGIN;\nALTER ROLE app PASSWORD 'x';" },
      }),
    );
    expect(fs.map((f) => `${f.ruleId}:${f.startLine}`)).toEqual(["plaintext-password:2"]);
    expect(fs[0]!.message).not.toMatch(/old one/);
  });
});
