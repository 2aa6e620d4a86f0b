/**
 * End to end (issue 12 §2, done-means): the push audit through the real server process
 * (`probot run lib/app.js`) against the fake GitHub Enterprise Server, fed signed webhooks.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { startAppServer, type AppServer } from "../support/app-server.mjs";
import { FakeGitHub, type FakeRepo } from "../support/fake-github.mjs";
import { checkRunBodyErrors } from "../support/openapi.js";
import { example } from "../support/webhooks.js";

const SECRET = "e2e-audit-secret";
const APP_ID = 4343;
const AUDIT = "migration-warden/audit";
const APPROVAL = "migration-warden/approval";
const CONFIG =
  "directories:\n  - path: db/migrations\n    dialect: postgres\nreplay:\n  enabled: false\napproval:\n  teams: [dba]\n";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

let fake: FakeGitHub;
let server: AppServer;
let n = 0;

beforeAll(async () => {
  fake = await new FakeGitHub({
    appId: APP_ID,
    privateKey,
    validateCheckRun: checkRunBodyErrors,
  }).start();
  server = await startAppServer({ fake, appId: APP_ID, privateKey, secret: SECRET });
});

afterAll(async () => {
  await server?.stop();
  await fake?.stop();
});

async function waitFor<T>(what: string, check: () => T | null, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== null) return v;
    if (server.child.exitCode !== null || Date.now() > deadline)
      throw new Error(`${what} did not happen; server output:\n${server.output()}`);
    await sleep(50);
  }
}

async function deliver(event: string, payload: unknown): Promise<void> {
  const body = JSON.stringify(payload);
  const res = await fetch(`http://127.0.0.1:${server.port}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": `e2e-audit-${Math.random().toString(16).slice(2)}`,
      "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
    },
    body,
  });
  expect(res.status).toBe(200);
}

function repository() {
  const repo = fake.createRepo("acme", `audited-${++n}`);
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

/** Moves the branch and delivers the push event GitHub would send. */
async function push(repo: FakeRepo, after: string, forced = false): Promise<void> {
  const before = repo.branches.get("main")!;
  repo.branches.set("main", after);
  const payload = example("push", undefined as unknown as string);
  Object.assign(payload, {
    ref: "refs/heads/main",
    before,
    after,
    created: false,
    deleted: false,
    forced,
    pusher: { name: "mallory", email: "mallory@example.com" },
    sender: { ...payload.sender, login: "mallory" },
  });
  payload.repository = {
    ...payload.repository,
    ...repo.toJSON(),
    owner: { ...payload.repository.owner, login: repo.owner, name: repo.owner },
  };
  payload.installation = fake.installationPayload();
  await deliver("push", payload);
}

function runsOn(name: string, sha: string) {
  return fake.checkRuns.filter((r) => r.name === name && r.head_sha === sha);
}

function settledAudit(sha: string) {
  return waitFor(`${AUDIT} on ${sha.slice(0, 7)}`, () => {
    const r = runsOn(AUDIT, sha).at(-1);
    return r && r.status === "completed" ? r : null;
  });
}

/** A pull request adding a migration pair, approved by alice through the server. */
async function approvedPullRequest(repo: FakeRepo, main: string) {
  const head = repo.commit({
    parent: main,
    author: "dev",
    files: {
      "db/migrations/002_note.up.sql": "CREATE TABLE note (id int);\n",
      "db/migrations/002_note.down.sql": "DROP TABLE note;\n",
    },
  });
  const number = repo.openPullRequest({ base: "main", head, user: "dev" });
  repo.review(number, { user: "alice", state: "APPROVED" });
  const payload = example("pull_request", "opened");
  payload.number = number;
  payload.pull_request = { ...payload.pull_request, ...repo.pullJSON(number) };
  payload.repository = { ...payload.repository, ...repo.toJSON() };
  payload.installation = fake.installationPayload();
  await deliver("pull_request", payload);
  const approval = await waitFor("the approval", () => {
    const r = runsOn(APPROVAL, head).at(-1);
    return r && r.status === "completed" ? r : null;
  });
  expect(approval.conclusion).toBe("success");
  return number;
}

describe("the push audit through the real server", () => {
  test("a direct push editing a merged migration: failure naming the file", async () => {
    const { repo, main } = repository();
    const edit = repo.commit({
      parent: main,
      files: { "db/migrations/001_users.up.sql": "CREATE TABLE users (id int PRIMARY KEY);\n" },
    });
    await push(repo, edit);
    const run = await settledAudit(edit);
    expect([run.conclusion, run.output.title]).toEqual(["failure", "1 merged migration altered"]);
    expect(run.output.summary).toContain("| `db/migrations/001_users.up.sql` | edited |");
    expect(run.output.summary).toContain("mallory");
  });

  test("a push of a merged, approved pull request: success", async () => {
    const { repo, main } = repository();
    const number = await approvedPullRequest(repo, main);
    const merge = repo.mergePullRequest(number);
    repo.branches.set("main", main);
    await push(repo, merge);
    const run = await settledAudit(merge);
    expect([run.conclusion, run.output.title]).toEqual([
      "success",
      "Every migration change is covered by an approval",
    ]);
  });

  test("a force push over migration history: failure", async () => {
    const { repo, main } = repository();
    const number = await approvedPullRequest(repo, main);
    repo.mergePullRequest(number);
    const rewritten = repo.commit({ parent: main, files: { "README.md": "reset\n" } });
    await push(repo, rewritten, true);
    const run = await settledAudit(rewritten);
    expect([run.conclusion, run.output.title]).toEqual(["failure", "migration history rewritten"]);
  });

  test("a push touching no migration: nothing written", async () => {
    const { repo, main } = repository();
    const docs = repo.commit({ parent: main, files: { "README.md": "docs\n" } });
    // A push that is audited after it shows that the first was handled and skipped.
    const edit = repo.commit({ parent: docs, files: { "db/migrations/001_users.down.sql": "" } });
    await push(repo, docs);
    await push(repo, edit);
    await settledAudit(edit);
    expect(runsOn(AUDIT, docs)).toEqual([]);
  });
});
