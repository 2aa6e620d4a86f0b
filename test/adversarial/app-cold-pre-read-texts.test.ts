/**
 * Attacks on the merged migrations' texts pre-read in a cold event's gather
 * (src/github/base-texts.ts, base-files.ts `readBaseFiles(…, preRead)`): an answer holding the
 * real file's name twice (a forged duplicate after the real one, which a map by name keeps), an
 * answer for another tree than the base (another commit's directory, with an extra migration and
 * an edited one), and a merged migration edited in place between two events of one process (the
 * texts remembered as read for the old tree). None may build the base state from bytes that are
 * not the merged files: the change the real history fails still fails.
 */
import { describe, expect, jest, test } from "@jest/globals";
import { blobSha, type FakeCheckRun, type FakeRepo } from "../support/fake-github.mjs";
import {
  harnessInTurn,
  helloWorld,
  LINT,
  mergedMigrations,
  pullRequestEvent,
  type Harness,
} from "../github/harness.js";

jest.setTimeout(120_000);

const harness = harnessInTurn();

const CONFIG = {
  ".github/migration-warden.yml": "directories:\n  - path: migrations\n    dialect: sqlite\n",
};
const up = (i: number) => `CREATE TABLE t${i} (id bigint PRIMARY KEY);\n`;
// The change alters t3: it passes only when the merged 0003 creates t3.
const CHANGE = {
  "migrations/9000_new.up.sql": "ALTER TABLE t3 ADD COLUMN note text;\n",
  "migrations/9000_new.down.sql": "ALTER TABLE t3 DROP COLUMN note;\n",
};
/** The merged history where 0003 creates t33, not t3: the change must fail its replay. */
const FAILING = { ...CONFIG, ...mergedMigrations(12), "migrations/0003_t3.up.sql": up(33) };

const GATHER = /MigrationWardenGather\b/;
const bodyOf = (b: unknown) =>
  (typeof b === "string" ? JSON.parse(b) : b) as
    { query?: string; variables?: Record<string, unknown> } | undefined;
const textsAsked = (h: Harness) =>
  h.fake.requests.flatMap((r) => {
    const b = bodyOf(r.body);
    const t = GATHER.test(b?.query ?? "") ? b?.variables?.texts : undefined;
    return typeof t === "string" ? [t] : [];
  });
const blobReads = (h: Harness) => h.calls().filter((c) => c.includes("/git/blobs/"));

function lastRun(h: Harness): FakeCheckRun {
  const run = h.fake.checkRuns.filter((r) => r.name === LINT).at(-1);
  if (!run || run.status !== "completed") throw new Error("no completed lint check run");
  return run;
}
const replayTitles = (h: Harness) =>
  lastRun(h)
    .annotations.map((a) => a.title ?? "")
    .filter((t) => /^replay-/.test(t));

async function opened(base: Record<string, string>, setup?: (h: Harness, repo: FakeRepo) => void) {
  const h = await harness();
  const pr = helloWorld(h.fake, base, CHANGE);
  setup?.(h, pr.repo);
  await h.receive("pull_request", pullRequestEvent("opened", pr.repo, pr.number));
  return { h, ...pr };
}

describe("a pre-read answer that is not the base's directory", () => {
  test("the real 0003 and, after it, a forged 0003 with its blob id and a text creating t3: the real one is replayed", async () => {
    const { h } = await opened(FAILING, (x) => {
      // 0004 answered as a second 0003_t3.up.sql under the real 0003's blob id, with a text
      // that would create t3.
      x.fake.graphqlFault({
        executed: true,
        operation: "MigrationWardenGather",
        entry: /^0004_t4\.up\.sql$/,
        name: "0003_t3.up.sql",
        oid: blobSha(up(33)),
      });
      x.fake.graphqlFault({
        executed: true,
        operation: "MigrationWardenGather",
        blob: blobSha(up(4)),
        text: up(3),
      });
    });
    expect(textsAsked(h)).toHaveLength(1);
    expect(replayTitles(h)).toContain("replay-up-failed");
    const honest = await opened(FAILING);
    expect(replayTitles(honest.h)).toEqual(replayTitles(h));
  });

  test("another commit's directory (0003 creating t3, one more migration creating it too): ignored beyond the listing", async () => {
    let other = "";
    const { h, baseSha } = await opened(FAILING, (x, repo) => {
      other = repo.commit({
        parent: repo.branches.get("master")!,
        files: { "migrations/0003_t3.up.sql": up(3), "migrations/0002_t3b.up.sql": up(3) },
        message: "elsewhere",
      });
      // GitHub answering the texts of another tree than the base's.
      const dispatch = x.fake.dispatch.bind(x.fake);
      x.fake.dispatch = (req) => {
        const b = bodyOf(req.body);
        if (GATHER.test(b?.query ?? "") && typeof b?.variables?.texts === "string") {
          const texts = b.variables.texts.replace(/^[0-9a-f]+:/, `${other}:`);
          return dispatch({
            ...req,
            body: JSON.stringify({ ...b, variables: { ...b.variables, texts } }),
          });
        }
        return dispatch(req);
      };
    });
    expect(other).not.toBe("");
    expect(textsAsked(h)).toEqual([`${other}:migrations`]);
    expect(textsAsked(h)).not.toContain(`${baseSha}:migrations`);
    // The real 0003 read by blob id (the other tree lists another id for it).
    expect(blobReads(h)).toContain(
      `GET /repos/Codertocat/Hello-World/git/blobs/${blobSha(up(33))}`,
    );
    expect(replayTitles(h)).toContain("replay-up-failed");
    expect(lastRun(h).output.summary).toContain("12 merged migrations applied in");
  });
});

describe("a merged migration edited in place between two events of one process", () => {
  test("the texts of the new tree are read, and the state of the old text is not restored", async () => {
    const { h, repo, number } = await opened({ ...CONFIG, ...mergedMigrations(12) });
    expect(replayTitles(h)).toEqual([]);
    expect(lastRun(h).conclusion).not.toBe("failure");

    // Same names, one blob id changed: the directory's tree id changes with it.
    const edited = repo.commit({
      branch: "master",
      files: { "migrations/0003_t3.up.sql": up(33) },
    });
    h.fake.clearRequests();
    await h.receive("pull_request", pullRequestEvent("synchronize", repo, number));
    expect(textsAsked(h)).toEqual([`${edited}:migrations`]);
    expect(replayTitles(h)).toContain("replay-up-failed");

    // Back to the first text: its state may come from the cache, and passes again.
    repo.commit({ branch: "master", files: { "migrations/0003_t3.up.sql": up(3) } });
    h.fake.clearRequests();
    await h.receive("pull_request", pullRequestEvent("synchronize", repo, number));
    expect(replayTitles(h)).toEqual([]);
  });
});
