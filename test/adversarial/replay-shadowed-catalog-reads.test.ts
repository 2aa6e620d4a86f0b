/**
 * The sandbox's own reads must not be answerable by the migration's objects, whatever role it
 * runs as. The fingerprint sets search_path to `pg_catalog` alone, and the session's temporary
 * schema, left out of search_path, is searched *first* for relations and types: a down file's
 * `CREATE TEMP VIEW pg_class` answered the fingerprint's reads ("schema restored" with the table
 * only renamed). Such an object now ends the replay as a failed sandbox (an error). The lock
 * reader ran its `pg_locks` read with the migration's search path, so a temporary view of that
 * name hid every lock: its names are now all qualified.
 */
import { expect, jest, test } from "@jest/globals";
import { BASES, runScenario, testCache } from "../replay/support.js";

jest.setTimeout(600_000);

const cache = testCache();

test("a down that renames the table and hides it behind temporary catalog views ends the replay", async () => {
  const r = await runScenario({
    base: BASES.pglite,
    cache,
    add: {
      "3_audit.up.sql": "CREATE TABLE audit (id bigint PRIMARY KEY, note text);\n",
      "3_audit.down.sql":
        "ALTER TABLE audit RENAME TO audit_old;\nALTER INDEX audit_pkey RENAME TO audit_old_pkey;\n" +
        "CREATE TEMP VIEW pg_class AS SELECT * FROM pg_catalog.pg_class WHERE relname NOT LIKE 'audit_old%';\n" +
        "CREATE TEMP VIEW pg_constraint AS SELECT * FROM pg_catalog.pg_constraint WHERE conname NOT LIKE 'audit_old%';\n" +
        "CREATE TEMP VIEW pg_attribute AS SELECT a.* FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid WHERE c.relname NOT LIKE 'audit_old%';\n",
    },
  });
  const errors = r.findings.filter((f) => f.severity === "error");
  expect(errors.map((f) => f.ruleId)).toEqual(["replay-skipped"]);
  expect(errors[0]!.message).toMatch(
    /temporary object is named like the system catalog's _?pg_attribute/,
  );
  expect(r.findings.map((f) => f.ruleId)).not.toContain("up-not-reapplicable");
  expect(JSON.stringify(r.data!.downChecks ?? [])).not.toMatch(/restored/);
});

test("a temporary view named pg_locks does not hide the change's locks", async () => {
  const r = await runScenario({
    base: BASES.pglite,
    cache,
    add: {
      "3_col.up.sql":
        "CREATE OR REPLACE TEMP VIEW pg_locks AS SELECT * FROM pg_catalog.pg_locks WHERE false;\n" +
        "ALTER TABLE users ADD COLUMN nickname text;\n",
      "3_col.down.sql": "ALTER TABLE users DROP COLUMN nickname;\n",
    },
  });
  expect(r.findings.map((f) => [f.ruleId, f.startLine])).toContainEqual([
    "lock-access-exclusive",
    2,
  ]);
});

test("a temporary type named like a built-in one (which casts would resolve to) ends it too (its array type _text comes first)", async () => {
  const r = await runScenario({
    base: BASES.pglite,
    cache,
    add: {
      "3_t.up.sql": "CREATE TABLE audit (id bigint);\n",
      "3_t.down.sql": "CREATE DOMAIN pg_temp.text AS varchar(3);\nSELECT 1;\n",
    },
  });
  expect(r.findings.filter((f) => f.severity === "error").map((f) => f.ruleId)).toEqual([
    "replay-skipped",
  ]);
  expect(r.findings.find((f) => f.ruleId === "replay-skipped")!.message).toMatch(/catalog's _text/);
});
