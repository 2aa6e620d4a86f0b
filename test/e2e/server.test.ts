/**
 * End to end: the real server process (`probot run lib/app.js`, what `npm start` runs) against a
 * fake GitHub Enterprise Server on loopback, fed signed webhooks over HTTP.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { createHmac } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { githubFormPrivateKey, privateKey } from "../support/app-key.js";
import { startAppServer, type AppServer } from "../support/app-server.mjs";
import { FakeGitHub, type FakeCheckRun, type FakeRepo } from "../support/fake-github.mjs";
import { checkRunBodyErrors } from "../support/openapi.js";
import { example, pullRequestWebhook } from "../support/webhooks.js";

const SECRET = "e2e-webhook-secret";
const APP_ID = 4242;

let fake: FakeGitHub;
let server: AppServer;
let port: number;

/** Polls until `check` returns a value; fails with the server's output after `ms`. */
async function waitFor<T>(
  what: string,
  check: () => Promise<T | null> | T | null,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== null) return v;
    if (server.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`${what} did not happen; server output:\n${server.output()}`);
    }
    await sleep(50);
  }
}

/** Events the server has finished ("reviewed" log lines), optionally of one delivery. */
function reviewed(delivery?: string): number {
  return server
    .output()
    .split("\n")
    .filter(
      (l) =>
        l.includes('"msg":"reviewed"') &&
        (delivery === undefined || l.includes(`"id":${JSON.stringify(delivery)}`)),
    ).length;
}

beforeAll(async () => {
  fake = await new FakeGitHub({
    appId: APP_ID,
    privateKey,
    validateCheckRun: checkRunBodyErrors,
  }).start();
  server = await startAppServer({
    fake,
    appId: APP_ID,
    privateKey: githubFormPrivateKey,
    secret: SECRET,
  });
  port = server.port;
});

afterAll(async () => {
  await server?.stop();
  await fake?.stop();
});

function sign(body: string, secret = SECRET): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

async function deliver(
  event: string,
  payload: unknown,
  signature?: string,
  delivery = `e2e-${Math.random().toString(16).slice(2)}`,
): Promise<Response> {
  const body = JSON.stringify(payload);
  return fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": delivery,
      "x-hub-signature-256": signature ?? sign(body),
    },
    body,
  });
}

function pullRequestPayload(repo: FakeRepo, number: number, action = "opened") {
  return pullRequestWebhook(fake, repo, number, action);
}

describe("the app server", () => {
  let repo: FakeRepo;
  let headSha: string;
  let number: number;

  beforeAll(() => {
    repo = fake.createRepo("acme", "payments");
    const files: Record<string, string> = {};
    for (let i = 1; i <= 3; i++) {
      files[`db/migrations/00${i}_t${i}.up.sql`] = `CREATE TABLE t${i} (id bigint PRIMARY KEY);\n`;
      files[`db/migrations/00${i}_t${i}.down.sql`] = `DROP TABLE t${i};\n`;
    }
    const base = repo.commit({
      branch: "main",
      files: {
        ".github/migration-warden.yml":
          "directories:\n  - path: db/migrations\n    dialect: postgres\n",
        ...files,
      },
    });
    headSha = repo.commit({
      parent: base,
      files: {
        "db/migrations/002_t2.up.sql": "CREATE TABLE t2 (id int PRIMARY KEY);\n",
        "db/migrations/001_again.up.sql": "SELECT 1;\n",
        "db/migrations/001_again.down.sql": "SELECT 1;\n",
      },
    });
    number = repo.openPullRequest({ base: "main", head: headSha });
  });

  test("a signed pull_request webhook produces both checks on the fake GHES", async () => {
    const res = await deliver(
      "pull_request",
      pullRequestPayload(repo, number),
      undefined,
      "ghes-1",
    );
    expect(res.status).toBe(200);
    const [lint, approval] = await waitFor("two completed check runs", () => {
      const done = fake.checkRuns.filter((r) => r.status === "completed");
      return done.length === 2 ? done : null;
    });
    // The look after writing a pass follows the runs: the event ends with its "reviewed" line.
    await waitFor("the event's end", () => (reviewed("ghes-1") === 1 ? 1 : null));
    expect(lint!.name).toBe("migration-warden/lint");
    expect(lint!.head_sha).toBe(headSha);
    expect(lint!.external_id).toBe(`acme/payments#${number}`);
    expect(lint!.conclusion).toBe("failure");
    expect(lint!.output.title).toBe("3 errors, 0 warnings, 0 notices");
    expect(
      lint!.annotations.map((a) => [a.path, a.start_line, a.annotation_level, a.title]),
    ).toEqual([
      ["db/migrations/001_again.down.sql", 1, "failure", "duplicate-migration-version"],
      ["db/migrations/001_again.up.sql", 1, "failure", "duplicate-migration-version"],
      ["db/migrations/002_t2.up.sql", 1, "failure", "modified-merged-migration"],
    ]);

    // The approval gate waits for an admin or maintainer (no teams or users configured), with
    // the button, and records the head's migration digest.
    expect(approval!.name).toBe("migration-warden/approval");
    expect(approval!.head_sha).toBe(headSha);
    expect([approval!.conclusion, approval!.output.title]).toEqual([
      "action_required",
      "Waiting for DBA approval (0 of 1)",
    ]);
    expect(approval!.actions.map((a) => a.identifier)).toEqual(["approve"]);
    expect(approval!.external_id).toMatch(
      new RegExp(`^mw-approval/2;pr=${number};digest=[0-9a-f]{64};base=[0-9a-f]{32}$`),
    );

    // Every call went to the enterprise API layout, authenticated (the fake checks the JWT).
    expect(fake.requests.length).toBeGreaterThan(0);
    // (GraphQL lives at /api/graphql on GHES, not under /api/v3.)
    expect(
      fake.requests
        .filter((r) => !((r.enterprise || r.path === "/api/graphql") && r.status < 400))
        .map((r) => `${r.method} ${r.path} ${r.status}`),
    ).toEqual([]);
    expect(fake.requests.some((r) => r.path === "/api/graphql")).toBe(true);
    expect(fake.requests[0]!.path).toBe("/app/installations/1/access_tokens");
  });

  test("an admin's approving review passes the approval check, without running lint again", async () => {
    repo.setRole("db-admin", "admin");
    const id = repo.review(number, { user: "db-admin", state: "APPROVED" });
    const payload = example("pull_request_review", "submitted");
    payload.review = repo.reviewJSON(number, id, { webhook: true });
    payload.pull_request = { ...payload.pull_request, ...repo.pullJSON(number) };
    payload.repository = { ...payload.repository, ...repo.toJSON() };
    payload.installation = fake.installationPayload();
    expect((await deliver("pull_request_review", payload, undefined, "ghes-2")).status).toBe(200);

    const approved = await waitFor("a third completed check run", () => {
      const done = fake.checkRuns.filter((r) => r.status === "completed");
      return done.length === 3 ? done[2]! : null;
    });
    // Later tests count requests: this event's look after writing its pass must be over.
    await waitFor("the review's end", () => (reviewed("ghes-2") === 1 ? 1 : null));
    expect([approved.name, approved.conclusion, approved.output.title]).toEqual([
      "migration-warden/approval",
      "success",
      "Approved by @db-admin",
    ]);
    expect(fake.checkRuns.filter((r) => r.name === "migration-warden/lint")).toHaveLength(1);
  });
});

describe("webhook authenticity", () => {
  let repo: FakeRepo;
  let number: number;

  beforeAll(() => {
    repo = fake.createRepo("acme", "orders");
    const base = repo.commit({
      branch: "main",
      files: {
        // Without the sandbox replay, whose summary reports its timings.
        ".github/migration-warden.yml": "replay:\n  enabled: false\n",
        "migrations/001_t1.up.sql": "CREATE TABLE t1 (id bigint PRIMARY KEY);\n",
      },
    });
    const head = repo.commit({
      parent: base,
      files: {
        "migrations/001_t1.up.sql": "CREATE TABLE t1 (id int);\n",
        "migrations/002_t2.up.sql": "CREATE TABLE t2 (id bigint PRIMARY KEY);\n",
      },
    });
    number = repo.openPullRequest({ base: "main", head });
  });

  /** Delivers a raw body with exactly these headers (added to the event and content type). */
  function post(event: string, body: string, headers: Record<string, string>) {
    return fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": event, ...headers },
      body,
    });
  }

  /**
   * A valid delivery the app ignores (an edit that keeps the base): once it is answered, work from
   * any earlier delivery would have sent its first request.
   */
  async function marker(): Promise<void> {
    const edited = pullRequestPayload(repo, number, "edited");
    edited.changes = { title: { from: "before" } };
    expect((await deliver("pull_request", edited)).status).toBe(200);
  }

  test("unsigned, wrongly signed and modified deliveries are rejected without any API call", async () => {
    const genuine = JSON.stringify(pullRequestPayload(repo, number, "synchronize"));
    const signature = sign(genuine);
    // A recorded delivery replayed with another body: its signature is valid, for the old body.
    const modified = JSON.stringify({ ...JSON.parse(genuine), action: "reopened" });
    expect(modified).not.toBe(genuine);
    const reformatted = JSON.stringify(JSON.parse(genuine), null, 2);
    const before = fake.requests.length;
    const answers = await Promise.all(
      [
        [genuine, {}],
        [genuine, { "x-hub-signature-256": sign(genuine, "not-the-secret") }],
        [genuine, { "x-hub-signature-256": "sha256=" }],
        [genuine, { "x-hub-signature-256": signature.replace("sha256=", "sha1=") }],
        // The legacy SHA-1 header alone is not accepted.
        [
          genuine,
          { "x-hub-signature": `sha1=${createHmac("sha1", SECRET).update(genuine).digest("hex")}` },
        ],
        [modified, { "x-hub-signature-256": signature }],
        [reformatted, { "x-hub-signature-256": signature }],
        [`${genuine} `, { "x-hub-signature-256": signature }],
      ].map(([body, headers], i) =>
        post("pull_request", body as string, {
          "x-github-delivery": `forged-${i}`,
          ...(headers as Record<string, string>),
        }).then((r) => r.status),
      ),
    );
    expect(answers).toEqual(answers.map(() => 400));
    await marker();
    expect(fake.requests.slice(before)).toEqual([]);
    expect(fake.checkRuns.filter((r) => r.repo === repo)).toEqual([]);
  });

  test("a replayed identical delivery is harmless: the same result, nothing written again", async () => {
    const body = JSON.stringify(pullRequestPayload(repo, number, "synchronize"));
    const headers = { "x-github-delivery": "replayed-delivery", "x-hub-signature-256": sign(body) };
    const done = (n: number) =>
      waitFor(`${n} completed check runs`, () => {
        const runs = fake.checkRuns.filter((r) => r.repo === repo);
        return runs.length === n && runs.every((r) => r.status === "completed") ? runs : null;
      });
    // What a reader sees: the hidden markers (evaluation start and digest, write recovery) differ.
    const result = (r: FakeCheckRun) =>
      structuredClone({
        name: r.name,
        head: r.head_sha,
        conclusion: r.conclusion,
        output: {
          ...r.output,
          summary: r.output.summary?.replace(
            /\n\n<!-- migration-warden (evaluation|run) [^>]* -->/g,
            "",
          ),
        },
        annotations: r.annotations,
      });
    expect((await post("pull_request", body, headers)).status).toBe(200);
    const first = (await done(2)).map(result);
    const unchanged = () =>
      server.output().split('"msg":"unchanged: the newest run already shows this"').length - 1;
    const before = unchanged();
    expect((await post("pull_request", body, headers)).status).toBe(200);
    // Both checks found unchanged (blocks included: no other evaluation overlapped this one).
    await waitFor("the replayed delivery's evaluation", () =>
      unchanged() === before + 2 ? true : null,
    );
    const runs = await done(2);

    expect(first.map((r) => [r.name, r.conclusion, r.annotations.length])).toEqual([
      ["migration-warden/lint", "failure", 2],
      ["migration-warden/approval", "action_required", 0],
    ]);
    // Both results block a merge and are unchanged, and no other evaluation of either check ran
    // meanwhile (github/checks/in-flight.ts): nothing written, nothing appended to the first.
    expect(runs.map(result)).toEqual(first);
  });
});

describe("the sandbox replay on GitHub Enterprise Server", () => {
  test("reads the merged migrations through /api/graphql and reports the replay", async () => {
    const repo = fake.createRepo("acme", "ledger");
    const base = repo.commit({
      branch: "main",
      files: {
        ".github/migration-warden.yml":
          "directories:\n  - path: db/migrations\n    dialect: sqlite\n",
        "db/migrations/001_t1.up.sql": "CREATE TABLE t1 (id bigint PRIMARY KEY);\n",
        "db/migrations/001_t1.down.sql": "DROP TABLE t1;\n",
      },
    });
    const head = repo.commit({
      parent: base,
      files: {
        "db/migrations/002_note.up.sql": "ALTER TABLE t1 ADD COLUMN note text;\n",
        "db/migrations/002_note.down.sql": "ALTER TABLE t1 DROP COLUMN note;\n",
      },
    });
    const number = repo.openPullRequest({ base: "main", head });
    const before = fake.requests.length;
    expect((await deliver("pull_request", pullRequestPayload(repo, number))).status).toBe(200);
    const run = await waitFor(
      "a completed check run with the replay",
      () => fake.checkRuns.find((r) => r.head_sha === head && r.status === "completed") ?? null,
      60_000,
    );
    expect(run.output.summary).toContain("1 merged migration applied in");
    const requests = fake.requests.slice(before);
    // The pull request with its base config, then the change's git objects with the merged
    // migrations (a cold event: src/github/base-texts.ts): all through /api/graphql (the
    // approval facts' query too, when the approval run got that far).
    const approvalFacts = (r: (typeof requests)[number]) =>
      /MigrationWardenPullFacts/.test(String((r.body as { query?: string } | undefined)?.query));
    const graphql = requests.filter((r) => r.path === "/api/graphql" && !approvalFacts(r));
    expect(graphql).toEqual([
      expect.objectContaining({ method: "POST", status: 200 }),
      expect.objectContaining({ method: "POST", status: 200 }),
    ]);
    expect((graphql[1]!.body as { variables?: { texts?: string } }).variables?.texts).toBe(
      `${base}:db/migrations`,
    );
    // The pull request was not read by REST: the query's answer was used.
    expect(requests.filter((r) => /\/pulls\/\d+$/.test(r.path))).toEqual([]);
    expect(
      requests.every((r) => (r.enterprise || r.path === "/api/graphql") && r.status < 400),
    ).toBe(true);
  });
});

/**
 * Gate integrity (issue 11), through the real server: each bypass an adversarial review
 * reproduced end to end, now closed. Both checks are read as branch protection reads them: the
 * latest run of each name on the head commit.
 */
describe("gate integrity", () => {
  const CONFIG =
    "directories:\n  - path: db/migrations\n    dialect: postgres\nreplay:\n  enabled: false\napproval:\n  teams: [dba]\n";
  let n = 0;

  function repository(defaultBranch = "main") {
    const repo = fake.createRepo("acme", `integrity-${++n}`, { defaultBranch });
    const main = repo.commit({
      branch: "main",
      files: {
        ".github/migration-warden.yml": CONFIG,
        "db/migrations/001_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",
        "db/migrations/001_users.down.sql": "DROP TABLE users;\n",
      },
    });
    fake.setTeamMembership("acme", "dba", "alice", "active");
    return { repo, main };
  }

  /** A pull request by dev into main that adds a harmless migration pair. */
  function noteMigration() {
    const { repo, main } = repository();
    const head = repo.commit({
      parent: main,
      author: "dev",
      files: {
        "db/migrations/002_note.up.sql": "CREATE TABLE note (id int);\n",
        "db/migrations/002_note.down.sql": "DROP TABLE note;\n",
      },
    });
    return { repo, head, number: repo.openPullRequest({ base: "main", head, user: "dev" }) };
  }

  /**
   * The latest run of `name` on `sha` in `repo` once `count` runs of that name are completed there
   * (the fake's commits are deterministic: other tests' repositories have runs on the same sha).
   */
  function settled(repo: FakeRepo, name: string, sha: string, count: number) {
    return waitFor(`${count} completed ${name} runs on ${sha.slice(0, 7)}`, () => {
      const runs = fake.checkRuns.filter(
        (r) => r.repo === repo && r.name === name && r.head_sha === sha,
      );
      return runs.length >= count && runs.every((r) => r.status === "completed")
        ? runs.at(-1)!
        : null;
    });
  }

  function reviewPayload(repo: FakeRepo, number: number, id: number, action = "submitted") {
    const payload = example(
      "pull_request_review",
      action === "dismissed" ? "dismissed" : "submitted",
    );
    payload.action = action;
    payload.review = repo.reviewJSON(number, id, { webhook: true });
    payload.pull_request = { ...payload.pull_request, ...repo.pullJSON(number) };
    payload.repository = { ...payload.repository, ...repo.toJSON() };
    payload.installation = fake.installationPayload();
    return payload;
  }

  test("a migration directory replaced by a symlink to SQL the pull request adds (11.1)", async () => {
    const { repo } = repository();
    const head = repo.commit({
      parent: repo.branches.get("main")!,
      files: {
        "db/migrations/001_users.up.sql": null,
        "db/migrations/001_users.down.sql": null,
        "sql/001_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",
        "sql/002_wipe.up.sql": "DROP TABLE users;\n",
        "db/migrations": { symlink: "../sql" },
      },
    });
    const number = repo.openPullRequest({ base: "main", head, user: "dev" });
    repo.review(number, { user: "alice", state: "APPROVED" });
    expect((await deliver("pull_request", pullRequestPayload(repo, number))).status).toBe(200);
    const lint = await settled(repo, "migration-warden/lint", head, 1);
    const approval = await settled(repo, "migration-warden/approval", head, 1);
    expect([lint.conclusion, approval.conclusion, approval.output.title]).toEqual([
      "failure",
      "failure",
      "Analysis incomplete: approval cannot pass",
    ]);
    expect(lint.annotations.map((a) => a.title)).toContain("migration-directory-not-a-directory");
  });

  test("retargeting an approved pull request to main voids the approval (11.2)", async () => {
    // x is the default branch and holds a migration that deletes every row; main does not.
    const { repo, main } = repository("x");
    const x = repo.commit({
      branch: "x",
      parent: main,
      files: { "db/migrations/002_wipe.up.sql": "DELETE FROM users;\n" },
    });
    const head = repo.commit({ parent: x, files: { "README.md": "docs\n" } });
    const number = repo.openPullRequest({ base: "x", head, user: "dev" });
    await deliver("pull_request", pullRequestPayload(repo, number));
    expect((await settled(repo, "migration-warden/approval", head, 1)).conclusion).toBe("success");
    const id = repo.review(number, { user: "alice", state: "APPROVED" });
    await deliver(
      "pull_request_review",
      reviewPayload(repo, number, id),
      undefined,
      "retarget-review",
    );
    // Nothing changed for base x (no migration in the change): the passing run stays as it is.
    await waitFor("the review's evaluation", () => (reviewed("retarget-review") === 1 ? 1 : null));
    expect(fake.checkRuns.filter((r) => r.repo === repo && r.head_sha === head)).toHaveLength(2);

    repo.retarget(number, "main");
    const edited = pullRequestPayload(repo, number, "edited");
    edited.changes = { base: { ref: { from: "x" }, sha: { from: x } } };
    await deliver("pull_request", edited);
    const approval = await settled(repo, "migration-warden/approval", head, 2);
    expect([approval.conclusion, approval.output.title]).toEqual([
      "action_required",
      "Waiting for DBA approval (0 of 1)",
    ]);
    expect((await settled(repo, "migration-warden/lint", head, 2)).conclusion).toBe("failure");
  });

  test("a dismissed change request does not revive the click it withdrew (11.3)", async () => {
    const { repo, head, number } = noteMigration();
    await deliver("pull_request", pullRequestPayload(repo, number));
    const run = await settled(repo, "migration-warden/approval", head, 1);
    const click = example("check_run", "requested_action");
    click.check_run = { ...click.check_run, ...fake.runJSON(run) };
    click.repository = { ...click.repository, ...repo.toJSON() };
    click.requested_action = { identifier: "approve" };
    // alice's own account: a click is judged by the account that made it (GitHub's example
    // payload names another account, whose click would not count for a reason of its own).
    click.sender = { ...click.sender, login: "alice", type: "User", id: fake.accountId("alice") };
    click.installation = fake.installationPayload();
    await deliver("check_run", click);
    expect((await settled(repo, "migration-warden/approval", head, 2)).conclusion).toBe("success");

    const later = new Date(Date.now() + 2000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const cr = repo.review(number, {
      user: "alice",
      state: "CHANGES_REQUESTED",
      submittedAt: later,
    });
    await deliver("pull_request_review", reviewPayload(repo, number, cr));
    expect((await settled(repo, "migration-warden/approval", head, 3)).conclusion).toBe("failure");
    repo.dismissReview(number, cr);
    await deliver("pull_request_review", reviewPayload(repo, number, cr, "dismissed"));
    const approval = await settled(repo, "migration-warden/approval", head, 4);
    expect([approval.conclusion, approval.output.title]).toEqual([
      "action_required",
      "Waiting for DBA approval (0 of 1)",
    ]);
    // Not counted because of the change request, not for any other reason.
    expect(approval.output.summary).toMatch(
      /\| @alice \| \*\*Approve migrations\*\* button \(check run \d+\): approved \| [^|]+ \| [^|]+ \| they requested changes afterwards \(review \d+ at [^)]*, since dismissed\); only a newer approval from them counts \|/,
    );
  });

  test("a decoy pull request on the same head leaves no passing check for main (11.4)", async () => {
    const { repo, main } = repository();
    const decoy = repo.commit({
      branch: "decoy",
      parent: main,
      files: {
        "db/migrations/002_drop.up.sql": "DROP TABLE users;\n",
        "db/migrations/002_drop.down.sql": "SELECT 1;\n",
      },
    });
    const head = repo.commit({ branch: "feat", parent: decoy, files: { "README.md": "docs\n" } });
    const number = repo.openPullRequest({ base: "decoy", head, user: "dev" });
    await deliver("pull_request", pullRequestPayload(repo, number));
    const lint = await settled(repo, "migration-warden/lint", head, 1);
    const approval = await settled(repo, "migration-warden/approval", head, 1);
    // Only now is feat → main opened, and its delivery is lost: branch protection on main reads
    // the runs written for feat → decoy. (Opened earlier, the evaluation of #1 could list it as
    // a pull request of the head and decide for it directly, which would not test the view.)
    repo.openPullRequest({ base: "main", head, user: "dev" });
    expect([lint.conclusion, lint.output.title]).toEqual([
      "failure",
      expect.stringMatching(/^Against main: 1 error, /),
    ]);
    expect(lint.annotations.map((a) => [a.path, a.title])).toContainEqual([
      "db/migrations/002_drop.up.sql",
      "drop-table",
    ]);
    expect([approval.conclusion, approval.output.title]).toEqual([
      "action_required",
      `#${number} as proposed to main: Waiting for DBA approval (0 of 1)`,
    ]);
  });

  test("the policy tightened on main leaves no stale success (verdicts without a PR event)", async () => {
    const { repo, head, number } = noteMigration();
    repo.review(number, { user: "alice", state: "APPROVED" });
    await deliver("pull_request", pullRequestPayload(repo, number));
    expect((await settled(repo, "migration-warden/approval", head, 1)).conclusion).toBe("success");

    // A push to main that asks for two approvals: no event of the pull request.
    const before = repo.branches.get("main")!;
    const after = repo.commit({
      parent: before,
      files: {
        ".github/migration-warden.yml": CONFIG.replace(
          "  teams: [dba]\n",
          "  teams: [dba]\n  count: 2\n",
        ),
      },
    });
    repo.branches.set("main", after);
    const payload = example("push", undefined as unknown as string);
    Object.assign(payload, {
      ref: "refs/heads/main",
      before,
      after,
      created: false,
      deleted: false,
      forced: false,
    });
    payload.repository = {
      ...payload.repository,
      ...repo.toJSON(),
      owner: { ...payload.repository.owner, login: repo.owner, name: repo.owner },
    };
    payload.installation = fake.installationPayload();
    expect((await deliver("push", payload)).status).toBe(200);
    const approval = await settled(repo, "migration-warden/approval", head, 2);
    expect([approval.conclusion, approval.output.title]).toEqual([
      "action_required",
      "Waiting for DBA approval (1 of 2)",
    ]);
  });

  test("a DBA removed from the team leaves no stale success (verdicts without a PR event)", async () => {
    const { repo, head, number } = noteMigration();
    fake.setTeamMembership("acme", "dba", "bob", "active");
    repo.review(number, { user: "bob", state: "APPROVED" });
    await deliver("pull_request", pullRequestPayload(repo, number));
    expect((await settled(repo, "migration-warden/approval", head, 1)).conclusion).toBe("success");

    fake.setTeamMembership("acme", "dba", "bob", null);
    const payload = example("membership", "removed");
    payload.organization = { ...payload.organization, login: "acme" };
    payload.member = { ...payload.member, login: "bob" };
    delete payload.repository;
    payload.installation = fake.installationPayload();
    expect((await deliver("membership", payload)).status).toBe(200);
    const approval = await settled(repo, "migration-warden/approval", head, 2);
    expect(approval.conclusion).toBe("action_required");
  });
});
