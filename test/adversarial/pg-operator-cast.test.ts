/**
 * A routine the change creates and then runs through an operator or a cast is not seen as called:
 * its DELETE is never analysed, lint passes with no finding and `required: risky` asks for no DBA.
 * Postgres runs the function the operator/cast names when the expression is evaluated, inside the
 * migration itself.
 */
import { afterAll, describe, expect, test } from "@jest/globals";
import { expectGated, lintAttack } from "./support.js";
import { shareSandbox } from "../support/shared-sandbox.js";

// The subject is what the replay finds in an attack, not the sandbox: one thread and one reset
// database for the file (test/support/shared-sandbox.ts; its isolation: shared-sandbox.test.ts).
const sandbox = shareSandbox();
afterAll(() => expect(sandbox.stats.jobs).toBeGreaterThan(0));

const WIPER = (args: string, ret: string) =>
  `CREATE FUNCTION wipe(${args}) RETURNS ${ret} LANGUAGE plpgsql AS $$\nBEGIN\n  DELETE FROM users;\n  RETURN NULL;\nEND $$;\n`;

describe("routines run through operators and casts", () => {
  test("CREATE OPERATOR over a wiping function, then used", async () => {
    const r = await lintAttack({
      "migrations/000003_op.up.sql":
        WIPER("a int, b int", "bool") +
        "CREATE OPERATOR === (leftarg = int, rightarg = int, function = wipe);\n" +
        "SELECT 1 === 2;\n",
      "migrations/000003_op.down.sql":
        "DROP OPERATOR === (int, int);\nDROP FUNCTION wipe(int, int);\n",
    });
    expectGated(r);
  });

  test("CREATE CAST ... WITH FUNCTION, then a cast", async () => {
    const r = await lintAttack({
      "migrations/000003_cast.up.sql":
        "CREATE TYPE mood AS ENUM ('ok');\n" +
        WIPER("m mood", "int") +
        "CREATE CAST (mood AS int) WITH FUNCTION wipe(mood);\n" +
        "SELECT 'ok'::mood::int;\n",
      "migrations/000003_cast.down.sql":
        "DROP CAST (mood AS int);\nDROP FUNCTION wipe(mood);\nDROP TYPE mood;\n",
    });
    expectGated(r);
  });
});
