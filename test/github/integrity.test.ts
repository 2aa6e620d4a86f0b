/**
 * Gate integrity (issue 11): every way around the lint and approval checks that works through
 * GitHub events, reproduced against the in-memory GitHub through the webhook handler, each with
 * the orderings and lost deliveries an attacker can arrange. (The directory-type attacks are in
 * changeset.test.ts, the end-to-end versions through the real server in test/e2e/server.test.ts.)
 */
import { describe, expect, test } from "@jest/globals";
import type { FakeCheckRun, FakeRepo, FileSpec } from "../support/fake-github.mjs";
import {
  APPROVAL,
  approvalFactsOutOfFirstRead,
  clickEvent,
  LINT,
  mergedMigrations,
  pullRequestEvent,
  reviewEvent,
  type Harness,
  useHarness,
} from "./harness.js";

let h: Harness;
useHarness((created) => (h = created), { app: { replay: false } });

const OWNER = "Codertocat";
const CONFIG = (approval = "  teams: [dba]\n", extra = "") =>
  `directories:\n  - path: migrations\n    dialect: postgres\napproval:\n${approval}${extra}`;
/** A migration that deletes every row (dml-without-where: an error). */
const WIPE = {
  "migrations/0002_wipe.up.sql": "DELETE FROM t1;\n",
  "migrations/0002_wipe.down.sql": "SELECT 1;\n",
};

/** ISO time, whole seconds, `s` seconds from now. */
const inSeconds = (s: number) =>
  new Date(Date.now() + s * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

interface World {
  repo: FakeRepo;
  master: string;
}

/**
 * Codertocat/Hello-World: master has the config and one merged migration; alice and bob are
 * DBAs. `defaultBranch` names the default branch (created by the test when not master).
 */
function world(config = CONFIG(), defaultBranch = "master"): World {
  const repo = h.fake.createRepo(OWNER, "Hello-World", { defaultBranch });
  const master = repo.commit({
    branch: "master",
    files: { ".github/migration-warden.yml": config, ...mergedMigrations(1) },
  });
  h.fake.setTeamMembership(OWNER, "dba", "alice", "active");
  h.fake.setTeamMembership(OWNER, "dba", "bob", "active");
  return { repo, master };
}

/** Branch `name` = `from` + files, by `author`. */
function branch(
  w: World,
  name: string,
  from: string,
  files: Record<string, FileSpec>,
  author = "dev",
): string {
  return w.repo.commit({ branch: name, parent: from, files, author });
}

async function event(w: World, action: string, number: number): Promise<void> {
  await h.receive("pull_request", pullRequestEvent(action, w.repo, number));
}

async function reviewed(w: World, number: number, user: string, state: string, at?: string) {
  const id = w.repo.review(number, { user, state, ...(at ? { submittedAt: at } : {}) });
  await h.receive("pull_request_review", reviewEvent("submitted", w.repo, number, id));
  return id;
}

function latest(name: string, sha?: string): FakeCheckRun {
  const r = h
    .runs(name)
    .filter((x) => sha === undefined || x.head_sha === sha)
    .at(-1);
  if (!r) throw new Error(`no ${name} run`);
  return r;
}

const state = (name = APPROVAL, sha?: string) => {
  const r = latest(name, sha);
  return [r.conclusion, r.output.title] as const;
};

/** The edited delivery GitHub sends when the base changes (`changes.base`). */
function retargeted(w: World, number: number, from: string): any {
  const payload = pullRequestEvent("edited", w.repo, number);
  payload.changes = { base: { ref: { from }, sha: { from: w.repo.branches.get(from) } } };
  payload.pull_request.updated_at = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  return payload;
}

describe("retargeting after approval (issue 11.2)", () => {
  /**
   * x (the default branch) holds a migration that deletes every row, master (protected) does not;
   * feat = x + a README edit (with `benign`, also a harmless new migration). PR #1 feat → x shows
   * only that: alice, a DBA, approves it. Then the author retargets it to master, where the diff
   * now contains the wipe.
   */
  async function approvedAgainstX(how: "review" | "click" = "review") {
    const w = world(CONFIG(), "x");
    const x = branch(w, "x", w.master, WIPE);
    const head = branch(w, "feat", x, {
      "README.md": "docs\n",
      ...(how === "click"
        ? {
            "migrations/0003_note.up.sql": "CREATE TABLE note (id int);\n",
            "migrations/0003_note.down.sql": "DROP TABLE note;\n",
          }
        : {}),
    });
    const n = w.repo.openPullRequest({ number: 1, base: "x", head, user: "dev" });
    await event(w, "opened", n);
    if (how === "review") {
      expect(state()).toEqual(["success", "No migration changed"]);
      await reviewed(w, n, "alice", "APPROVED");
    } else {
      await h.receive("check_run", clickEvent(h.fake, latest(APPROVAL), "alice"));
      expect(state()).toEqual(["success", "Approved by @alice"]);
    }
    return { w, n, head };
  }

  test("an approval against x does not follow the pull request to master", async () => {
    const { w, n } = await approvedAgainstX();
    w.repo.retarget(n, "master");
    await h.receive("pull_request", retargeted(w, n, "x"));
    expect(state()).toEqual(["action_required", "Waiting for DBA approval (0 of 1)"]);
    expect(latest(APPROVAL).output.summary).toContain("given before the base branch changed (at ");
    // The wipe is now the pull request's own change against master.
    expect(state(LINT)[0]).toBe("failure");
  });

  test("a click recorded against x does not count after retargeting either", async () => {
    const { w, n } = await approvedAgainstX("click");
    w.repo.retarget(n, "master");
    await h.receive("pull_request", retargeted(w, n, "x"));
    expect(state()).toEqual(["action_required", "Waiting for DBA approval (0 of 1)"]);
    expect(latest(APPROVAL).output.summary).toContain(
      "given against another base branch (a pull request it covered was retargeted since)",
    );
  });

  test("a lost edited delivery changes nothing: the next event finds the base change", async () => {
    const { w, n } = await approvedAgainstX();
    w.repo.retarget(n, "master");
    // No edited delivery; a later comment review triggers an evaluation.
    await reviewed(w, n, "mallory", "COMMENTED");
    expect(state()[0]).toBe("action_required");
  });

  test("an edited delivery arriving before GitHub lists the base change still voids", async () => {
    const { w, n } = await approvedAgainstX();
    // The base changed, but the issue events do not show it yet.
    w.repo.pull(n).base = "master";
    const payload = retargeted(w, n, "x");
    await h.receive("pull_request", payload);
    expect(state()[0]).toBe("action_required");
    expect(w.repo.eventsJSON(n)).toEqual([]);
  });

  test("master → x → master: an approval given before the round trip stays void", async () => {
    const w = world(CONFIG(), "x");
    branch(w, "x", w.master, WIPE);
    const head = branch(w, "feat", w.master, {
      "migrations/0003_note.up.sql": "CREATE TABLE note (id int);\n",
      "migrations/0003_note.down.sql": "DROP TABLE note;\n",
    });
    const n = w.repo.openPullRequest({ number: 1, base: "master", head, user: "dev" });
    await event(w, "opened", n);
    await reviewed(w, n, "alice", "APPROVED");
    expect(state()).toEqual(["success", "Approved by @alice"]);
    w.repo.retarget(n, "x");
    await h.receive("pull_request", retargeted(w, n, "master"));
    w.repo.retarget(n, "master");
    await h.receive("pull_request", retargeted(w, n, "x"));
    expect(w.repo.pullJSON(n).base.ref).toBe("master");
    expect(state()).toEqual(["action_required", "Waiting for DBA approval (0 of 1)"]);
  });

  test("GitHub's own retargeting (the old base deleted after a merge) voids too", async () => {
    const { w, n } = await approvedAgainstX();
    w.repo.retarget(n, "master", { automatic: true });
    await reviewed(w, n, "mallory", "COMMENTED");
    expect(state()[0]).toBe("action_required");
  });

  test("a review after the base change counts", async () => {
    const { w, n } = await approvedAgainstX();
    w.repo.retarget(n, "master");
    await h.receive("pull_request", retargeted(w, n, "x"));
    expect(state()[0]).toBe("action_required");
    await reviewed(w, n, "bob", "APPROVED", inSeconds(2));
    expect(state()).toEqual(["success", "Approved by @bob"]);
  });

  test("a click on a run evaluated against the old base is refused after retargeting", async () => {
    const w = world(CONFIG(), "x");
    const x = branch(w, "x", w.master, WIPE);
    const head = branch(w, "feat", x, {
      "migrations/0003_note.up.sql": "CREATE TABLE note (id int);\n",
      "migrations/0003_note.down.sql": "DROP TABLE note;\n",
    });
    const n = w.repo.openPullRequest({ number: 1, base: "x", head, user: "dev" });
    await event(w, "opened", n);
    const old = latest(APPROVAL);
    expect(old.actions.map((a) => a.identifier)).toEqual(["approve"]);
    // Retargeted; the click on the old run arrives before (or without) the edited delivery.
    w.repo.retarget(n, "master", { at: inSeconds(-5) });
    await h.receive("check_run", clickEvent(h.fake, old, "alice"));
    expect(state()[0]).toBe("action_required");
    expect(latest(APPROVAL).output.summary).toContain(
      "the base branch of a pull request this check run covered changed since it was created; use the latest check run",
    );
    expect(h.runs(APPROVAL).filter((r) => r.external_id.includes(";by="))).toEqual([]);
  });
});

describe("a change request outranks earlier approvals (issue 11.3)", () => {
  async function opened() {
    const w = world();
    const head = branch(w, "feat", w.master, WIPE);
    const n = w.repo.openPullRequest({ number: 1, base: "master", head, user: "dev" });
    await event(w, "opened", n);
    return { w, n };
  }

  test("click, change request, the author dismisses it: the click does not revive", async () => {
    const { w, n } = await opened();
    await h.receive("check_run", clickEvent(h.fake, latest(APPROVAL), "alice"));
    expect(state()).toEqual(["success", "Approved by @alice"]);
    const cr = await reviewed(w, n, "alice", "CHANGES_REQUESTED", inSeconds(1));
    expect(state()).toEqual(["failure", "Changes requested by @alice"]);
    w.repo.dismissReview(n, cr);
    await h.receive("pull_request_review", reviewEvent("dismissed", w.repo, n, cr));
    expect(state()).toEqual(["action_required", "Waiting for DBA approval (0 of 1)"]);
    expect(latest(APPROVAL).output.summary).toContain("they requested changes afterwards (review");
    expect(latest(APPROVAL).output.summary).toContain("since dismissed");
  });

  test("the dismissal delivery lost: a later evaluation still sees the change request", async () => {
    const { w, n } = await opened();
    await h.receive("check_run", clickEvent(h.fake, latest(APPROVAL), "alice"));
    const cr = w.repo.review(n, {
      user: "alice",
      state: "CHANGES_REQUESTED",
      submittedAt: inSeconds(1),
    });
    w.repo.dismissReview(n, cr);
    await event(w, "synchronize", n);
    expect(state()[0]).toBe("action_required");
  });

  test("a newer click after the dismissal counts again", async () => {
    const { w, n } = await opened();
    await h.receive("check_run", clickEvent(h.fake, latest(APPROVAL), "alice"));
    const cr = w.repo.review(n, {
      user: "alice",
      state: "CHANGES_REQUESTED",
      submittedAt: inSeconds(-60),
    });
    w.repo.dismissReview(n, cr);
    await event(w, "synchronize", n);
    // The click above came after the (back-dated) change request: it counts.
    expect(state()).toEqual(["success", "Approved by @alice"]);
  });
});

describe("a decoy pull request on the same head (issue 11.4)", () => {
  /** decoy = master + a migration that wipes a table; feat = decoy + a README edit. */
  function decoy(config?: string) {
    const w = world();
    const d = branch(w, "decoy", w.master, {
      ...WIPE,
      ...(config ? { ".github/migration-warden.yml": config } : {}),
    });
    const head = branch(w, "feat", d, { "README.md": "docs\n" });
    return { w, head };
  }

  test("feat → decoy changes no migration, yet neither check passes on its head", async () => {
    const { w, head } = decoy();
    const n = w.repo.openPullRequest({ number: 1, base: "decoy", head, user: "dev" });
    await event(w, "opened", n);
    // The pull request feat → master with the same head is opened, and its delivery is lost:
    // branch protection on master reads the runs already on the head.
    w.repo.openPullRequest({ number: 2, base: "master", head, user: "dev" });
    expect(state(LINT, head)).toEqual([
      "failure",
      "Against master: 1 error, 0 warnings, 0 notices",
    ]);
    expect(state(APPROVAL, head)).toEqual([
      "action_required",
      "#1 as proposed to master: Waiting for DBA approval (0 of 1)",
    ]);
    const lint = latest(LINT, head);
    expect(lint.output.summary).toContain("## As proposed to `master`");
    expect(lint.annotations.map((a) => [a.path, a.title])).toEqual([
      ["migrations/0002_wipe.up.sql", "dml-without-where"],
    ]);
    expect(latest(APPROVAL, head).output.summary).toContain(
      "This commit carries migration content that **master**, the default branch, does not have.",
    );
  });

  test("the decoy's own weaker configuration does not apply to the default branch's view", async () => {
    const weak = CONFIG("  required: never\n", "rules:\n  dml-without-where: off\n");
    const { w, head } = decoy(weak);
    const n = w.repo.openPullRequest({ number: 1, base: "decoy", head, user: "dev" });
    await event(w, "opened", n);
    expect(state(LINT, head)[0]).toBe("failure");
    expect(state(APPROVAL, head)[0]).toBe("action_required");
  });

  test("an approver eligible only under the decoy's policy does not count for master", async () => {
    const { w, head } = decoy(CONFIG("  users: [mallory]\n"));
    const n = w.repo.openPullRequest({ number: 1, base: "decoy", head, user: "dev" });
    await event(w, "opened", n);
    await reviewed(w, n, "mallory", "APPROVED");
    expect(state(APPROVAL, head)).toEqual([
      "action_required",
      "#1 as proposed to master: Waiting for DBA approval (0 of 1)",
    ]);
  });

  test("a DBA's click on the run that shows master's view approves that content", async () => {
    const { w, head } = decoy();
    const n = w.repo.openPullRequest({ number: 1, base: "decoy", head, user: "dev" });
    await event(w, "opened", n);
    await h.receive("check_run", clickEvent(h.fake, latest(APPROVAL, head), "alice"));
    expect(state(APPROVAL, head)).toEqual(["success", "Approved by @alice"]);
    expect(latest(APPROVAL, head).output.summary).toContain("- **recorded** as an approval for #1");
  });

  test("a pull request that merely lags behind the default branch still passes", async () => {
    const w = world();
    // develop and feat branch off an old master; master then gets a new migration.
    const develop = branch(w, "develop", w.master, { "docs/develop.md": "x\n" });
    const head = branch(w, "feat", develop, { "README.md": "docs\n" });
    w.repo.commit({
      branch: "master",
      files: {
        "migrations/0002_more.up.sql": "CREATE TABLE more (id int);\n",
        "migrations/0002_more.down.sql": "DROP TABLE more;\n",
      },
    });
    const n = w.repo.openPullRequest({ number: 1, base: "develop", head, user: "dev" });
    await event(w, "opened", n);
    expect(state(LINT, head)).toEqual(["success", "No migration changes"]);
    expect(state(APPROVAL, head)).toEqual(["success", "No migration changed"]);
  });

  test("an invalid configuration on the default branch fails both checks of such a head", async () => {
    const { w, head } = decoy();
    w.repo.commit({
      branch: "master",
      files: { ".github/migration-warden.yml": CONFIG("  count: 0\n") },
    });
    const n = w.repo.openPullRequest({ number: 1, base: "decoy", head, user: "dev" });
    await event(w, "opened", n);
    expect(state(LINT, head)).toEqual([
      "failure",
      "Against master: Invalid configuration on master",
    ]);
    expect(state(APPROVAL, head)[0]).toBe("failure");
  });
});

describe("Co-authored-by trailers name contributors (issue 11)", () => {
  const NOTE = {
    "migrations/0002_note.up.sql": "CREATE TABLE note (id int);\n",
    "migrations/0002_note.down.sql": "DROP TABLE note;\n",
  };

  async function coAuthored(message: string) {
    const w = world();
    const head = w.repo.commit({ parent: w.master, files: NOTE, author: "dev", message });
    const n = w.repo.openPullRequest({ number: 1, base: "master", head, user: "dev" });
    await event(w, "opened", n);
    return { w, n };
  }

  test("a DBA named as co-author may not approve the change", async () => {
    h.fake.linkEmail("alice@corp.example", "alice");
    const { w, n } = await coAuthored(
      "Add note\n\nPaired on the schema.\n\nCo-authored-by: Alice Example <alice@corp.example>",
    );
    await reviewed(w, n, "alice", "APPROVED");
    expect(state()).toEqual(["action_required", "Waiting for DBA approval (0 of 1)"]);
    expect(latest(APPROVAL).output.summary).toContain(
      "authored, co-authored or committed a commit of the pull request (approval.allowContributors is false)",
    );
    // Another DBA may.
    await reviewed(w, n, "bob", "APPROVED");
    expect(state()).toEqual(["success", "Approved by @bob"]);
  });

  test("a co-author whose email GitHub links to no account fails closed, naming why", async () => {
    const { w, n } = await coAuthored(
      "Add note\n\nCo-authored-by: Someone <someone@elsewhere.example>",
    );
    await reviewed(w, n, "alice", "APPROVED");
    expect(state()).toEqual(["failure", "Commit authors unknown: approvals cannot be verified"]);
    expect(latest(APPROVAL).output.summary).toContain(
      "an author, committer or co-author (Co-authored-by) whose email is not linked to a GitHub account",
    );
  });

  test("a bot co-author (noreply address) is a known account", async () => {
    const { w, n } = await coAuthored(
      "Add note\n\nCo-authored-by: dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>",
    );
    await reviewed(w, n, "alice", "APPROVED");
    expect(state()).toEqual(["success", "Approved by @alice"]);
  });

  test("co-authors are looked up only for commits that name any, in one GraphQL request", async () => {
    h.fake.linkEmail("alice@corp.example", "alice");
    const w = world();
    const first = w.repo.commit({ parent: w.master, files: NOTE, author: "dev" });
    const head = w.repo.commit({
      parent: first,
      files: { "docs/x.md": "x\n" },
      author: "dev",
      message: "Docs\n\nCo-authored-by: Alice <alice@corp.example>",
    });
    const n = w.repo.openPullRequest({ number: 1, base: "master", head, user: "dev" });
    h.fake.clearRequests();
    await event(w, "opened", n);
    const graphql = h.fake.requests.filter(
      (r) =>
        r.path === "/graphql" &&
        !/MigrationWarden(Gather|CreateCheckRuns|UpdateCheckRuns)\b/.test(
          String((r.body as { query?: string }).query),
        ),
    );
    // The approval facts list the co-authors with the commits (no request of their own), in the
    // first query with the pull request and its base config.
    expect(graphql.map((r) => String((r.body as { query: string }).query).split("(")[0])).toEqual([
      "query MigrationWardenPullRequest",
    ]);
    await reviewed(w, n, "alice", "APPROVED");
    expect(state()[0]).toBe("action_required");
  });

  test("GitHub failing to say who the co-authors are fails the approval check", async () => {
    h.fake.linkEmail("alice@corp.example", "alice");
    const { w, n } = await coAuthored("Add note\n\nCo-authored-by: Alice <alice@corp.example>");
    // The approval facts' query fails (read by REST then), and so does the co-author query (the
    // git objects' GraphQL request has its REST fallback).
    approvalFactsOutOfFirstRead(h.fake);
    h.fake.graphqlFault({ executed: true, operation: "MigrationWardenPullFacts", error: "x" });
    h.fake.failNext({
      method: "POST",
      path: /^\/graphql$/,
      match: (r) => /MigrationWardenCoAuthors/.test(String((r.body as { query?: string }).query)),
      status: 502,
      times: 4,
    });
    await reviewed(w, n, "bob", "APPROVED");
    expect(state()[0]).toBe("failure");
    expect(latest(APPROVAL).output.summary).toContain("reading the co-authors of 1 commit failed");
  });
});
