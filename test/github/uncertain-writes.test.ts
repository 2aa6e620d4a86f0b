/**
 * The check-run writer under lost answers (src/github/checks/uncertain-writes.ts, used by
 * CheckRun): what it asks GitHub before sending a write again, and that nothing is applied twice.
 * The client is the app's own (createClientFactory) over the fake GitHub; the whole app under lost
 * answers: faults.test.ts.
 */
import { describe, expect, test } from "@jest/globals";
import type { Annotation, CheckResult } from "../../src/github/checks/types.js";
import { CheckRun } from "../../src/github/checks/check-run.js";
import { lastMarker, runMarker } from "../../src/github/checks/uncertain-writes.js";
import type { GitHubClient } from "../../src/github/client.js";
import { createClientFactory } from "../../src/github/octokit.js";
import type { FakeRepo, RequestLogEntry } from "../support/fake-github.mjs";
import {
  APP_ID,
  APPROVAL,
  FAST_REQUESTS,
  helloWorld,
  LINT,
  pullRequestEvent,
  type Harness,
  useHarness,
} from "./harness.js";

let h: Harness;
useHarness((created) => (h = created), { app: { replay: false } });

const CREATE = /^\/repos\/[^/]+\/[^/]+\/check-runs$/;
const UPDATE = /^\/repos\/[^/]+\/[^/]+\/check-runs\/\d+$/;
const LIST = /^\/repos\/[^/]+\/[^/]+\/commits\/[0-9a-f]{40}\/check-runs(\?|$)/;

interface Setup {
  octokit: GitHubClient;
  repo: FakeRepo;
  ref: { owner: string; repo: string };
  headSha: string;
}

/** The app's client of one delivery (retries after 1, 4 and 9 ms) and a commit to write on. */
async function setup(): Promise<Setup> {
  const { repo, headSha } = helloWorld(h.fake, {}, { "README.md": "# changed\n" });
  const base = (await h.probot.auth(h.fake.installationId)) as unknown as GitHubClient;
  const octokit = createClientFactory(FAST_REQUESTS)({
    octokit: base,
    payload: { installation: { id: h.fake.installationId } },
  });
  return { octokit, repo, ref: { owner: "Codertocat", repo: "Hello-World" }, headSha };
}

const start = (s: Setup, name = LINT) =>
  CheckRun.start(s.octokit, s.ref, {
    name,
    headSha: s.headSha,
    externalId: "Codertocat/Hello-World#2",
    title: "Checking migrations…",
    summary: "Reading.",
    startedAt: Date.now(),
  });

const passed: CheckResult = { conclusion: "success", title: "Fine", summary: "No findings." };

function annotations(n: number): Annotation[] {
  return Array.from({ length: n }, (_, i) => ({
    path: "README.md",
    start_line: i + 1,
    end_line: i + 1,
    annotation_level: "warning" as const,
    message: `finding ${i + 1}`,
  }));
}

/** Check-run requests after the installation token: "METHOD what". */
function sent(): string[] {
  return h.fake.requests
    .filter((r) => r.path.includes("/check-runs"))
    .map((r: RequestLogEntry) => {
      const what = CREATE.test(r.path)
        ? "create"
        : UPDATE.test(r.path)
          ? r.method === "GET"
            ? "read"
            : "update"
          : LIST.test(r.path)
            ? "list"
            : r.path;
      return `${r.method} ${what} ${r.status}`;
    });
}

const own = (s: Setup, name = LINT) =>
  h.fake.checkRuns.filter((r) => r.repo === s.repo && r.name === name && r.appId === APP_ID);

describe("a create", () => {
  test("whose answer was lost after GitHub created the run: adopted, no second run", async () => {
    const s = await setup();
    h.lose("POST", CREATE);
    const run = await start(s);
    await run.complete(passed);
    expect(own(s).map((r) => [r.id, r.status, r.conclusion])).toEqual([
      [run.id, "completed", "success"],
    ]);
    expect(sent()).toEqual(["POST create 201", "GET list 200", "PATCH update 200"]);
  });

  test("lost before it reached GitHub: created once", async () => {
    const s = await setup();
    h.drop("POST", CREATE);
    const run = await start(s);
    await run.complete(passed);
    expect(own(s).map((r) => [r.id, r.status])).toEqual([[run.id, "completed"]]);
    expect(sent()).toEqual(["GET list 200", "POST create 201", "PATCH update 200"]);
  });

  test("lost twice in a row (dropped, then created with its answer lost): one run", async () => {
    const s = await setup();
    h.drop("POST", CREATE);
    h.lose("POST", CREATE);
    const run = await start(s);
    await run.complete(passed);
    expect(own(s).map((r) => [r.id, r.status])).toEqual([[run.id, "completed"]]);
    expect(sent()).toEqual(["GET list 200", "POST create 201", "GET list 200", "PATCH update 200"]);
  });

  test("created, its answer lost, and the first look-up's answer lost too: adopted", async () => {
    const s = await setup();
    h.lose("POST", CREATE);
    h.lose("GET", LIST);
    const run = await start(s);
    expect(own(s).map((r) => r.id)).toEqual([run.id]);
    expect(sent()).toEqual(["POST create 201", "GET list 200", "GET list 200"]);
  });

  test("a completed create (a quick result) whose answer was lost: one run", async () => {
    const s = await setup();
    h.lose("POST", CREATE);
    await CheckRun.write(
      s.octokit,
      s.ref,
      { name: LINT, headSha: s.headSha, externalId: "x#2", startedAt: Date.now() },
      passed,
    );
    expect(own(s).map((r) => [r.status, r.conclusion])).toEqual([["completed", "success"]]);
  });

  test("a failure report whose answer was lost: one run", async () => {
    const s = await setup();
    h.lose("POST", CREATE);
    await CheckRun.report(
      s.octokit,
      s.ref,
      { name: LINT, headSha: s.headSha, externalId: "" },
      {
        conclusion: "failure",
        title: "Could not check",
        summary: "Because.",
      },
    );
    expect(own(s).map((r) => r.conclusion)).toEqual(["failure"]);
  });

  test("when GitHub cannot say whether it was created, nothing is sent again (fail closed)", async () => {
    const s = await setup();
    h.lose("POST", CREATE);
    h.fake.failNext({ method: "GET", path: LIST, status: 502, times: 10 });
    await expect(start(s)).rejects.toMatchObject({ status: 502 });
    // The one created stays; no second is created beside it. The writer reports the failure.
    expect(sent()).toEqual(["POST create 201", "GET list 502", "GET list 502", "GET list 502"]);
  });

  /**
   * The create is answered 502 without being carried out; meanwhile a run of the same name whose
   * summary carries the create's marker appears, written by `who`.
   */
  async function copiedMarker(s: Setup, who: "another app" | "a file name in our own run") {
    let copy: FakeRepo | null = s.repo;
    h.fake.failNext({
      method: "POST",
      path: CREATE,
      status: 502,
      match: (r) => {
        if (copy === null) return false;
        const summary = (r.body as { output: { summary: string } }).output.summary;
        const marker = lastMarker(summary)!;
        const run = h.fake.addCheckRun(copy, {
          name: LINT,
          head_sha: s.headSha,
          conclusion: "success",
          ...(who === "another app" ? { appId: 999 } : {}),
        });
        run.output.summary =
          who === "another app"
            ? `Looks fine.\n\n${marker}`
            : `Migration \`db/${marker}.up.sql\` changed.\n\n${runMarker()}`;
        copy = null;
        return true;
      },
    });
  }

  test.each(["another app", "a file name in our own run"] as const)(
    "a run carrying a copy of its marker (%s) is not adopted",
    async (who) => {
      const s = await setup();
      await copiedMarker(s, who);
      const run = await start(s);
      const mine = h.fake.checkRuns.find((r) => r.id === run.id)!;
      expect([mine.appId, mine.status, lastMarker(mine.output.summary)]).toEqual([
        APP_ID,
        "in_progress",
        expect.any(String),
      ]);
      const decoy = h.fake.checkRuns.find((r) => r.repo === s.repo && r.id !== run.id)!;
      expect(decoy.output.summary).toContain(lastMarker(mine.output.summary)!);
      expect(sent()).toEqual(["POST create 502", "GET list 200", "POST create 201"]);
    },
  );

  test("another evaluation's run of the same check on the commit is not adopted", async () => {
    const s = await setup();
    const other = await start(s);
    h.lose("POST", CREATE);
    const run = await start(s);
    expect(run.id).not.toBe(other.id);
    expect(own(s).map((r) => r.id)).toEqual([other.id, run.id]);
  });
});

test("lost while another evaluation creates its own run meanwhile: adopts its own, not the newest", async () => {
  const s = await setup();
  h.lose("POST", CREATE);
  const listed = h.pause("GET", LIST);
  const mine = start(s);
  await listed.reached;
  const other = await start(s);
  listed.resume();
  const run = await mine;
  expect(run.id).not.toBe(other.id);
  // Ours was created first; the listing shows the other one first (newest first).
  expect(own(s).map((r) => r.id)).toEqual([run.id, other.id]);
});

describe("an annotation batch", () => {
  /** A result of 120 annotations: created with 50, a batch of 50, completed with 20. */
  const many: CheckResult = { ...passed, conclusion: "neutral", annotations: annotations(120) };

  test.each([
    ["whose answer was lost after it took effect is not sent again", "lose", 0],
    ["that did not reach GitHub is sent again, once", "drop", 1],
  ] as const)("%s", async (_name, trap, skip) => {
    const s = await setup();
    // lose: the first batch arrives, its answer does not; drop: the second never arrives.
    h[trap]("PATCH", UPDATE, { skip });
    const run = await start(s);
    await run.complete(many);
    const r = h.fake.checkRuns.find((x) => x.id === run.id)!;
    expect([r.annotations.length, r.status]).toEqual([120, "completed"]);
    expect(new Set(r.annotations.map((x) => x.start_line)).size).toBe(120);
    // Either way the batch is on the run once: asked about (GET), then the rest sent.
    expect(sent()).toEqual([
      "POST create 201",
      "PATCH update 200",
      "GET read 200",
      "PATCH update 200",
      "PATCH update 200",
    ]);
  });

  test("of a fresh completed run (first answer lost after it took effect): not sent twice", async () => {
    const s = await setup();
    h.lose("PATCH", UPDATE);
    await CheckRun.write(
      s.octokit,
      s.ref,
      { name: LINT, headSha: s.headSha, externalId: "x#2", startedAt: Date.now() },
      many,
    );
    const [r] = own(s);
    expect([r!.annotations.length, r!.status, own(s).length]).toEqual([120, "completed", 1]);
  });

  test("when the run shows neither count, the write fails rather than guess", async () => {
    const s = await setup();
    const run = await start(s);
    h.fake.failNext({
      method: "PATCH",
      path: UPDATE,
      status: 502,
      match: () => {
        // Someone else's batch landed meanwhile (impossible for another app: runs are per app).
        h.fake.checkRuns.find((r) => r.id === run.id)!.annotations.push(...annotations(3));
        return true;
      },
    });
    await expect(run.complete(many)).rejects.toThrow(/shows 3 annotations/);
  });
});

describe("a completion", () => {
  test("answered 502 is sent again and ends completed, once", async () => {
    const s = await setup();
    const run = await start(s);
    h.fake.failNext({ method: "PATCH", path: UPDATE, status: 502 });
    await run.complete(passed);
    const r = h.fake.checkRuns.find((x) => x.id === run.id)!;
    expect([r.status, r.conclusion, own(s).length]).toEqual(["completed", "success", 1]);
    expect(sent()).toEqual(["POST create 201", "PATCH update 502", "PATCH update 200"]);
  });

  test("whose answer was lost after it took effect is sent again as it is (no annotations)", async () => {
    const s = await setup();
    const run = await start(s);
    h.lose("PATCH", UPDATE);
    await run.complete(passed);
    expect(sent()).toEqual(["POST create 201", "PATCH update 200", "PATCH update 200"]);
    expect(h.fake.checkRuns.find((x) => x.id === run.id)!.history.at(-1)).toEqual({
      status: "completed",
      conclusion: "success",
    });
  });
});

test("other requests keep the retry plugin's retries", async () => {
  const s = await setup();
  h.fake.failNext({ method: "GET", path: /\/pulls\/2$/, status: 502, times: 2 });
  const { data } = await s.octokit.rest.pulls.get({ ...s.ref, pull_number: 2 });
  expect(data.number).toBe(2);
});

describe("a review whose create answer is lost and whose look-up fails", () => {
  test("ends failed, never a pass beside a run left in progress", async () => {
    const { repo, number } = helloWorld(
      h.fake,
      {},
      {
        "migrations/0001_t.up.sql": "CREATE TABLE t (id bigint PRIMARY KEY);\n",
        "migrations/0001_t.down.sql": "DROP TABLE t;\n",
      },
    );
    // The runs start in one mutation (checks/batch-create.ts): its answer is lost, and every
    // look for the runs it may have created (one listing of the app's runs for both) fails.
    h.lose("POST", /^\/graphql$/, { body: /createCheckRun/ });
    h.fake.failNext({
      method: "GET",
      path: LIST,
      match: (r) => r.query.check_name === undefined,
      status: 502,
      times: 3,
    });
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));
    for (const name of [LINT, APPROVAL]) {
      const runs = h.runs(name);
      expect(runs.some((r) => r.conclusion === "success")).toBe(false);
      expect(runs.at(-1)!.conclusion).toBe("failure");
    }
  });
});
