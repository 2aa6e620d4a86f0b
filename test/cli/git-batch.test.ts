/** The CLI reads merged migrations for the replay through one `git cat-file --batch` process. */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { baseReader } from "../../src/cli/replay.js";
import { Git, GitError, parseBatch } from "../../src/cli/git.js";
import { blobId } from "../support/changeset.js";
import { TempRepo } from "../support/git-repo.js";

let repo: TempRepo;
let git: Git;
let base: string;

const FILES: Record<string, string | Uint8Array> = {
  "migrations/1_a.up.sql": "CREATE TABLE a (id int);\n",
  "migrations/2_crlf.up.sql": "CREATE TABLE b (id int);\r\nCREATE TABLE c (id int);\r\n",
  "migrations/3_empty.up.sql": "",
  // Bytes that are not UTF-8, a NUL and a trailing newline-free end: returned exactly.
  "migrations/4_bytes.up.sql": Uint8Array.from([0xff, 0x00, 0x0a, 0xc3, 0x28, 0x41]),
  "migrations/5 spaced name.up.sql": "SELECT 5;\n",
};

beforeAll(async () => {
  repo = new TempRepo();
  repo.write(FILES);
  base = repo.commit("base");
  git = (await Git.open(repo.dir))!;
});
afterAll(() => repo.cleanup());

const asked = (paths: string[]) => paths.map((path) => ({ object: blobId(FILES[path]!), path }));

describe("Git.readBlobs", () => {
  test("every blob in the order asked, byte for byte, by blob id or by <rev>:<path>", async () => {
    const paths = Object.keys(FILES).reverse();
    const got = await git.readBlobs(asked(paths));
    expect(got.map((b) => Buffer.from(b))).toEqual(paths.map((p) => Buffer.from(FILES[p]!)));
    const byPath = await git.readBlobs(paths.map((path) => ({ object: `${base}:${path}`, path })));
    expect(byPath).toEqual(got);
    // The same blob twice is answered twice.
    const twice = await git.readBlobs(asked(["migrations/1_a.up.sql", "migrations/1_a.up.sql"]));
    expect(twice.map(String)).toEqual([
      FILES["migrations/1_a.up.sql"],
      FILES["migrations/1_a.up.sql"],
    ]);
    expect(await git.readBlobs([])).toEqual([]);
  });

  test("a thousand blobs in one process", async () => {
    const many = Array.from({ length: 1000 }, () => asked(["migrations/1_a.up.sql"])[0]!);
    const got = await git.readBlobs(many);
    expect(got).toHaveLength(1000);
    expect(new Set(got.map(String))).toEqual(new Set([FILES["migrations/1_a.up.sql"]]));
  });

  test("missing objects, trees and unusable names fail naming the file", async () => {
    await expect(
      git.readBlobs([
        ...asked(["migrations/1_a.up.sql"]),
        { object: "0".repeat(40), path: "migrations/9_gone.up.sql" },
      ]),
    ).rejects.toThrow(
      new GitError(`migrations/9_gone.up.sql: ${"0".repeat(40)} does not exist in the repository`),
    );
    await expect(
      git.readBlobs([{ object: `${base}:migrations`, path: "migrations" }]),
    ).rejects.toThrow("migrations: " + `${base}:migrations is a tree, not a file`);
    await expect(git.readBlobs([{ object: `${base}:a\nb`, path: "a\nb" }])).rejects.toThrow(
      "cannot be passed to git",
    );
  });
});

describe("parseBatch", () => {
  const oid = "a".repeat(40);
  const one = [{ object: oid, path: "m/1.up.sql" }];
  test("rejects output that ends early or answers another object", () => {
    expect(parseBatch(Buffer.from(`${oid} blob 3\nabc\n`), one).map(String)).toEqual(["abc"]);
    expect(() => parseBatch(Buffer.from(`${oid} blob 3\nab`), one)).toThrow(
      "m/1.up.sql: git cat-file output ended inside",
    );
    expect(() => parseBatch(Buffer.from(""), one)).toThrow("stopped before");
    expect(() => parseBatch(Buffer.from(`${"b".repeat(40)} blob 1\nx\n`), one)).toThrow(
      `answered ${"b".repeat(40)} for ${oid}`,
    );
    expect(() => parseBatch(Buffer.from(`${oid} ambiguous\n`), one)).toThrow("is ambiguous");
  });
});

test("the replay's base reader asks git once for all files, by blob id", async () => {
  const calls: Array<Array<{ object: string; path: string }>> = [];
  const read = baseReader(
    {
      readBlobs: async (blobs) => {
        calls.push([...blobs]);
        return git.readBlobs(blobs);
      },
    },
    base,
  );
  const got = await read([
    { path: "migrations/1_a.up.sql", oid: blobId(FILES["migrations/1_a.up.sql"]!) },
    { path: "migrations/2_crlf.up.sql" },
  ]);
  expect(got.map(String)).toEqual([
    FILES["migrations/1_a.up.sql"],
    FILES["migrations/2_crlf.up.sql"],
  ]);
  expect(calls).toEqual([
    [
      { object: blobId(FILES["migrations/1_a.up.sql"]!), path: "migrations/1_a.up.sql" },
      { object: `${base}:migrations/2_crlf.up.sql`, path: "migrations/2_crlf.up.sql" },
    ],
  ]);
  await expect(baseReader(null, null)([{ path: "migrations/1_a.up.sql" }])).rejects.toThrow(
    "no base revision to read migrations/1_a.up.sql from",
  );
});
