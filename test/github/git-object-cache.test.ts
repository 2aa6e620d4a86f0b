/**
 * Verified git objects remembered across events by one process (src/github/git-object-cache.ts):
 * a repeated event sends no gather, a warm one asks only for what is new. Attacks: an answer
 * whose text does not hash to its id (never used, never cached), another repository with the
 * same objects (never served across), a force-push rewriting the same paths, a base branch moved
 * back to an older commit; the byte bound and the switch.
 */
import { describe, expect, test } from "@jest/globals";
import { gitObjectId } from "../../src/changeset/object-id.js";
import type { GitHubClient } from "../../src/github/client.js";
import type { RawTree } from "../../src/github/git.js";
import { TreeReader } from "../../src/github/git.js";
import { GitObjectCache, gitObjectCacheFromEnv } from "../../src/github/git-object-cache.js";
import { blobSha } from "../support/fake-github.mjs";
import { treeId } from "../support/git-tree.js";
import {
  APPROVAL,
  harnessesPerTest,
  helloWorld,
  LINT,
  mergedMigrations,
  pullRequestEvent,
  type Harness,
} from "./harness.js";

const newHarness = harnessesPerTest();

const CONFIG = {
  ".github/migration-warden.yml": "directories:\n  - path: migrations\n    dialect: postgres\n",
};
const HEAD_FILES = {
  "migrations/0003_orders.up.sql": "CREATE TABLE orders (id int);\n",
  "migrations/0003_orders.down.sql": "DROP TABLE orders;\n",
};
type Body = { query?: string; variables?: Record<string, string | number> };
const gathers = (h: Harness) =>
  h.fake.requests
    .filter(
      (r) =>
        r.path === "/graphql" && /MigrationWardenGather\b/.test(String((r.body as Body).query)),
    )
    .map((r) => (r.body as Body).variables!);
const gitReads = (h: Harness) => h.calls().filter((c) => c.includes("/git/"));
const lastRun = (h: Harness, name: string) =>
  h.fake.checkRuns.filter((r) => r.name === name).at(-1)!;
const findings = (h: Harness) => lastRun(h, LINT).annotations.map((a) => [a.path, a.title]);

async function harness(cache?: GitObjectCache, bytes?: number): Promise<Harness> {
  return newHarness({
    app: {
      replay: false,
      ...(cache ? { gitObjectCache: cache } : {}),
      ...(bytes !== undefined ? { gitObjectCacheBytes: bytes } : {}),
    },
  });
}

describe("events of one process", () => {
  test("the same event again sends no gather and reads no git object, with the same results", async () => {
    const h = await harness();
    const { repo, number } = helloWorld(h.fake, { ...CONFIG, ...mergedMigrations(2) }, HEAD_FILES);
    const event = pullRequestEvent("opened", repo, number);
    await h.receive("pull_request", event);
    expect(gathers(h)).toHaveLength(1);
    const first = [lastRun(h, LINT), lastRun(h, APPROVAL)].map((r) => [
      r.conclusion,
      r.output.title,
    ]);
    h.fake.clearRequests();
    await h.receive("pull_request", { ...event, action: "synchronize" });
    expect(gathers(h)).toEqual([]);
    expect(gitReads(h)).toEqual([]);
    expect(
      [lastRun(h, LINT), lastRun(h, APPROVAL)].map((r) => [r.conclusion, r.output.title]),
    ).toEqual(first);
  });

  test("a new head on the same base: only the head's commit, trees and new blobs are asked for", async () => {
    const h = await harness();
    const { repo, baseSha, number } = helloWorld(
      h.fake,
      { ...CONFIG, ...mergedMigrations(2) },
      HEAD_FILES,
    );
    const event = pullRequestEvent("opened", repo, number);
    await h.receive("pull_request", event);
    const next = repo.commit({
      parent: repo.pull(number).headSha,
      files: {
        "migrations/0004_drop.up.sql": "DROP TABLE t1;\n",
        "migrations/0004_drop.down.sql": "CREATE TABLE t1 (id int);\n",
      },
    });
    repo.pushToPullRequest(number, next);
    h.fake.clearRequests();
    await h.receive("pull_request", { ...pullRequestEvent("synchronize", repo, number) });
    const [warm, ...more] = gathers(h);
    expect(more).toEqual([]);
    const asked = Object.entries(warm!).filter(([k]) => /^[ctbf]\d+$/.test(k));
    // Nothing of the base (its commit, its trees, its files): all known from the first event.
    expect(asked.filter(([, v]) => String(v).startsWith(baseSha))).toEqual([]);
    expect(asked.filter(([k]) => k.startsWith("c")).map(([, v]) => v)).toEqual([next]);
    // Files only at the new head (the first query lists them without ids: asked by path there).
    const files = asked.filter(([k]) => /^[bf]/.test(k)).map(([, v]) => String(v));
    expect(files.every((f) => f.startsWith(`${next}:`))).toBe(true);
    expect(gitReads(h)).toEqual([]);
    expect(findings(h)).toContainEqual(["migrations/0004_drop.up.sql", "drop-table"]);
  });

  test("another repository with the very same objects is read in full", async () => {
    const cache = new GitObjectCache();
    const h = await harness(cache);
    const files = { ...CONFIG, ...mergedMigrations(2) };
    const a = helloWorld(h.fake, files, HEAD_FILES);
    await h.receive("pull_request", pullRequestEvent("opened", a.repo, a.number));
    const other = h.fake.createRepo("someone", "else");
    const base = other.commit({ branch: "main", files: { "README.md": "# Hello\n", ...files } });
    const head = other.commit({ parent: base, files: HEAD_FILES, message: "change" });
    // The same content: the same object ids as in the first repository.
    expect([base, head]).toEqual([a.baseSha, a.headSha]);
    const number = other.openPullRequest({ base: "main", head, headRef: "x" });
    h.fake.clearRequests();
    await h.receive("pull_request", pullRequestEvent("opened", other, number));
    const [g] = gathers(h);
    expect(g?.owner).toBe("someone");
    expect(Object.values(g!)).toEqual(expect.arrayContaining([base, head]));
  });

  test("a blob text that does not hash to its id is neither used nor cached", async () => {
    const cache = new GitObjectCache();
    const h = await harness(cache);
    const up = "DROP TABLE t1;\n";
    h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenGather",
      blob: blobSha(up),
      text: "SELECT 1;\n",
    });
    const { repo, number } = helloWorld(
      h.fake,
      { ...CONFIG, ...mergedMigrations(2) },
      {
        "migrations/0003_drop.up.sql": up,
        "migrations/0003_drop.down.sql": "CREATE TABLE t1 (id int);\n",
      },
    );
    const repoId = repo.id as number;
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
    // Read by REST (hashed there) instead: the real text is what is analysed and kept.
    expect(gitReads(h)).toEqual([`GET /repos/Codertocat/Hello-World/git/blobs/${blobSha(up)}`]);
    expect(findings(h)).toContainEqual(["migrations/0003_drop.up.sql", "drop-table"]);
    expect(Buffer.from(cache.blob(repoId, blobSha(up))!).toString()).toBe(up);
    // Offered directly, a poisoned text or listing is refused.
    expect(cache.setBlob(repoId, blobSha(up), Buffer.from("SELECT 1;\n"))).toBe(false);
    expect(Buffer.from(cache.blob(repoId, blobSha(up))!).toString()).toBe(up);
    h.fake.clearRequests();
    await h.receive("pull_request", pullRequestEvent("synchronize", repo, number));
    expect(gitReads(h)).toEqual([]);
    expect(findings(h)).toContainEqual(["migrations/0003_drop.up.sql", "drop-table"]);
  });

  test("a force-push rewriting the same paths is seen at once", async () => {
    const h = await harness();
    const { repo, baseSha, number } = helloWorld(
      h.fake,
      { ...CONFIG, ...mergedMigrations(2) },
      {
        "migrations/0003_x.up.sql": "CREATE TABLE x (id int);\n",
        "migrations/0003_x.down.sql": "DROP TABLE x;\n",
      },
    );
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
    expect(findings(h)).not.toContainEqual(["migrations/0003_x.up.sql", "drop-table"]);
    const rewritten = repo.commit({
      parent: baseSha,
      files: {
        "migrations/0003_x.up.sql": "DROP TABLE t1;\n",
        "migrations/0003_x.down.sql": "CREATE TABLE t1 (id int);\n",
      },
    });
    repo.pushToPullRequest(number, rewritten);
    await h.receive("pull_request", pullRequestEvent("synchronize", repo, number));
    expect(lastRun(h, LINT).head_sha).toBe(rewritten);
    expect(findings(h)).toContainEqual(["migrations/0003_x.up.sql", "drop-table"]);
  });

  test("a base branch moved back to an older commit is read as that commit", async () => {
    const h = await harness();
    const { repo, baseSha, number } = helloWorld(
      h.fake,
      { ...CONFIG, ...mergedMigrations(2) },
      HEAD_FILES,
    );
    // The base moves on: a merged migration of the version the pull request adds.
    const newer = repo.commit({
      branch: "master",
      files: {
        "migrations/0003_t3.up.sql": "CREATE TABLE t3 (id int);\n",
        "migrations/0003_t3.down.sql": "DROP TABLE t3;\n",
      },
    });
    await h.receive("pull_request", pullRequestEvent("synchronize", repo, number));
    const titles = () => lastRun(h, LINT).annotations.map((a) => a.title);
    expect(titles()).toContain("duplicate-migration-version");
    repo.branches.set("master", baseSha);
    await h.receive("pull_request", pullRequestEvent("synchronize", repo, number));
    expect(titles()).not.toContain("duplicate-migration-version");
    expect(newer).not.toBe(baseSha);
  });

  test("0 turns the cache off: the same event again gathers again", async () => {
    const h = await harness(undefined, 0);
    const { repo, number } = helloWorld(h.fake, { ...CONFIG, ...mergedMigrations(2) }, HEAD_FILES);
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
    h.fake.clearRequests();
    await h.receive("pull_request", pullRequestEvent("synchronize", repo, number));
    expect(gathers(h)).toHaveLength(1);
  });
});

describe("GitObjectCache", () => {
  const blob = (text: string) => ({ oid: blobSha(text), bytes: Buffer.from(text) });
  const entries = [
    { name: "0001_a.up.sql", mode: 0o100644, type: "blob", oid: blobSha("x"), size: 1 },
  ];
  const tree: RawTree = {
    entries: [{ path: "0001_a.up.sql", mode: "100644", type: "blob", sha: blobSha("x"), size: 1 }],
    truncated: false,
  };
  const treeSha = treeId(entries);

  test("keyed by repository: never served to another", () => {
    const cache = new GitObjectCache();
    const b = blob("SELECT 1;\n");
    expect(cache.setBlob(7, b.oid, b.bytes)).toBe(true);
    expect(cache.setTree(7, treeSha, tree)).toBe(true);
    cache.setCommitTree(7, "a".repeat(40), treeSha);
    expect(cache.blob(8, b.oid)).toBeUndefined();
    expect(cache.tree(8, treeSha)).toBeUndefined();
    expect(cache.commitTree(8, "a".repeat(40))).toBeUndefined();
    expect(cache.tree(7, treeSha)?.entries).toEqual(tree.entries);
    expect(cache.commitTree(7, "a".repeat(40))).toBe(treeSha);
  });

  test("only what verifies goes in: a wrong text, a listing cut short, renamed or truncated", () => {
    const cache = new GitObjectCache();
    expect(cache.setBlob(7, blobSha("a"), Buffer.from("b"))).toBe(false);
    expect(cache.setTree(7, treeSha, { ...tree, truncated: true })).toBe(false);
    expect(cache.setTree(7, treeSha, { entries: [], truncated: false })).toBe(false);
    expect(
      cache.setTree(7, treeSha, {
        entries: [{ ...tree.entries[0]!, path: "0001_b.up.sql" }],
        truncated: false,
      }),
    ).toBe(false);
    cache.setCommitTree(7, "not a sha", treeSha);
    expect(cache.size).toBe(0);
  });

  test("the byte bound drops the least recently used first", () => {
    const texts = ["a".repeat(1000), "b".repeat(1000), "c".repeat(1000)].map(blob);
    const cache = new GitObjectCache(2500);
    cache.setBlob(7, texts[0]!.oid, texts[0]!.bytes);
    cache.setBlob(7, texts[1]!.oid, texts[1]!.bytes);
    expect(cache.blob(7, texts[0]!.oid)).toBeDefined(); // now the most recent
    cache.setBlob(7, texts[2]!.oid, texts[2]!.bytes);
    expect(cache.blob(7, texts[1]!.oid)).toBeUndefined();
    expect(cache.blob(7, texts[0]!.oid)).toBeDefined();
    expect(cache.blob(7, texts[2]!.oid)).toBeDefined();
    expect(cache.bytes).toBeLessThanOrEqual(2500);
    // Larger than the whole bound: not kept, nothing dropped for it.
    const big = blob("d".repeat(3000));
    expect(cache.setBlob(7, big.oid, big.bytes)).toBe(false);
    expect(cache.size).toBe(2);
  });

  test("0 keeps nothing", () => {
    const cache = new GitObjectCache(0);
    const b = blob("x");
    expect(cache.setBlob(7, b.oid, b.bytes)).toBe(false);
    expect(cache.size).toBe(0);
  });

  test("a TreeReader of another repository reads by REST what one of the first holds", async () => {
    const cache = new GitObjectCache();
    const b = blob("SELECT 1;\n");
    cache.setBlob(7, b.oid, b.bytes);
    let reads = 0;
    const octokit = {
      rest: {
        git: {
          getBlob: () => {
            reads++;
            return Promise.resolve({
              data: { encoding: "utf-8", content: "SELECT 1;\n", size: 10 },
            });
          },
        },
      },
    } as unknown as GitHubClient;
    const repo = { owner: "o", repo: "r" };
    await new TreeReader(octokit, repo, { cache, repoId: 7 }).blob(b.oid, "x.sql");
    expect(reads).toBe(0);
    await new TreeReader(octokit, repo, { cache, repoId: 8 }).blob(b.oid, "x.sql");
    expect(reads).toBe(1);
    expect(gitObjectId("blob", b.bytes, b.oid)).toBe(b.oid);
  });

  test("GIT_OBJECT_CACHE_MB", () => {
    expect(gitObjectCacheFromEnv({})).toEqual({});
    expect(gitObjectCacheFromEnv({ GIT_OBJECT_CACHE_MB: "0" })).toEqual({ gitObjectCacheBytes: 0 });
    expect(gitObjectCacheFromEnv({ GIT_OBJECT_CACHE_MB: "16" })).toEqual({
      gitObjectCacheBytes: 16 * 1024 * 1024,
    });
    expect(() => gitObjectCacheFromEnv({ GIT_OBJECT_CACHE_MB: "1.5" })).toThrow(
      /GIT_OBJECT_CACHE_MB/,
    );
  });
});
