/**
 * Merged history the static model must not believe: each case once made `set-not-null` lose its
 * finding (a column taken as already NOT NULL). The table becomes unknown instead.
 */
import { describe, expect, test } from "@jest/globals";
import { lint } from "../../helpers/lint.js";

const ALTER = { "3_c.up.sql": "ALTER TABLE users ALTER COLUMN email SET NOT NULL;" };
const setNotNull = async (merged: Record<string, string>, databaseVersion?: string) =>
  (
    await lint({ merged, files: ALTER, ...(databaseVersion ? { databaseVersion } : {}) })
  ).filter((f) => f.ruleId === "set-not-null");

describe("merged history the model cannot vouch for keeps set-not-null", () => {
  test("control: a column merged NOT NULL needs no finding", async () => {
    expect(await setNotNull({ "1_a.up.sql": "CREATE TABLE users (email text NOT NULL);" })).toEqual(
      [],
    );
  });

  test("SELECT … INTO created the table; the later CREATE TABLE IF NOT EXISTS did nothing", async () => {
    const merged = {
      "1_a.up.sql": "CREATE TABLE legacy (email text);\nSELECT email INTO users FROM legacy;",
      "2_b.up.sql": "CREATE TABLE IF NOT EXISTS users (email text NOT NULL);",
    };
    expect(await setNotNull(merged)).not.toEqual([]);
  });

  test("a rolled-back transaction, or ROLLBACK TO SAVEPOINT", async () => {
    for (const undo of ["BEGIN;\n%;\nROLLBACK;", "SAVEPOINT s;\n%;\nROLLBACK TO SAVEPOINT s;"]) {
      const sql = undo.replace("%", "ALTER TABLE users ALTER COLUMN email SET NOT NULL");
      expect(
        await setNotNull({ "1_a.up.sql": `CREATE TABLE users (email text);\n${sql}` }),
      ).not.toEqual([]);
    }
  });

  test("Postgres 18: dropping an unknown constraint may drop the NOT NULL", async () => {
    const merged = {
      "1_a.up.sql": "CREATE TABLE users (email text NOT NULL);",
      "2_b.up.sql": "ALTER TABLE users DROP CONSTRAINT users_email_not_null;",
    };
    expect(await setNotNull(merged, "18")).not.toEqual([]);
  });
});
