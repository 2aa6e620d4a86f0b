#!/usr/bin/env node
// GitHub API requests per pull_request event, for a repository with 1,000 merged migrations
// (2,000 files) and a PR changing 1, 10 and 100 of them (plus one new migration, so the sandbox
// replay runs); and the same PRs on a 100-migration repository for comparison. The count must
// depend on the PR, never on the merged migrations. Runs the built app (lib/app.js) in-process
// against the fake GitHub over HTTP, with the sandbox replay on: "cold" is the first event (empty
// replay cache: the merged migrations are read and applied), "warm" a second one on the same base.
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
          "directories:\n  - path: db/migrations\n    dialect: postgres\n",
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
    const head = repo.commit({ parent: base, files: edits });
    const number = repo.openPullRequest({ base: "main", head });

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
      const run = fake.checkRuns.at(-1);
      if (!run || run.status !== "completed") throw new Error("the check run did not complete");
      if (run.annotations.some((a) => a.title === "replay-skipped"))
        throw new Error(`the replay was skipped: ${run.output.summary}`);
      const paths = fake.requests.map((r) => r.path);
      const count = (re) => paths.filter((p) => re.test(p)).length;
      return { run, ms, requests: paths.length, count };
    };
    const cold = await event("opened");
    const warm = await event("synchronize");
    return {
      "merged files": mergedCount * 2,
      "changed files": changed + 2,
      "cold requests": cold.requests,
      graphql: cold.count(/graphql$/),
      trees: cold.count(/\/git\/trees\//),
      blobs: cold.count(/\/git\/blobs\//),
      "check-run writes": cold.count(/\/check-runs/),
      "warm requests": warm.requests,
      annotations: cold.run.annotations.length,
      conclusion: cold.run.conclusion,
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
  "changed files: the edited merged migrations plus one new up/down pair; warm requests include no installation token (cached)",
);
const byChange = new Map();
for (const r of rows) {
  const key = r["changed files"];
  const counts = [r["cold requests"], r["warm requests"]].join("/");
  const seen = byChange.get(key);
  if (seen !== undefined && seen !== counts) {
    console.error(`request counts depend on the merged migrations (${seen} vs ${counts})`);
    process.exitCode = 1;
  }
  byChange.set(key, counts);
}
