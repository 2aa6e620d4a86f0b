/**
 * `report approvals` while the repository changes under it: the pull request list is paged by
 * offset and sorted by last update, so a pull request reopened, merged or commented on between two
 * page requests moves, and the others shift. The report must still list every pull request merged
 * in the range that changed migrations, or fail (exit 2) saying it could not be sure: an auditor's
 * report silently missing an exception is the failure this guards against.
 *
 * The fake GitHub answers each page from the list as it is at that request; the test changes the
 * repository between pages (hooked on the page request, before GitHub computes the page).
 */
import { afterAll, afterEach, beforeAll, expect, test } from "@jest/globals";
import { reportClient } from "../../src/cli/report/client.js";
import { gatherApprovals, Progress, ReportError } from "../../src/cli/report/approvals.js";
import { privateKey } from "../support/app-key.js";
import { FakeGitHub, type FakeRepo } from "../support/fake-github.mjs";

const APP_ID = 4242;
const TOKEN = "ghp_report_pages";
const CONFIG = `directories:\n  - path: db/migrations\n    dialect: postgres\n`;
const LIST = /^\/repos\/acme\/shop\/pulls$/;

let fake: FakeGitHub;
let repo: FakeRepo;
let n = 0;

function open(files: Record<string, string>) {
  const branch = `feature-${++n}`;
  const head = repo.commit({ parent: repo.branches.get("main")!, branch, files });
  return repo.openPullRequest({ base: "main", head, headRef: branch });
}

const MIG = (v: number) => ({
  [`db/migrations/${String(v).padStart(6, "0")}_m${v}.up.sql`]: "CREATE TABLE t (id int);\n",
  [`db/migrations/${String(v).padStart(6, "0")}_m${v}.down.sql`]: "DROP TABLE t;\n",
});

/** Pull request numbers: the closed one, then merged ones from the newest update down. */
const pr: { closed: number; merged: number[] } = { closed: 0, merged: [] };
/** The pull requests' states before a test changes them. */
let saved: Map<number, Record<string, unknown>>;

beforeAll(async () => {
  fake = await new FakeGitHub({ appId: APP_ID, privateKey }).start();
  fake.tokens.add(TOKEN);
  repo = fake.createRepo("acme", "shop");
  repo.commit({
    branch: "main",
    files: { ".github/migration-warden.yml": CONFIG, ...MIG(1) },
    date: "2024-12-01T00:00:00Z",
  });
  // Sorted by update, newest first: the closed one, then merged ones a day apart; older closed
  // ones (updated 2024-05-01, before the range) after them.
  for (let i = 0; i < 6; i++) {
    const m = open(MIG(10 + i));
    repo.mergePullRequest(m, { by: "bob", at: `2025-01-${20 - i}T10:00:00Z` });
    pr.merged.push(m);
  }
  pr.closed = open(MIG(30));
  repo.closePullRequest(pr.closed);
  repo.pull(pr.closed).updatedAt = "2025-01-21T10:00:00Z";
  for (let i = 0; i < 4; i++) repo.closePullRequest(open({ [`docs/${i}.md`]: "x\n" }));
  saved = new Map([...repo.pulls.values()].map((p) => [p.number, { ...p }]));
});

afterAll(() => fake.stop());

afterEach(() => {
  fake.failures = fake.failures.filter((f: { path: RegExp }) => f.path !== LIST);
  for (const [number, state] of saved) Object.assign(repo.pull(number), state);
});

/** Runs `act(page, request)` when GitHub is asked for a page of the list, before it answers. */
function duringListing(act: (page: number, request: number) => void) {
  let request = 0;
  fake.failNext({
    method: "GET",
    path: LIST,
    times: Infinity,
    // Never fails the request: only a hook on it.
    match: (e: { query: Record<string, string> }) => {
      act(Number(e.query.page ?? 1), ++request);
      return false;
    },
  });
}

const report = (notes: string[] = []) =>
  gatherApprovals(
    reportClient({ token: TOKEN, baseUrl: fake.apiUrl, note: () => {} }),
    {
      repo: { owner: "acme", repo: "shop" },
      since: new Date("2025-01-01T00:00:00Z"),
      until: new Date("2025-01-31T23:59:59Z"),
      app: String(APP_ID),
      pageSize: 2,
    },
    new Progress((line) => notes.push(line), 0),
  );

const listed = (r: Awaited<ReturnType<typeof report>>) =>
  r.pullRequests.map((p) => p.number).sort((a, b) => a - b);
const all = () => [...pr.merged].sort((a, b) => a - b);

test("control: an unchanging list gives every merged pull request in one read", async () => {
  const notes: string[] = [];
  expect(listed(await report(notes))).toEqual(all());
  expect(notes.join("")).not.toContain("reading it again");
});

test("a closed pull request reopened after the first page: none of the next page is skipped", async () => {
  // With only closed pull requests listed, the reopened one left the list and the first merged
  // one of page 2 moved up onto page 1, already read: never listed.
  duringListing((page) => {
    if (page === 2 && repo.pull(pr.closed).state === "closed")
      Object.assign(repo.pull(pr.closed), { state: "open", updatedAt: "2026-01-01T00:00:00Z" });
  });
  expect(listed(await report())).toEqual(all());
});

test("a merged pull request updated after the first page (it jumps past the reader): read again, found", async () => {
  const last = pr.merged.at(-1)!;
  duringListing((page, request) => {
    if (page === 2 && request === 2) repo.pull(last).updatedAt = "2026-01-01T00:00:00Z";
  });
  const notes: string[] = [];
  const r = await report(notes);
  expect(listed(r)).toEqual(all());
  expect(notes.join("")).toMatch(/pull requests moved while the list was read: reading it again/);
});

test("a merge during the listing, in the range: found", async () => {
  const late = open(MIG(40));
  saved.set(late, { ...repo.pull(late) });
  try {
    duringListing((page, request) => {
      if (page === 3 && request === 3)
        repo.mergePullRequest(late, { by: "bob", at: "2025-01-31T10:00:00Z" });
    });
    // Open and untouched until then (with the old ones, below the range); merged, it is the
    // newest update: in front of what the reader has passed.
    const r = await report();
    expect(listed(r)).toEqual([...all(), late].sort((a, b) => a - b));
  } finally {
    // Never merged again: out of the other tests' lists.
    repo.pulls.delete(late);
    saved.delete(late);
  }
});

test("a list that never stops moving: exit 2's error, no report", async () => {
  // Every second page, the oldest merged pull request is updated: it jumps to the front each read.
  let stamp = Date.parse("2026-01-01T00:00:00Z");
  duringListing((page) => {
    if (page !== 2) return;
    const oldest = pr.merged
      .map((m) => repo.pull(m))
      .sort((a, b) => (String(a.updatedAt) < String(b.updatedAt) ? -1 : 1))[0]!;
    stamp += 1000;
    oldest.updatedAt = new Date(stamp).toISOString().replace(".000Z", "Z");
  });
  const failed = report();
  await expect(failed).rejects.toBeInstanceOf(ReportError);
  await expect(failed).rejects.toThrow(
    /the list of pull requests kept changing while it was read \(6 reads.*none is written/,
  );
});
