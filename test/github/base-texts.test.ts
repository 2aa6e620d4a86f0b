/**
 * The merged migrations' texts brought by the gather of a cold event (src/github/base-texts.ts),
 * instead of the replay's own `MigrationWardenBaseDirectory` query: asked only when the process
 * likely holds no base state for the directory, and never trusted more than that query's answer
 * (src/github/base-files.ts checks both): a text that does not hash to its blob id, a truncated or
 * binary blob, an entry renamed, missing or listed under another id is read by blob sha, as
 * before. A state is never built from a text that was not verified: a forged text that would make
 * the change pass leaves the failure the real one gives.
 */
import { describe, expect, jest, test } from "@jest/globals";
import { blobSha, type FakeCheckRun, type GraphqlFault } from "../support/fake-github.mjs";
import {
  harnessInTurn,
  helloWorld,
  LINT,
  mergedMigrations,
  pullRequestEvent,
  type Harness,
} from "./harness.js";

jest.setTimeout(120_000);

const harness = harnessInTurn();

const CONFIG = (replay = true) => ({
  ".github/migration-warden.yml": `directories:\n  - path: migrations\n    dialect: sqlite\n${replay ? "" : "replay:\n  enabled: false\n"}`,
});
const up = (i: number) => `CREATE TABLE t${i} (id bigint PRIMARY KEY);\n`;
const CHANGE = {
  "migrations/9000_new.up.sql": "ALTER TABLE t3 ADD COLUMN note text;\n",
  "migrations/9000_new.down.sql": "ALTER TABLE t3 DROP COLUMN note;\n",
};

const query = (r: { body?: unknown }) => String((r.body as { query?: string } | null)?.query);
const gathers = (h: Harness) =>
  h.fake.requests.filter((r) => /MigrationWardenGather\b/.test(query(r)));
const baseDirectoryQueries = (h: Harness) =>
  h.fake.requests.filter((r) => /MigrationWardenBaseDirectory\b/.test(query(r)));
const textsAsked = (h: Harness) =>
  gathers(h).flatMap((r) => {
    const t = (r.body as { variables: { texts?: string } }).variables.texts;
    return t === undefined ? [] : [t];
  });
const blobReads = (h: Harness) => h.calls().filter((c) => c.includes("/git/blobs/"));
const blobRead = (text: string) => `GET /repos/Codertocat/Hello-World/git/blobs/${blobSha(text)}`;

function lastRun(h: Harness): FakeCheckRun {
  const run = h.fake.checkRuns.filter((r) => r.name === LINT).at(-1);
  if (!run || run.status !== "completed") throw new Error("no completed lint check run");
  return run;
}
const titles = (run: FakeCheckRun) =>
  run.annotations.map((a) => a.title ?? "").filter((t) => /^replay-/.test(t));

async function opened(
  base: Record<string, string>,
  change: Record<string, string> = CHANGE,
  setup?: (h: Harness) => void,
) {
  const h = await harness();
  const pr = helloWorld(h.fake, base, change);
  setup?.(h);
  await h.receive("pull_request", pullRequestEvent("opened", pr.repo, pr.number));
  return { h, ...pr };
}

describe("when the gather brings the merged texts", () => {
  test("cold: in the gather, no BaseDirectory query; warm (state cached): not asked", async () => {
    const { h, repo, number, baseSha } = await opened({ ...CONFIG(), ...mergedMigrations(12) });
    expect(textsAsked(h)).toEqual([`${baseSha}:migrations`]);
    expect(baseDirectoryQueries(h)).toEqual([]);
    expect(blobReads(h)).toEqual([]);
    expect(lastRun(h).output.summary).toContain("12 merged migrations applied in");
    expect(titles(lastRun(h))).toEqual([]);

    // A new head on the same base: the state is cached, the texts are not asked again.
    repo.pushToPullRequest(
      number,
      repo.commit({ parent: repo.pull(number).headSha, files: { "README.md": "x\n" } }),
    );
    h.fake.clearRequests();
    await h.receive("pull_request", pullRequestEvent("synchronize", repo, number));
    expect(gathers(h).length).toBeGreaterThan(0);
    expect(textsAsked(h)).toEqual([]);
    expect(baseDirectoryQueries(h)).toEqual([]);
    expect(lastRun(h).output.summary).toContain("12 merged migrations restored from cache");
  });

  test("the base gains a migration: the new tree's texts come with the gather", async () => {
    const { h, repo, number } = await opened({ ...CONFIG(), ...mergedMigrations(12) });
    const tip = repo.commit({
      branch: "master",
      files: {
        "migrations/0013_t13.up.sql": up(13),
        "migrations/0013_t13.down.sql": "DROP TABLE t13;\n",
      },
    });
    h.fake.clearRequests();
    await h.receive("pull_request", pullRequestEvent("synchronize", repo, number));
    expect(textsAsked(h)).toEqual([`${tip}:migrations`]);
    expect(baseDirectoryQueries(h)).toEqual([]);
    expect(lastRun(h).output.summary).toContain(
      "13 merged migrations (12 restored from cache, the 1 after them applied in",
    );
  });

  test("the replay off, or no up migration changed: not asked", async () => {
    const off = await opened({ ...CONFIG(false), ...mergedMigrations(3) });
    expect(gathers(off.h).length).toBeGreaterThan(0);
    expect(textsAsked(off.h)).toEqual([]);
    const downOnly = await opened(
      { ...CONFIG(), ...mergedMigrations(3) },
      {
        "migrations/0003_t3.down.sql": "DROP TABLE IF EXISTS t3;\n",
      },
    );
    expect(gathers(downOnly.h).length).toBeGreaterThan(0);
    expect(textsAsked(downOnly.h)).toEqual([]);
  });
});

describe("a pre-read answer is checked as the replay's own query's", () => {
  const entry = /^0003_t3\.up\.sql$/;
  const real = up(3);
  const faults: Array<[string, GraphqlFault]> = [
    ["truncated", { blob: blobSha(real), truncate: true }],
    ["binary", { blob: blobSha(real), binary: true }],
    ["missing", { entry, drop: true }],
    ["renamed", { entry, name: "0003_t3_renamed.up.sql" }],
    ["listed under another blob id", { entry, oid: "f".repeat(40) }],
    ["with a text that is not the blob's", { blob: blobSha(real), text: up(99) }],
  ];
  test.each(faults)("a file %s: read by blob sha, the rest used", async (_, fault) => {
    const { h } = await opened({ ...CONFIG(), ...mergedMigrations(12) }, CHANGE, (x) =>
      x.fake.graphqlFault({ ...fault, executed: true, operation: "MigrationWardenGather" }),
    );
    expect(textsAsked(h)).toHaveLength(1);
    expect(baseDirectoryQueries(h)).toEqual([]);
    expect(blobReads(h)).toContain(blobRead(real));
    expect(lastRun(h).output.summary).toContain("12 merged migrations applied in");
    expect(titles(lastRun(h))).toEqual([]);
  });

  test("a forged text that would let the change pass: the real one is replayed, and fails it", async () => {
    // The merged 0003 does not create t3, so the change's ALTER TABLE t3 fails; the forged text
    // would create it.
    const merged = { ...mergedMigrations(12), "migrations/0003_t3.up.sql": up(33) };
    const { h } = await opened({ ...CONFIG(), ...merged }, CHANGE, (x) =>
      x.fake.graphqlFault({
        executed: true,
        operation: "MigrationWardenGather",
        blob: blobSha(up(33)),
        text: real,
      }),
    );
    expect(textsAsked(h)).toHaveLength(1);
    expect(blobReads(h)).toContain(blobRead(up(33)));
    expect(titles(lastRun(h))).toContain("replay-up-failed");

    // Without the forgery, the same failure: nothing of it came from the forged text.
    const plain = await opened({ ...CONFIG(), ...merged });
    expect(titles(lastRun(plain.h))).toEqual(titles(lastRun(h)));
  });

  test("the gather failing as a whole: the replay's own query, as before", async () => {
    const { h } = await opened({ ...CONFIG(), ...mergedMigrations(12) }, CHANGE, (x) =>
      x.fake.graphqlFault({ executed: true, operation: "MigrationWardenGather", error: "timeout" }),
    );
    expect(textsAsked(h)).toHaveLength(1);
    expect(baseDirectoryQueries(h)).toHaveLength(1);
    expect(lastRun(h).output.summary).toContain("12 merged migrations applied in");
  });
});
