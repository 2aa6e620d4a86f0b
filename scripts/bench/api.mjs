#!/usr/bin/env node
// GitHub API requests per pull_request event, for a repository with 1,000 merged migrations
// (2,000 files) and a PR changing 1, 10 and 100 of them (plus one new migration, so the sandbox
// replay runs); and the same PRs on a 100-migration repository for comparison. The count must
// depend on the PR, never on the merged migrations.
// Both checks run: lint, then the DBA approval gate (team dba), for a PR of two commits (the
// migration changes, then a README fix) approved by one active team member on the first commit,
// so the approval reads the reviewed commit's digest, the recorded clicks of both commits and one
// team membership. "approval" counts the approval run's create and every request after lint's
// completing update (the checks are written one after the other).
// Runs the built app (lib/app.js) in-process against the fake GitHub over HTTP, with the sandbox
// replay on: "cold" is the first event (empty replay cache: the merged migrations are read and
// applied), "warm" a second one on the same base (base state restored from the cache).
import { generateKeyPairSync } from "node:crypto";
import { performance } from "node:perf_hooks";
import { Probot, ProbotOctokit } from "probot";
import { createApp } from "../../lib/app.js";
import { FakeGitHub } from "../../test/support/fake-github.mjs";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

function merged(count) {
  const files = {};
  for (let i = 1; i <= count; i++) {
    const v = String(i).padStart(6, "0");
    files[`db/migrations/${v}_t${i}.up.sql`] = `CREATE TABLE t${i} (id bigint PRIMARY KEY);\n`;
    files[`db/migrations/${v}_t${i}.down.sql`] = `DROP TABLE t${i};\n`;
  }
  return files;
}

async function measure(mergedCount, changed) {
  const fake = await new FakeGitHub({ appId: 1, privateKey }).start();
  try {
    const repo = fake.createRepo("acme", "app");
    const base = repo.commit({
      branch: "main",
      files: {
        ".github/migration-warden.yml":
          "directories:\n  - path: db/migrations\n    dialect: postgres\napproval:\n  teams: [dba]\n",
        ...merged(mergedCount),
      },
    });
    const edits = {
      "db/migrations/900000_new.up.sql": "ALTER TABLE t1 ADD COLUMN added text;\n",
      "db/migrations/900000_new.down.sql": "ALTER TABLE t1 DROP COLUMN added;\n",
    };
    for (let i = 1; i <= changed; i++) {
      edits[`db/migrations/${String(i).padStart(6, "0")}_t${i}.up.sql`] =
        `CREATE TABLE t${i} (id bigint PRIMARY KEY, note text);\n`;
    }
    const reviewed = repo.commit({ parent: base, files: edits, author: "dev" });
    const head = repo.commit({ parent: reviewed, files: { "README.md": "fix\n" }, author: "dev" });
    const number = repo.openPullRequest({ base: "main", head, user: "dev" });
    repo.review(number, { user: "alice", state: "APPROVED", commitId: reviewed });
    fake.setTeamMembership("acme", "dba", "alice", "active");

    const probot = new Probot({
      appId: 1,
      privateKey,
      baseUrl: fake.apiUrl,
      logLevel: "warn",
      // Probot's write throttle (1 s between writes) would only add idle time here.
      Octokit: ProbotOctokit.defaults((o) => ({
        ...o,
        retry: { enabled: false },
        throttle: { enabled: false },
      })),
    });
    await probot.load(createApp());
    const event = async (action) => {
      fake.clearRequests();
      const runsBefore = fake.checkRuns.length;
      const started = performance.now();
      await probot.receive({
        id: `bench-${action}`,
        name: "pull_request",
        payload: {
          action,
          number,
          pull_request: repo.pullJSON(number),
          repository: repo.toJSON(),
          installation: fake.installationPayload(),
          sender: { login: "octocat" },
        },
      });
      const ms = performance.now() - started;
      const [lint, approval] = fake.checkRuns.slice(runsBefore);
      if (lint?.status !== "completed" || approval?.status !== "completed")
        throw new Error("the check runs did not complete");
      if (lint.annotations.some((a) => a.title === "replay-skipped"))
        throw new Error(`the replay was skipped: ${lint.output.summary}`);
      const requests = [...fake.requests];
      const count = (re) => requests.filter((r) => re.test(r.path)).length;
      const lintDone = requests.findLastIndex(
        (r) => r.method === "PATCH" && r.path.endsWith(`/check-runs/${lint.id}`),
      );
      return { lint, approval, ms, requests, count, lintDone };
    };
    const cold = await event("opened");
    const warm = await event("synchronize");
    return {
      "merged files": mergedCount * 2,
      "changed files": changed + 2,
      "cold requests": cold.requests.length,
      approval: cold.requests.length - cold.lintDone,
      graphql: cold.count(/graphql$/),
      trees: cold.count(/\/git\/trees\//),
      blobs: cold.count(/\/git\/blobs\//),
      "check-run writes": cold.requests.filter(
        (r) => r.method !== "GET" && /\/check-runs(\/\d+)?$/.test(r.path),
      ).length,
      "warm requests": warm.requests.length,
      annotations: cold.lint.annotations.length,
      lint: cold.lint.conclusion,
      gate: cold.approval.conclusion,
      "cold ms": Math.round(cold.ms),
      "warm ms": Math.round(warm.ms),
    };
  } finally {
    await fake.stop();
  }
}

const rows = [];
for (const changed of [1, 10, 100]) {
  for (const mergedCount of [100, 1000]) {
    if (changed > mergedCount) continue;
    rows.push(await measure(mergedCount, changed));
  }
}
console.table(rows);
console.log(
  "changed files: the edited merged migrations plus one new up/down pair; warm: no installation token (cached), no merged migration read",
);
const byChange = new Map();
for (const r of rows) {
  const key = r["changed files"];
  const counts = `${r["cold requests"]}/${r["warm requests"]}`;
  const seen = byChange.get(key);
  if (seen !== undefined && seen !== counts) {
    console.error(`request counts depend on the merged migrations (${seen} vs ${counts})`);
    process.exitCode = 1;
  }
  byChange.set(key, counts);
}
