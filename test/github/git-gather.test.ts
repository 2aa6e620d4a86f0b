/**
 * The bulk read of an evaluation's git objects (src/github/git-gather.ts): one GraphQL request
 * for the trees along the migration directories at the base and the head and the changed blobs,
 * where REST needs one request each. Nothing unverified is used: a tree whose entries do not hash
 * to its id, a blob whose text does not, is read by REST, and a REST blob that does not hash to
 * its id fails the check.
 */
import { describe, expect, test } from "@jest/globals";
import { schemaErrors } from "../support/github-schema.js";
import { CO_AUTHORS_QUERY } from "../../src/github/approval/coauthors.js";
import { PULL_FACTS_QUERY } from "../../src/github/approval/pull-facts.js";
import { MERGED_PULLS_QUERY } from "../../src/github/audit/approvals.js";
import { BASE_DIRECTORY_QUERY } from "../../src/github/base-files.js";
import {
  gatherQuery,
  MAX_GATHER_BLOBS,
  verifiedBlob,
  verifiedTree,
} from "../../src/github/git-gather.js";
import { MERGE_QUEUE_QUERY } from "../../src/github/merge-group.js";
import { PULL_REQUEST_QUERY } from "../../src/github/pull-request-query.js";
import { treeId } from "../support/git-tree.js";
import { blobSha } from "../support/fake-github.mjs";
import {
  APPROVAL,
  finish,
  harnessesPerTest,
  helloWorld,
  LINT,
  mergedMigrations,
  pullRequestEvent,
  type Harness,
} from "./harness.js";

const harness = harnessesPerTest();

describe("the app's GraphQL queries", () => {
  test("are valid against GitHub's published schema", () => {
    for (const query of [
      gatherQuery(2, 7, 3),
      gatherQuery(0, 1, 0),
      gatherQuery(0, 0, MAX_GATHER_BLOBS),
      // With one directory's merged texts for the replay (base-texts.ts).
      gatherQuery(2, 7, 3, 1, undefined, true),
      BASE_DIRECTORY_QUERY,
      CO_AUTHORS_QUERY,
      PULL_FACTS_QUERY,
      MERGE_QUEUE_QUERY,
      MERGED_PULLS_QUERY,
      PULL_REQUEST_QUERY,
    ])
      expect(schemaErrors(query)).toEqual([]);
  });
});

describe("verification", () => {
  const file = { name: "0001_a.up.sql", mode: 0o100644, type: "blob", oid: blobSha("x"), size: 1 };
  const dir = { name: "0001_a", mode: 0o40000, type: "tree", oid: "a".repeat(40), size: 0 };
  const link = {
    name: "0002_b.up.sql",
    mode: 0o120000,
    type: "blob",
    oid: blobSha("../x"),
    size: 4,
  };
  const entries = [link, dir, file];
  const oid = treeId(entries);

  test("a complete tree is kept, in REST's shape, whatever order GraphQL lists it in", () => {
    expect(verifiedTree(oid, entries)).toEqual({
      truncated: false,
      entries: [
        { path: "0002_b.up.sql", mode: "120000", type: "blob", sha: link.oid, size: 4 },
        { path: "0001_a", mode: "040000", type: "tree", sha: dir.oid },
        { path: "0001_a.up.sql", mode: "100644", type: "blob", sha: file.oid, size: 1 },
      ],
    });
  });

  test("a listing cut short, renamed, re-moded or re-pointed is not the tree", () => {
    expect(verifiedTree(oid, [link, dir])).toBeNull();
    expect(verifiedTree(oid, [link, dir, { ...file, name: "0001_b.up.sql" }])).toBeNull();
    expect(verifiedTree(oid, [link, dir, { ...file, mode: 0o100755 }])).toBeNull();
    expect(verifiedTree(oid, [{ ...link, mode: 0o100644 }, dir, file])).toBeNull();
    expect(verifiedTree(oid, [link, dir, { ...file, oid: blobSha("y") }])).toBeNull();
    expect(verifiedTree("not an id", entries)).toBeNull();
  });

  test("the type comes from the hashed mode, never from GraphQL's word", () => {
    // An answer calling a file a tree cannot make the walk descend into it.
    const lying = verifiedTree(oid, [link, dir, { ...file, type: "tree" }]);
    expect(lying?.entries.find((e) => e.path === file.name)?.type).toBe("blob");
  });

  test("a blob is kept only when complete and hashing to its id", () => {
    const sha = blobSha("SELECT 1;\n");
    const blob = { oid: sha, text: "SELECT 1;\n", isTruncated: false, isBinary: false };
    expect(Buffer.from(verifiedBlob(sha, blob)!).toString()).toBe("SELECT 1;\n");
    expect(verifiedBlob(sha, { ...blob, text: "DROP TABLE t;\n" })).toBeNull();
    expect(verifiedBlob(sha, { ...blob, isTruncated: true })).toBeNull();
    expect(verifiedBlob(sha, { ...blob, isBinary: true })).toBeNull();
    expect(verifiedBlob(sha, { ...blob, oid: blobSha("x") })).toBeNull();
    expect(verifiedBlob(sha, null)).toBeNull();
  });
});

const HEAD_FILES = {
  "migrations/0002_orders.up.sql": "CREATE TABLE orders (id int);\n",
  "migrations/0002_orders.down.sql": "DROP TABLE orders;\n",
};

/** The repository's own configuration (without one, its absence is confirmed from the tree). */
const CONFIG = {
  ".github/migration-warden.yml": "directories:\n  - path: migrations\n    dialect: postgres\n",
};

/** A review of a pull request adding one migration pair on two merged pairs. */
async function review(
  h: Harness,
  change: Record<string, string | null> = HEAD_FILES,
  base = { ...CONFIG, ...mergedMigrations(2) },
) {
  const { repo, number } = helloWorld(h.fake, base, change);
  await h.receive("pull_request", pullRequestEvent("opened", repo, number));
  const lint = h.fake.checkRuns.filter((r) => r.name === LINT).at(-1)!;
  const approval = h.fake.checkRuns.filter((r) => r.name === APPROVAL).at(-1)!;
  return { repo, number, lint, approval };
}

const reads = (h: Harness, part: string) => h.calls().filter((c) => c.includes(part));
const gathers = (h: Harness) =>
  h.fake.requests.filter(
    (r) =>
      r.path === "/graphql" &&
      /MigrationWardenGather\b/.test(String((r.body as { query?: string }).query)),
  );

describe("an evaluation's git objects", () => {
  test("come in one GraphQL request: no tree, commit or blob is read by REST", async () => {
    const h = await harness({ app: { replay: false } });
    const { lint } = await review(h);
    expect(lint.status).toBe("completed");
    expect(gathers(h)).toHaveLength(1);
    expect(reads(h, "/git/")).toEqual([]);
    expect(lint.annotations.map((a) => a.path)).toContain("migrations/0002_orders.down.sql");
  });

  test("a blob GitHub's GraphQL API truncates is read by REST (only that one)", async () => {
    const h = await harness({ app: { replay: false } });
    const up = HEAD_FILES["migrations/0002_orders.up.sql"];
    h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenGather",
      blob: blobSha(up),
      truncate: true,
    });
    const { lint } = await review(h);
    expect(reads(h, "/git/")).toEqual([
      `GET /repos/Codertocat/Hello-World/git/blobs/${blobSha(up)}`,
    ]);
    expect(lint.output.summary).toContain("| `migrations/0002_orders.up.sql` | 2 | up | added |");
    expect(lint.output.summary).not.toContain("does not hash");
  });

  test("a blob text that does not hash to its id is not used: REST gives the real one", async () => {
    const h = await harness({ app: { replay: false } });
    const up = HEAD_FILES["migrations/0002_orders.up.sql"];
    // A harmless text in place of the real one: never analysed.
    h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenGather",
      blob: blobSha(up),
      text: "SELECT 1;\n",
    });
    const { lint } = await review(h, {
      ...HEAD_FILES,
      "migrations/0002_orders.up.sql": up,
      "migrations/0003_drop.up.sql": "DROP TABLE t1;\n",
      "migrations/0003_drop.down.sql": "CREATE TABLE t1 (id bigint PRIMARY KEY);\n",
    });
    expect(reads(h, "/git/blobs/")).toEqual([
      `GET /repos/Codertocat/Hello-World/git/blobs/${blobSha(up)}`,
    ]);
    expect(lint.annotations.map((a) => [a.path, a.title])).toContainEqual([
      "migrations/0003_drop.up.sql",
      "drop-table",
    ]);
  });

  test("and when REST's content does not hash to the id either, both checks fail naming the file", async () => {
    const h = await harness({ app: { replay: false } });
    const up = "DROP TABLE t1;\n";
    h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenGather",
      blob: blobSha(up),
      text: "SELECT 1;\n",
    });
    h.fake.corruptBlob(blobSha(up), "SELECT 1;\n");
    const { lint, approval } = await review(h, {
      "migrations/0003_drop.up.sql": up,
      "migrations/0003_drop.down.sql": "CREATE TABLE t1 (id bigint PRIMARY KEY);\n",
    });
    for (const run of [lint, approval]) {
      expect(run.conclusion).toBe("failure");
      expect(run.output.summary).toContain(
        `migrations/0003_drop.up.sql: GitHub's content for blob ${blobSha(up)} does not hash to that id`,
      );
    }
  });

  test("a tree listing missing an entry is read by REST, so the hidden file is still seen", async () => {
    const h = await harness({ app: { replay: false } });
    // Every GraphQL listing leaves out the new migration (an attacker's hope: a file nobody sees).
    h.fake.graphqlFault({ executed: true, entry: /^0003_drop\.up\.sql$/, drop: true, times: 5 });
    const { lint } = await review(h, {
      "migrations/0003_drop.up.sql": "DROP TABLE t1;\n",
      "migrations/0003_drop.down.sql": "CREATE TABLE t1 (id bigint PRIMARY KEY);\n",
    });
    // The head's migrations tree (the only listing with the file) comes from REST.
    expect(reads(h, "/git/trees/")).toHaveLength(1);
    expect(lint.annotations.map((a) => [a.path, a.title])).toContainEqual([
      "migrations/0003_drop.up.sql",
      "drop-table",
    ]);
    expect(lint.conclusion).toBe("failure");
  });

  test("a GraphQL error costs REST requests, never a decision", async () => {
    const h = await harness({ app: { replay: false } });
    h.fake.graphqlFault({ executed: true, error: "Something went wrong", times: 5 });
    const { lint, approval } = await review(h);
    expect(reads(h, "/git/trees/").length).toBeGreaterThan(0);
    expect(reads(h, "/git/blobs/")).toHaveLength(2);
    const h2 = await harness({ app: { replay: false } });
    const clean = await review(h2);
    expect([lint.conclusion, lint.output.title, approval.conclusion]).toEqual([
      clean.lint.conclusion,
      clean.lint.output.title,
      clean.approval.conclusion,
    ]);
    finish(h);
  });

  test("more than a page of changed files: the file list pages, the gather stays one request", async () => {
    const h = await harness({ app: { replay: false } });
    const change: Record<string, string> = { ...HEAD_FILES };
    for (let i = 0; i < 150; i++) change[`docs/page-${i}.md`] = `${i}\n`;
    const { lint } = await review(h, change);
    expect(reads(h, "/pulls/2/files")).toHaveLength(2);
    expect(gathers(h)).toHaveLength(1);
    // Only the migration directory's blobs are asked for.
    const vars = (gathers(h)[0]!.body as { variables: Record<string, string> }).variables;
    expect(Object.keys(vars).filter((k) => /^b\d+$/.test(k))).toHaveLength(2);
    expect(reads(h, "/git/")).toEqual([]);
    expect(lint.status).toBe("completed");
  });
});

describe("reads per event (writes are counted apart: check runs)", () => {
  const TEAM_CONFIG = {
    ".github/migration-warden.yml":
      "directories:\n  - path: migrations\n    dialect: postgres\napproval:\n  teams: [dba]\n",
  };
  /** The event's requests other than the token and check-run writes. */
  const readsOf = (h: Harness) =>
    h.fake.requests
      .filter((r) => !/access_tokens$/.test(r.path))
      .filter((r) => !(r.method !== "GET" && /\/check-runs(\/\d+)?$/.test(r.path)))
      // The check-run mutations (checks/batch-create.ts, batch-update.ts) are writes too.
      .filter(
        (r) =>
          !/MigrationWarden(CreateCheckRuns|UpdateCheckRuns)\b/.test(
            String((r.body as { query?: unknown } | undefined)?.query ?? ""),
          ),
      )
      .map((r) => `${r.method} ${r.path.replace(/[0-9a-f]{40}/g, "<sha>")}`);

  test("a migration pull request approved on an earlier commit, then the same event again", async () => {
    const h = await harness({ app: { replay: false } });
    const repo = h.fake.createRepo("acme", "app");
    const base = repo.commit({
      branch: "main",
      files: { ...TEAM_CONFIG, ...mergedMigrations(50) },
    });
    const reviewed = repo.commit({
      parent: base,
      author: "dev",
      files: { ...HEAD_FILES, "migrations/0001_t1.up.sql": "CREATE TABLE t1 (id int);\n" },
    });
    const head = repo.commit({ parent: reviewed, author: "dev", files: { "README.md": "x\n" } });
    const number = repo.openPullRequest({ base: "main", head, user: "dev" });
    repo.review(number, { user: "alice", state: "APPROVED", commitId: reviewed });
    h.fake.setTeamMembership("acme", "dba", "alice", "active");
    const event = pullRequestEvent("opened", repo, number);
    await h.receive("pull_request", event);
    const first = readsOf(h);
    expect(h.fake.checkRuns.find((r) => r.name === APPROVAL)?.conclusion).toBe("success");
    expect(first).toEqual([
      // The pull request, its changed files, the other pull requests of its head, its base tip
      // and the configuration file there (pull-request-query.ts), with the approval facts' first
      // page: base changes and dismissals, reviews, commits and the clicks recorded on each of
      // them (first-read/approval-facts.ts).
      "POST /graphql",
      // The base branch: its protection, and the tip the query saw.
      "GET /repos/acme/app/branches/main",
      // The base and head trees along migrations/ and .github/, the three changed blobs, the
      // edited file's base blob, and the approved commits' root trees (approved-trees.ts).
      "POST /graphql",
      // The change adds 0002_orders.down.sql next to the merged 0002_t2 up of the same version:
      // that merged up is read (bulk, base-files.ts) so the down is judged against what it created.
      "POST /graphql",
      // Approval: the head's pull requests and its facts came with the first query.
      // The reviewed commit's trees (its migration digest) came with the change's: its
      // migrations tree is the head's.
      // The approver's team membership.
      "GET /orgs/acme/teams/dba/memberships/alice",
      "GET /repos/acme/app/rules/branches/main",
      // Newer runs (of either check) before passing: one listing.
      "GET /repos/acme/app/commits/<sha>/check-runs",
    ]);
    h.fake.clearRequests();
    await h.receive("pull_request", { ...event, action: "synchronize" });
    // The same again, but branch protection and rulesets are remembered (enforcement-cache.ts):
    // the base tip comes from the pull request's query alone. The git objects are remembered too
    // (git-object-cache.ts): neither the gather nor the merged up's bulk read is sent again.
    const enforcement = /\/branches\/main$/;
    expect(first.filter((c) => enforcement.test(c))).toHaveLength(2);
    expect(first.filter((c) => c === "POST /graphql")).toHaveLength(3);
    expect(readsOf(h)).toEqual(
      first.filter((c) => !enforcement.test(c)).filter((c, i) => c !== "POST /graphql" || i === 0),
    );
  });

  test("a pull request touching no migration", async () => {
    const h = await harness({ app: { replay: false } });
    const { repo, number } = helloWorld(
      h.fake,
      { ...CONFIG, ...mergedMigrations(50) },
      {
        "docs/readme.md": "x\n",
      },
    );
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
    expect(h.fake.checkRuns.map((r) => r.conclusion)).toEqual(["success", "success"]);
    expect(readsOf(h)).toEqual([
      "POST /graphql",
      "GET /repos/Codertocat/Hello-World/branches/master",
      // The base's trees along migrations/ (is it a plain directory?).
      "POST /graphql",
      // The approval: the rulesets; newer runs of either check before passing (one listing).
      "GET /repos/Codertocat/Hello-World/rules/branches/master",
      "GET /repos/Codertocat/Hello-World/commits/<sha>/check-runs",
    ]);
  });
});
