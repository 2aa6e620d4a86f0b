/**
 * A failure that outlasts the retries still ends every check run: failure, with a readable
 * reason. (test/github/faults.test.ts fails every request once, in every way.)
 */
import { describe, expect, test } from "@jest/globals";
import { blobSha } from "../support/fake-github.mjs";
import {
  APPROVAL,
  ATTEMPTS,
  helloWorld,
  LINT,
  mergedMigrations,
  pullRequestEvent,
  type Harness,
  unmarked,
  useHarness,
} from "./harness.js";

let h: Harness;
useHarness((created) => (h = created));

/** The check-run mutations (checks/batch-create.ts, batch-update.ts) whose query names `field`. */
const mutationOf =
  (field: "createCheckRun" | "updateCheckRun") =>
  (r: { body?: unknown }): boolean =>
    new RegExp(`^\\s*mutation\\b[\\s\\S]*\\b${field}\\(`).test(
      String((r.body as { query?: unknown } | undefined)?.query ?? ""),
    );

/** `replay: false`: a config turning the sandbox off (many files replayed cost seconds of CPU). */
function riskyPullRequest(findings = 2, { replay = true } = {}) {
  const change: Record<string, string> = {
    "migrations/0001_t1.up.sql": "CREATE TABLE t1 (id int);\n",
  };
  for (let i = 0; i < findings - 1; i++) {
    change[`migrations/${1000 + i}_n${i}.up.sql`] = `CREATE TABLE n${i} (id int);\n`;
  }
  const base = replay
    ? mergedMigrations(2)
    : { ...mergedMigrations(2), ".github/migration-warden.yml": "replay:\n  enabled: false\n" };
  return helloWorld(h.fake, base, change);
}

describe("an API failure during the evaluation", () => {
  // Those marked `rest` are read by REST only when GitHub's GraphQL API cannot give them (the
  // configuration and the file list come with the pull request's query, the objects with the
  // gather).
  // Every row has four elements: jest would take a fourth parameter for `done` otherwise.
  const steps: Array<[string, string, RegExp, boolean]> = [
    ["base branch", "GET", /\/branches\/master$/, false],
    ["configuration", "GET", /\/contents\//, true],
    ["file list", "GET", /\/pulls\/2\/files$/, true],
    // No configuration file: the base's root tree confirms it (read by REST when the first
    // query's verified copy is missing: its part failed, see below).
    ["base tree", "GET", /\/git\/trees\//, false],
    ["head commit", "GET", /\/git\/commits\//, true],
    // Blobs are read in parallel: one of them fails.
    ["blob", "GET", new RegExp(`/git/blobs/${blobSha("CREATE TABLE t1 (id int);\n")}$`), true],
  ];

  test.each(steps)(
    "reading the %s completes both runs as failure",
    async (_step, method, path, rest) => {
      const { repo, number } = riskyPullRequest();
      if (rest) h.fake.graphqlFault({ executed: true, error: "Something went wrong", times: 10 });
      // The first query's root tree (first-read/base-root.ts) failed alone: read by REST.
      if (_step === "base tree")
        h.fake.graphqlFault({
          executed: true,
          operation: "MigrationWardenPullRequest",
          partial: "Invalid path for a file.",
          path: ["repository", "pullRequest", "baseRef", "target", "rootTree"],
        });
      h.fake.failNext({ method, path, status: 502, message: "Bad Gateway", times: ATTEMPTS });
      await h.receive("pull_request", pullRequestEvent("opened", repo, number));

      const failed = h.fake.requests.filter((r) => r.status === 502);
      expect(failed).toHaveLength(ATTEMPTS);
      expect(new Set(failed.map((r) => r.path)).size).toBe(1);
      const bodies = [LINT, APPROVAL].map((name) => {
        const [, complete, ...more] = h.checkRunBodies(name);
        expect(more).toEqual([]);
        return unmarked(complete!.body);
      });
      expect(bodies[1]).toEqual(bodies[0]);
      expect(bodies[0]).toEqual({
        status: "completed",
        conclusion: "failure",
        output: {
          title: "Could not check this pull request",
          summary: [
            "migration-warden stopped before it had checked every migration change, so this check fails instead of passing unchecked.",
            "",
            `**Reason:** GitHub API error: ${method} ${decodeURIComponent(failed[0]!.path)} answered HTTP 502: Bad Gateway (GitHub had a problem; re-run the check)`,
            "",
            "Re-run the check from the Checks tab once the cause is fixed; the app's logs have the details.",
          ].join("\n"),
        },
      });
      expect(h.fake.checkRuns.map((r) => [r.name, r.status])).toEqual([
        [LINT, "completed"],
        [APPROVAL, "completed"],
      ]);
    },
  );
});

describe("an API failure while writing the result", () => {
  test("the completing update fails: a second update completes the run as failure", async () => {
    const { repo, number } = riskyPullRequest();
    // Its field of the completion mutation fails, and so does every REST attempt after it.
    h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenUpdateCheckRuns",
      updateError: /lint/,
    });
    h.fake.failNext({ method: "PATCH", path: /\/check-runs\/\d+$/, status: 500, times: ATTEMPTS });
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));

    const run = h.fake.checkRuns[0]!;
    expect(run.history).toEqual([
      { status: "in_progress", conclusion: null },
      { status: "completed", conclusion: "failure" },
    ]);
    expect(run.output.title).toBe("Could not check this pull request");
    expect(run.output.summary).toContain(
      "PATCH /repos/Codertocat/Hello-World/check-runs/9000 answered HTTP 500",
    );
  });

  test("an annotation batch fails: the run does not complete as if it had every annotation", async () => {
    const { repo, number } = riskyPullRequest(60, { replay: false });
    // The first of two batches fails: the run must not end "neutral" with 10 annotations.
    h.fake.failNext({ method: "PATCH", path: /\/check-runs\/\d+$/, status: 500, times: ATTEMPTS });
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));

    const run = h.fake.checkRuns[0]!;
    expect(run.conclusion).toBe("failure");
    expect(run.output.title).toBe("Could not check this pull request");
    expect(run.history.map((x) => x.status)).toEqual(["in_progress", "completed"]);
    expect(run.annotations).toEqual([]);
  });

  test("GitHub is down for every update: the delivery fails loudly", async () => {
    const { repo, number } = riskyPullRequest();
    h.fake.failNext({ method: "PATCH", path: /\/check-runs\/\d+$/, status: 503, times: 1000 });
    h.fake.failNext({
      method: "POST",
      path: /^\/graphql$/,
      match: mutationOf("updateCheckRun"),
      status: 503,
      times: 1000,
    });
    await expect(
      h.receive("pull_request", pullRequestEvent("opened", repo, number)),
    ).rejects.toThrow();
    // Nothing more can be done without the API; the run stays as GitHub last saw it.
    expect(h.fake.checkRuns[0]!.status).toBe("in_progress");
  });
});

describe("an API failure before the check run exists", () => {
  test("reading the pull request: both checks are reported failed on the webhook's head", async () => {
    const { repo, number, headSha } = riskyPullRequest();
    // GraphQL cannot read it, and neither can REST.
    h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenPullRequest",
      error: "Something went wrong",
      times: Infinity,
    });
    h.fake.failNext({ method: "GET", path: /\/pulls\/2$/, status: 500, times: ATTEMPTS });
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
    expect(
      h.fake.checkRuns.map((r) => [r.name, r.head_sha, r.history, r.external_id, r.output.title]),
    ).toEqual(
      [LINT, APPROVAL].map((name) => [
        name,
        headSha,
        [{ status: "completed", conclusion: "failure" }],
        "Codertocat/Hello-World#2",
        "Could not check this pull request",
      ]),
    );
    expect(h.fake.checkRuns[0]!.output.summary).toContain(
      "**Reason:** GitHub API error: GET /repos/Codertocat/Hello-World/pulls/2 answered HTTP 500: Server Error",
    );
  });

  test("creating the first check run: both checks are still written, as failure", async () => {
    const { repo, number } = riskyPullRequest();
    // Both runs start in one mutation: it fails for good, so no run is started.
    h.fake.failNext({
      method: "POST",
      path: /^\/graphql$/,
      match: mutationOf("createCheckRun"),
      status: 500,
      times: ATTEMPTS,
    });
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
    expect(h.fake.checkRuns.map((r) => [r.name, r.status, r.conclusion, r.history.length])).toEqual(
      [
        [LINT, "completed", "failure", 1],
        [APPROVAL, "completed", "failure", 1],
      ],
    );
    expect(h.fake.checkRuns[1]!.output.summary).toContain("POST /graphql answered HTTP 500");
  });

  test("creating the second check run: the first is completed as failure", async () => {
    const { repo, number } = riskyPullRequest();
    // Its field of the start mutation fails, and so does its REST create.
    h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenCreateCheckRuns",
      createError: /approval/,
    });
    h.fake.failNext({
      method: "POST",
      path: /\/check-runs$/,
      match: (r) => (r.body as { name?: string }).name === APPROVAL,
      status: 422,
      message: "Validation Failed",
    });
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
    expect(
      h.fake.checkRuns.map((r) => [r.name, r.history.map((x) => x.status), r.output.summary]),
    ).toEqual(
      [LINT, APPROVAL].map((name) => [
        name,
        name === LINT ? ["in_progress", "completed"] : ["completed"],
        expect.stringContaining(
          "POST /repos/Codertocat/Hello-World/check-runs answered HTTP 422: Validation Failed",
        ),
      ]),
    );
    expect(h.fake.checkRuns.map((r) => r.conclusion)).toEqual(["failure", "failure"]);
  });

  test("GitHub accepts no write at all: the delivery fails loudly and nothing is left running", async () => {
    const { repo, number } = riskyPullRequest();
    h.fake.failNext({ method: "POST", path: /\/check-runs$/, status: 503, times: 1000 });
    h.fake.failNext({
      method: "POST",
      path: /^\/graphql$/,
      match: mutationOf("createCheckRun"),
      status: 503,
      times: 1000,
    });
    await expect(
      h.receive("pull_request", pullRequestEvent("opened", repo, number)),
    ).rejects.toThrow(/check runs could not be written/);
    expect(h.fake.checkRuns).toEqual([]);
  });
});
