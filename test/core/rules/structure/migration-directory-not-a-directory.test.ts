/**
 * migration-directory-not-a-directory: a configured directory golang-migrate would read through a
 * symlink, a submodule or a file (at its own path or an ancestor), or that is missing on the base.
 * The analysis is then incomplete: lint fails and approval cannot pass, whatever else it finds.
 */
import { parseConfig } from "../../../../src/config/load.js";
import { analyze } from "../../../../src/core/analyze.js";
import type { ChangeSet, DirectoryShape } from "../../../../src/core/types.js";
import { blobId, changeSet, type ChangeSpec } from "../../../support/changeset.js";

const ID = "migration-directory-not-a-directory";
const DIR = "db/migrations";
const CONFIG = `directories:\n  - path: ${DIR}\n    dialect: postgres\n`;
const tool = { name: "migration-warden", version: "test" };

const plain: DirectoryShape = { kind: "directory" };
const missing: DirectoryShape = { kind: "missing" };
const link = (at = DIR): DirectoryShape => ({
  kind: "not-a-directory",
  at,
  entry: "symlink",
  oid: blobId("../sql"),
});
const submodule: DirectoryShape = {
  kind: "not-a-directory",
  at: DIR,
  entry: "submodule",
  oid: "c".repeat(40),
};
const file = (at: string): DirectoryShape => ({
  kind: "not-a-directory",
  at,
  entry: "file",
  oid: blobId("x"),
});

function withShapes(spec: ChangeSpec, base: DirectoryShape, head: DirectoryShape): ChangeSet {
  return { ...changeSet(spec), directoryShapes: new Map([[DIR, { base, head }]]) };
}

async function run(cs: ChangeSet, yaml = CONFIG) {
  const { report } = await analyze(parseConfig(yaml, { ref: "main" }), cs, { tool });
  return {
    findings: report.findings
      .filter((f) => f.ruleId === ID)
      .map((f) => [f.path, f.severity, f.message] as const),
    incomplete: report.incomplete,
    approvalRequired: report.approvalRequired,
  };
}

const MERGED = {
  base: {
    [DIR]: { "1_init.up.sql": "CREATE TABLE t (id int);", "1_init.down.sql": "DROP TABLE t;" },
  },
};

describe(ID, () => {
  describe("valid", () => {
    test("a plain directory on both sides", async () => {
      const r = await run(
        withShapes({ ...MERGED, add: { [`${DIR}/2_x.up.sql`]: "SELECT 1;" } }, plain, plain),
      );
      expect(r.findings).toEqual([]);
      expect(r.incomplete).toEqual([]);
    });

    test("PATH mode and adapters that give no shapes are not checked", async () => {
      const cs = changeSet({ add: { [`${DIR}/2_x.up.sql`]: "SELECT 1;" } });
      expect((await run({ ...cs, mode: "paths" })).findings).toEqual([]);
      expect((await run(cs)).findings).toEqual([]);
    });
  });

  describe("invalid", () => {
    test.each<[string, ChangeSpec, DirectoryShape, string]>([
      [
        "the directory committed as a symlink to ../sql",
        { add: { [DIR]: "../sql", "sql/000001_init.up.sql": "DROP TABLE users;" } },
        link(),
        "db/migrations is a symbolic link at the head of this change, not a plain directory",
      ],
      [
        "a submodule (gitlink) at the directory's path",
        { add: { [DIR]: "" } },
        submodule,
        "db/migrations is a git submodule at the head of this change",
      ],
      [
        "a file replacing an ancestor",
        { add: { db: "x" } },
        file("db"),
        "db (an ancestor of db/migrations) is a file at the head of this change",
      ],
      [
        "a symlinked ancestor",
        { add: { db: "../elsewhere" } },
        link("db"),
        "db (an ancestor of db/migrations) is a symbolic link at the head of this change",
      ],
    ])("%s: error, incomplete, approval required", async (_what, spec, head, message) => {
      const r = await run(withShapes(spec, missing, head));
      expect(r.findings).toEqual([
        [
          head.kind === "not-a-directory" ? head.at : DIR,
          "error",
          expect.stringContaining(message),
        ],
      ]);
      expect(r.incomplete).toEqual([expect.stringContaining("not a plain directory")]);
      expect(r.approvalRequired).toBe(true);
    });

    test("a submodule pointer bump (modified gitlink) is a change to the directory's path", async () => {
      const cs = withShapes({ modify: { [DIR]: "" } }, submodule, {
        ...submodule,
        oid: "d".repeat(40),
      });
      const r = await run(cs);
      expect(r.findings).toEqual([
        [DIR, "error", expect.stringContaining("is a git submodule at the head of this change")],
      ]);
      expect(r.incomplete).toHaveLength(1);
    });

    test("a symlink on the base the change does not touch: error, the merged result has it", async () => {
      const r = await run(withShapes({ add: { "src/app.go": "package main" } }, link(), plain));
      expect(r.findings).toEqual([
        [
          DIR,
          "error",
          expect.stringContaining("is a symbolic link on the base branch, not a plain directory"),
        ],
      ]);
      expect(r.incomplete).toEqual([expect.stringContaining("on the base branch")]);
    });

    test("the same symlink on both sides names both", async () => {
      const r = await run(withShapes({ modify: { [DIR]: "../sql" } }, link(), link()));
      expect(r.findings).toEqual([
        [DIR, "error", expect.stringContaining("on the base branch and at the head")],
      ]);
    });

    test("a working-tree symlink the diff does not show is still reported (CLI)", async () => {
      const r = await run(withShapes({}, plain, link()));
      expect(r.findings).toEqual([
        [DIR, "error", expect.stringContaining("at the head of this change")],
      ]);
      expect(r.incomplete).toHaveLength(1);
    });

    test("a change that turns a symlink into a plain directory: a warning, reviewed as new files", async () => {
      const r = await run(
        withShapes(
          { remove: [DIR], add: { [`${DIR}/1_init.up.sql`]: "CREATE TABLE t (id int);" } },
          link(),
          plain,
        ),
      );
      expect(r.findings).toEqual([
        [
          DIR,
          "warning",
          expect.stringContaining("this change makes db/migrations a plain directory"),
        ],
      ]);
      expect(r.incomplete).toEqual([]);
      expect(r.approvalRequired).toBe(true);
    });

    test("a directory missing on the base: a warning, never a silent pass", async () => {
      const none = await run(withShapes({ add: { "src/app.go": "x" } }, missing, missing));
      expect(none.findings).toEqual([
        [
          DIR,
          "warning",
          expect.stringContaining(
            "does not exist on the base branch (nor after this change), so nothing is checked there",
          ),
        ],
      ]);
      expect(none.incomplete).toEqual([]);
      const created = await run(
        withShapes(
          { add: { [`${DIR}/1_init.up.sql`]: "CREATE TABLE t (id int);" } },
          missing,
          plain,
        ),
      );
      expect(created.findings).toEqual([
        [DIR, "warning", expect.stringContaining("this change creates it")],
      ]);
    });

    test("turned off in the configuration, the finding goes but the failure stays", async () => {
      const r = await run(
        withShapes({ add: { [DIR]: "../sql" } }, missing, link()),
        `${CONFIG}rules:\n  ${ID}: off\n`,
      );
      expect(r.findings).toEqual([]);
      expect(r.incomplete).toHaveLength(1);
      expect(r.approvalRequired).toBe(true);
    });

    test("an ignore comment cannot suppress it", async () => {
      const sql = `-- migration-warden:ignore-file ${ID} -- trust me\nSELECT 1;`;
      const cs = withShapes(
        { add: { [DIR]: "../sql", [`${DIR}/2_x.up.sql`]: sql } },
        missing,
        link(),
      );
      const { report } = await analyze(parseConfig(CONFIG, { ref: "main" }), cs, { tool });
      const mine = report.findings.filter((f) => f.ruleId === ID);
      expect(mine.map((f) => [f.severity, f.suppressed])).toEqual([["error", undefined]]);
      expect(report.summary.error).toBeGreaterThan(0);
    });
  });
});
