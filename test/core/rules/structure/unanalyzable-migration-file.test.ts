/** unanalyzable-migration-file: a migration whose content cannot be reviewed (binary, too large, not a file). */
import { BASE, DOWN, brief, findings } from "../../../helpers/structure.js";
import { changeSet } from "../../../support/changeset.js";

describe("files whose content cannot be reviewed", () => {
  const pair = (up: string | Uint8Array) =>
    changeSet({
      base: BASE,
      add: { "migrations/000003_t.up.sql": up, "migrations/000003_t.down.sql": DOWN },
    });

  test("a binary file is reported and not parsed", async () => {
    expect(brief(await findings(pair(new Uint8Array([0x43, 0x00, 0x52, 0x3b]))))).toEqual([
      "migrations/000003_t.up.sql unanalyzable-migration-file error",
    ]);
  });

  test("a file over limits.maxFileBytes is reported and not parsed", async () => {
    const big = `-- migration-warden:ignore-file unanalyzable-migration-file -- trust me\n${"SELECT 1;\n".repeat(200)}`;
    const fs = await findings(pair(big), "limits:\n  maxFileBytes: 1000\n");
    expect(brief(fs)).toEqual(["migrations/000003_t.up.sql unanalyzable-migration-file error"]);
    expect(fs[0]!.message).toMatch(/over the 1000-byte limit/);
    expect(await findings(pair(big), "limits:\n  maxFileBytes: 100000\n")).toEqual([]);
  });

  test("symlinks and submodules are reported by kind", async () => {
    const cs = changeSet({ base: BASE });
    (cs.changes as object[]).push(
      { path: "migrations/000003_t.up.sql", status: "added", kind: "symlink", oid: "1".repeat(40) },
      {
        path: "migrations/000003_t.down.sql",
        status: "added",
        kind: "submodule",
        oid: "2".repeat(40),
      },
    );
    expect(brief(await findings(cs)).sort()).toEqual([
      "migrations/000003_t.down.sql unanalyzable-migration-file warning",
      "migrations/000003_t.up.sql unanalyzable-migration-file error",
    ]);
  });
});
