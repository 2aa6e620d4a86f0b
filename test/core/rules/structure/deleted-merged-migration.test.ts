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

describe("squashedBelow: a documented squash in the base branch's configuration", () => {
  const SQUASH =
    "directories:\n  - path: migrations\n    dialect: postgres\n    squashedBelow: 2\n";
  const BASE3 = {
    migrations: {
      ...BASE.migrations,
      "000003_items.up.sql": "CREATE TABLE items (id bigint);",
      "000003_items.down.sql": "DROP TABLE items;",
    },
  };
  const BASELINE = "CREATE TABLE users (id bigint);\nCREATE TABLE orders (id bigint);";
  const squash = {
    base: BASE3,
    remove: [
      "migrations/000001_users.up.sql",
      "migrations/000001_users.down.sql",
      "migrations/000002_orders.up.sql",
      "migrations/000002_orders.down.sql",
    ],
    add: { "migrations/000002_baseline.up.sql": BASELINE },
  };
  const of = (fs: Awaited<ReturnType<typeof findings>>, id: string) =>
    fs.filter((f) => f.ruleId === id);

  test("deleting at or below it with a baseline left: warnings that say it is the squash (still risky)", async () => {
    const fs = await findings(changeSet(squash), SQUASH);
    const del = of(fs, "deleted-merged-migration");
    expect(del.map((f) => `${f.path} ${f.severity}`).sort()).toEqual([
      "migrations/000001_users.down.sql warning",
      "migrations/000001_users.up.sql warning",
      "migrations/000002_orders.down.sql warning",
      "migrations/000002_orders.up.sql warning",
    ]);
    for (const f of del) expect(f.message).toContain("documented squash (squashedBelow: 2");
    expect(del.find((f) => f.path.endsWith("000002_orders.up.sql"))!.message).toContain(
      "migrations/000002_baseline.up.sql now holds version 2's up SQL (the squash baseline)",
    );
    expect(del.find((f) => f.path.endsWith("000001_users.up.sql"))!.message).toContain(
      '"no migration found for version 1"',
    );
    // Warnings count as risky: approval stays required under `required: risky`.
    expect(of(fs, "out-of-order-migration")).toEqual([]);
  });

  test("a version above it stays an error", async () => {
    const fs = await findings(
      changeSet({ ...squash, remove: [...squash.remove, "migrations/000003_items.down.sql"] }),
      SQUASH,
    );
    expect(
      of(fs, "deleted-merged-migration").find((f) => f.path.endsWith("000003_items.down.sql"))!
        .severity,
    ).toBe("error");
  });

  test("no baseline left at or below it: deleting the ups stays an error", async () => {
    const fs = await findings(changeSet({ ...squash, add: {} }), SQUASH);
    const ups = of(fs, "deleted-merged-migration").filter((f) => f.path.endsWith(".up.sql"));
    expect(ups.map((f) => f.severity)).toEqual(["error", "error"]);
    expect(ups[0]!.message).toContain("A squash must leave a baseline");
  });

  test("without squashedBelow the same change is all errors", async () => {
    const fs = await findings(changeSet(squash));
    expect(new Set(of(fs, "deleted-merged-migration").map((f) => f.severity))).toEqual(
      new Set(["error"]),
    );
  });

  test("a new version below it (not the boundary's own) is out of order: an error", async () => {
    const fs = await findings(
      changeSet({ ...squash, add: { "migrations/000000_baseline.up.sql": BASELINE } }),
      SQUASH,
    );
    expect(of(fs, "out-of-order-migration").map((f) => f.severity)).toEqual(["error"]);
  });

  test("attacker: deleting one ordinary migration below it, no baseline in the change: errors", async () => {
    const fs = await findings(
      changeSet({
        base: BASE3,
        remove: ["migrations/000001_users.up.sql", "migrations/000001_users.down.sql"],
      }),
      SQUASH,
    );
    // The untouched merged 000002 up is not a baseline this change brings.
    expect(of(fs, "deleted-merged-migration").map((f) => f.severity)).toEqual(["error", "error"]);
  });

  test("attacker: after the squash merged, the baseline deleted and SQL added below it: errors", async () => {
    const base = {
      migrations: {
        "000002_baseline.up.sql": BASELINE,
        "000003_items.up.sql": "CREATE TABLE items (id bigint);",
      },
    };
    const fs = await findings(
      changeSet({
        base,
        remove: ["migrations/000002_baseline.up.sql"],
        add: { "migrations/000001_evil.up.sql": "CREATE TABLE x (id int);" },
      }),
      SQUASH,
    );
    expect(of(fs, "deleted-merged-migration").map((f) => f.severity)).toEqual(["error"]);
    expect(of(fs, "out-of-order-migration").map((f) => f.severity)).toEqual(["error"]);
  });
});
