/**
 * The app's sandbox replay reads merged migrations in bulk: one GraphQL request per directory at
 * the base commit (or, on a cold event, the same entries in the gather of the change's objects:
 * src/github/base-texts.ts; test/github/base-texts.test.ts), checked file by file against the
 * REST listing, with a bounded fallback to blobs. Its API requests per event must not grow with
 * the number of merged migrations.
 */
import { describe, expect, jest, test } from "@jest/globals";
import { MAX_BLOB_FALLBACK } from "../../src/github/base-files.js";
import { blobSha, type FakeCheckRun, type GraphqlFault } from "../support/fake-github.mjs";
import {
  ATTEMPTS,
  finish,
  harnessesPerTest,
  helloWorld,
  LINT,
  mergedMigrations,
  pullRequestEvent,
  stateBelieved,
  type Harness,
} from "./harness.js";

jest.setTimeout(120_000);

const newHarness = harnessesPerTest();
const harness = () => newHarness();

const SQLITE = {
  ".github/migration-warden.yml": "directories:\n  - path: migrations\n    dialect: sqlite\n",
};
const up = (i: number) => `CREATE TABLE t${i} (id bigint PRIMARY KEY);\n`;

/** The latest lint run (the approval check writes a run of its own after it). */
function lastRun(h: Harness): FakeCheckRun {
  const run = h.fake.checkRuns.filter((r) => r.name === LINT).at(-1);
  if (!run || run.status !== "completed") throw new Error("no completed lint check run");
  return run;
}

const REPLAY_RULES = /^(replay-|down-does-not-restore-schema|up-not-reapplicable|lock-)/;
/** Replay findings only (the down files' DROP COLUMN has a static finding of its own). */
const titles = (run: FakeCheckRun) =>
  run.annotations.map((a) => a.title ?? "").filter((t) => REPLAY_RULES.test(t));
const notice = (run: FakeCheckRun, rule: string) =>
  run.annotations.find((a) => a.title === rule)?.message;
/**
 * The requests of the base-directory query (not the pull request's query, the gather of the
 * change's objects, the approval facts, nor the check-run mutations).
 */
const baseDirectoryQueries = (h: Harness) =>
  h.fake.requests.filter(
    (r) =>
      r.path === "/graphql" &&
      !/MigrationWarden(PullRequest|Gather|PullFacts|CreateCheckRuns|UpdateCheckRuns)\b/.test(
        String((r.body as { query?: string }).query),
      ),
  );
const blobReads = (h: Harness) => h.calls().filter((c) => c.includes("/git/blobs/"));

describe("API requests per event with the replay on", () => {
  /** Calls of a cold (first) and a warm (second) event for a PR on `merged` merged pairs. */
  async function coldAndWarm(merged: number): Promise<{ cold: string[]; warm: string[] }> {
    const h = await harness();
    const { repo, number } = helloWorld(h.fake, mergedMigrations(merged), {
      "migrations/0001_t1.up.sql": "CREATE TABLE t1 (id int);\n",
      "migrations/9000_new.up.sql": "ALTER TABLE t1 ADD COLUMN note text;\n",
      "migrations/9000_new.down.sql": "ALTER TABLE t1 DROP COLUMN note;\n",
    });
    const normalized = () =>
      h.calls().map((c) => c.replace(/[0-9a-f]{40}/g, "<sha>").replace(/\/\d+$/, "/<id>"));
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
    const cold = normalized();
    expect(lastRun(h).output.summary).toContain(`${merged} merged migrations applied in`);
    h.fake.clearRequests();
    await h.receive("pull_request", pullRequestEvent("synchronize", repo, number));
    const warm = normalized();
    expect(lastRun(h).output.summary).toContain(`${merged} merged migrations restored from cache`);
    expect(titles(lastRun(h))).not.toContain("replay-skipped");
    finish(h);
    return { cold, warm };
  }

  test("cold and warm, they do not grow with the merged migrations (100 vs 1,000)", async () => {
    const small = await coldAndWarm(100);
    const large = await coldAndWarm(1000);
    expect(large).toEqual(small);
    // As without the replay (test/github/changeset.test.ts: 7 requests for lint and approval,
    // one GraphQL request for the pull request, its changed files, its head's other pull
    // requests, its base config and its approval facts, one for the change's git objects, one
    // mutation starting both runs and one completing them): the merged migrations come with the
    // change's git objects (base-texts.ts).
    expect(large.cold).toHaveLength(7);
    const graphql = (calls: string[]) => calls.filter((c) => c === "POST /graphql").length;
    expect(graphql(large.cold)).toBe(4);
    // Warm: the installation token is cached and the base state is restored from the cache;
    // branch protection and rulesets are remembered (enforcement-cache.ts), and so are the git
    // objects read (git-object-cache.ts): the same head again reads no tree and sends no gather.
    const rest = (calls: string[]) => calls.filter((c) => !/access_tokens|graphql/.test(c));
    const enforcement = /\/branches\/master|\/rules\/branches\//;
    expect(large.cold.filter((c) => enforcement.test(c))).toHaveLength(2);
    // No configuration file: its absence confirmed by the base's root tree, which came verified
    // with the first query (first-read/base-root.ts), not by REST.
    expect(large.cold.filter((c) => c.includes("/git/"))).toEqual([]);
    expect(rest(large.warm)).toEqual(
      rest(large.cold).filter((c) => !enforcement.test(c) && !c.includes("/git/")),
    );
    expect(graphql(large.warm)).toBe(3); // the first query and the two mutations
  });
});

describe("a directory whose replay gives no catalog: the merged files for the static model", () => {
  // MySQL without a replay server is skipped before reading anything: the static model needs the
  // merged history to know that t1.id is NOT NULL (dml-without-where), on every event.
  test("MySQL, no replay server: cold and warm events judge with the merged history", async () => {
    const h = await harness();
    const { repo, number } = helloWorld(
      h.fake,
      {
        ".github/migration-warden.yml":
          "directories:\n  - path: migrations\n    dialect: mysql\napproval:\n  required: risky\n  teams: [dba]\n",
        ...mergedMigrations(100),
      },
      {
        "migrations/9000_new.up.sql": "DELETE FROM t1 WHERE id IS NOT NULL;\n",
        "migrations/9000_new.down.sql": "SELECT 1;\n",
      },
    );
    const dml = () => lastRun(h).annotations.filter((a) => a.title === "dml-without-where");
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
    expect(titles(lastRun(h))).toEqual(["replay-skipped"]);
    expect(dml()).toHaveLength(1);
    expect(dml()[0]!.message).toContain("(decided from the merged history)");
    // The texts came with the change's git objects (base-texts.ts): no request of their own.
    expect(baseDirectoryQueries(h)).toHaveLength(0);
    expect(h.calls().filter((c) => c === "POST /graphql")).toHaveLength(4);
    h.fake.clearRequests();
    await h.receive("pull_request", pullRequestEvent("synchronize", repo, number));
    expect(dml()).toHaveLength(1);
    // Warm: the process's blob cache holds them; nothing read, nothing gathered.
    expect(baseDirectoryQueries(h)).toHaveLength(0);
    expect(blobReads(h)).toEqual([]);
    expect(h.calls().filter((c) => c === "POST /graphql")).toHaveLength(3);
    finish(h);
  });

  test("SQLite from the cached base state: the replayed catalog, nothing read", async () => {
    const h = await harness();
    const { repo, number } = helloWorld(
      h.fake,
      { ...SQLITE, ...mergedMigrations(100) },
      {
        "migrations/9000_new.up.sql": "DELETE FROM t1 WHERE id IS NOT NULL;\n",
        "migrations/9000_new.down.sql": "SELECT 1;\n",
      },
    );
    const dml = () => lastRun(h).annotations.filter((a) => a.title === "dml-without-where");
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
    expect(dml()).toHaveLength(1);
    h.fake.clearRequests();
    await h.receive("pull_request", pullRequestEvent("synchronize", repo, number));
    expect(lastRun(h).output.summary).toContain("100 merged migrations restored from cache");
    expect(dml()).toHaveLength(1);
    expect(dml()[0]!.message).toContain("(decided from the replayed catalog)");
    expect(baseDirectoryQueries(h)).toHaveLength(0);
    expect(h.calls().filter((c) => c === "POST /graphql")).toHaveLength(3);
    finish(h);
  });
});

describe("incremental base states", () => {
  test("after a merge to the base, only the new merged migrations are applied", async () => {
    const h = await harness();
    const { repo, number } = helloWorld(
      h.fake,
      { ...SQLITE, ...mergedMigrations(20) },
      {
        "migrations/9000_new.up.sql": "ALTER TABLE t25 ADD COLUMN note text;\n",
        "migrations/9000_new.down.sql": "ALTER TABLE t25 DROP COLUMN note;\n",
      },
    );
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
    expect(titles(lastRun(h))).toContain("replay-up-failed"); // t25 is not merged yet

    const more: Record<string, string> = {};
    for (let i = 21; i <= 25; i++) {
      more[`migrations/00${i}_t${i}.up.sql`] = up(i);
      more[`migrations/00${i}_t${i}.down.sql`] = `DROP TABLE t${i};\n`;
    }
    repo.commit({ branch: "master", files: more, message: "merge five migrations" });
    h.fake.clearRequests();
    await h.receive("pull_request", pullRequestEvent("synchronize", repo, number));
    const run = lastRun(h);
    expect(run.output.summary).toContain(
      "25 merged migrations (20 restored from cache, the 5 after them applied in",
    );
    expect(titles(run)).not.toContain("replay-up-failed");
    // The new merged migrations come with the change's git objects (the directory's tree is not
    // the one whose state the process built: base-texts.ts), beside one request for the pull
    // request, its base config and its approval facts, and the two check-run mutations.
    expect(baseDirectoryQueries(h)).toHaveLength(0);
    expect(h.calls().filter((c) => c === "POST /graphql")).toHaveLength(4);
  });
});

describe("reading the merged migrations", () => {
  /** A SQLite directory of `merged` pairs and a PR whose new migration needs t3. */
  async function review(setup: (h: Harness) => void, merged = 12, base = mergedMigrations(merged)) {
    const h = await harness();
    setup(h);
    const { repo, number, baseSha } = helloWorld(
      h.fake,
      { ...SQLITE, ...base },
      {
        "migrations/9000_new.up.sql": "ALTER TABLE t3 ADD COLUMN note text;\n",
        "migrations/9000_new.down.sql": "ALTER TABLE t3 DROP COLUMN note;\n",
      },
    );
    stateBelieved(h.fake, repo, baseSha, "migrations");
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
    return { h, run: lastRun(h), repo, number };
  }
  // The change's files, read by blob sha (in path order: .down before .up) when the bulk read of
  // the change's git objects (src/github/git-gather.ts) did not give them intact.
  const changeBlobs = [
    "ALTER TABLE t3 DROP COLUMN note;\n",
    "ALTER TABLE t3 ADD COLUMN note text;\n",
  ].map((c) => `GET /repos/Codertocat/Hello-World/git/blobs/${blobSha(c)}`);

  const faults: Array<[string, GraphqlFault]> = [
    ["truncated", { entry: /^0003_t3\.up\.sql$/, truncate: true }],
    ["missing", { entry: /^0003_t3\.up\.sql$/, drop: true }],
    ["listed under another blob id", { entry: /^0003_t3\.up\.sql$/, oid: "f".repeat(40) }],
    ["binary", { entry: /^0003_t3\.up\.sql$/, binary: true }],
    // The text GitHub gives must hash to the blob id: a wrong text is never replayed.
    ["with a text that is not the blob's", { entry: /^0003_t3\.up\.sql$/, text: up(99) }],
  ];
  test.each(faults)("a file %s in the GraphQL answer is read by blob sha", async (_, fault) => {
    const { h, run } = await review((x) => x.fake.graphqlFault(fault));
    expect(blobReads(h)).toEqual([`GET /repos/Codertocat/Hello-World/git/blobs/${blobSha(up(3))}`]);
    expect(run.output.summary).toContain("12 merged migrations applied in");
    expect(titles(run)).toEqual([]);
  });

  test("GitHub's real truncation of long texts (512,000 bytes) is detected", async () => {
    const big = `-- ${"x".repeat(600_000)}\n${up(3)}`;
    const { h, run } = await review(() => undefined, 12, {
      ...mergedMigrations(12),
      "migrations/0003_t3.up.sql": big,
    });
    expect(blobReads(h)).toEqual([`GET /repos/Codertocat/Hello-World/git/blobs/${blobSha(big)}`]);
    expect(titles(run)).toEqual([]);
  });

  test(`more than ${MAX_BLOB_FALLBACK} unusable files: replay skipped with a notice, no blob storm`, async () => {
    const { h, run } = await review((x) => {
      x.fake.graphqlTextLimit = 10;
    });
    expect(blobReads(h)).toEqual(changeBlobs);
    expect(notice(run, "replay-skipped")).toMatch(
      /^Replay skipped: merged migrations could not be read \(12 of 12 merged migrations did not come back intact from GitHub's GraphQL API \(first: migrations\/0001_t1\.up\.sql, text truncated by GitHub\)/,
    );
    // The lint check itself completes; the notice fails nothing (neutral: drop-column's warning).
    expect(run.conclusion).toBe("neutral");
  });

  test("a GraphQL error skips the replay with a notice; the next event tries again", async () => {
    const message =
      "Something went wrong while executing your query. This may be the result of a timeout";
    // GitHub's transient GraphQL error is retried; here it outlasts the retries.
    const { h, run, repo, number } = await review((x) =>
      x.fake.graphqlFault({ error: message, times: ATTEMPTS }),
    );
    // The change's own files came with the gather, which this fault spares.
    expect(blobReads(h)).toEqual([]);
    expect(notice(run, "replay-skipped")).toContain(
      `GitHub's GraphQL API did not list migrations at ${repo.branches.get("master")}: ${message}`,
    );
    expect(run.output.summary).toContain("replay-skipped");

    await h.receive("pull_request", pullRequestEvent("synchronize", repo, number));
    expect(titles(lastRun(h))).toEqual([]);
    expect(lastRun(h).conclusion).toBe(run.conclusion);
    expect(lastRun(h).output.summary).toContain("12 merged migrations applied in");
  });

  test("a failing GraphQL endpoint (HTTP 502) skips the replay with a notice", async () => {
    // One 502 is retried (test/github/faults.test.ts); this one outlasts the retries.
    const { h, run } = await review((x) =>
      x.fake.failNext({
        method: "POST",
        path: /^\/graphql$/,
        status: 502,
        message: "Bad Gateway",
        // The pull request's query and the gather of the change's objects first (both fall back
        // to REST), then the base query; not the check-run mutations (their failing for good is
        // test/github/batch-writes-slow.test.ts's).
        match: (r) => !/^\s*mutation\b/.test(String((r.body as { query?: string })?.query)),
        times: 3 * ATTEMPTS,
      }),
    );
    expect(blobReads(h)).toEqual(changeBlobs);
    expect(notice(run, "replay-skipped")).toContain("Bad Gateway");
    expect(run.conclusion).toBe("neutral");
  });

  for (const believed of [true, false])
    test(`nested directories: the GraphQL expression names the directory at the base commit (${believed ? "the replay's own query" : "in the gather"})`, async () => {
      const h = await harness();
      const dir = "services/api/db/migrations";
      const { repo, number, baseSha } = helloWorld(
        h.fake,
        {
          ".github/migration-warden.yml": `directories:\n  - path: ${dir}\n    dialect: sqlite\n`,
          ...mergedMigrations(2, dir),
        },
        {
          [`${dir}/0003_x.up.sql`]: "CREATE TABLE x (id int);\n",
          [`${dir}/0003_x.down.sql`]: "DROP TABLE x;\n",
        },
      );
      if (believed) stateBelieved(h.fake, repo, baseSha, dir);
      await h.receive("pull_request", pullRequestEvent("opened", repo, number));
      const graphql = baseDirectoryQueries(h);
      const expression = `${baseSha}:${dir}`;
      if (believed)
        expect(graphql.map((r) => (r.body as { variables: unknown }).variables)).toEqual([
          { owner: "Codertocat", name: "Hello-World", expression },
        ]);
      else {
        expect(graphql).toEqual([]);
        const gathers = h.fake.requests.filter((r) =>
          /MigrationWardenGather\b/.test(String((r.body as { query?: string } | null)?.query)),
        );
        expect(
          gathers.map((r) => (r.body as { variables: { texts?: string } }).variables.texts),
        ).toEqual([expression]);
      }
      expect(lastRun(h).output.summary).toContain("2 merged migrations applied in");
    });
});
