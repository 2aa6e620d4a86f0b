/**
 * The approval facts' first page in the event's first query (src/github/first-read/
 * approval-facts.ts): what the query asks and what it costs, what is handed to the approval
 * reader, and GitHub's errors: those inside this part drop this part only, any other drops the
 * whole first read (REST, as before). The facts themselves are checked by the reader
 * (pull-facts.test.ts, approval-facts.test.ts).
 */
import { describe, expect, test } from "@jest/globals";
import {
  Kind,
  parse,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";
import { schemaErrors } from "../support/github-schema.js";
import { PULL_FACTS_QUERY } from "../../src/github/approval/pull-facts.js";
import { ApprovalReader } from "../../src/github/approval/reader.js";
import type { TreeReader } from "../../src/github/git.js";
import type { PullRequestInfo } from "../../src/github/pull-request.js";
import type { GitHubClient } from "../../src/github/client.js";
import {
  approvalFactsPart,
  FIRST_PAGE_COMMITS,
} from "../../src/github/first-read/approval-facts.js";
import { PULL_REQUEST_QUERY, readPullRequest } from "../../src/github/pull-request-query.js";
import { firstAnswer } from "./query-client.js";

type Json = Record<string, unknown>;

const APP = 123;
const HEAD = "a".repeat(40);
const TARGET = { owner: "o", repo: "r", number: 2 };
const empty = { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] };
const FACTS = { approvalReviews: empty, approvalTimeline: empty, approvalCommits: empty };

function answer(facts: Json = FACTS): Json {
  return firstAnswer(HEAD, facts);
}

/** What @octokit/graphql throws for an answer with `errors` beside `data`. */
function errorsBeside(data: Json, paths: Array<unknown[] | undefined>): Error {
  return Object.assign(new Error("Something went wrong"), {
    name: "GraphqlResponseError",
    data,
    errors: paths.map((path) => ({ message: "Something went wrong", ...(path ? { path } : {}) })),
  });
}

/** Thrown by the REST read of the pull request: the first read fell back to it. */
const REST_READ = new Error("read by REST");

function client(graphql: Json | Error, appId: number | null = APP) {
  const sent = { variables: [] as Json[] };
  const octokit = {
    auth: async () => (appId === null ? { type: "token" } : { type: "app", appId }),
    graphql: async (query: string, variables: Json) => {
      expect(query).toBe(PULL_REQUEST_QUERY);
      sent.variables.push(variables);
      if (graphql instanceof Error) throw graphql;
      return graphql;
    },
    rest: {
      pulls: {
        get: async () => {
          throw REST_READ;
        },
      },
    },
  } as unknown as GitHubClient;
  return { octokit, sent };
}

async function read(graphql: Json | Error, appId: number | null = APP) {
  const { octokit, sent } = client(graphql, appId);
  const pr = await readPullRequest(octokit, TARGET);
  return { pr, sent };
}

/** The first read fell back to REST whole (told why). */
async function readByRest(graphql: Json | Error): Promise<string[]> {
  const reasons: string[] = [];
  await expect(
    readPullRequest(client(graphql).octokit, TARGET, (r) => reasons.push(r)),
  ).rejects.toBe(REST_READ);
  return reasons;
}

describe("the first query", () => {
  test("asks each connection's first page, clicks filtered by this app's own id", async () => {
    const { pr, sent } = await read(answer());
    expect(sent.variables[0]).toMatchObject({
      appId: APP,
      check: "migration-warden/approval",
      reviews: true,
      reviewsAfter: null,
      timeline: true,
      timelineAfter: null,
      commits: true,
      commitsAfter: null,
      commitsFirst: FIRST_PAGE_COMMITS,
    });
    // Handed over unjudged, with the pull request's number and head from the same answer.
    expect(pr.approvalFacts).toEqual({
      appId: APP,
      answer: {
        repository: { databaseId: 7, pullRequest: { number: 2, headRefOid: HEAD, ...FACTS } },
      },
    });
  });

  test("without an app id (a token-only setup) the part is not asked, nothing is handed over", async () => {
    const { pr, sent } = await read(answer({}), null);
    expect(sent.variables[0]).toMatchObject({ reviews: false, timeline: false, commits: false });
    expect(pr.approvalFacts).toBeUndefined();
    expect(pr.headSha).toBe(HEAD);
  });
});

describe("handed to the approval reader", () => {
  const base = "2024-05-01T00:00:00Z";
  const timeline = { ...empty, nodes: [{ __typename: "BaseRefChangedEvent", createdAt: base }] };

  async function history(pageAppId: number) {
    const { pr } = await read(answer({ ...FACTS, approvalTimeline: timeline }), pageAppId);
    const queries: string[] = [];
    const octokit = {
      graphql: async (query: string) => {
        queries.push(query);
        return answer({ ...FACTS, approvalTimeline: empty });
      },
    } as unknown as GitHubClient;
    const reader = new ApprovalReader(octokit, TARGET, {} as TreeReader, APP, { pullFacts: true });
    return { history: await reader.history(pr as PullRequestInfo), queries };
  }

  test("used when its clicks were filtered by the reader's own app id: no query", async () => {
    const { history: h, queries } = await history(APP);
    expect(queries).toEqual([]);
    expect(h.baseChangedAt).toBe(base);
  });

  test("another app id's page is never used: the facts query reads them", async () => {
    const { history: h, queries } = await history(999);
    expect(queries).toEqual([PULL_FACTS_QUERY]);
    expect(h.baseChangedAt).toBeNull();
  });
});

describe("GitHub's errors beside the data", () => {
  const inPart = (field: string) => ["repository", "pullRequest", field, "nodes", 0];

  test("all inside this part: the part is dropped, the rest of the first read stands", async () => {
    const { pr } = await read(
      errorsBeside(answer(), [inPart("approvalCommits"), inPart("approvalReviews")]),
    );
    expect(pr.approvalFacts).toBeUndefined();
    expect(pr).toMatchObject({ headSha: HEAD, commits: 2, baseRepoId: 7 });
  });

  const elsewhere: Array<[string, Array<unknown[] | undefined>]> = [
    ["one without a path", [inPart("approvalCommits"), undefined]],
    ["one outside this part", [inPart("approvalCommits"), ["repository", "pullRequest", "author"]]],
    ["one on the pull request itself", [["repository", "pullRequest"]]],
    ["one in a look-alike field", [["repository", "pullRequest", "commits"]]],
  ];
  test.each(elsewhere)("%s: the whole first read is REST's, as before", async (_name, paths) => {
    expect(await readByRest(errorsBeside(answer(), paths))).toHaveLength(1);
  });

  test("inside this part but the pull request nulled (a non-null field failed): REST", async () => {
    const nulled = answer();
    (nulled.repository as Json).pullRequest = null;
    expect(await readByRest(errorsBeside(nulled, [inPart("approvalTimeline")]))).toHaveLength(1);
  });

  test("no errors but no data either: the error is GitHub's, thrown again", async () => {
    const part = await approvalFactsPart(client(answer()).octokit);
    const err = Object.assign(new Error("x"), { name: "GraphqlResponseError", errors: [] });
    expect(() => part.besideErrors(err)).toThrow(err);
  });
});

/**
 * GitHub's published rule: each connection costs the requests it could need (its parents' page
 * sizes multiplied), summed, divided by 100 and rounded, at least 1 point.
 * https://docs.github.com/en/graphql/overview/rate-limits-and-node-limits-for-the-graphql-api
 */
function requestsOf(query: string, variables: Json): number {
  const doc = parse(query);
  const fragments = new Map(
    doc.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const value = (v: ValueNode): unknown =>
    v.kind === Kind.VARIABLE ? variables[v.name.value] : v.kind === Kind.INT ? Number(v.value) : v;
  const walk = (set: SelectionSetNode | undefined, times: number): number => {
    let sum = 0;
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FRAGMENT_SPREAD)
        sum += walk(fragments.get(s.name.value)!.selectionSet, times);
      else if (s.kind === Kind.INLINE_FRAGMENT) sum += walk(s.selectionSet, times);
      else {
        const skipped = s.directives?.some(
          (d) => d.name.value === "include" && value(d.arguments![0]!.value) === false,
        );
        if (skipped) continue;
        const first = s.arguments?.find((a) => a.name.value === "first");
        if (first) {
          sum += times;
          sum += walk(s.selectionSet, times * (value(first.value) as number));
        } else sum += walk(s.selectionSet, times);
      }
    }
    return sum;
  };
  const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION)!;
  return walk((op as { selectionSet: SelectionSetNode }).selectionSet, 1);
}
const points = (requests: number) => Math.max(1, Math.round(requests / 100));

describe("what the queries cost and ask", () => {
  test("the facts' first page (8 commits) costs under 100 requests: at most 1 point more", async () => {
    const { variables } = await approvalFactsPart(client(answer()).octokit);
    const all = { owner: "o", name: "r", number: 2, path: "x", ...variables };
    const off = { ...all, reviews: false, timeline: false, commits: false };
    // reviews 1 + timeline 1 + commits 1 + co-authors 8 + suites 8 + runs 80.
    expect(requestsOf(PULL_REQUEST_QUERY, all) - requestsOf(PULL_REQUEST_QUERY, off)).toBe(99);
    const total = requestsOf(PULL_REQUEST_QUERY, all);
    expect(points(total) - points(requestsOf(PULL_REQUEST_QUERY, off))).toBeLessThanOrEqual(1);
  });

  test("the facts query (100 commits) costs 12 points, as before", () => {
    const on = { reviews: true, timeline: true, commits: true, commitsFirst: 100 };
    expect(requestsOf(PULL_FACTS_QUERY, on)).toBe(1203);
    expect(points(requestsOf(PULL_FACTS_QUERY, on))).toBe(12);
  });

  test("both queries are valid against GitHub's schema (one fragment, aliased beside `commits`)", () => {
    expect(schemaErrors(PULL_REQUEST_QUERY)).toEqual([]);
    expect(schemaErrors(PULL_FACTS_QUERY)).toEqual([]);
  });
});
