/**
 * Git.open's object reader (one `git cat-file --batch` process for a lint's revisions, its base
 * configuration and its merged files): every answer is the one the processes it replaces give
 * (`cat-file --batch-check`, `git show`, a `cat-file --batch` of their own), reads asked at once
 * come back to whoever asked, and a reader that is closed or gone is replaced by those processes.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { Git, GitError } from "../../src/cli/git.js";
import { blobId } from "../support/changeset.js";
import { TempRepo } from "../support/git-repo.js";

let repo: TempRepo;
let base: string;
let plain: Git;

const FILES: Record<string, string | Uint8Array> = {
  ".github/migration-warden.yml": "directories:\n  - path: migrations\n    dialect: postgres\n",
  "migrations/1_a.up.sql": "CREATE TABLE a (id int);\n",
  "migrations/2_bytes.up.sql": Uint8Array.from([0xff, 0x00, 0x0a, 0xc3, 0x28, 0x41]),
  "migrations/3 spaced name.up.sql": "SELECT 3;\n",
  "migrations/4_empty.up.sql": "",
  // A line that looks like a header of cat-file's, inside a file.
  "migrations/5_header.up.sql": `${"a".repeat(40)} blob 3\nabc\n`,
};

beforeAll(async () => {
  repo = new TempRepo();
  repo.write(FILES);
  repo.symlink("migrations", "linked");
  base = repo.commit("base");
  repo.git("tag", "-a", "-m", "annotated", "v1");
  plain = (await Git.open(repo.dir))!;
});
afterAll(() => repo.cleanup());

const withObjects = async (revs: string[] = []) =>
  (await Git.open(repo.dir, revs, { objects: true }))!;

describe("the object reader", () => {
  test("readAt: a blob, a symlink, a missing path, a tree, a bad revision: what git show gives", async () => {
    const git = await withObjects();
    try {
      const names: Array<[string, string]> = [
        [base, ".github/migration-warden.yml"],
        ["main", "migrations/2_bytes.up.sql"],
        ["main", "migrations/3 spaced name.up.sql"],
        ["main", "migrations/4_empty.up.sql"],
        ["main", "migrations/5_header.up.sql"],
        ["main", "linked"],
        ["main", "missing.yml"],
        ["main", "migrations"],
        ["main", ""],
        ["v1", "migrations/1_a.up.sql"],
        ["nope", ".github/migration-warden.yml"],
        ["main", "a\nb"],
        ["main", " missing"],
      ];
      for (const [rev, path] of names) {
        const viaReader = await git.readAt(rev, path);
        const viaShow = await plain.readAt(rev, path);
        expect([rev, path, viaReader && Buffer.from(viaReader)]).toEqual([
          rev,
          path,
          viaShow && Buffer.from(viaShow),
        ]);
      }
      expect(String(await git.readAt("main", "migrations"))).toMatch(/^tree main:migrations\n/);
    } finally {
      git.closeObjects();
    }
  });

  test("revisions asked while opening: the answers of cat-file --batch-check", async () => {
    const asked = [
      "HEAD",
      "main",
      "v1",
      "nope",
      "-n",
      "main\nHEAD",
      "",
      `${base}`,
      "HEAD:migrations",
    ];
    const git = await withObjects(asked);
    try {
      const answer = await git.resolveMany(asked);
      expect(answer).toEqual(await plain.resolveMany(asked));
      expect(answer.get("v1")).toBe(base);
      expect(answer.get("HEAD:migrations")).toBeNull();
    } finally {
      git.closeObjects();
    }
  });

  test("reads asked at once each get their own answer", async () => {
    const git = await withObjects(["HEAD", "main"]);
    try {
      const paths = Object.keys(FILES);
      const blobs = paths.map((path) => ({ object: blobId(FILES[path]!), path }));
      const [a, b, c, d, e] = await Promise.all([
        git.readBlobs(blobs),
        git.readAt("main", "missing.yml"),
        git.readBlobs([...blobs].reverse()),
        git.readAt("main", ".github/migration-warden.yml"),
        git.resolveMany(["HEAD", "main"]),
      ]);
      expect(a.map((x) => Buffer.from(x))).toEqual(paths.map((p) => Buffer.from(FILES[p]!)));
      expect(b).toBeNull();
      expect(c.map((x) => Buffer.from(x))).toEqual([...a].reverse().map((x) => Buffer.from(x)));
      expect(String(d)).toBe(FILES[".github/migration-warden.yml"]);
      expect(e.get("main")).toBe(base);
    } finally {
      git.closeObjects();
    }
  });

  test("a missing blob is the same error; the reader still answers afterwards", async () => {
    const git = await withObjects();
    try {
      const missing = [{ object: "0".repeat(40), path: "migrations/9_gone.up.sql" }];
      const viaReader = await git.readBlobs(missing).catch((err: Error) => err);
      const viaProcess = await plain.readBlobs(missing).catch((err: Error) => err);
      expect(viaReader).toBeInstanceOf(GitError);
      expect((viaReader as Error).message).toBe((viaProcess as Error).message);
      expect(
        String((await git.readBlobs([{ object: `${base}:migrations/1_a.up.sql`, path: "a" }]))[0]),
      ).toBe(FILES["migrations/1_a.up.sql"]);
    } finally {
      git.closeObjects();
    }
  });

  test("closed: every read is answered by processes of its own, as without a reader", async () => {
    const git = await withObjects(["HEAD"]);
    git.closeObjects();
    git.closeObjects();
    expect((await git.resolveMany(["HEAD"])).get("HEAD")).toBe(base);
    expect(String(await git.readAt("main", ".github/migration-warden.yml"))).toBe(
      FILES[".github/migration-warden.yml"],
    );
    expect(await git.readAt("main", "missing.yml")).toBeNull();
    const [bytes] = await git.readBlobs([{ object: `${base}:migrations/1_a.up.sql`, path: "a" }]);
    expect(String(bytes)).toBe(FILES["migrations/1_a.up.sql"]);
  });

  test("outside a repository: no Git, and the reader it started is closed", async () => {
    expect(await Git.open("/", ["HEAD"], { objects: true })).toBeNull();
  });
});
