/**
 * A base directory read in one `ls-tree` when it can be (Git.readDirectory), the base listings
 * read ahead (LocalRevisions.prefetchBase) and the configuration read while the merge base is
 * computed (resolveRevisions' onBase): the same answers as the step-by-step reads, and nothing a
 * layout of the tree can slip past them.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { Git, GitError } from "../../src/cli/git.js";
import { LocalRevisions, resolveRevisions } from "../../src/cli/changeset.js";
import { TempRepo } from "../support/git-repo.js";

let repo: TempRepo;
let git: Git;
let head: string;
const UP = "CREATE TABLE t (id int);\n";

beforeAll(async () => {
  repo = new TempRepo();
  repo.write({
    "migrations/000001_a.up.sql": UP,
    "migrations/000001_a.down.sql": "DROP TABLE t;\n",
    "migrations/nested/x.sql": UP,
    "db/pg/migrations/000001_a.up.sql": UP,
    "db/file": "x\n",
    // A name pathspec magic would read as a glob, beside one the glob also matches.
    "a*b/000001_a.up.sql": UP,
    "aXb/000002_b.up.sql": UP,
    "real/000001_a.up.sql": UP,
    "sql/000001_a.up.sql": UP,
  });
  repo.symlink("real", "linked");
  repo.symlink("sql", "via/link");
  repo.git("add", "-A");
  repo.git("update-index", "--add", "--cacheinfo", `160000,${"c".repeat(40)},sub`);
  head = repo.commit("layouts");
  git = (await Git.open(repo.dir))!;
});
afterAll(() => repo.cleanup());

describe("Git.readDirectory", () => {
  const dirs = [
    "",
    "migrations",
    "migrations/nested",
    "db/pg/migrations",
    "db/file",
    "db/file/migrations",
    "db/missing",
    "nope",
    "linked",
    "via/link",
    "via/link/deeper",
    "sub",
    "sub/migrations",
    "a*b",
    "aXb",
    "a?b",
    "Migrations",
  ];

  test.each(dirs)("%j: the shape and listing of the segment walk", async (dir) => {
    const shape = await git.directoryShape(head, dir);
    const entries = shape.kind === "directory" ? await git.listDirectory(head, dir) : null;
    expect(await git.readDirectory(head, dir)).toEqual({ shape, entries });
  });

  test("a glob-like name lists only its own files, not the names the glob matches", async () => {
    const { shape, entries } = await git.readDirectory(head, "a*b");
    expect(shape).toEqual({ kind: "directory" });
    expect(entries?.map((e) => e.name)).toEqual(
      (await git.listDirectory(head, "a*b")).map((e) => e.name),
    );
  });

  test("an unknown revision fails as the listing does", async () => {
    await expect(git.readDirectory("0".repeat(40), "migrations")).rejects.toThrow(GitError);
  });
});

describe("git processes", () => {
  test("no common ancestor is an error naming both revisions, not an empty merge base", async () => {
    const other = new TempRepo();
    try {
      other.write({ "a.txt": "a\n" }).commit("one");
      other.git("checkout", "-q", "--orphan", "island");
      other.write({ "b.txt": "b\n" }).commit("two");
      const g = (await Git.open(other.dir))!;
      await expect(g.mergeBase("main", "island")).rejects.toThrow(
        /^no common ancestor between main and island$/,
      );
      await expect(resolveRevisions(g, "main", "island")).rejects.toThrow(GitError);
    } finally {
      other.cleanup();
    }
  });

  test("outside a repository there is no Git", async () => {
    expect(await Git.open("/")).toBeNull();
    expect(await Git.open("/no/such/directory")).toBeNull();
    expect(await Git.open("/", ["HEAD", "main"])).toBeNull();
  });

  test("revisions asked while opening: the answer resolveMany gives, used once", async () => {
    const asked = ["HEAD", "main", "nope", "-n", "main\nHEAD"];
    // From a subdirectory: the same repository, the same answers.
    const opened = (await Git.open(`${repo.dir}/migrations`, asked))!;
    expect(opened.root).toBe(git.root);
    const first = await opened.resolveMany(asked);
    expect(first).toEqual(await git.resolveMany(asked));
    expect(first.get("main")).toBe(head);
    // A ref that moves afterwards is asked again: the early answer is not a cache.
    repo.git("branch", "moved", "main");
    const again = (await Git.open(repo.dir, ["moved"]))!;
    repo.write({ "later.txt": "x\n" });
    const later = repo.git("commit-tree", "-p", head, "-m", "later", `${head}^{tree}`).trim();
    repo.git("update-ref", "refs/heads/moved", later);
    expect((await again.resolveMany(["moved"])).get("moved")).toBe(head);
    expect((await again.resolveMany(["moved"])).get("moved")).toBe(later);
    // Other revisions than those asked ahead: asked of git.
    const other = (await Git.open(repo.dir, ["HEAD"]))!;
    expect((await other.resolveMany(["main"])).get("main")).toBe(head);
  });
});

describe("reading ahead", () => {
  test("onBase gets the base before the merge base is known; never when resolving fails", async () => {
    const seen: unknown[] = [];
    const revs = await resolveRevisions(git, "main", "HEAD", (b) => seen.push(b));
    expect(seen).toEqual([revs.base]);
    const none: unknown[] = [];
    await expect(resolveRevisions(git, "nope", "HEAD", (b) => none.push(b))).rejects.toThrow(
      /unknown revision "nope"/,
    );
    expect(none).toEqual([]);
  });

  test("a prefetched listing is the listing; a failed one fails when asked, not before", async () => {
    const revs = await resolveRevisions(git, "main", "HEAD");
    const ahead = new LocalRevisions(git, revs);
    ahead.prefetchBase(["migrations", "linked", "nope"]);
    const plain = new LocalRevisions(git, revs);
    for (const d of ["migrations", "linked", "nope"])
      expect(await ahead.listBase(d)).toEqual(await plain.listBase(d));

    // A base that cannot be listed: the prefetch's failure stays quiet (no unhandled
    // rejection ends the process) until the builder asks, and then it is the same error.
    const broken = new LocalRevisions(git, {
      ...revs,
      base: { ref: "gone", sha: "0".repeat(40) },
    });
    broken.prefetchBase(["migrations"]);
    await new Promise((r) => setTimeout(r, 200));
    await expect(broken.listBase("migrations")).rejects.toThrow(GitError);
  });
});
