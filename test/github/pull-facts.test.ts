/**
 * readPullFacts (src/github/approval/pull-facts.ts) against hand-made GraphQL answers: whatever is
 * missing, cut short or inconsistent makes the whole answer unusable (the reader then reads by
 * REST); a record in a suite of another app is never a record.
 */
import { describe, expect, test } from "@jest/globals";
import { readPullFacts } from "../../src/github/approval/pull-facts.js";
import type { GitHubClient } from "../../src/github/client.js";

const OWN = 123;
const REPO_ID = 1296269;
const HEAD = "a".repeat(40);
const DIGEST = "d".repeat(64);
const RECORD = `mw-approval/2;pr=2;digest=${DIGEST};base=${"b".repeat(32)};by=alice;at=2024-05-01T10:00:00Z`;

type Json = Record<string, unknown>;

const page = (nodes: unknown[], more?: Json) => ({
  totalCount: nodes.length,
  pageInfo: { hasNextPage: false, endCursor: null },
  nodes,
  ...more,
});

function commit(sha: string, more: Json = {}): Json {
  return {
    id: `C_${sha}`,
    oid: sha,
    message: "change",
    author: { email: "dev@example.com", user: { login: "dev" } },
    committer: { email: "dev@example.com", user: { login: "dev" } },
    authors: page([{ name: "dev", email: "dev@example.com", user: { login: "dev" } }]),
    checkSuites: page([]),
    ...more,
  };
}

/** The fragment's response keys (aliases) of the connections these answers name by field. */
const ALIASES: Json = {
  reviews: "approvalReviews",
  timelineItems: "approvalTimeline",
  commits: "approvalCommits",
};

function answer(pr: Json = {}): Json {
  const fields: Json = {
    number: 2,
    headRefOid: HEAD,
    reviews: page([
      {
        databaseId: 1,
        state: "APPROVED",
        submittedAt: "2024-05-01T10:00:00Z",
        commit: { oid: HEAD },
        author: { __typename: "User", login: "alice" },
      },
    ]),
    timelineItems: page([]),
    commits: page([{ commit: commit(HEAD) }]),
    ...pr,
  };
  return {
    repository: {
      databaseId: REPO_ID,
      pullRequest: Object.fromEntries(
        Object.entries(fields).map(([k, v]) => [(ALIASES[k] as string | undefined) ?? k, v]),
      ),
    },
  };
}

/** An octokit whose GraphQL answers are `answers`, in order (an Error is thrown). */
function client(...answers: Array<Json | Error>): GitHubClient & { sent: Json[] } {
  const sent: Json[] = [];
  return {
    sent,
    graphql: async (_query: string, variables: Json) => {
      sent.push(variables);
      const next = answers.shift();
      if (next === undefined) throw new Error("no more answers");
      if (next instanceof Error) throw next;
      return next;
    },
  } as unknown as GitHubClient & { sent: Json[] };
}

const read = (octokit: GitHubClient) =>
  readPullFacts(octokit, { owner: "o", repo: "r" }, { number: 2, headSha: HEAD }, OWN);

describe("a usable answer", () => {
  test("reviews, commits and the records in this app's suites only", async () => {
    const suite = (app: number) => ({
      app: { databaseId: app },
      repository: { databaseId: REPO_ID },
      checkRuns: page([{ databaseId: 7, name: "migration-warden/approval", externalId: RECORD }]),
    });
    const r = await read(
      client(
        answer({
          commits: page([
            { commit: commit(HEAD, { checkSuites: page([suite(999), suite(OWN)]) }) },
          ]),
        }),
      ),
    );
    expect(r.facts?.reviews).toEqual([
      {
        id: 1,
        user: { login: "alice" },
        state: "APPROVED",
        commit_id: HEAD,
        submitted_at: "2024-05-01T10:00:00Z",
      },
    ]);
    // The same record in the other app's suite (filterBy notwithstanding) is dropped.
    expect(r.facts?.commits[0]!.records).toHaveLength(1);
  });

  test("a bot reviewer keeps REST's [bot] login; an organization or mannequin has none", async () => {
    const review = (typename: string) => ({
      databaseId: 1,
      state: "APPROVED",
      submittedAt: null,
      commit: null,
      author: { __typename: typename, login: "x" },
    });
    const r = await read(
      client(answer({ reviews: page([review("Bot"), review("Mannequin"), review("User")]) })),
    );
    expect(r.facts?.reviews.map((x) => x.user)).toEqual([
      { login: "x[bot]" },
      null,
      { login: "x" },
    ]);
  });

  test("a commit with more co-authors than the query lists is left to the co-author query", async () => {
    const authors = { totalCount: 12, pageInfo: { hasNextPage: true }, nodes: [] };
    const r = await read(
      client(
        answer({
          commits: page([
            { commit: commit(HEAD, { message: "x\n\nCo-authored-by: A <a@x>", authors }) },
          ]),
        }),
      ),
    );
    expect(r.facts?.commits[0]!.coAuthors).toBeNull();
  });

  test("a suite of another repository (a fork sharing the commit) leaves that commit's records to REST", async () => {
    const suite = (repository: Json | null) => ({
      app: { databaseId: OWN },
      repository,
      checkRuns: page([{ databaseId: 7, name: "migration-warden/approval", externalId: RECORD }]),
    });
    for (const repository of [{ databaseId: REPO_ID + 1 }, null, {}]) {
      const r = await read(
        client(
          answer({
            commits: page([{ commit: commit(HEAD, { checkSuites: page([suite(repository)]) }) }]),
          }),
        ),
      );
      expect(r.facts?.commits[0]!.records).toBeNull();
    }
    // Without the repository's own id nothing in the answer can be placed: all by REST.
    const unplaced = answer();
    delete (unplaced.repository as Json).databaseId;
    expect((await read(client(unplaced))).facts).toBeNull();
  });

  test("a suite or a run list that does not fit leaves that commit's records to REST", async () => {
    const runs = { totalCount: 101, pageInfo: { hasNextPage: true }, nodes: [] };
    const r = await read(
      client(
        answer({
          commits: page([
            {
              commit: commit(HEAD, {
                checkSuites: page([
                  {
                    app: { databaseId: OWN },
                    repository: { databaseId: REPO_ID },
                    checkRuns: runs,
                  },
                ]),
              }),
            },
          ]),
        }),
      ),
    );
    expect(r.facts?.commits[0]!.records).toBeNull();
  });

  test("further pages ask only for the connection that has one", async () => {
    const first = answer({
      timelineItems: {
        pageInfo: { hasNextPage: true, endCursor: "c1" },
        nodes: [{ __typename: "BaseRefChangedEvent", createdAt: "2024-05-01T00:00:00Z" }],
      },
    });
    const second = answer({
      reviews: undefined,
      commits: undefined,
      timelineItems: page([
        {
          __typename: "ReviewDismissedEvent",
          createdAt: "2024-05-02T00:00:00Z",
          previousReviewState: "APPROVED",
          review: { databaseId: 1 },
        },
      ]),
    });
    const octokit = client(first, second);
    const r = await read(octokit);
    expect(octokit.sent.map((v) => [v.reviews, v.timeline, v.timelineAfter, v.commits])).toEqual([
      [true, true, null, true],
      [false, true, "c1", false],
    ]);
    expect(r.facts?.events).toEqual([
      { event: "base_ref_changed", created_at: "2024-05-01T00:00:00Z" },
      {
        event: "review_dismissed",
        created_at: "2024-05-02T00:00:00Z",
        dismissed_review: { review_id: 1, state: "approved" },
      },
    ]);
  });
});

describe("an answer never used", () => {
  const cases: Array<[string, Json | Error]> = [
    ["GitHub's errors (partial data included: octokit throws)", new Error("Something went wrong")],
    ["no pull request", { repository: { pullRequest: null } }],
    ["another head (the pull request moved)", answer({ headRefOid: "b".repeat(40) })],
    ["fewer reviews than totalCount", answer({ reviews: { ...page([]), totalCount: 1 } })],
    [
      "a next page without a cursor",
      answer({ reviews: { ...page([]), pageInfo: { hasNextPage: true } } }),
    ],
    ["no page information", answer({ commits: { totalCount: 0, nodes: [] } })],
    [
      "a commit without its node id",
      answer({ commits: page([{ commit: commit(HEAD, { id: null }) }]) }),
    ],
    [
      "a commit without its author",
      answer({ commits: page([{ commit: commit(HEAD, { author: null }) }]) }),
    ],
    [
      "a base change without its time",
      answer({ timelineItems: page([{ __typename: "BaseRefChangedEvent" }]) }),
    ],
    ["a review without its id", answer({ reviews: page([{ state: "APPROVED" }]) })],
  ];
  test.each(cases)("%s", async (_name, a) => {
    const r = await read(client(a));
    expect(r.facts).toBeNull();
  });

  test("a cursor that does not move ends the reading (no endless loop), nothing used", async () => {
    const again = answer({
      reviews: {
        totalCount: 2,
        pageInfo: { hasNextPage: true, endCursor: "c" },
        nodes: [{ databaseId: 1, state: "COMMENTED", author: null }],
      },
    });
    const octokit = client(again, again, again, again);
    const r = await read(octokit);
    expect(r.facts).toBeNull();
    expect(octokit.sent).toHaveLength(2);
  });

  test("a second page that fails discards the first", async () => {
    const first = answer({
      reviews: {
        totalCount: 2,
        pageInfo: { hasNextPage: true, endCursor: "c" },
        nodes: [{ databaseId: 1, state: "COMMENTED", author: null }],
      },
    });
    const r = await read(client(first, new Error("502")));
    expect(r.facts).toBeNull();
  });
});

/** The first query's answer: the same connections, with the pull request's own fields beside. */
function firstQueryAnswer(pr: Json = {}): Json {
  const a = answer(pr);
  const p = (a.repository as Json).pullRequest as Json;
  Object.assign(p, { state: "OPEN", baseRefName: "main", commits: { totalCount: 1 } });
  return a;
}

const readFrom = (octokit: GitHubClient, first: Json, onUnusable: (r: string) => void = () => {}) =>
  readPullFacts(octokit, { owner: "o", repo: "r" }, { number: 2, headSha: HEAD }, OWN, {
    answer: first,
    onUnusable,
  });

describe("the first query's page", () => {
  test("complete: the very facts the facts query gives, without a query", async () => {
    const alone = await read(client(answer()));
    const octokit = client();
    const first = await readFrom(octokit, firstQueryAnswer());
    expect(octokit.sent).toEqual([]);
    expect(first).toEqual(alone);
  });

  test("a review on the second page of 101: read by the facts query, after the page's cursor", async () => {
    const approval = {
      databaseId: 101,
      state: "CHANGES_REQUESTED",
      submittedAt: "2024-05-02T00:00:00Z",
      commit: { oid: HEAD },
      author: { __typename: "User", login: "carol" },
    };
    const comments = Array.from({ length: 100 }, (_, i) => ({
      databaseId: i + 1,
      state: "COMMENTED",
      submittedAt: "2024-05-01T00:00:00Z",
      commit: { oid: HEAD },
      author: { __typename: "User", login: `u${i}` },
    }));
    const more = { totalCount: 101, pageInfo: { hasNextPage: true, endCursor: "100" } };
    const octokit = client(
      answer({ reviews: { ...page([approval]), totalCount: 101 }, timelineItems: undefined }),
    );
    const r = await readFrom(
      octokit,
      firstQueryAnswer({ reviews: { ...page(comments), ...more } }),
    );
    expect(octokit.sent.map((v) => [v.reviews, v.reviewsAfter, v.timeline, v.commits])).toEqual([
      [true, "100", false, false],
    ]);
    expect(r.facts?.reviews).toHaveLength(101);
    expect(r.facts?.reviews.at(-1)).toMatchObject({ id: 101, state: "CHANGES_REQUESTED" });
  });

  test("commits past the first page: continued with pages of 100 after its cursor", async () => {
    const shas = Array.from({ length: 12 }, (_, i) => i.toString(16).padStart(40, "0"));
    shas[11] = HEAD;
    const nodes = shas.map((sha) => ({ commit: commit(sha) }));
    const octokit = client(
      answer({
        reviews: undefined,
        timelineItems: undefined,
        commits: { ...page(nodes.slice(10)), totalCount: 12 },
      }),
    );
    const r = await readFrom(
      octokit,
      firstQueryAnswer({
        commits: {
          totalCount: 12,
          pageInfo: { hasNextPage: true, endCursor: "10" },
          nodes: nodes.slice(0, 10),
        },
      }),
    );
    expect(octokit.sent).toEqual([
      expect.objectContaining({ commits: true, commitsAfter: "10", commitsFirst: 100 }),
    ]);
    expect(octokit.sent[0]).toMatchObject({ reviews: false, timeline: false });
    expect(r.facts?.commits.map((c) => c.sha)).toEqual(shas);
  });

  test("the head moved before the rest was read: nothing is used (REST then)", async () => {
    const octokit = client(answer({ headRefOid: "b".repeat(40), reviews: undefined }));
    const r = await readFrom(
      octokit,
      firstQueryAnswer({
        commits: {
          totalCount: 2,
          pageInfo: { hasNextPage: true, endCursor: "1" },
          nodes: [{ commit: commit("c".repeat(40)) }],
        },
      }),
    );
    expect(r.facts).toBeNull();
  });

  const unusable: Array<[string, Json]> = [
    ["a count that does not add up", firstQueryAnswer({ reviews: { ...page([]), totalCount: 3 } })],
    ["a missing connection", firstQueryAnswer({ timelineItems: undefined })],
    ["another head", firstQueryAnswer({ headRefOid: "b".repeat(40) })],
    ["a review without its id", firstQueryAnswer({ reviews: page([{ state: "APPROVED" }]) })],
    [
      "a next page without a cursor",
      firstQueryAnswer({ commits: { ...page([]), pageInfo: { hasNextPage: true } } }),
    ],
  ];
  test.each(unusable)("%s: dropped, the facts are read from the start", async (_name, first) => {
    const reasons: string[] = [];
    const octokit = client(answer());
    const r = await readFrom(octokit, first, (reason) => reasons.push(reason));
    expect(reasons).toHaveLength(1);
    expect(octokit.sent).toEqual([
      expect.objectContaining({
        reviews: true,
        reviewsAfter: null,
        timeline: true,
        timelineAfter: null,
        commits: true,
        commitsAfter: null,
        commitsFirst: 100,
      }),
    ]);
    expect(r).toEqual(await read(client(answer())));
  });

  test("dropped, and the facts query failing too: nothing is used (REST then)", async () => {
    const r = await readFrom(client(new Error("502")), firstQueryAnswer({ timelineItems: null }));
    expect(r.facts).toBeNull();
  });
});
