/** A GitHub that stops answering must not leave the check run in progress. */
import { expect, test } from "@jest/globals";
import {
  approvalFactsOutOfFirstRead,
  createHarness,
  finish,
  helloWorld,
  mutationCreates,
  pullRequestEvent,
  readByRest,
} from "./harness.js";

test("the evaluation gives up at its deadline and completes the run as failure", async () => {
  const h = await createHarness({ app: { evaluationTimeoutMs: 200 } });
  try {
    const change = { "migrations/0001_a.up.sql": "SELECT 1;\n" };
    const { repo, number } = helloWorld(h.fake, {}, change);
    readByRest(h.fake, "files");
    h.hold("GET", /\/pulls\/2\/files/);
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
    const run = h.fake.checkRuns[0]!;
    expect([run.status, run.conclusion, run.output.title]).toEqual([
      "completed",
      "failure",
      "Could not check this pull request",
    ]);
    expect(run.output.summary).toContain(
      "**Reason:** the evaluation did not finish within 200 ms (GitHub did not answer in time)",
    );
  } finally {
    await h.release();
    finish(h);
  }
});

test("the approval check gives up at the same deadline while reading reviews", async () => {
  // The held request never answers, so the deadline only has to leave lint time to finish on a
  // loaded machine (a tight one made lint, not the reviews, hit it).
  const h = await createHarness({ app: { evaluationTimeoutMs: 4000, replay: false } });
  try {
    const change = { "migrations/0001_a.up.sql": "SELECT 1;\n", "migrations/0001_a.down.sql": "" };
    const { repo, number } = helloWorld(h.fake, {}, change);
    // The approval facts' query (reviews, timeline, commits) never answers (the first query's
    // page of them is unusable, so that query is sent).
    approvalFactsOutOfFirstRead(h.fake);
    h.hold("POST", /^\/graphql$/, { body: /MigrationWardenPullFacts/ });
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
    const [lint, approval] = h.fake.checkRuns;
    // Lint finished in time; the approval was stopped at the reviews.
    expect(lint!.output.title).not.toBe("Could not check this pull request");
    // (A held request reaches the fake only on release: the reviews were never answered, and
    // the REST listings were never sent.)
    expect(h.calls().filter((c) => /\/reviews|\/events/.test(c))).toEqual([]);
    // The last request: both runs completed in one mutation (checks/batch-update.ts).
    expect(h.calls().at(-1)).toBe("POST /graphql");
    expect(
      mutationCreates(h.fake, h.fake.requests.at(-1)!).map((c) => `${c.method} ${c.path}`),
    ).toEqual(
      [lint!, approval!].map((r) => `PATCH /repos/Codertocat/Hello-World/check-runs/${r.id}`),
    );
    expect([approval!.name, approval!.status, approval!.conclusion]).toEqual([
      "migration-warden/approval",
      "completed",
      "failure",
    ]);
    expect(approval!.output.summary).toContain(
      "**Reason:** the evaluation did not finish within 4 seconds (GitHub did not answer in time)",
    );
  } finally {
    await h.release();
    finish(h);
  }
});
