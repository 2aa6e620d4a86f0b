/**
 * The head's parts of the first query (src/github/first-read/): the pull request's changed files
 * and the other open pull requests on its head commit, against hand-made answers. Each part is
 * used on its own and only when the answer is whole and plain; anything else leaves that part
 * (and only it) to REST: a renamed, copied or type-changed file, a second page, counts that
 * disagree, a head that is not the last commit listed, a truncated list of pull requests, a
 * missing field, errors GitHub reports inside the part.
 */
import { describe, expect, test } from "@jest/globals";
import {
  knownChangedFiles,
  knownPullsWithHead,
  withoutFailedParts,
} from "../../src/github/first-read/head-reads.js";
import { readPullRequest } from "../../src/github/pull-request-query.js";
import { queryClient } from "./query-client.js";

type Json = Record<string, unknown>;

const HEAD = "a".repeat(40);
const OTHER = "d".repeat(40);
const REPO_ID = 7;
const TARGET = { owner: "o", repo: "r", number: 2 };

const FILES = [
  { path: "migrations/0002_a.up.sql", changeType: "ADDED" },
  { path: "migrations/0001_t1.up.sql", changeType: "MODIFIED" },
  { path: "docs/old.md", changeType: "DELETED" },
];

function files(more: Json = {}, nodes: unknown[] = FILES): Json {
  return { totalCount: nodes.length, pageInfo: { hasNextPage: false }, nodes, ...more };
}

function pull(number: number, more: Json = {}): Json {
  return {
    number,
    state: "OPEN",
    headRefOid: HEAD,
    baseRepository: { databaseId: REPO_ID },
    ...more,
  };
}

const PULLS = [pull(2), pull(5), pull(3)];

function headCommit(more: Json = {}, nodes: unknown[] = PULLS, oid = HEAD): Json {
  return {
    nodes: [
      {
        commit: {
          oid,
          associatedPullRequests: {
            totalCount: nodes.length,
            pageInfo: { hasNextPage: false },
            nodes,
            ...more,
          },
        },
      },
    ],
  };
}

function answer(pr: Json = {}): Json {
  return {
    repository: {
      databaseId: REPO_ID,
      defaultBranchRef: { name: "main" },
      pullRequest: {
        number: 2,
        state: "OPEN",
        headRefOid: HEAD,
        baseRefName: "main",
        changedFiles: FILES.length,
        commits: { totalCount: 2 },
        author: { __typename: "User", login: "dev" },
        headRepository: { nameWithOwner: "o/r" },
        files: files(),
        headCommit: headCommit(),
        baseRef: null,
        ...pr,
      },
    },
  };
}

/** What @octokit/graphql throws for an answer with `errors` beside its data. */
function graphqlErrors(data: Json, errors: Json[]): Error {
  return Object.assign(new Error("Request failed due to following response errors"), {
    name: "GraphqlResponseError",
    data,
    errors,
  });
}

async function read(graphql: Json | Error) {
  const { octokit, sent } = queryClient(graphql, HEAD);
  const pr = await readPullRequest(octokit, TARGET);
  return { pr, sent, files: knownChangedFiles(pr), pulls: knownPullsWithHead(pr) };
}

const LISTED = {
  changes: [
    { path: "migrations/0002_a.up.sql", status: "added" },
    { path: "migrations/0001_t1.up.sql", status: "modified" },
    { path: "docs/old.md", status: "removed" },
  ],
  incomplete: [],
};

describe("a plain answer", () => {
  test("gives the file list as REST lists it (no blob ids) and the other pull requests of the head", async () => {
    const r = await read(answer());
    expect(r.sent).toEqual({ graphql: 1, rest: 0 });
    expect(r.files).toEqual(LISTED);
    // Sorted, without the pull request itself.
    expect(r.pulls).toEqual([3, 5]);
  });

  test("the other pull requests are filtered as the REST lookup filters them", async () => {
    const r = await read(
      answer({
        headCommit: headCommit({}, [
          pull(2),
          // Closed or merged.
          pull(4, { state: "CLOSED" }),
          pull(6, { state: "MERGED" }),
          // The head commit is in it, but not its head (a stacked pull request).
          pull(7, { headRefOid: OTHER }),
          // A fork's pull request on the same commit: another repository's.
          pull(8, { baseRepository: { databaseId: 99 } }),
          // A deleted base repository: not this one.
          pull(9, { baseRepository: null }),
          pull(10),
          pull(10),
        ]),
      }),
    );
    expect(r.pulls).toEqual([10]);
  });

  test("no other pull request: an empty list, and no REST lookup is needed", async () => {
    const r = await read(answer({ headCommit: headCommit({}, [pull(2)]) }));
    expect(r.pulls).toEqual([]);
  });

  test("what a caller changes in its copy does not change the next one", async () => {
    const { pr } = await read(answer());
    knownChangedFiles(pr)!.changes[0]!.path = "elsewhere";
    knownPullsWithHead(pr)!.push(99);
    expect(knownChangedFiles(pr)).toEqual(LISTED);
    expect(knownPullsWithHead(pr)).toEqual([3, 5]);
  });

  test("bound to the pull request and head they were read for", async () => {
    const { pr } = await read(answer());
    expect(knownChangedFiles({ ...pr, headSha: OTHER })).toBeUndefined();
    expect(knownPullsWithHead({ ...pr, headSha: OTHER })).toBeUndefined();
    expect(knownChangedFiles({ ...pr, number: 3 })).toBeUndefined();
    expect(knownPullsWithHead({ ...pr, number: 3 })).toBeUndefined();
  });
});

describe("a file list not used: read by REST (the other part still used)", () => {
  const renamed = [...FILES.slice(1), { path: "archive/0001_t1.up.sql", changeType: "RENAMED" }];
  const cases: Array<[string, Json]> = [
    // Its old path (a merged migration renamed out of the directory) is not in the answer.
    ["a renamed file", { files: files({}, renamed) }],
    [
      "a copied file",
      { files: files({}, [...FILES.slice(1), { path: "x", changeType: "COPIED" }]) },
    ],
    // git's type change (a file becoming a symlink): not certainly REST's "changed".
    [
      "a type change",
      { files: files({}, [...FILES.slice(1), { path: "x", changeType: "CHANGED" }]) },
    ],
    [
      "an unknown change type",
      { files: files({}, [...FILES.slice(1), { path: "x", changeType: "MOVED" }]) },
    ],
    ["no change type", { files: files({}, [...FILES.slice(1), { path: "x" }]) }],
    ["a second page", { files: files({ pageInfo: { hasNextPage: true } }) }],
    ["no page info", { files: files({ pageInfo: null }) }],
    ["a count other than the pull request's", { changedFiles: 4 }],
    ["fewer nodes than the count", { files: files({ totalCount: 4 }), changedFiles: 4 }],
    ["more files than one page", { files: files({ totalCount: 150 }), changedFiles: 150 }],
    ["a null node", { files: files({}, [...FILES.slice(1), null]) }],
    ["an empty path", { files: files({}, [...FILES.slice(1), { path: "", changeType: "ADDED" }]) }],
    ["a path twice", { files: files({}, [...FILES.slice(1), FILES[1]]) }],
    ["no nodes", { files: files({ nodes: null }) }],
    ["no file list", { files: null }],
    ["no file list field", { files: undefined }],
  ];
  test.each(cases)("%s", async (_name, pr) => {
    const r = await read(answer(pr));
    expect(r.sent).toEqual({ graphql: 1, rest: 0 });
    expect(r.files).toBeUndefined();
    expect(r.pulls).toEqual([3, 5]);
  });
});

describe("the other pull requests not used: looked up by REST (the file list still used)", () => {
  const cases: Array<[string, Json]> = [
    // GitHub lists 250 commits at most, and a head that moved while the answer was made.
    ["a last commit that is not the head", { headCommit: headCommit({}, PULLS, OTHER) }],
    ["no last commit", { headCommit: { nodes: [] } }],
    ["two last commits", { headCommit: { nodes: [...(headCommit().nodes as unknown[]), null] } }],
    ["no head commit", { headCommit: null }],
    ["a second page", { headCommit: headCommit({ pageInfo: { hasNextPage: true } }) }],
    ["no page info", { headCommit: headCommit({ pageInfo: undefined }) }],
    // The other pull request may be among those not listed.
    ["more than the nodes listed", { headCommit: headCommit({ totalCount: 101 }) }],
    ["no nodes", { headCommit: headCommit({ nodes: null }) }],
    ["a null node", { headCommit: headCommit({}, [...PULLS, null]) }],
    [
      "a node without a number",
      { headCommit: headCommit({}, [pull(2), pull(3, { number: null })]) },
    ],
    ["a node without a state", { headCommit: headCommit({}, [pull(2), pull(3, { state: null })]) }],
    [
      "a node without a head",
      { headCommit: headCommit({}, [pull(2), pull(3, { headRefOid: null })]) },
    ],
    [
      "a node without its base repository",
      { headCommit: headCommit({}, [pull(2), pull(3, { baseRepository: undefined })]) },
    ],
    [
      "a base repository without its id",
      { headCommit: headCommit({}, [pull(2), pull(3, { baseRepository: {} })]) },
    ],
  ];
  test.each(cases)("%s", async (_name, pr) => {
    const r = await read(answer(pr));
    expect(r.sent).toEqual({ graphql: 1, rest: 0 });
    expect(r.pulls).toBeUndefined();
    expect(r.files).toEqual(LISTED);
  });
});

describe("errors GitHub reports beside the data", () => {
  const at = (...path: Array<string | number>) => ({ message: "Something went wrong", path });

  test("inside the file list only: the rest of the answer is used, the files by REST", async () => {
    const data = answer({ files: null });
    const r = await read(graphqlErrors(data, [at("repository", "pullRequest", "files")]));
    expect(r.sent).toEqual({ graphql: 1, rest: 0 });
    expect(r.files).toBeUndefined();
    expect(r.pulls).toEqual([3, 5]);
    expect(r.pr.headSha).toBe(HEAD);
  });

  test("inside both parts: the pull request from the answer, both parts by REST", async () => {
    const data = answer({ files: null, headCommit: headCommit({}, [pull(2), null]) });
    const r = await read(
      graphqlErrors(data, [
        at("repository", "pullRequest", "files"),
        at(
          "repository",
          "pullRequest",
          "headCommit",
          "nodes",
          0,
          "commit",
          "associatedPullRequests",
          "nodes",
          1,
        ),
      ]),
    );
    expect(r.sent).toEqual({ graphql: 1, rest: 0 });
    expect(r.pr.headReads).toBeUndefined();
  });

  test("the parts' data is not used even where the error left some (GitHub's word on it is lost)", () => {
    const data = answer();
    const kept = withoutFailedParts<ReturnType<typeof answer>>(
      graphqlErrors(data, [at("repository", "pullRequest", "headCommit", "nodes", 0)]),
    ) as { repository: { pullRequest: Json } };
    expect(kept.repository.pullRequest.headCommit).toBeNull();
    expect(kept.repository.pullRequest.files).toEqual(files());
    // The thrown error's data is left as it was.
    expect((data.repository as { pullRequest: Json }).pullRequest.headCommit).toEqual(headCommit());
  });

  const elsewhere: Array<[string, Json[]]> = [
    ["outside the parts", [at("repository", "pullRequest", "baseRef")]],
    ["on the pull request itself", [at("repository", "pullRequest")]],
    ["one inside, one outside", [at("repository", "pullRequest", "files"), at("repository")]],
    ["without a path", [{ message: "Something went wrong" }]],
    ["a path that only starts like a part", [at("repository", "pullRequest")]],
  ];
  test.each(elsewhere)(
    "%s: the whole answer is unusable, REST reads the pull request",
    async (_n, errors) => {
      const r = await read(graphqlErrors(answer({ files: null }), errors));
      expect(r.sent).toEqual({ graphql: 1, rest: 1 });
      expect(r.pr.headReads).toBeUndefined();
    },
  );

  test("no data at all: REST", async () => {
    const r = await read(
      Object.assign(new Error("x"), {
        name: "GraphqlResponseError",
        data: null,
        errors: [at("repository", "pullRequest", "files")],
      }),
    );
    expect(r.sent).toEqual({ graphql: 1, rest: 1 });
  });

  test("a usable-looking remainder that is not (no head): REST, as for any unusable answer", async () => {
    const data = answer({ headRefOid: null, files: null });
    const r = await read(graphqlErrors(data, [at("repository", "pullRequest", "files")]));
    expect(r.sent).toEqual({ graphql: 1, rest: 1 });
    expect(r.pr.headReads).toBeUndefined();
  });
});
