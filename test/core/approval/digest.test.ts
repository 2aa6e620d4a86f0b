import { createHash } from "node:crypto";
import fc from "fast-check";
import { DigestInputError, migrationDigest } from "../../../src/core/approval/digest.js";
import type { TreeEntry } from "../../../src/core/types.js";

const oid = (c: string) => c.repeat(40);
const file = (name: string, c: string): TreeEntry => ({ name, kind: "file", oid: oid(c) });

const DIRS = [{ path: "db/migrations" }, { path: "db/tenant" }];
function listings(
  a: TreeEntry[] = [file("1_a.up.sql", "1"), file("1_a.down.sql", "2")],
  b: TreeEntry[] = [file("1_t.up.sql", "3")],
) {
  return new Map([
    ["db/migrations", a],
    ["db/tenant", b],
  ]);
}

describe("migrationDigest", () => {
  test("is sha256 hex, stable, and pinned to its encoding", () => {
    const d = migrationDigest(DIRS, listings());
    expect(d).toMatch(/^[0-9a-f]{64}$/);
    expect(migrationDigest(DIRS, listings())).toBe(d);
    // The encoding is part of the contract of stored button approvals: changing it voids them.
    const expected = createHash("sha256")
      .update(
        JSON.stringify([
          "migration-warden/migration-digest/v1",
          [
            ["db/migrations/1_a.down.sql", "file", oid("2")],
            ["db/migrations/1_a.up.sql", "file", oid("1")],
            ["db/tenant/1_t.up.sql", "file", oid("3")],
          ],
        ]),
      )
      .digest("hex");
    expect(d).toBe(expected);
    expect(d).toBe("7792d295f4a65a468399f7d82f61b12a3a725be3498246b965b345966b392a62");
  });

  test("does not depend on the order of directories or entries", () => {
    const a = [file("1_a.up.sql", "1"), file("1_a.down.sql", "2"), file("2_b.up.sql", "4")];
    const b = [file("1_t.up.sql", "3"), file("README.md", "5")];
    const reference = migrationDigest(DIRS, listings(a, b));
    fc.assert(
      fc.property(
        fc.shuffledSubarray(a, { minLength: 3 }),
        fc.shuffledSubarray(b, { minLength: 2 }),
        fc.boolean(),
        (x, y, flip) => {
          const dirs = flip ? [...DIRS].reverse() : DIRS;
          const map = new Map(
            flip
              ? [
                  ["db/tenant", y],
                  ["db/migrations", x],
                ]
              : [
                  ["db/migrations", x],
                  ["db/tenant", y],
                ],
          );
          expect(migrationDigest(dirs, map)).toBe(reference);
        },
      ),
    );
  });

  test("any change of a path, blob, kind or membership changes it", () => {
    const base = migrationDigest(DIRS, listings());
    const variants: [string, Map<string, TreeEntry[]>][] = [
      ["blob edited", listings([file("1_a.up.sql", "9"), file("1_a.down.sql", "2")])],
      ["renamed", listings([file("1_b.up.sql", "1"), file("1_a.down.sql", "2")])],
      ["file added", listings(undefined, [file("1_t.up.sql", "3"), file("2_t.up.sql", "3")])],
      ["file removed", listings([file("1_a.up.sql", "1")])],
      ["blob moved between names", listings([file("1_a.up.sql", "2"), file("1_a.down.sql", "1")])],
      [
        "file became a symlink with the same blob",
        listings([
          { name: "1_a.up.sql", kind: "symlink", oid: oid("1") },
          file("1_a.down.sql", "2"),
        ]),
      ],
      [
        "moved to the other directory",
        new Map([
          ["db/migrations", [file("1_a.down.sql", "2")]],
          ["db/tenant", [file("1_t.up.sql", "3"), file("1_a.up.sql", "1")]],
        ]),
      ],
      [
        "a non-migration file added (golang-migrate may read it after all)",
        listings([...listings().get("db/migrations")!, file("1_a.up.sql.bak", "1")]),
      ],
    ];
    const seen = new Set([base]);
    for (const [name, map] of variants) {
      const d = migrationDigest(DIRS, map);
      expect({ name, changed: d !== base }).toEqual({ name, changed: true });
      seen.add(d);
    }
    expect(seen.size).toBe(variants.length + 1);
  });

  test("a subdirectory counts by its tree id: an edit anywhere below voids approvals", () => {
    const nested = (tree: string) =>
      listings([file("1_a.up.sql", "1"), { name: "archive", kind: "directory", oid: oid(tree) }]);
    expect(migrationDigest(DIRS, nested("7"))).not.toBe(migrationDigest(DIRS, nested("8")));
    expect(migrationDigest(DIRS, nested("7"))).not.toBe(
      migrationDigest(DIRS, listings([file("1_a.up.sql", "1")])),
    );
  });

  test("field boundaries cannot be shifted to collide", () => {
    const one = (entries: TreeEntry[]) =>
      migrationDigest([{ path: "m" }], new Map([["m", entries]]));
    // Names that would collide under naive concatenation with separators.
    const pairs: [TreeEntry[], TreeEntry[]][] = [
      [[file("ab", "1")], [file("a", "1"), file("b", "1")]],
      [[file('a","file","' + oid("1"), "2")], [file("a", "1"), file("b", "2")]],
      [[file("a\nb", "1")], [file("a", "1"), file("b", "1")]],
      [[file("a\tfile\t1", "1")], [file("a", "1")]],
      [[file("a]", "1")], [file("a", "1")]],
    ];
    for (const [x, y] of pairs) expect(one(x)).not.toBe(one(y));
    // The directory/name split is unambiguous: "a/b" + "c" and "a" + "b/c" cannot both exist
    // (names never contain "/"), and paths are joined the same way for both.
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.string({ minLength: 1, maxLength: 6 }).filter((s) => !/[/\0]|^\.\.?$/.test(s)),
          { minLength: 1, maxLength: 4 },
        ),
        fc.uniqueArray(
          fc.string({ minLength: 1, maxLength: 6 }).filter((s) => !/[/\0]|^\.\.?$/.test(s)),
          { minLength: 1, maxLength: 4 },
        ),
        (a, b) => {
          const same =
            a.length === b.length && [...a].sort().every((n, i) => n === [...b].sort()[i]);
          const da = one(a.map((n) => file(n, "1")));
          const db = one(b.map((n) => file(n, "1")));
          expect(da === db).toBe(same);
        },
      ),
    );
  });

  test("an empty or missing directory is an empty listing", () => {
    const d = migrationDigest([{ path: "m" }], new Map([["m", []]]));
    expect(d).toMatch(/^[0-9a-f]{64}$/);
    expect(migrationDigest([{ path: "" }], new Map([["", [file("1_a.up.sql", "1")]]]))).not.toBe(d);
  });

  test("object ids are compared case-insensitively (git prints lowercase)", () => {
    const lower = migrationDigest([{ path: "m" }], new Map([["m", [file("x", "a")]]]));
    const upper = migrationDigest(
      [{ path: "m" }],
      new Map([["m", [{ name: "x", kind: "file", oid: "A".repeat(40) }]]]),
    );
    expect(upper).toBe(lower);
  });

  test.each([
    [
      "a missing listing",
      DIRS,
      new Map([["db/migrations", []]]),
      /no listing for directory "db\/tenant"/,
    ],
    [
      "a listing that is not configured",
      [{ path: "m" }],
      new Map([
        ["m", []],
        ["x", []],
      ]),
      /"x", which is not a configured directory/,
    ],
    [
      "a directory configured twice",
      [{ path: "m" }, { path: "m" }],
      new Map([["m", []]]),
      /"m" listed twice/,
    ],
    [
      "a duplicate entry",
      [{ path: "m" }],
      new Map([["m", [file("x", "1"), file("x", "2")]]]),
      /entry "x": listed twice/,
    ],
    [
      "a name with a slash",
      [{ path: "m" }],
      new Map([["m", [file("a/b", "1")]]]),
      /entry "a\/b": not a plain file name/,
    ],
    ["an empty name", [{ path: "m" }], new Map([["m", [file("", "1")]]]), /not a plain file name/],
    [
      "a dot-dot name",
      [{ path: "m" }],
      new Map([["m", [file("..", "1")]]]),
      /not a plain file name/,
    ],
    [
      "a bad object id",
      [{ path: "m" }],
      new Map([["m", [{ name: "x", kind: "file", oid: "xyz" } as TreeEntry]]]),
      /entry "x": invalid object id "xyz"/,
    ],
    [
      "an unknown kind",
      [{ path: "m" }],
      new Map([["m", [{ name: "x", kind: "fifo", oid: oid("1") } as unknown as TreeEntry]]]),
      /unknown kind "fifo"/,
    ],
  ])("rejects %s, naming it", (_name, dirs, map, message) => {
    expect(() => migrationDigest(dirs, map as Map<string, TreeEntry[]>)).toThrow(DigestInputError);
    expect(() => migrationDigest(dirs, map as Map<string, TreeEntry[]>)).toThrow(message);
  });

  test("accepts SHA-256 repositories' 64-hex object ids", () => {
    expect(
      migrationDigest(
        [{ path: "m" }],
        new Map([["m", [{ name: "x", kind: "file", oid: "f".repeat(64) }]]]),
      ),
    ).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("directory shapes (issue 11.1)", () => {
  const reference = () => migrationDigest(DIRS, listings());
  const empty = () =>
    new Map<string, TreeEntry[]>([
      ["db/migrations", []],
      ["db/tenant", [file("1_t.up.sql", "3")]],
    ]);
  const link = (target: string) => ({
    kind: "not-a-directory" as const,
    at: "db/migrations",
    entry: "symlink" as const,
    oid: oid(target),
  });

  test("plain and missing directories hash exactly as before shapes existed", () => {
    const plain = new Map([
      ["db/migrations", { kind: "directory" as const }],
      ["db/tenant", { kind: "missing" as const }],
    ]);
    expect(migrationDigest(DIRS, listings(), plain)).toBe(reference());
  });

  test("a directory replaced by a link, or a link retargeted, changes the digest", () => {
    const missing = migrationDigest(
      DIRS,
      empty(),
      new Map([["db/migrations", { kind: "missing" }]]),
    );
    const toA = migrationDigest(DIRS, empty(), new Map([["db/migrations", link("a")]]));
    const toB = migrationDigest(DIRS, empty(), new Map([["db/migrations", link("b")]]));
    const sub = migrationDigest(
      DIRS,
      empty(),
      new Map([["db/migrations", { ...link("a"), entry: "submodule" as const }]]),
    );
    const ancestor = migrationDigest(
      DIRS,
      empty(),
      new Map([["db/migrations", { ...link("a"), at: "db" }]]),
    );
    expect(new Set([missing, toA, toB, sub, ancestor]).size).toBe(5);
  });

  test("a non-directory with a listing is an adapter bug", () => {
    expect(() =>
      migrationDigest(DIRS, listings(), new Map([["db/migrations", link("a")]])),
    ).toThrow(DigestInputError);
  });
});
