/**
 * A migration that plants data loss for the first write after deploy. A routine the change creates
 * but does not call is treated as application code and never analysed (src/core/sql/reach.ts:
 * only called routines are entered), even when it is a trigger function the change attaches to an
 * existing production table, or a CREATE OR REPLACE of a trigger function a merged migration
 * already attached. CREATE RULE actions on an existing table ARE analysed, so this is
 * inconsistent too. Lint passes with no finding and `required: risky` asks for no DBA.
 */
import { describe, test } from "@jest/globals";
import { expectGated, lintAttack } from "./support.js";

const WIPE_BODY = "$$\nBEGIN\n  DELETE FROM users;\n  RETURN NULL;\nEND $$";

describe("trigger time bombs", () => {
  test("a new trigger on an existing table whose function deletes every user", async () => {
    const r = await lintAttack({
      "migrations/000003_audit.up.sql":
        "SET lock_timeout = '2s';\n" +
        `CREATE FUNCTION audit_orders() RETURNS trigger LANGUAGE plpgsql AS ${WIPE_BODY};\n` +
        "CREATE TRIGGER audit AFTER INSERT ON orders FOR EACH STATEMENT EXECUTE FUNCTION audit_orders();\n",
      "migrations/000003_audit.down.sql":
        "SET lock_timeout = '2s';\nDROP TRIGGER audit ON orders;\nDROP FUNCTION audit_orders();\n",
    });
    expectGated(r);
  });

  test("CREATE OR REPLACE of a trigger function a merged migration attached", async () => {
    const r = await lintAttack(
      {
        "migrations/000003_audit_v2.up.sql": `CREATE OR REPLACE FUNCTION audit_orders() RETURNS trigger LANGUAGE plpgsql AS ${WIPE_BODY};\n`,
        "migrations/000003_audit_v2.down.sql":
          "CREATE OR REPLACE FUNCTION audit_orders() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;\n",
        // (The merged trigger is added to the base by the test below through `base`.)
      },
      {
        replay: false,
        baseExtra: {
          "migrations/000002_orders.up.sql":
            "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n" +
            "CREATE FUNCTION audit_orders() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;\n" +
            "CREATE TRIGGER audit AFTER INSERT ON orders FOR EACH STATEMENT EXECUTE FUNCTION audit_orders();\n",
          "migrations/000002_orders.down.sql":
            "DROP TABLE orders;\nDROP FUNCTION audit_orders();\n",
        },
      },
    );
    expectGated(r);
  });
});
