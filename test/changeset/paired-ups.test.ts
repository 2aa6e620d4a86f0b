/** The builder reads the merged up of a down file the change adds or edits (ChangeSet.pairedUps). */
import { defaultConfig } from "../../src/config/load.js";
import { buildChangeSet } from "../../src/changeset/build.js";
import type { RevisionSource } from "../../src/changeset/source.js";
import type { ChangedFile } from "../../src/core/types.js";
import { blobId } from "../support/changeset.js";

const base: Record<string, string> = {
  "1_a.up.sql": "CREATE TABLE a (id bigint);",
  "1_a.down.sql": "DROP TABLE a;",
  "2_b.up.sql": "CREATE TABLE b (id bigint);",
  "3_c.up.sql": "CREATE TABLE c (id bigint);",
};

function source(head: Record<string, string>, reads: string[][]): RevisionSource {
  return {
    owner: null,
    base: { ref: "main", sha: "b".repeat(40) },
    head: { ref: "HEAD" },
    shapesEveryHead: false,
    listChanges: () => Promise.reject(new Error("unused")),
    listBase: () =>
      Promise.resolve({
        shape: { kind: "directory" } as never,
        truncated: null,
        entries: Object.entries(base).map(([name, c]) => ({ name, kind: "file", oid: blobId(c) })),
      }),
    headShape: () => Promise.resolve({ shape: { kind: "directory" } as never, truncated: null }),
    describeHead: (files) =>
      Promise.resolve({
        files: new Map(files.map((f) => [f.path, { kind: "file" }])),
        incomplete: [],
      }),
    readHead: (files) =>
      Promise.resolve(
        new Map(files.map((f) => [f.path, Buffer.from(head[f.path.replace("migrations/", "")]!)])),
      ),
    readBase: (files) => {
      reads.push(files.map((f) => f.path));
      return Promise.resolve(
        files.map((f) => Buffer.from(base[f.path.replace("migrations/", "")] ?? "")),
      );
    },
  };
}

test("a down added for a merged up gets that up's base contents, nothing else", async () => {
  const head = {
    "2_b.down.sql": "DROP TABLE b;",
    "4_d.up.sql": "SELECT 1;",
    "3_c.up.sql": "SELECT 2;",
  };
  const changes: ChangedFile[] = [
    { path: "migrations/2_b.down.sql", status: "added" },
    { path: "migrations/4_d.up.sql", status: "added" },
    // 3's up is edited, so its down (not in the change) is never read as a pair.
    { path: "migrations/3_c.up.sql", status: "modified" },
  ];
  const reads: string[][] = [];
  const cs = await buildChangeSet(source(head, reads), defaultConfig(), {
    changes,
    incomplete: [],
  });
  expect([...(cs.pairedUps?.keys() ?? [])]).toEqual(["migrations/2_b.up.sql"]);
  expect(Buffer.from(cs.pairedUps!.get("migrations/2_b.up.sql")!).toString()).toBe(
    base["2_b.up.sql"],
  );
});

test("an up the change edits is not a merged pair (its new text is analysed instead)", async () => {
  const head = { "1_a.down.sql": "DROP TABLE a;\n", "1_a.up.sql": "CREATE TABLE a (id int);" };
  const cs = await buildChangeSet(source(head, []), defaultConfig(), {
    changes: [
      { path: "migrations/1_a.down.sql", status: "modified" },
      { path: "migrations/1_a.up.sql", status: "modified" },
    ],
    incomplete: [],
  });
  expect(cs.pairedUps).toBeUndefined();
});
