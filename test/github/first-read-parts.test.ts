/**
 * The one rule for GitHub's errors beside the first query's data (src/github/first-read/parts.ts),
 * across all its parts at once: the changed files, the other pull requests on the head, the
 * head's check runs and the approval facts' first page. Errors that all lie inside parts drop
 * exactly those parts (even what data GitHub left in them) and keep the rest; an error anywhere
 * else, under a key that only looks like a part's, or with the pull request nulled, sends the
 * whole read to REST as before.
 */
import { describe, expect, test } from "@jest/globals";
import { HEAD_RUN_NAMES } from "../../src/github/first-read/head-runs.js";
import { knownChangedFiles, knownPullsWithHead } from "../../src/github/first-read/head-reads.js";
import { answerWithoutFailedParts } from "../../src/github/first-read/parts.js";
import { readPullRequest } from "../../src/github/pull-request-query.js";
import { errorsBeside, firstAnswer, queryClient } from "./query-client.js";

type Json = Record<string, unknown>;

const APP = 123;
const REPO_ID = 7;
const HEAD = "a".repeat(40);
const TARGET = { owner: "o", repo: "r", number: 2 };

const whole = (nodes: unknown[]) => ({
  totalCount: nodes.length,
  pageInfo: { hasNextPage: false, endCursor: null },
  nodes,
});
const FACTS = {
  approvalReviews: whole([]),
  approvalTimeline: whole([]),
  approvalCommits: whole([]),
};
const run = {
  databaseId: 11,
  name: HEAD_RUN_NAMES[0],
  status: "COMPLETED",
  conclusion: "SUCCESS",
  externalId: "o/r#2",
  summary: "ok",
  url: "https://github.com/o/r/runs/11",
  annotations: { totalCount: 0 },
};
const suite = {
  app: { databaseId: APP },
  repository: { databaseId: REPO_ID },
  ...Object.fromEntries(HEAD_RUN_NAMES.map((_n, i) => [`runs${i}`, whole(i === 0 ? [run] : [])])),
};

function answer(): Json {
  return firstAnswer(HEAD, {
    changedFiles: 1,
    files: whole([{ path: "migrations/0002_a.up.sql", changeType: "ADDED" }]),
    headCommit: {
      nodes: [
        {
          commit: {
            oid: HEAD,
            associatedPullRequests: whole([
              { number: 5, state: "OPEN", headRefOid: HEAD, baseRepository: { databaseId: 7 } },
            ]),
          },
        },
      ],
    },
    headRuns: { nodes: [{ commit: { oid: HEAD, checkSuites: whole([suite]) } }] },
    ...FACTS,
  });
}

async function read(graphql: Json | Error) {
  const { octokit, sent } = queryClient(graphql, HEAD, APP);
  const pr = await readPullRequest(octokit, TARGET);
  return {
    pr,
    sent,
    parts: {
      files: knownChangedFiles(pr) !== undefined,
      pulls: knownPullsWithHead(pr) !== undefined,
      runs: pr.headRuns !== undefined,
      facts: pr.approvalFacts !== undefined,
    },
  };
}

/** The whole read went to REST (the pull request as REST gives it, no part of the answer). */
async function readByRest(graphql: Error) {
  const { sent, parts } = await read(graphql);
  expect(sent).toEqual({ graphql: 1, rest: 1 });
  expect(parts).toEqual({ files: false, pulls: false, runs: false, facts: false });
}

const at = (...path: Array<string | number>) => ["repository", "pullRequest", ...path];
const ALL = { files: true, pulls: true, runs: true, facts: true };

describe("errors inside parts drop exactly those parts", () => {
  test("a plain answer gives every part", async () => {
    const { parts, pr } = await read(answer());
    expect(parts).toEqual(ALL);
    expect(pr.headRuns?.runs.map((r) => r.id)).toEqual([11]);
  });

  test("inside the head's runs only: the runs by REST, files, head pulls and facts kept", async () => {
    // GitHub left what looks like whole runs beside its error: its word on them is lost, unused.
    const { parts, pr, sent } = await read(
      errorsBeside(answer(), [at("headRuns", "nodes", 0, "commit", "checkSuites", "nodes", 0)]),
    );
    expect(parts).toEqual({ ...ALL, runs: false });
    expect(sent).toEqual({ graphql: 1, rest: 0 });
    expect(pr.headSha).toBe(HEAD);
  });

  const pairs: Array<[string, unknown[][], Partial<typeof ALL>]> = [
    [
      "files and facts",
      [at("files"), at("approvalCommits", "nodes", 0)],
      { files: false, facts: false },
    ],
    [
      "runs and head pulls",
      [at("headRuns"), at("headCommit", "nodes", 0)],
      { runs: false, pulls: false },
    ],
    [
      "runs and facts",
      [at("headRuns", "nodes"), at("approvalTimeline")],
      { runs: false, facts: false },
    ],
  ];
  test.each(pairs)(
    "two parts at once (%s): both dropped, the rest kept",
    async (_n, paths, off) => {
      const { parts } = await read(errorsBeside(answer(), paths));
      expect(parts).toEqual({ ...ALL, ...off });
    },
  );

  test("every part at once: the pull request from the answer, every part by REST", async () => {
    const paths = [at("files"), at("headCommit"), at("headRuns"), at("approvalReviews")];
    const { parts, pr } = await read(errorsBeside(answer(), paths));
    expect(parts).toEqual({ files: false, pulls: false, runs: false, facts: false });
    expect(pr.headSha).toBe(HEAD);
  });

  test("the thrown error's data is left as it was (the parts are dropped from a copy)", () => {
    const data = answer();
    const err = errorsBeside(data, [at("headRuns", "nodes", 0)]);
    const kept = answerWithoutFailedParts<Json>(err, [{ aliases: ["headRuns"] }]) as {
      repository: { pullRequest: Json };
    };
    expect(kept.repository.pullRequest.headRuns).toBeNull();
    const original = (answer().repository as { pullRequest: Json }).pullRequest;
    expect(kept.repository.pullRequest.files).toEqual(original.files);
    expect((data.repository as { pullRequest: Json }).pullRequest.headRuns).not.toBeNull();
  });
});

describe("anything else: the whole read by REST, as before", () => {
  const elsewhere: Array<[string, Array<unknown[] | undefined>]> = [
    ["a key that only starts like a part's alias", [at("headRunsX")]],
    ["a key a part's alias only starts like", [at("headRun")]],
    ["a look-alike of the facts' alias", [at("approvalCommitsX", "nodes", 0)]],
    ["an alias in another case", [at("HeadRuns")]],
    ["a part's alias at the wrong depth", [["repository", "headRuns"]]],
    ["a part's alias at the top", [["headRuns", "nodes"]]],
    ["an index where the alias should be", [at(0)]],
    ["the pull request itself", [at()]],
    ["one in a part, one outside", [at("headRuns"), at("baseRef")]],
    ["one in a part, one without a path", [at("files"), undefined]],
    ["a string path", ["repository.pullRequest.headRuns" as unknown as unknown[]]],
  ];
  test.each(elsewhere)("%s", async (_n, paths) => {
    await readByRest(errorsBeside(answer(), paths));
  });

  test("inside a part but the pull request nulled (a non-null field failed)", async () => {
    const nulled = answer();
    (nulled.repository as Json).pullRequest = null;
    await readByRest(errorsBeside(nulled, [at("headRuns")]));
  });

  test("inside a part but no data at all", async () => {
    await readByRest(errorsBeside(null, [at("headRuns")]));
  });

  test("an error list that is empty", async () => {
    await readByRest(errorsBeside(answer(), []));
  });
});
