/** out-of-order-migration: a new version below the latest merged one, which golang-migrate silently skips. */
import { DOWN, expectStructure, findings, UP } from "../../../helpers/structure.js";
import { changeSet } from "../../../support/changeset.js";

expectStructure([
  [
    "a new version lower than the latest merged one",
    {
      base: {
        migrations: {
          "10_a.up.sql": UP,
          "10_a.down.sql": DOWN,
          "20_b.up.sql": UP,
          "20_b.down.sql": DOWN,
        },
      },
      add: { "migrations/15_c.up.sql": UP, "migrations/15_c.down.sql": DOWN },
    },
    [
      "migrations/15_c.down.sql out-of-order-migration error",
      "migrations/15_c.up.sql out-of-order-migration error",
    ],
  ],
]);

test("findings carry the message, the safer way and line 1", async () => {
  const [f] = await findings(
    changeSet({
      base: { migrations: { "20240101000000_a.up.sql": UP, "20240101000000_a.down.sql": DOWN } },
      add: {
        "migrations/20231231000000_b.up.sql": UP,
        "migrations/20231231000000_b.down.sql": DOWN,
      },
    }),
  );
  expect(f).toMatchObject({
    ruleId: "out-of-order-migration",
    severity: "error",
    path: "migrations/20231231000000_b.down.sql",
    startLine: 1,
    endLine: 1,
  });
  expect(f!.message).toMatch(/silently skips/);
  expect(f!.suggestion).toBe("Renumber it above 20240101000000, e.g. 20240101000001_b.down.sql.");
});
