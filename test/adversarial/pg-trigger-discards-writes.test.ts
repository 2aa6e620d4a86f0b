/**
 * Postgres: a trigger that silently discards or rewrites every later write to an existing table.
 * CREATE TRIGGER takes SHARE ROW EXCLUSIVE (below the replay's lock warning) and a body of only
 * `RETURN NULL` or `NEW.email := NULL` runs no statement the other rules see: with
 * `required: risky` the change asked for no DBA. Rule create-trigger-on-existing-table makes it a
 * warning; the `updated_at` trigger stays a notice, which does not require approval.
 */
import { describe, expect, test } from "@jest/globals";
import { expectGated, lintAttack } from "./support.js";

const PRE = "SET lock_timeout = '2s';\n";
const DOWN = PRE + "DROP TRIGGER t ON users;\nDROP FUNCTION f();\n";
const up = (body: string) =>
  PRE +
  `CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${body} END $$;\n` +
  "CREATE TRIGGER t BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION f();\n";
const ids = (r: { report: any }) =>
  (r.report?.findings ?? []).map((f: any) => `${f.ruleId}:${f.severity}`);

describe("Postgres: a trigger that discards or rewrites writes", () => {
  test("RETURN NULL (replay on)", async () => {
    const r = await lintAttack({
      "migrations/000003_x.up.sql": up("RETURN NULL;"),
      "migrations/000003_x.down.sql": DOWN,
    });
    expectGated(r);
    expect(ids(r)).toContain("create-trigger-on-existing-table:warning");
  });

  test("NEW.email := NULL (replay off)", async () => {
    const r = await lintAttack(
      {
        "migrations/000003_x.up.sql": up("NEW.email := NULL; RETURN NEW;"),
        "migrations/000003_x.down.sql": DOWN,
      },
      { replay: false },
    );
    expectGated(r);
  });

  test("the function hidden in another file, a harmless body replaced after the trigger", async () => {
    const r = await lintAttack(
      {
        "migrations/000003_f.up.sql":
          "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n",
        "migrations/000003_f.down.sql": "DROP FUNCTION f();\n",
        "migrations/000004_t.up.sql":
          PRE +
          "CREATE TRIGGER t BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION f();\n" +
          "CREATE OR REPLACE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$;\n",
        "migrations/000004_t.down.sql": PRE + "DROP TRIGGER t ON users;\n",
      },
      { replay: false },
    );
    expectGated(r);
  });

  test("a merged trigger's function replaced by one that discards rows", async () => {
    const r = await lintAttack(
      {
        "migrations/000003_x.up.sql":
          "CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.email := ''; RETURN NEW; END $$;\n",
        "migrations/000003_x.down.sql":
          "CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n",
      },
      {
        replay: false,
        baseExtra: {
          "migrations/000002_orders.up.sql":
            "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n" +
            "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n" +
            "CREATE TRIGGER touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();\n",
        },
      },
    );
    expectGated(r);
  });

  test("the updated_at trigger is a notice and needs no DBA", async () => {
    const r = await lintAttack(
      {
        "migrations/000003_x.up.sql": up("NEW.email_checked_at := now(); RETURN NEW;"),
        "migrations/000003_x.down.sql": DOWN,
      },
      { replay: false },
    );
    expect(ids(r)).toContain("create-trigger-on-existing-table:notice");
    expect(r.report.approvalRequired).toBe(false);
  });
});
