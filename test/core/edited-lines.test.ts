/** Findings of a merged migration edited in place: the immutability error, and SQL findings on the edited lines only. */
import { describe, expect, test } from "@jest/globals";
import { editedRegion, touchesEdit } from "../../src/core/edited-lines.js";
import { changeSet } from "../support/changeset.js";
import { analyze } from "../../src/core/analyze.js";
import type { ChangeSet, Finding } from "../../src/core/types.js";
import { config, tool } from "../helpers/structure.js";

const findingsOf = async (cs: ChangeSet): Promise<Finding[]> =>
  (await analyze(config(), cs, { tool })).report.findings;

describe("editedRegion", () => {
  test("one region between the common prefix and suffix", () => {
    expect(editedRegion("a\nb\nc\n", "a\nB\nc\n")).toEqual({ from: 2, to: 2 });
    expect(editedRegion("a\nb\nc\n", "a\nb\nx\ny\nc\n")).toEqual({ from: 3, to: 4 });
    // Two edits far apart: everything between counts (nothing edited is left out).
    expect(editedRegion("1\n2\n3\n4\n5\n", "X\n2\n3\n4\nY\n")).toEqual({ from: 1, to: 5 });
    expect(editedRegion("a\n", "a\n")).toBeNull();
  });

  test("lines only removed: the statements on both sides of the gap", () => {
    const r = editedRegion("a;\nb;\nc;\n", "a;\nc;\n")!;
    expect(r).toEqual({ from: 2, to: 1 });
    expect(touchesEdit({ startLine: 1, endLine: 1 }, r)).toBe(true);
    expect(touchesEdit({ startLine: 2, endLine: 2 }, r)).toBe(true);
    expect(editedRegion("a;\nb;\nc;\n", "a;\nb;\nc;\nd;\n")).toEqual({ from: 4, to: 4 });
  });

  test("repeated lines cannot make prefix and suffix overlap", () => {
    expect(editedRegion("x\nx\n", "x\nx\nx\n")).toEqual({ from: 3, to: 3 });
    expect(editedRegion("x\nx\nx\n", "x\n")).toEqual({ from: 2, to: 1 });
  });
});

describe("an edited merged migration", () => {
  const merged = [
    "DROP TABLE legacy_a;",
    "DROP TABLE legacy_b;",
    "CREATE TABLE t (id bigint);",
    "DROP TABLE legacy_c;",
    "",
  ].join("\n");
  const base = { migrations: { "1_a.up.sql": merged, "1_a.down.sql": "SELECT 1;\n" } };
  const brief = (fs: Finding[]) => fs.map((f) => `${f.ruleId}:${f.startLine}`).sort();

  test("one line added: the immutability error and that line's findings, not the merged ones", async () => {
    const edited = merged.replace(
      "CREATE TABLE t (id bigint);",
      "CREATE TABLE t (id bigint);\nDROP TABLE users;",
    );
    const fs = await findingsOf(changeSet({ base, modify: { "migrations/1_a.up.sql": edited } }));
    expect(brief(fs)).toEqual(["drop-table:4", "modified-merged-migration:1"]);
  });

  test("a merged statement changed in place is reported", async () => {
    const edited = merged.replace("DROP TABLE legacy_b;", "DROP TABLE users CASCADE;");
    const fs = await findingsOf(changeSet({ base, modify: { "migrations/1_a.up.sql": edited } }));
    expect(brief(fs)).toEqual(
      expect.arrayContaining(["drop-table:2", "drop-cascade:2", "modified-merged-migration:1"]),
    );
    expect(brief(fs).filter((b) => b.endsWith(":1") || b.endsWith(":4"))).toEqual([
      "modified-merged-migration:1",
    ]);
  });

  test("without the base content (an adapter could not read it) every finding stays", async () => {
    const edited = `${merged}-- note\n`;
    const cs = changeSet({ base, modify: { "migrations/1_a.up.sql": edited } });
    delete (cs as { baseContents?: unknown }).baseContents;
    expect(brief(await findingsOf(cs))).toEqual([
      "drop-table:1",
      "drop-table:2",
      "drop-table:4",
      // legacy_a's lock held while line 2 waits for legacy_b's
      "lock-held-across-statements:2",
      "modified-merged-migration:1",
      "require-lock-timeout:1",
    ]);
  });

  test("a new file is analysed whole, whatever the base holds", async () => {
    const fs = await findingsOf(
      changeSet({
        base,
        add: { "migrations/2_b.up.sql": merged, "migrations/2_b.down.sql": "SELECT 1;\n" },
      }),
    );
    expect(brief(fs).filter((b) => b.startsWith("drop-table"))).toHaveLength(3);
  });
});
