/**
 * The approved commits' trees read with the change's gather (src/github/approved-trees.ts): an
 * approval given on an earlier commit is digested without a GraphQL request of its own when the
 * commit's migration trees are known. A hint, never a decision: only trees that hash to their id
 * are recorded, and whatever a digest still lacks is read as before. Attacks: a nested directory
 * whose tree differs at the approved commit, entries re-pointed in the answer, a root listing cut
 * short, a dismissed approval, answers of the wrong shape.
 */
import { afterEach, describe, expect, test } from "@jest/globals";
import { schemaErrors } from "../support/github-schema.js";
import {
  ancestorPaths,
  approvedTreesVariables,
  recordApprovedTrees,
} from "../../src/github/approved-trees.js";
import type { GitHubClient } from "../../src/github/client.js";
import { TreeReader } from "../../src/github/git.js";
import { gatherQuery } from "../../src/github/git-gather.js";
import { treeId } from "../support/git-tree.js";
import { blobSha, type FakeRepo } from "../support/fake-github.mjs";
import {
  APPROVAL,
  createHarness,
  finish,
  mergedMigrations,
  pullRequestEvent,
  type Harness,
} from "./harness.js";

describe("the query part", () => {
  test("is valid against GitHub's published schema, with and without ancestors", () => {
    for (const query of [gatherQuery(2, 7, 3, 1, 0), gatherQuery(2, 7, 3, 0, 3)])
      expect(schemaErrors(query)).toEqual([]);
  });

  test("asks for the directories' ancestors only, each once", () => {
    expect(ancestorPaths(["migrations", ""])).toEqual([]);
    expect(ancestorPaths(["db/migrations", "db/seeds", "a/b/c"])).toEqual(["db", "a", "a/b"]);
    expect(approvedTreesVariables({ number: 4, dirs: ["db/migrations"] })).toEqual({
      pr: 4,
      p0: "db",
    });
  });
});

describe("recording the answer", () => {
  const sql = { name: "0001_a.up.sql", mode: 0o100644, type: "blob", oid: blobSha("x"), size: 1 };
  const migrations = [sql];
  const migrationsOid = treeId(migrations);
  const db = [{ name: "migrations", mode: 0o40000, type: "tree", oid: migrationsOid, size: 0 }];
  const dbOid = treeId(db);
  const root = [{ name: "db", mode: 0o40000, type: "tree", oid: dbOid, size: 0 }];
  const rootOid = treeId(root);
  const COMMIT = "c".repeat(40);
  const node = (tree: unknown, p0: unknown = { object: { oid: dbOid, entries: db } }) => ({
    commit: { oid: COMMIT, tree, p0 },
  });
  const reader = () => new TreeReader({} as GitHubClient, { owner: "o", repo: "r" });

  test("verified trees are recorded: the commit's directories are then known with its listing", () => {
    const trees = reader();
    const answer = { reviews: { nodes: [node({ oid: rootOid, entries: root })] } };
    expect(recordApprovedTrees(answer, 1, trees)).toBe(2);
    // The directory's own tree is not in the answer: known once something else read it.
    expect(trees.knowsDirectories(COMMIT, ["db/migrations"])).toBe(false);
    trees.knowTree(migrationsOid, { entries: [], truncated: false });
    expect(trees.knowsDirectories(COMMIT, ["db/migrations"])).toBe(true);
    // A path that ends on the way is known from its parent's listing.
    expect(trees.knowsDirectories(COMMIT, ["elsewhere/migrations"])).toBe(true);
    expect(trees.knowsDirectories("d".repeat(40), ["db/migrations"])).toBe(false);
  });

  test("a root listing cut short or re-pointed records neither the root nor the commit", () => {
    for (const entries of [
      [],
      [{ ...root[0]!, oid: "e".repeat(40) }],
      [...root, { ...sql, name: "extra" }],
    ]) {
      const trees = reader();
      const answer = { reviews: { nodes: [node({ oid: rootOid, entries })] } };
      recordApprovedTrees(answer, 1, trees);
      trees.knowTree(migrationsOid, { entries: [], truncated: false });
      expect(trees.knowsDirectories(COMMIT, ["db/migrations"])).toBe(false);
    }
  });

  test("an ancestor tree that does not verify is not recorded", () => {
    const trees = reader();
    const lying = { object: { oid: dbOid, entries: [{ ...db[0]!, oid: "f".repeat(40) }] } };
    const answer = { reviews: { nodes: [node({ oid: rootOid, entries: root }, lying)] } };
    expect(recordApprovedTrees(answer, 1, trees)).toBe(1);
    trees.knowTree(migrationsOid, { entries: [], truncated: false });
    expect(trees.knowsDirectories(COMMIT, ["db/migrations"])).toBe(false);
  });

  test("answers of the wrong shape record nothing and never throw", () => {
    for (const answer of [
      null,
      undefined,
      {},
      { reviews: null },
      { reviews: { nodes: "x" } },
      { reviews: { nodes: [null, { commit: null }, { commit: { oid: "not an id" } }] } },
      { reviews: { nodes: [{ commit: { oid: COMMIT, tree: null } }] } },
      { reviews: { nodes: [{ commit: { oid: COMMIT, tree: { oid: rootOid, entries: null } } }] } },
    ])
      expect(recordApprovedTrees(answer, 1, reader())).toBe(0);
  });
});

describe("through the app", () => {
  let h: Harness | undefined;
  afterEach(() => {
    finish(h);
    h = undefined;
  });

  const CONFIG = {
    ".github/migration-warden.yml":
      "directories:\n  - path: db/migrations\n    dialect: postgres\napproval:\n  teams: [dba]\n",
  };
  const NEW = {
    "db/migrations/0002_orders.up.sql": "CREATE TABLE orders (id int);\n",
    "db/migrations/0002_orders.down.sql": "DROP TABLE orders;\n",
  };

  /** A pull request approved on its first commit, with `later` pushed on top. */
  async function approvedThenPushed(later: Record<string, string>) {
    h = await createHarness({ app: { replay: false } });
    const repo: FakeRepo = h.fake.createRepo("acme", "app");
    const base = repo.commit({
      branch: "main",
      files: { ...CONFIG, ...mergedMigrations(3, "db/migrations") },
    });
    const reviewed = repo.commit({ parent: base, author: "dev", files: NEW });
    const head = repo.commit({ parent: reviewed, author: "dev", files: later });
    const number = repo.openPullRequest({ base: "main", head, user: "dev" });
    const reviewId = repo.review(number, { user: "alice", state: "APPROVED", commitId: reviewed });
    h.fake.setTeamMembership("acme", "dba", "alice", "active");
    return { h, repo, number, reviewed, reviewId };
  }

  const gathers = (h: Harness) =>
    h.fake.requests
      .filter((r) => r.path === "/graphql")
      .map((r) => r.body as { query: string; variables: Record<string, unknown> })
      .filter((b) => /^query MigrationWardenGather\b/.test(b.query));
  const restGit = (h: Harness) => h.fake.requests.filter((r) => r.path.includes("/git/"));
  const approval = (h: Harness) => h.runs(APPROVAL).at(-1)!;

  async function opened(h: Harness, repo: FakeRepo, number: number) {
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
  }

  test("a nested directory: the approved commit's root and ancestor come with the change's gather", async () => {
    const { h, repo, number } = await approvedThenPushed({ "README.md": "fixed\n" });
    await opened(h, repo, number);
    expect(approval(h).conclusion).toBe("success");
    const sent = gathers(h);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.variables).toMatchObject({ pr: number, p0: "db" });
    expect(restGit(h)).toEqual([]);
  });

  test("migrations changed after the approval: the approved commit's directory is read, the approval is void", async () => {
    const { h, repo, number, reviewed } = await approvedThenPushed({
      "db/migrations/0002_orders.up.sql": "DROP TABLE t1;\n",
    });
    await opened(h, repo, number);
    expect(approval(h).conclusion).toBe("action_required");
    expect(approval(h).output.summary).toContain("given on different migration content");
    // Its own gather, as before: the directory's tree at the approved commit was not known (its
    // root was, from the change's gather: only the directory is asked for).
    const sent = gathers(h);
    expect(sent).toHaveLength(2);
    expect(Object.values(sent[1]!.variables)).toContain(`${reviewed}:db/migrations`);
  });

  test("two approvals, one on content the head still has: only the other commit is read again", async () => {
    h = await createHarness({ app: { replay: false } });
    const repo: FakeRepo = h.fake.createRepo("acme", "app");
    const base = repo.commit({
      branch: "main",
      files: { ...CONFIG, ...mergedMigrations(3, "db/migrations") },
    });
    const first = repo.commit({
      parent: base,
      author: "dev",
      files: { "db/migrations/0002_orders.up.sql": "DROP TABLE t1;\n" },
    });
    const second = repo.commit({ parent: first, author: "dev", files: NEW });
    const head = repo.commit({ parent: second, author: "dev", files: { "README.md": "x\n" } });
    const number = repo.openPullRequest({ base: "main", head, user: "dev" });
    repo.review(number, { user: "bob", state: "APPROVED", commitId: first });
    repo.review(number, { user: "alice", state: "APPROVED", commitId: second });
    h.fake.setTeamMembership("acme", "dba", "alice", "active");
    h.fake.setTeamMembership("acme", "dba", "bob", "active");
    await opened(h, repo, number);
    expect(approval(h).output.title).toBe("Approved by @alice");
    const sent = gathers(h);
    expect(sent).toHaveLength(2);
    // Only the first commit's objects (its root is known from the change's gather: only what
    // lies below it is asked for).
    const asked = Object.entries(sent[1]!.variables).filter(([k]) => /^[ct]\d+$/.test(k));
    expect(asked.length).toBeGreaterThan(0);
    expect([...new Set(asked.map(([, v]) => String(v).split(":")[0]))]).toEqual([first]);
    expect(restGit(h)).toEqual([]);
  });

  test("entries re-pointed in the gather's answer: nothing unverified is used, the decision stands", async () => {
    const { h, repo, number } = await approvedThenPushed({ "README.md": "fixed\n" });
    // Every tree listing "db" in the change's gather lies about it (roots at the base, the head
    // and the approved commit): none verifies, each is read again.
    h.fake.graphqlFault({
      operation: "MigrationWardenGather",
      executed: true,
      entry: /^db$/,
      oid: "e".repeat(40),
    });
    await opened(h, repo, number);
    expect(approval(h).conclusion).toBe("success");
    expect(approval(h).output.title).toBe("Approved by @alice");
    // The base's and head's roots by REST; the approved commit's in the reader's own gather.
    expect(restGit(h).length).toBeGreaterThan(0);
    expect(gathers(h)).toHaveLength(2);
  });

  test("a dismissed approval is not asked for, and does not count", async () => {
    const { h, repo, number, reviewId } = await approvedThenPushed({ "README.md": "fixed\n" });
    repo.dismissReview(number, reviewId);
    await opened(h, repo, number);
    expect(approval(h).conclusion).toBe("action_required");
    expect(gathers(h)[0]!.query).toContain("states: [APPROVED]");
  });
});
