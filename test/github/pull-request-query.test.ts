/**
 * The pull request, its base tip and the base config in one GraphQL query
 * (src/github/pull-request-query.ts): against hand-made answers (whatever is missing, odd or
 * unverifiable is read by REST), then through the app against the fake GitHub, as an attacker
 * would try it: the base moving between the query and the branch read, a symlink or a truncated
 * blob at the config path, a retargeted or closed pull request, errors beside partial data.
 */
import { describe, expect, test } from "@jest/globals";
import { readPullRequest } from "../../src/github/pull-request-query.js";
import { blobSha } from "../support/fake-github.mjs";
import { firstAnswer, queryClient } from "./query-client.js";
import {
  APPROVAL,
  harnessesPerTest,
  helloWorld,
  LINT,
  mergedMigrations,
  pullRequestEvent,
  type Harness,
} from "./harness.js";

type Json = Record<string, unknown>;

const HEAD = "a".repeat(40);
const TIP = "b".repeat(40);
const TREE = "c".repeat(40);
const TEXT = "directories:\n  - path: migrations\n    dialect: postgres\n";
const TARGET = { owner: "o", repo: "r", number: 2 };

function file(more: Json = {}, blob: Json = {}): Json {
  const oid = blobSha(TEXT);
  return {
    mode: 0o100644,
    type: "blob",
    oid,
    object: {
      __typename: "Blob",
      oid,
      byteSize: Buffer.byteLength(TEXT),
      isBinary: false,
      isTruncated: false,
      text: TEXT,
      ...blob,
    },
    ...more,
  };
}

function answer(pr: Json = {}, repo: Json = {}, target: Json = {}): Json {
  const baseRef = {
    name: "main",
    target: { __typename: "Commit", oid: TIP, tree: { oid: TREE }, file: file(), ...target },
  };
  return firstAnswer(HEAD, { headRepository: { nameWithOwner: "fork/r" }, baseRef, ...pr }, repo);
}

async function read(graphql: Json | Error) {
  const { octokit, sent } = queryClient(graphql, HEAD);
  const reasons: string[] = [];
  const pr = await readPullRequest(octokit, TARGET, (r) => reasons.push(r));
  return { pr, sent, reasons };
}

describe("a usable answer", () => {
  test("gives the pull request as REST does, with the base tip and its config text", async () => {
    const { pr, sent, reasons } = await read(answer());
    expect(sent).toEqual({ graphql: 1, rest: 0 });
    expect(reasons).toEqual([]);
    expect(pr).toEqual({
      ...TARGET,
      open: true,
      headSha: HEAD,
      baseRef: "main",
      defaultBranch: "main",
      baseRepoId: 7,
      changedFiles: 3,
      commits: 2,
      author: "dev",
      headRepo: "fork/r",
      baseTip: { ref: "main", sha: TIP, treeSha: TREE, config: { text: TEXT } },
    });
  });

  test("a bot author carries REST's [bot]; a deleted fork is no head repository", async () => {
    const { pr } = await read(
      answer({ author: { __typename: "Bot", login: "dependabot" }, headRepository: null }),
    );
    expect(pr.author).toBe("dependabot[bot]");
    expect(pr.headRepo).toBeNull();
  });

  test("closed and merged pull requests are not open", async () => {
    expect((await read(answer({ state: "CLOSED" }))).pr.open).toBe(false);
    expect((await read(answer({ state: "MERGED" }))).pr.open).toBe(false);
  });

  test("no file at the config path: absent (the tree confirms it later)", async () => {
    const { pr } = await read(answer({}, {}, { file: null }));
    expect(pr.baseTip?.config).toBe("absent");
  });
});

/** What @octokit/graphql throws for an answer with `errors`. */
function graphqlError(message: string): Error {
  return Object.assign(new Error(message), { name: "GraphqlResponseError" });
}

/** What @octokit/request throws for a failed request. */
function httpError(url: string): Error {
  return Object.assign(new Error("Bad Gateway"), { name: "HttpError", request: { url } });
}

test("a failure that is not the query's (no installation token) fails the read as before", async () => {
  const token = httpError("https://api.github.com/app/installations/1/access_tokens");
  const { octokit, sent } = queryClient(token, HEAD);
  await expect(readPullRequest(octokit, TARGET)).rejects.toBe(token);
  expect(sent).toEqual({ graphql: 1, rest: 0 });
});

describe("an answer not used whole: the pull request is read by REST", () => {
  const cases: Array<[string, Json | Error]> = [
    ["GitHub's errors (even beside partial data)", graphqlError("Something went wrong")],
    ["a failed request to the GraphQL endpoint", httpError("https://api.github.com/graphql")],
    ["no repository", { repository: null }],
    ["no pull request", answer(undefined, { pullRequest: null })],
    ["another pull request", answer({ number: 3 })],
    ["no state", answer({ state: undefined })],
    ["no head", answer({ headRefOid: "main" })],
    ["no base name", answer({ baseRefName: "" })],
    ["no changed-file count", answer({ changedFiles: null })],
    ["no commit count", answer({ commits: {} })],
    // GitHub lists at most 250 commits: a count at the cap may hide more, REST counts them all.
    ["a commit count at GitHub's cap", answer({ commits: { totalCount: 250 } })],
    ["no repository id", answer({}, { databaseId: null })],
    ["no default branch", answer({}, { defaultBranchRef: null })],
    ["no author", answer({ author: null })],
    ["an author of another kind", answer({ author: { __typename: "Mannequin", login: "x" } })],
    ["no head repository field", answer({ headRepository: undefined })],
  ];
  test.each(cases)("%s", async (_name, graphql) => {
    const { pr, sent, reasons } = await read(graphql);
    expect(sent).toEqual({ graphql: 1, rest: 1 });
    expect(reasons).toHaveLength(1);
    expect(pr.baseTip).toBeUndefined();
    expect(pr.headSha).toBe(HEAD);
  });
});

describe("a base part not used: the config is read by REST at the branch's tip", () => {
  test.each<[string, Json]>([
    // Retargeted, renamed or deleted: the ref the answer shows is not the base the PR names.
    ["another branch than the pull request's base", answer({ baseRef: { name: "other" } })],
    ["no base branch (deleted)", answer({ baseRef: null })],
    ["a tip that is not a commit", answer({}, {}, { __typename: "Tag" })],
    ["no tree", answer({}, {}, { tree: null })],
    ["no file field", answer({}, {}, { file: undefined })],
  ])("no tip: %s", async (_name, graphql) => {
    const { pr, sent } = await read(graphql);
    expect(sent).toEqual({ graphql: 1, rest: 0 });
    expect(pr.baseTip).toBeUndefined();
  });

  test.each<[string, Json]>([
    ["a symlink", file({ mode: 0o120000 })],
    ["a submodule", file({ mode: 0o160000, type: "commit", object: null })],
    ["a directory", file({ mode: 0o40000, type: "tree", object: { __typename: "Tree" } })],
    ["a truncated blob", file({}, { isTruncated: true, text: TEXT.slice(0, 10) })],
    ["a binary blob", file({}, { isBinary: true, text: null })],
    ["binary unknown", file({}, { isBinary: null })],
    ["a text that does not hash to the id", file({}, { text: "directories: []\n" })],
    ["a blob of another id", file({}, { oid: blobSha("x") })],
    ["a size that is not the text's", file({}, { byteSize: 3 })],
  ])("tip kept, config by REST: %s", async (_name, f) => {
    const { pr } = await read(answer({}, {}, { file: f }));
    expect(pr.baseTip).toEqual({ ref: "main", sha: TIP, treeSha: TREE, config: null });
  });
});

const harness = harnessesPerTest();

const CONFIG = "directories:\n  - path: migrations\n    dialect: postgres\n";
const CHANGE = {
  "migrations/0003_orders.up.sql": "CREATE TABLE orders (id int);\n",
  "migrations/0003_orders.down.sql": "DROP TABLE orders;\n",
};

async function review(base: Record<string, unknown> = { ".github/migration-warden.yml": CONFIG }) {
  const h = await harness({ app: { replay: false } });
  // Symlinks too (the fake takes them where helloWorld's type says text).
  const files = { ...mergedMigrations(2), ...base } as Record<string, string>;
  const made = helloWorld(h.fake, files, CHANGE);
  const deliver = async () => {
    await h.receive("pull_request", pullRequestEvent("opened", made.repo, made.number));
    return {
      lint: h.fake.checkRuns.filter((r) => r.name === LINT).at(-1),
      approval: h.fake.checkRuns.filter((r) => r.name === APPROVAL).at(-1),
    };
  };
  return { h, ...made, deliver };
}

const sent = (h: Harness, part: RegExp) => h.calls().filter((c) => part.test(c));
const queries = (h: Harness) =>
  h.fake.requests.filter((r) =>
    /MigrationWardenPullRequest\b/.test(String((r.body as { query?: string })?.query)),
  );
const PULL = /^GET \/repos\/[^/]+\/[^/]+\/pulls\/2$/;
const CONTENTS = /\/contents\//;

describe("through the app", () => {
  test("one query replaces the pull request and config reads", async () => {
    const { h, deliver } = await review();
    const { lint } = await deliver();
    expect(queries(h)).toHaveLength(1);
    expect(sent(h, PULL)).toEqual([]);
    expect(sent(h, CONTENTS)).toEqual([]);
    expect(lint?.output.summary).toContain("0003_orders.up.sql");
  });

  test("the base moving between the query and the branch read: the config of the new tip", async () => {
    const { h, repo, baseSha, deliver } = await review();
    let moved = "";
    h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenPullRequest",
      afterAnswer: () => {
        moved = repo.commit({
          branch: "master",
          parent: baseSha,
          files: { ".github/migration-warden.yml": "directories: 42\n" },
        });
      },
    });
    const { lint, approval } = await deliver();
    // The config the query read belongs to a tip that is no longer the branch's.
    expect(sent(h, CONTENTS)).toEqual([
      expect.stringContaining(`/contents/.github/migration-warden.yml?ref=${moved}`),
    ]);
    expect(lint?.conclusion).toBe("failure");
    expect(approval?.conclusion).toBe("failure");
    expect(lint?.output.summary).toContain("directories");
  });

  test("a symlink at the config path is read by REST, as before", async () => {
    const { h, deliver } = await review({
      ".github/migration-warden.yml": { symlink: "../config.yml" },
      "config.yml": CONFIG,
    });
    const { lint } = await deliver();
    expect(sent(h, CONTENTS)).toHaveLength(1);
    // Against a run where the query never answers: the same result.
    const viaQuery = lint?.output;
    const again = await review({
      ".github/migration-warden.yml": { symlink: "../config.yml" },
      "config.yml": CONFIG,
    });
    again.h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenPullRequest",
      error: "Something went wrong while executing your query.",
      times: Infinity,
    });
    const rest = await again.deliver();
    expect(sent(again.h, PULL)).toHaveLength(1);
    expect(rest.lint?.conclusion).toBe(lint?.conclusion);
    expect(rest.lint?.output.title).toBe(viaQuery?.title);
  });

  test("a truncated config blob is read by REST, and its whole text decides", async () => {
    const { h, deliver } = await review({
      ".github/migration-warden.yml": `${CONFIG}rules:\n  create-table-without-pk: off\n`,
    });
    h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenPullRequest",
      blob: blobSha(`${CONFIG}rules:\n  create-table-without-pk: off\n`),
      truncate: true,
    });
    await deliver();
    expect(sent(h, CONTENTS)).toHaveLength(1);
    expect(sent(h, PULL)).toEqual([]);
  });

  test("a config text that does not hash to its id is never used", async () => {
    const { h, deliver } = await review();
    // A harmless config in place of the real one.
    h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenPullRequest",
      blob: blobSha(CONFIG),
      text: "directories: []\n",
    });
    const { lint } = await deliver();
    expect(sent(h, CONTENTS)).toHaveLength(1);
    expect(lint?.output.summary).toContain("0003_orders.up.sql");
  });

  test("GitHub's errors beside partial data: the pull request and config are read by REST", async () => {
    const { h, deliver } = await review();
    h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenPullRequest",
      // Not one the request policy retries: GitHub's answer stands.
      partial: "Could not resolve to a node with the global id of 'X'.",
    });
    const { lint } = await deliver();
    expect(sent(h, PULL)).toHaveLength(1);
    expect(sent(h, CONTENTS)).toHaveLength(1);
    expect(lint?.output.summary).toContain("0003_orders.up.sql");
  });

  test("a retargeted pull request is judged by its current base's config, not the webhook's", async () => {
    const { h, repo, number, baseSha, deliver } = await review();
    repo.commit({
      branch: "release",
      parent: baseSha,
      files: { ".github/migration-warden.yml": "directories: 42\n" },
    });
    const payload = pullRequestEvent("opened", repo, number);
    repo.retarget(number, "release");
    await h.receive("pull_request", payload);
    const lint = h.fake.checkRuns.filter((r) => r.name === LINT).at(-1);
    expect(sent(h, /\/repos\/[^/]+\/[^/]+\/branches\//)).toEqual([
      expect.stringContaining("/branches/release"),
    ]);
    expect(lint?.conclusion).toBe("failure");
    expect(lint?.output.summary).toContain("directories");
    void deliver;
  });

  test("a closed pull request: nothing written, nothing more read", async () => {
    const { h, repo, number, deliver } = await review();
    repo.closePullRequest(number);
    const { lint } = await deliver();
    expect(lint).toBeUndefined();
    expect(queries(h)).toHaveLength(1);
    expect(sent(h, /\/(pulls\/2|branches|contents)\b/)).toEqual([]);
  });

  test("no config file: the defaults, once the tree confirms the absence", async () => {
    const { h, deliver } = await review({});
    const { lint } = await deliver();
    expect(sent(h, CONTENTS)).toEqual([]);
    expect(lint?.output.summary).toContain("0003_orders.up.sql");
  });

  test("the query hiding a config file the tree has: the check fails, never the defaults", async () => {
    const { h, deliver } = await review();
    h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenPullRequest",
      entry: /^migration-warden\.yml$/,
      drop: true,
    });
    const { lint, approval } = await deliver();
    expect(lint?.conclusion).toBe("failure");
    expect(approval?.conclusion).toBe("failure");
    expect(lint?.output.summary).toContain("the commit's tree lists the file");
  });
});
