#!/usr/bin/env node
// `npm run load`: the real server (`probot run lib/app.js`, as `npm start` runs it) against the
// fake GitHub (test/support/fake-github.mjs) on loopback, fed signed webhooks concurrently.
// Not a test: it prints figures, and fails only when a pull request did not end with the right
// conclusions, a check run was left in progress, or a delivery was not reviewed in time.
//
// Pull requests, one repository each, spread over installations (GitHub App installations: the
// app paces its writes per installation, one a second as GitHub asks), of four kinds in turn:
//   clean     a new migration pair with a notice only      lint neutral, approval success
//   risky     a new migration dropping a table             lint failure, approval action_required
//   approved  the risky change, approved by a DBA          lint failure, approval success
//   invalid   an invalid configuration on the base         lint failure, approval failure
// Deliveries go round-robin over the pull requests: opened, then synchronize (a redelivery of the
// same head), then for approved ones the DBA's review, else another synchronize.
//
// Latency is from sending a delivery to the app's "reviewed" log line for it, written once every
// check run of the delivery is completed; a delivery coalesced into a later one (the queue's
// "coalesced" line) counts as done when that one is reviewed. Peak memory is each process's VmHWM
// (Linux).
//
// --workers 0 (default) runs the server alone, with its in-process queue. --workers N starts a
// redis-server of its own (Debian's package, on a random loopback port, no persistence), the
// server with REDIS_URL (it only queues), and N `npm run worker` processes.
//
// Options: --prs 50 --deliveries 200 --installations 10 --concurrency 200 --timeout 900 (seconds)
//          --workers 0 --no-replay (repositories turn the sandbox replay off) --json
/* global fetch */
import { createHmac, generateKeyPairSync } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { clearInterval, setInterval } from "node:timers";
import { setTimeout as sleep } from "node:timers/promises";
import { APP, startAppServer, startWorker } from "../test/support/app-server.mjs";
import { FakeGitHub } from "../test/support/fake-github.mjs";
import { redisServerAvailable, startRedisServer } from "../test/support/redis-server.mjs";

const SECRET = "load-webhook-secret";
const APP_ID = 4343;
const KINDS = ["clean", "risky", "approved", "invalid"];
const EXPECTED = {
  clean: { lint: "neutral", approval: "success" },
  risky: { lint: "failure", approval: "action_required" },
  approved: { lint: "failure", approval: "success" },
  invalid: { lint: "failure", approval: "failure" },
};
const LINT = "migration-warden/lint";
const APPROVAL = "migration-warden/approval";

const { values: opts } = parseArgs({
  options: {
    prs: { type: "string", default: "50" },
    deliveries: { type: "string", default: "200" },
    installations: { type: "string", default: "10" },
    concurrency: { type: "string", default: "200" },
    timeout: { type: "string", default: "900" },
    workers: { type: "string", default: "0" },
    "no-replay": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});
const count = (name, max, min = 1) => {
  const n = Number(opts[name]);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name} must be an integer from ${min} to ${max}, not "${opts[name]}"`);
    process.exit(2);
  }
  return n;
};
const PRS = count("prs", 1000);
const DELIVERIES = count("deliveries", 5000);
const INSTALLATIONS = Math.min(count("installations", 1000), PRS);
const CONCURRENCY = count("concurrency", 5000);
const TIMEOUT_MS = count("timeout", 3600) * 1000;
const REPLAY = !opts["no-replay"];
const WORKERS = count("workers", 16, 0);

if (!existsSync(APP)) {
  console.error(`${APP} is missing: run \`npm run build\` first`);
  process.exit(2);
}
if (WORKERS > 0 && !redisServerAvailable()) {
  console.error("--workers needs redis-server (Debian: apt-get install redis-server)");
  process.exit(2);
}

const examples = createRequire(import.meta.url)("@octokit/webhooks-examples");
function example(name, action) {
  const e = examples
    .find((d) => d.name === name)
    .examples.find((x) => x.action === action && x.installation);
  return JSON.parse(JSON.stringify(e));
}

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

const MERGED = {
  "db/migrations/0001_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY, name text);\n",
  "db/migrations/0001_users.down.sql": "DROP TABLE users;\n",
  "db/migrations/0002_orders.up.sql":
    "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\n",
  "db/migrations/0002_orders.down.sql": "DROP TABLE orders;\n",
};
const CLEAN = {
  "db/migrations/0003_audit.up.sql": "CREATE TABLE audit (id bigint PRIMARY KEY, at date);\n",
  "db/migrations/0003_audit.down.sql": "DROP TABLE audit;\n",
};
const RISKY = {
  "db/migrations/0003_drop_orders.up.sql": "DROP TABLE orders;\n",
  "db/migrations/0003_drop_orders.down.sql":
    "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\n",
};

function config(kind) {
  const lines = [
    "directories:",
    "  - path: db/migrations",
    "    dialect: postgres",
    "approval:",
    "  required: risky",
    "  teams: [dba]",
    // count: 0 is invalid (at least one approver).
    ...(kind === "invalid" ? ["  count: 0"] : []),
    ...(REPLAY ? [] : ["replay:", "  enabled: false"]),
  ];
  return `${lines.join("\n")}\n`;
}

/** One repository and pull request per entry, on installations 1..INSTALLATIONS. */
function createPullRequests(fake) {
  const prs = [];
  for (let i = 0; i < PRS; i++) {
    const kind = KINDS[i % KINDS.length];
    const installation = (i % INSTALLATIONS) + 1;
    if (installation > 1) fake.addInstallation(installation);
    const owner = `tenant-${installation}`;
    const repo = fake.createRepo(owner, `service-${i + 1}`);
    const base = repo.commit({
      branch: "main",
      files: { ".github/migration-warden.yml": config(kind), ...MERGED },
    });
    const head = repo.commit({
      parent: base,
      author: "dev",
      files: kind === "clean" ? CLEAN : RISKY,
    });
    const number = repo.openPullRequest({ base: "main", head, user: "dev" });
    fake.setTeamMembership(owner, "dba", "alice", "active");
    let review = null;
    if (kind === "approved") review = repo.review(number, { user: "alice", state: "APPROVED" });
    prs.push({ kind, installation, repo, number, head, review });
  }
  return prs;
}

function payloadFor(fake, pr, round) {
  const installation = fake.installationPayload(pr.installation);
  if (round === 2 && pr.review !== null) {
    const p = example("pull_request_review", "submitted");
    p.review = pr.repo.reviewJSON(pr.number, pr.review, { webhook: true });
    p.pull_request = { ...p.pull_request, ...pr.repo.pullJSON(pr.number) };
    p.repository = { ...p.repository, ...pr.repo.toJSON() };
    p.installation = installation;
    return ["pull_request_review", p];
  }
  const p = example("pull_request", "opened");
  p.action = round === 0 ? "opened" : "synchronize";
  p.number = pr.number;
  p.pull_request = { ...p.pull_request, ...pr.repo.pullJSON(pr.number) };
  p.repository = { ...p.repository, ...pr.repo.toJSON() };
  p.installation = installation;
  return ["pull_request", p];
}

function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Peak resident memory of a process so far, in bytes (Linux /proc), or null. */
function peakRss(pid) {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

async function main() {
  const fake = await new FakeGitHub({ appId: APP_ID, privateKey }).start();
  const prs = createPullRequests(fake);
  /** delivery id → time of its "reviewed" (or "skipped") log line */
  const reviewed = new Map();
  /** delivery id → the delivery it was coalesced into */
  const coalesced = new Map();
  const errors = [];
  /** One line reader per process: their outputs must not interleave mid-line. */
  const reader = () => {
    let pending = "";
    return (chunk) => {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop();
      for (const line of lines) {
        let entry;
        try {
          entry = JSON.parse(line);
        } catch {
          if (line.trim()) errors.push(line.trim());
          continue;
        }
        if (entry.level >= 50) {
          const why = entry.err?.message ?? entry.reason;
          errors.push(why ? `${entry.msg}: ${String(why).split("\n")[0]}` : entry.msg);
        }
        if (entry.id && (entry.msg === "reviewed" || entry.msg?.startsWith("skipped"))) {
          reviewed.set(entry.id, entry.time);
        }
        if (entry.id && entry.msg === "coalesced") coalesced.set(entry.id, entry.into);
      }
    };
  };
  /** When the evaluation that did this delivery's work was reviewed, or undefined. */
  const doneAt = (id) => {
    for (let hops = 0; hops < 10_000 && !reviewed.has(id); hops++) {
      if (!coalesced.has(id)) return undefined;
      id = coalesced.get(id);
    }
    return reviewed.get(id);
  };
  const processes = [];
  let redis;
  let server;
  const workers = [];
  try {
    if (WORKERS > 0) redis = await startRedisServer();
    const queueEnv = redis ? { REDIS_URL: redis.url } : {};
    server = await startAppServer({
      fake,
      appId: APP_ID,
      privateKey,
      secret: SECRET,
      env: { NODE_ENV: "production", ...queueEnv },
      onOutput: reader(),
    });
    processes.push({ name: "server", pid: server.child.pid });
    for (let i = 0; i < WORKERS; i++) {
      const w = await startWorker({
        fake,
        appId: APP_ID,
        privateKey,
        redisUrl: redis.url,
        env: { NODE_ENV: "production" },
        onOutput: reader(),
      });
      workers.push(w);
      processes.push({ name: `worker ${i + 1}`, pid: w.child.pid });
    }
    for (const p of processes) p.rssAtStart = peakRss(p.pid);
    const sampler = setInterval(() => {
      for (const p of processes) p.rssPeak = Math.max(p.rssPeak ?? 0, peakRss(p.pid) ?? 0);
    }, 250);

    const deliveries = Array.from({ length: DELIVERIES }, (_, j) => {
      const pr = prs[j % PRS];
      const [event, payload] = payloadFor(fake, pr, Math.floor(j / PRS));
      const body = JSON.stringify(payload);
      return { id: `load-${j}`, pr, event, body };
    });
    const sentAt = new Map();
    const statuses = [];
    const started = Date.now();
    let next = 0;
    const sender = async () => {
      while (next < deliveries.length) {
        const d = deliveries[next++];
        sentAt.set(d.id, Date.now());
        const res = await fetch(server.webhookUrl, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-github-event": d.event,
            "x-github-delivery": d.id,
            "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(d.body).digest("hex")}`,
          },
          body: d.body,
        });
        statuses.push(res.status);
        await res.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, DELIVERIES) }, sender));
    const sent = Date.now();

    const deadline = started + TIMEOUT_MS;
    const alive = () => [server, ...workers].every((p) => p.child.exitCode === null);
    const allDone = () => deliveries.every((d) => doneAt(d.id) !== undefined);
    while (!allDone() && Date.now() < deadline && alive()) await sleep(100);
    const finished = Math.max(...reviewed.values(), sent);
    clearInterval(sampler);
    for (const p of processes) p.rssPeak = Math.max(p.rssPeak ?? 0, peakRss(p.pid) ?? 0);

    const latencies = deliveries
      .filter((d) => doneAt(d.id) !== undefined)
      .map((d) => doneAt(d.id) - sentAt.get(d.id))
      .sort((a, b) => a - b);

    // Verification: the newest run of each check on each head, and nothing left running.
    const wrong = [];
    for (const pr of prs) {
      for (const [name, check] of [
        [LINT, "lint"],
        [APPROVAL, "approval"],
      ]) {
        const run = fake.checkRuns
          .filter((r) => r.repo === pr.repo && r.name === name && r.head_sha === pr.head)
          .at(-1);
        const want = EXPECTED[pr.kind][check];
        if (run?.conclusion !== want)
          wrong.push(
            `${pr.repo.fullName}#${pr.number} (${pr.kind}) ${check}: ${run?.conclusion ?? "no run"}, expected ${want}`,
          );
      }
    }
    const inProgress = fake.checkRuns.filter((r) => r.status !== "completed").length;
    const unreviewed = deliveries.filter((d) => doneAt(d.id) === undefined).map((d) => d.id);
    const done = deliveries.length - unreviewed.length;
    const accepted = statuses.filter((s) => s === 200 || s === 202).length;

    const report = {
      machine: {
        cpus: `${cpus().length} × ${cpus()[0]?.model ?? "unknown"}`,
        memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
      },
      setup: {
        pullRequests: PRS,
        deliveries: DELIVERIES,
        installations: INSTALLATIONS,
        concurrency: Math.min(CONCURRENCY, DELIVERIES),
        replay: REPLAY,
        workers: WORKERS,
        queue: WORKERS > 0 ? "redis" : "in-process",
      },
      results: {
        acceptedDeliveries: accepted,
        reviewedDeliveries: done,
        evaluationsRun: reviewed.size,
        coalescedDeliveries: deliveries.filter((d) => coalesced.has(d.id)).length,
        secondsToSendAll: (sent - started) / 1000,
        secondsToReviewAll: (finished - started) / 1000,
        deliveriesPerSecond: done / ((finished - started) / 1000),
        latencyMs: {
          p50: percentile(latencies, 50),
          p95: percentile(latencies, 95),
          max: latencies.at(-1) ?? Number.NaN,
        },
        rssMiB: Object.fromEntries(
          processes.map((p) => [
            p.name,
            {
              atStart: p.rssAtStart == null ? null : Math.round(p.rssAtStart / 2 ** 20),
              peak: Math.round(p.rssPeak / 2 ** 20),
            },
          ]),
        ),
        apiRequests: fake.requests.length,
        checkRuns: fake.checkRuns.length,
        checkRunsInProgress: inProgress,
        wrongConclusions: wrong,
        unreviewedDeliveries: unreviewed.length,
        serverErrors: errors.length,
      },
    };
    if (opts.json) console.log(JSON.stringify(report, null, 2));
    else printReport(report, errors, unreviewed);
    const ok =
      wrong.length === 0 &&
      inProgress === 0 &&
      unreviewed.length === 0 &&
      accepted === DELIVERIES &&
      errors.length === 0;
    if (!ok) console.error("\nFAILED: see above");
    return ok;
  } finally {
    for (const w of workers) await w.stop();
    await server?.stop();
    await redis?.stop();
    await fake.stop();
  }
}

function printReport({ machine, setup, results: r }, errors, unreviewed) {
  console.log(
    `machine: ${machine.cpus}, ${machine.memory}, Node ${machine.node}, ${machine.platform}`,
  );
  console.log(
    `load: ${setup.deliveries} deliveries, ${setup.pullRequests} pull requests, ${setup.installations} installations, ${setup.concurrency} in flight, sandbox replay ${setup.replay ? "on" : "off"}`,
  );
  console.log(
    `queue: ${setup.queue === "redis" ? `Redis, ${setup.workers} worker process${setup.workers === 1 ? "" : "es"}` : "in the server process"}`,
  );
  console.log(`accepted (HTTP 200/202):   ${r.acceptedDeliveries}/${setup.deliveries}`);
  console.log(`reviewed:                  ${r.reviewedDeliveries}/${setup.deliveries}`);
  console.log(
    `evaluations run:           ${r.evaluationsRun} (${r.coalescedDeliveries} deliveries coalesced into a later one)`,
  );
  console.log(`all sent after:            ${r.secondsToSendAll.toFixed(1)} s`);
  console.log(`all reviewed after:        ${r.secondsToReviewAll.toFixed(1)} s`);
  console.log(`throughput:                ${r.deliveriesPerSecond.toFixed(2)} deliveries/s`);
  console.log(
    `latency (to both runs done): p50 ${(r.latencyMs.p50 / 1000).toFixed(1)} s, p95 ${(r.latencyMs.p95 / 1000).toFixed(1)} s, max ${(r.latencyMs.max / 1000).toFixed(1)} s`,
  );
  for (const [name, rss] of Object.entries(r.rssMiB))
    console.log(
      `${`${name} RSS:`.padEnd(27)}${rss.atStart ?? "?"} MiB at start, peak ${rss.peak} MiB`,
    );
  console.log(`API requests:              ${r.apiRequests}`);
  console.log(`check runs:                ${r.checkRuns} (${r.checkRunsInProgress} in progress)`);
  console.log(`wrong conclusions:         ${r.wrongConclusions.length}`);
  for (const w of r.wrongConclusions.slice(0, 20)) console.log(`  ${w}`);
  if (unreviewed.length > 0) console.log(`not reviewed: ${unreviewed.slice(0, 20).join(", ")}`);
  if (errors.length > 0) {
    console.log(`server errors: ${errors.length}`);
    for (const e of errors.slice(0, 10)) console.log(`  ${e}`);
  }
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
