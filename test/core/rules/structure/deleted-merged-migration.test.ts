/** deleted-merged-migration: a deletion of a migration the base branch already has. */
import { describe, expect, test } from "@jest/globals";
import { changeSet } from "../../../support/changeset.js";
import { BASE, DOWN, expectStructure, findings, UP } from "../../../helpers/structure.js";

expectStructure([
  [
    "a deleted merged migration",
    { base: BASE, remove: ["migrations/000002_orders.down.sql"] },
    ["migrations/000002_orders.down.sql deleted-merged-migration error"],
  ],
]);

describe("the message states what golang-migrate then does, case by case", () => {
  const message = async (spec: Parameters<typeof changeSet>[0]) =>
    (await findings(changeSet(spec)))
      .filter((f) => f.ruleId === "deleted-merged-migration")
      .map((f) => `${f.path}: ${f.message}`);

  test("both files gone: fresh databases lose it, databases at that version cannot go up", async () => {
    const [a, b] = await message({
      base: BASE,
      remove: ["migrations/000002_orders.up.sql", "migrations/000002_orders.down.sql"],
    });
    for (const m of [a!, b!]) {
      expect(m).toContain("databases created from now on never get what it did");
      expect(m).toContain('"no migration found for version 2"');
    }
  });

  test("only the down gone: fresh databases are unchanged; migrate down only moves the version", async () => {
    const [m] = await message({ base: BASE, remove: ["migrations/000002_orders.down.sql"] });
    expect(m).toContain("its up stays, so fresh databases are unchanged");
    expect(m).toContain("now only moves the version");
    expect(m).not.toContain("never get what it did");
    expect(m).not.toContain("no migration found");
  });

  test("only the up gone: the version applies with no SQL on new databases", async () => {
    const [m] = await message({ base: BASE, remove: ["migrations/000002_orders.up.sql"] });
    expect(m).toContain("applies it with no SQL");
    expect(m).toContain("never get what it did");
    expect(m).not.toContain("no migration found");
  });

  test("a version swapped for other DDL under the same number: named as such", async () => {
    const out = await message({
      base: BASE,
      remove: ["migrations/000002_orders.up.sql", "migrations/000002_orders.down.sql"],
      add: { "migrations/000002_tags.up.sql": UP, "migrations/000002_tags.down.sql": DOWN },
    });
    expect(out).toHaveLength(2);
    expect(out[0]).toContain("migrations/000002_tags");
    for (const m of out)
      expect(m).toContain(
        "version 2 now means different DDL on new databases than on existing ones",
      );
  });
});
