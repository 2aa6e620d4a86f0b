#!/usr/bin/env node
// GitHub API requests and check-run writes per event kind, through the built app (lib/app.js)
// in-process against the fake GitHub over HTTP, with the sandbox replay on and the app's default
// timing (a result known within 3 s is written once, already completed):
// - a migration pull request (an edit of a merged migration plus a new up/down pair: 3 changed
//   files) on a repository with 200 and 2,000 merged files, approved by an active DBA on its
//   first commit (its second commit fixes a README);
// - a pull request touching no migration;
// - both again on a repository without a config file (the defaults: `migrations`, postgres, no
//   approval team: the gate's result is whatever the defaults decide; what is counted is requests).
// "cold": the first event (installation token, merged migrations read and replayed); "warm": a
// new push on the same base (replay base from the cache); "repeated": the same event delivered
// again with nothing changed (nothing to write). The count must depend on the pull request, never
// on the merged migrations.
import { generateKeyPairSync } from "node:crypto";
import { performance } from "node:perf_hooks";
import { Probot, ProbotOctokit } from "probot";
import { createApp, pendingAfterFromEnv } from "../../lib/app.js";
import { forgetTextsRead } from "../../lib/github/base-texts.js";
import { forgetDirectories } from "../../lib/github/first-read/base-directories.js";
import { FakeGitHub } from "../../test/support/fake-github.mjs";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

function merged(count, dir) {
  const files = {};
  for (let i = 1; i <= count; i++) {
    const v = String(i).padStart(6, "0");
    files[`${dir}/${v}_t${i}.up.sql`] = `CREATE TABLE t${i} (id bigint PRIMARY KEY);\n`;
    files[`${dir}/${v}_t${i}.down.sql`] = `DROP TABLE t${i};\n`;
  }
  return files;
}

/** The row's name: the pull request, and how the repository is set up when not the first way. */
function rowName(kind, replay, config) {
  const pr =
    kind === "migration" ? `migration, 3 files${replay ? "" : ", no replay"}` : "no migration";
  return config ? pr : `${pr}, no config`;
}

async function measure(kind, mergedCount, replay = true, config = true) {
  const fake = await new FakeGitHub({ appId: 1, privateKey }).start();
  try {
    const repo = fake.createRepo("acme", "app");
    // Without a config file: the defaults' directory, and a `.github` holding something else
    // (a workflow), as most repositories have one.
    const dir = config ? "db/migrations" : "migrations";
    const base = repo.commit({
      branch: "main",
      files: {
        ...(config
          ? {
              ".github/migration-warden.yml":
                "directories:\n  - path: db/migrations\n    dialect: postgres\napproval:\n  teams: [dba]\n",
            }
          : { ".github/workflows/ci.yml": "on: push\n" }),
        ...merged(mergedCount, dir),
      },
    });
    const edits =
      kind === "migration"
        ? {
            [`${dir}/900000_new.up.sql`]: "ALTER TABLE t1 ADD COLUMN added text;\n",
            [`${dir}/900000_new.down.sql`]: "ALTER TABLE t1 DROP COLUMN added;\n",
            [`${dir}/000001_t1.up.sql`]: "CREATE TABLE t1 (id bigint PRIMARY KEY, note text);\n",
          }
        : { "src/app.ts": "export {};\n" };
    const reviewed = repo.commit({ parent: base, files: edits, author: "dev" });
    const head = repo.commit({ parent: reviewed, files: { "README.md": "fix\n" }, author: "dev" });
    const number = repo.openPullRequest({ base: "main", head, user: "dev" });
    repo.review(number, { user: "alice", state: "APPROVED", commitId: reviewed });
    fake.setTeamMembership("acme", "dba", "alice", "active");
    // The gate enforced as docs/github-app.md tells admins to: a ruleset requiring both checks
    // from this app (the first query shows it; without it, a cold event also reads the branch
    // and its rulesets by REST: first-read/base-rules.ts).
    repo.rulesets.push({
      id: 1,
      branches: ["main"],
      checks: [
        { context: "migration-warden/lint", integration_id: 1 },
        { context: "migration-warden/approval", integration_id: 1 },
      ],
    });

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
    // CHECK_PENDING_AFTER_MS=0 forces the slow path (runs in_progress first), as in the app.
    // A cold event is a new process's first: what the module-level memories of an earlier
    // measure hold (the directories and merged texts read for a repository of another fake
    // GitHub, under another repository id) is not what a new process has.
    forgetDirectories();
    forgetTextsRead();
    await probot.load(createApp({ replay, ...pendingAfterFromEnv(process.env) }));
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
      const requests = [...fake.requests];
      const count = (re) => requests.filter((r) => re.test(r.path)).length;
      // A check-run mutation (src/github/checks/batch-create.ts, batch-update.ts) writes one
      // run per input.
      const mutationWrites = (r) =>
        r.path.endsWith("/graphql") && /^\s*mutation\b/.test(String(r.body?.query))
          ? (String(r.body.query).match(/(?:create|update)CheckRun\(/g) ?? []).length
          : 0;
      const writes = requests.reduce(
        (n, r) =>
          n + (r.method !== "GET" && /\/check-runs(\/\d+)?$/.test(r.path) ? 1 : mutationWrites(r)),
        0,
      );
      // What each request was for: its method and path, ids left out, GraphQL by operation.
      const kinds = requests.map((r) =>
        r.path.endsWith("/graphql")
          ? `POST graphql ${/(?:query|mutation) (\w+)/.exec(String(r.body?.query))?.[1] ?? "?"}`
          : `${r.method} ${r.path
              .replace(/^\/repos\/[^/]+\/[^/]+/, "")
              .replace(/[0-9a-f]{40}/g, "{sha}")
              .replace(/\/\d+(?=\/|$)/g, "/{n}")}`,
      );
      return { ms, requests: requests.length, count, writes, kinds };
    };
    const cold = await event("opened");
    const [lint, approval] = fake.checkRuns;
    if (lint?.status !== "completed" || approval?.status !== "completed")
      throw new Error("the check runs did not complete");
    // On a loaded machine the replay can run out of its time budget: said, not hidden.
    const replayed =
      kind !== "migration" || !replay
        ? "off"
        : lint.annotations.some((a) => a.title === "replay-skipped")
          ? "skipped"
          : "ran";
    // A new push on the same base: the README fixed again.
    const pushed = repo.commit({ parent: head, files: { "README.md": "fix 2\n" }, author: "dev" });
    repo.pushToPullRequest(number, pushed);
    const warm = await event("synchronize");
    const repeated = await event("synchronize");
    breakdowns.set(rowName(kind, replay, config), { cold: cold.kinds, repeated: repeated.kinds });
    return {
      pr: rowName(kind, replay, config),
      merged: mergedCount * 2,
      "cold req": cold.requests,
      "cold writes": cold.writes,
      graphql: cold.count(/graphql$/),
      trees: cold.count(/\/git\/trees\//),
      blobs: cold.count(/\/git\/blobs\//),
      "warm req": warm.requests,
      "warm writes": warm.writes,
      "repeated req": repeated.requests,
      "repeated writes": repeated.writes,
      replay: replayed,
      lint: lint.conclusion,
      gate: approval.conclusion,
      "cold ms": Math.round(cold.ms),
      "warm ms": Math.round(warm.ms),
      "repeated ms": Math.round(repeated.ms),
    };
  } finally {
    await fake.stop();
  }
}

/** The requests of the cold and repeated events, by kind (the last merged count measured). */
const breakdowns = new Map();
const rows = [];
for (const [kind, replay, config] of [
  ["migration", true, true],
  ["migration", false, true],
  ["none", true, true],
  ["migration", true, false],
  ["none", true, false],
])
  for (const mergedCount of [100, 1000])
    rows.push(await measure(kind, mergedCount, replay, config));
console.table(rows);
console.log(
  "req: API requests (cold includes the installation token); writes: check-run creates and updates (a mutation request counts each run it creates). warm: a new push on the same base; repeated: the same event again, nothing changed (nothing written when no other evaluation of the check overlapped it). An evaluation still running after 3 s (the replay, on a slow machine) shows in_progress runs: 2 writes per check",
);
for (const [pr, { cold, repeated }] of breakdowns) {
  console.log(`\n${pr}: requests of the cold event, then of the repeated one`);
  for (const [name, list] of [
    ["cold", cold],
    ["repeated", repeated],
  ]) {
    const counts = new Map();
    for (const k of list) counts.set(k, (counts.get(k) ?? 0) + 1);
    console.log(
      `  ${name}: ${[...counts].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join(" · ")}`,
    );
  }
}
const byKind = new Map();
for (const r of rows) {
  // Compared only between rows whose events took the same path: an evaluation past 3 s (the
  // replay on a loaded machine) writes in_progress runs first and looks again before completing,
  // which is timing, not the merged history. The write counts tell the path.
  const counts = `${r["cold req"]}/${r["warm req"]}/${r["repeated req"]}`;
  const path = `${r["cold writes"]}/${r["warm writes"]}/${r["repeated writes"]}`;
  const seen = byKind.get(r.pr);
  if (seen !== undefined && seen.path === path && seen.counts !== counts) {
    console.error(`request counts depend on the merged migrations (${seen.counts} vs ${counts})`);
    process.exitCode = 1;
  } else if (seen !== undefined && seen.path !== path) {
    console.log(
      `${r.pr}: not compared, the events took another path (writes ${seen.path} vs ${path})`,
    );
  }
  byKind.set(r.pr, { counts, path });
  // A result the newest run already shows is not written again, a blocking one included when
  // no other evaluation of the check overlapped (github/checks/in-flight.ts; the bench runs one
  // event at a time). An evaluation over 3 s (a slow replay) shows its runs in_progress.
  if (r["repeated writes"] !== 0 && r["repeated ms"] < 3000) {
    console.error(
      `a repeated event wrote ${r["repeated writes"]} check runs, expected 0 (${r.pr})`,
    );
    process.exitCode = 1;
  }
}
