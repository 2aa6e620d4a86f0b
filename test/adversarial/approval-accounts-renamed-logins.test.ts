/**
 * A GitHub login is not a person: an account can be renamed, and the login it freed can be
 * claimed by another account. Each attack below gets an approval counted through a login that
 * changed hands, by the app's real paths (webhooks into the app, the fake GitHub answering):
 *
 * - `approval.users` pins a DBA's account; she renames and someone claims her login;
 * - a DBA who wrote a commit (and one who opened the pull request) renames, then approves under
 *   the new login;
 * - a DBA clicks "Approve migrations", leaves the DBA team and renames; a DBA-team account claims
 *   the old login, and the recorded click (by that login) would count as theirs;
 * - an old record (no account id) whose login is now nobody's;
 * - the login renamed and claimed while one evaluation reads its facts: one login, two accounts.
 *
 * The two "renamed author" attacks were held before (GitHub names every live fact by its
 * account's current login); they are pinned here, now compared by account id. The others got
 * through, or could not be expressed (a pinned entry).
 */
import { describe, expect, test } from "@jest/globals";
import type { FakeCheckRun, FakeRepo } from "../support/fake-github.mjs";
import {
  APPROVAL,
  clickEvent,
  mergedMigrations,
  pullRequestEvent,
  reviewEvent,
  type Harness,
  useHarness,
} from "../github/harness.js";

let h: Harness;
useHarness((created) => (h = created), { app: { replay: false } });

const OWNER = "Codertocat";
const TEAMS =
  "directories:\n  - path: migrations\n    dialect: postgres\napproval:\n  teams: [dba]\n";
const NOTE = { "migrations/0002_note.up.sql": "CREATE TABLE note (id int);\n" };

function latest(): FakeCheckRun {
  const r = h.runs(APPROVAL).at(-1);
  if (!r) throw new Error("no approval run");
  return r;
}

/** PR #2 by `user`, its one commit (adding a migration) by `author`. */
async function opened(
  config: string,
  { user = "dev", author = "dev" }: { user?: string; author?: string } = {},
): Promise<{ repo: FakeRepo; number: number }> {
  const repo = h.fake.createRepo(OWNER, "Hello-World", { defaultBranch: "master" });
  const base = repo.commit({
    branch: "master",
    files: { ".github/migration-warden.yml": config, ...mergedMigrations(1) },
  });
  const head = repo.commit({ parent: base, files: NOTE, author });
  const number = repo.openPullRequest({ number: 2, base: "master", head, user });
  await h.receive("pull_request", pullRequestEvent("opened", repo, number));
  return { repo, number };
}

async function reviewed(repo: FakeRepo, number: number, user: string): Promise<void> {
  const id = repo.review(number, { user, state: "APPROVED" });
  await h.receive("pull_request_review", reviewEvent("submitted", repo, number, id));
}

describe("approval.users pinned to an account", () => {
  const pinned = (id: number) =>
    `directories:\n  - path: migrations\n    dialect: postgres\napproval:\n  users:\n    - login: dba1\n      id: ${id}\n`;

  test("a claimed login does not approve: the evaluation fails naming approval.users", async () => {
    const dba = h.fake.accountId("dba1");
    h.fake.renameUser("dba1", "dba1-new");
    const { repo, number } = await opened(pinned(dba));
    // Mallory's new account claims the freed login and approves.
    const mallory = h.fake.accountId("dba1");
    expect(mallory).not.toBe(dba);
    await reviewed(repo, number, "dba1");
    expect(latest().conclusion).toBe("failure");
    expect(latest().output.summary).toContain(
      `approval.users: dba1 is pinned to account ${dba}, but GitHub's dba1 is now account ${mallory}`,
    );
  });

  test("the pinned account approves while it holds the login", async () => {
    const { repo, number } = await opened(pinned(h.fake.accountId("dba1")));
    await reviewed(repo, number, "dba1");
    expect([latest().conclusion, latest().output.title]).toEqual(["success", "Approved by @dba1"]);
  });

  test("a renamed pinned DBA fails closed until the entry is corrected (the login is freed)", async () => {
    const dba = h.fake.accountId("dba1");
    const { repo, number } = await opened(pinned(dba));
    h.fake.renameUser("dba1", "dba1-new");
    await reviewed(repo, number, "dba1-new");
    expect(latest().conclusion).toBe("failure");
    expect(latest().output.summary).toContain(
      `approval.users: dba1 is pinned to account ${dba}, but GitHub's dba1 is now no account`,
    );
  });
});

describe("a renamed author is still the author", () => {
  test("a DBA who wrote a commit as `al`, renamed `alice`, may not approve as `alice`", async () => {
    h.fake.setTeamMembership(OWNER, "dba", "al", "active");
    const { repo, number } = await opened(TEAMS, { author: "al" });
    h.fake.renameUser("al", "alice");
    // Someone else claims `al` (a different account, not the writer).
    h.fake.accountId("al");
    await reviewed(repo, number, "alice");
    expect(latest().conclusion).toBe("action_required");
    expect(latest().output.summary).toContain("authored, co-authored or committed a commit");
  });

  test("the pull request's author, renamed between two events, may not approve", async () => {
    h.fake.setTeamMembership(OWNER, "dba", "al", "active");
    const { repo, number } = await opened(TEAMS, { user: "al" });
    h.fake.renameUser("al", "alice");
    await reviewed(repo, number, "alice");
    expect(latest().conclusion).toBe("action_required");
    expect(latest().output.summary).toContain("opened the pull request");
  });
});

describe("a recorded click belongs to the account that clicked", () => {
  test("a DBA-team account that claims the clicker's old login does not inherit the click", async () => {
    h.fake.setTeamMembership(OWNER, "dba", "alice", "active");
    await opened(TEAMS);
    await h.receive("check_run", clickEvent(h.fake, latest(), "alice"));
    expect(latest().conclusion).toBe("success");
    const clicker = h.fake.accountId("alice");
    expect(latest().external_id).toContain(`;by=alice;id=${clicker};`);

    // alice leaves the DBA team and renames; another DBA-team account takes the login.
    h.fake.setTeamMembership(OWNER, "dba", "alice", null);
    h.fake.renameUser("alice", "alice-old");
    h.fake.setTeamMembership(OWNER, "dba", "alice", "active");
    expect(h.fake.accountId("alice")).not.toBe(clicker);

    const { repo, number } = { repo: h.fake.repo(OWNER, "Hello-World"), number: 2 };
    await h.receive("pull_request", pullRequestEvent("synchronize", repo, number));
    expect(latest().conclusion).toBe("action_required");
    expect(latest().output.summary).toContain(
      `clicked by account ${clicker} as @alice, but @alice is now another account`,
    );
  });

  test("an old record without an account id does not count once nobody holds its login", async () => {
    h.fake.setTeamMembership(OWNER, "dba", "alice", "active");
    const { repo, number } = await opened(TEAMS);
    const digest = latest().external_id.split("digest=")[1]!;
    // A click recorded by the previous version (no id), then alice renames.
    h.fake.addCheckRun(repo, {
      name: APPROVAL,
      head_sha: repo.pullJSON(number).head.sha,
      external_id: `mw-approval/2;pr=2;digest=${digest};by=alice;at=${new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, "Z")}`,
    });
    await h.receive("pull_request", pullRequestEvent("synchronize", repo, number));
    expect(latest().conclusion).toBe("success");
    h.fake.accountId("alice");
    h.fake.renameUser("alice", "alice-old");
    await h.receive("pull_request", pullRequestEvent("synchronize", repo, number));
    expect(latest().conclusion).toBe("action_required");
    expect(latest().output.summary).toContain("no account holds the login @alice now");
  });
});

describe("one login, two accounts in one evaluation", () => {
  test("a login renamed and claimed while the facts are read fails closed", async () => {
    const config =
      "directories:\n  - path: migrations\n    dialect: postgres\napproval:\n  users: [alice]\n";
    const { repo, number } = await opened(config, { author: "alice" });
    const id = repo.review(number, { user: "bob", state: "APPROVED" });
    // Right after the first query names alice (the commit's author) as her account, alice
    // renames and another account claims the login, which the resolution of approval.users
    // then names.
    h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenPullRequest",
      afterAnswer: () => {
        h.fake.renameUser("alice", "alice-old");
        h.fake.accountId("alice");
      },
    });
    await h.receive("pull_request_review", reviewEvent("submitted", repo, number, id));
    expect(latest().conclusion).toBe("failure");
    expect(latest().output.summary).toContain("GitHub names two accounts @alice");
  });
});

describe("what resolving logins costs", () => {
  const accountReads = () =>
    h.fake.requests.filter(
      (r) =>
        r.path === "/graphql" &&
        /^query MigrationWardenAccounts\b/.test(String((r.body as { query: string }).query)),
    );

  test("teams and reviews: no request; approval.users: one per event", async () => {
    h.fake.setTeamMembership(OWNER, "dba", "alice", "active");
    const teams = await opened(TEAMS);
    await reviewed(teams.repo, teams.number, "alice");
    expect(latest().conclusion).toBe("success");
    expect(accountReads()).toHaveLength(0);

    const users =
      "directories:\n  - path: migrations\n    dialect: postgres\napproval:\n  users: [alice, bob]\n";
    const listed = h.fake.createRepo(OWNER, "Listed", { defaultBranch: "master" });
    const base = listed.commit({
      branch: "master",
      files: { ".github/migration-warden.yml": users, ...mergedMigrations(1) },
    });
    const head = listed.commit({ parent: base, files: NOTE, author: "dev" });
    const number = listed.openPullRequest({ number: 2, base: "master", head, user: "dev" });
    h.fake.clearRequests();
    await reviewed(listed, number, "alice");
    expect(
      h
        .runs(APPROVAL)
        .filter((r) => r.repo === listed)
        .at(-1)!.conclusion,
    ).toBe("success");
    // Both listed logins in one request.
    expect(accountReads()).toHaveLength(1);
  });
});
