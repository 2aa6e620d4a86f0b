/**
 * The push audit (issue 12 §2): `migration-warden/audit` on pushes to audited branches, through
 * the app and the fake GitHub. Each attacker's way around it has its test here.
 */
import { describe, expect, test } from "@jest/globals";
import { encodeGroupRunId } from "../../src/core/approval/group.js";
import { APPROVAL, pushEvent, type Harness, useHarness } from "./harness.js";
import {
  approvedPullRequest,
  AUDIT,
  dbaConfig,
  dbaRepository,
  latestOn,
  push,
} from "./repositories.js";

let h: Harness;
useHarness((created) => (h = created), { app: { replay: false } });

const CONFIG = (more = "") => dbaConfig(["migrations"], more);
const NOTE = {
  "migrations/0002_note.up.sql": "CREATE TABLE note (id int);\n",
  "migrations/0002_note.down.sql": "DROP TABLE note;\n",
};

let repoCount = 0;

/** Hello-World-n on master with one merged migration pair and the policy. */
function repository(config = CONFIG()) {
  return dbaRepository(h.fake, `Hello-World-${++repoCount}`, config);
}

function audit(sha: string) {
  const r = latestOn(h, AUDIT, sha);
  if (!r) throw new Error(`no ${AUDIT} run on ${sha}`);
  return r;
}

describe("the push audit", () => {
  test("a merged, approved pull request: success, naming the pull request and its approval", async () => {
    const { repo } = repository();
    const { number } = await approvedPullRequest(h, repo, NOTE);
    const before = repo.branches.get("master")!;
    const merge = repo.mergePullRequest(number);
    repo.branches.set("master", before);
    h.fake.clearRequests();
    await push(h, repo, "master", merge, { pusher: "web-flow" });
    const run = audit(merge);
    expect([run.conclusion, run.output.title]).toEqual([
      "success",
      "Every migration change is covered by an approval",
    ]);
    expect(run.output.summary).toContain("`migrations/0002_note.up.sql`");
    expect(run.output.summary).toContain(`#${number}`);
    expect(h.schemaErrors()).toEqual([]);
    // The pushed commits' pull requests in one GraphQL request, not one REST request each.
    expect(h.calls().filter((c) => /\/commits\/[0-9a-f]+\/pulls/.test(c))).toEqual([]);
    expect(h.calls().filter((c) => c.startsWith("POST /graphql"))).toHaveLength(1);
    // One write: the run is created already completed (issue 15).
    expect(h.calls().filter((c) => /^(POST|PATCH) .*\/check-runs/.test(c))).toHaveLength(1);
    expect(run.history).toEqual([{ status: "completed", conclusion: "success" }]);
  });

  test("a squash merge of an approved pull request is covered too", async () => {
    const { repo } = repository();
    const { number } = await approvedPullRequest(h, repo, NOTE);
    const before = repo.branches.get("master")!;
    const merge = repo.mergePullRequest(number, { method: "squash" });
    repo.branches.set("master", before);
    await push(h, repo, "master", merge);
    expect(audit(merge).conclusion).toBe("success");
  });

  test("a success never hides another branch's failing audit of the same commit", async () => {
    const { repo } = repository();
    const { number } = await approvedPullRequest(h, repo, NOTE);
    const before = repo.branches.get("master")!;
    const merge = repo.mergePullRequest(number);
    repo.branches.set("master", before);
    // The same commit failed its audit on another branch (e.g. pushed there under a looser policy).
    h.fake.addCheckRun(repo, {
      name: AUDIT,
      head_sha: merge,
      external_id: "mw-audit/1;branch=sidecar",
      conclusion: "failure",
    });
    await push(h, repo, "master", merge);
    const run = audit(merge);
    expect([run.conclusion, run.output.title]).toEqual([
      "failure",
      "Failed on sidecar; covered on master",
    ]);
    expect(run.output.summary).toContain("## Failed on another branch");
    // Another app's look-alike failure does not count (nor would its success).
    const other = await approvedPullRequest(h, repo, {
      "migrations/0003_memo.up.sql": "CREATE TABLE memo (id int);\n",
      "migrations/0003_memo.down.sql": "DROP TABLE memo;\n",
    });
    const b2 = repo.branches.get("master")!;
    const m2 = repo.mergePullRequest(other.number);
    repo.branches.set("master", b2);
    h.fake.addCheckRun(repo, {
      appId: 15368,
      name: AUDIT,
      head_sha: m2,
      external_id: "mw-audit/1;branch=sidecar",
      conclusion: "failure",
    });
    await push(h, repo, "master", m2);
    expect(audit(m2).conclusion).toBe("success");
  });

  test("a direct push editing a merged migration fails, naming the file, commit and pusher", async () => {
    const { repo, master } = repository();
    const edit = repo.commit({
      parent: master,
      files: { "migrations/0001_t1.up.sql": "CREATE TABLE t1 (id int PRIMARY KEY);\n" },
      author: "mallory",
    });
    await push(h, repo, "master", edit);
    const run = audit(edit);
    expect([run.conclusion, run.output.title]).toEqual(["failure", "1 merged migration altered"]);
    expect(run.output.summary).toContain("## Merged migrations altered");
    expect(run.output.summary).toMatch(
      new RegExp(
        `\\| \`migrations/0001_t1.up.sql\` \\| edited \\| \`${edit.slice(0, 12)}\` \\| mallory \\|`,
      ),
    );
  });

  test("deleting and renaming merged migrations fail", async () => {
    const { repo, master } = repository();
    const c = repo.commit({
      parent: master,
      files: {
        "migrations/0001_t1.down.sql": null,
        "migrations/0001_t1.up.sql": null,
        "migrations/0009_t1.up.sql": "CREATE TABLE t1 (id bigint PRIMARY KEY);\n",
      },
    });
    await push(h, repo, "master", c);
    const run = audit(c);
    expect(run.conclusion).toBe("failure");
    expect(run.output.summary).toContain(
      "| `migrations/0001_t1.up.sql` → `migrations/0009_t1.up.sql` | renamed |",
    );
    expect(run.output.summary).toContain("| `migrations/0001_t1.down.sql` | deleted |");
  });

  test("a direct push adding an unapproved migration fails", async () => {
    const { repo, master } = repository();
    const c = repo.commit({ parent: master, files: NOTE });
    await push(h, repo, "master", c);
    const run = audit(c);
    expect([run.conclusion, run.output.title]).toEqual([
      "failure",
      "2 migration files without approval",
    ]);
  });

  test("a force push over migration history fails", async () => {
    const { repo, master } = repository();
    const { number } = await approvedPullRequest(h, repo, NOTE);
    const merged = repo.mergePullRequest(number);
    // Someone resets master to before the merge, with an unrelated commit on top.
    const rewritten = repo.commit({ parent: master, files: { "README.md": "hello\n" } });
    repo.branches.set("master", merged);
    await push(h, repo, "master", rewritten, { forced: true });
    const run = audit(rewritten);
    expect([run.conclusion, run.output.title]).toEqual(["failure", "migration history rewritten"]);
    expect(run.output.summary).toContain("(**force push**)");
    expect(run.output.summary).toContain("| `migrations/0002_note.up.sql` | added |");
  });

  test("a push touching no migration and not the policy writes nothing", async () => {
    const { repo, master } = repository();
    const c = repo.commit({ parent: master, files: { "README.md": "docs\n", "src/a.go": "x" } });
    await push(h, repo, "master", c);
    expect(h.runs(AUDIT)).toEqual([]);
  });

  test("a branch deletion and a tag write nothing", async () => {
    const { repo, master } = repository();
    repo.branches.set("old", master);
    await h.receive("push", pushEvent(h.fake, repo, "old", master, null));
    const tag = pushEvent(h.fake, repo, "master", null, master);
    tag.ref = "refs/tags/v1";
    await h.receive("push", tag);
    expect(h.runs(AUDIT)).toEqual([]);
  });

  test("a branch the audit does not cover writes nothing", async () => {
    const { repo, master } = repository();
    repo.branches.set("feature", master);
    const c = repo.commit({
      parent: master,
      files: { "migrations/0001_t1.up.sql": "DROP TABLE t1;\n" },
    });
    await push(h, repo, "feature", c);
    expect(h.runs(AUDIT)).toEqual([]);
  });

  test("audit.branches globs: release/* is audited, and a new branch against the default branch", async () => {
    const { repo, master } = repository(CONFIG('audit:\n  branches: [master, "release/*"]\n'));
    const c = repo.commit({
      parent: master,
      files: { "migrations/0001_t1.up.sql": "DROP TABLE t1;\n" },
    });
    // Created by this push: compared with its merge base with master.
    await push(h, repo, "release/1.0", c);
    const run = audit(c);
    expect(run.conclusion).toBe("failure");
    expect(run.output.summary).toContain("its merge base with the default branch");
    expect(run.output.summary).toContain("`migrations/0001_t1.up.sql`");
    const other = repo.commit({ parent: master, files: { "migrations/0001_t1.up.sql": "x" } });
    await push(h, repo, "release-1.0", other);
    expect(latestOn(h, AUDIT, other)).toBeUndefined();
  });
});

describe("merge queues", () => {
  /**
   * The queue's group head: the approved pull request's change on top of master, carrying a
   * passing group approval run of this app (`mw-merge-group/1;digest=…;base=master`, what the
   * merge_group handler writes; its real flow is landed in test/github/merge-group.test.ts).
   */
  async function groupHead(files: Record<string, string>) {
    const { repo, master } = repository();
    const { head } = await approvedPullRequest(h, repo, NOTE);
    const group = repo.commit({ parent: master, files, message: "Merge queue group" });
    // The digest the pull request's approval recorded: the group head carries the same content.
    const digest = /digest=([0-9a-f]{64})/.exec(
      latestOn(h, APPROVAL, head)!.external_id ?? "",
    )![1]!;
    h.fake.addCheckRun(repo, {
      name: APPROVAL,
      head_sha: group,
      external_id: encodeGroupRunId("master", digest)!,
    });
    return { repo, group };
  }

  test("the group head's own passing approval run covers the push that lands it", async () => {
    const { repo, group } = await groupHead(NOTE);
    await push(h, repo, "master", group);
    const run = audit(group);
    expect(run.conclusion).toBe("success");
    expect(run.output.summary).toContain(`\`${group.slice(0, 12)}\``);
  });

  test("a group head whose content is not what its approval run recorded is not covered", async () => {
    const { repo, group } = await groupHead({
      ...NOTE,
      "migrations/0003_more.up.sql": "DROP TABLE t1;\n",
    });
    await push(h, repo, "master", group);
    const run = audit(group);
    expect([run.conclusion, run.output.title]).toEqual([
      "failure",
      "3 migration files without approval",
    ]);
  });
});

describe("the push audit against an attacker", () => {
  test("what GitHub does not answer fails the audit closed, with the reason", async () => {
    const { repo, master } = repository();
    const c = repo.commit({ parent: master, files: NOTE });
    h.fake.failNext({ method: "GET", path: /\/compare\//, status: 404, message: "Not Found" });
    await expect(push(h, repo, "master", c)).rejects.toThrow();
    const run = audit(c);
    expect([run.conclusion, run.output.title]).toEqual(["failure", "Audit incomplete"]);
    expect(run.output.summary).toContain("404");
  });

  test("the policy before the push unreadable: the default branch's audit fails closed", async () => {
    const { repo, master } = repository();
    const c = repo.commit({ parent: master, files: NOTE });
    h.fake.failNext({ method: "GET", path: /\/contents\//, status: 403, message: "Forbidden" });
    await expect(push(h, repo, "master", c)).rejects.toThrow();
    expect([audit(c).conclusion, audit(c).output.title]).toEqual(["failure", "Audit incomplete"]);
  });

  test("a push that also drops the directory from the config is audited with the config from before", async () => {
    const { repo, master } = repository();
    const c = repo.commit({
      parent: master,
      files: {
        ...NOTE,
        ".github/migration-warden.yml":
          "directories:\n  - path: elsewhere\n    dialect: postgres\napproval:\n  teams: [dba]\n",
      },
    });
    await push(h, repo, "master", c);
    const run = audit(c);
    expect(run.conclusion).toBe("failure");
    expect(run.output.title).toBe(
      "2 migration files without approval, policy weakened without a pull request",
    );
    expect(run.output.summary).toContain(
      "| `directories` | removed migrations; added elsewhere (now elsewhere) | **yes** |",
    );
  });

  test("a commit of an approved pull request with other content than the approved head", async () => {
    const { repo } = repository();
    const { head, number } = await approvedPullRequest(h, repo, NOTE);
    // Pushed on top of the approved head: the up file differs, the down file does not.
    const sneaky = repo.commit({
      parent: head,
      files: { "migrations/0002_note.up.sql": "DROP TABLE t1;\n" },
    });
    // GitHub marks a pull request merged when its commits reach the base by a push.
    Object.assign(repo.pull(number), {
      state: "closed",
      mergedAt: "2026-01-01T00:00:00Z",
      mergeCommitSha: sneaky,
    });
    await push(h, repo, "master", sneaky);
    const run = audit(sneaky);
    expect([run.conclusion, run.output.title]).toEqual([
      "failure",
      "1 migration file without approval",
    ]);
    expect(run.output.summary).toMatch(
      /## Migration content without approval[^#]*`migrations\/0002_note.up.sql`/,
    );
    expect(run.output.summary).toMatch(
      /## Covered by approvals[^#]*`migrations\/0002_note.down.sql`/,
    );
  });

  test("a pull request approved against another base does not cover a push to master", async () => {
    const { repo, master } = repository();
    repo.branches.set("release", master);
    const { head, number } = await approvedPullRequest(h, repo, NOTE, "release");
    Object.assign(repo.pull(number), {
      state: "closed",
      mergedAt: "2026-01-01T00:00:00Z",
      mergeCommitSha: head,
    });
    // Fast-forwarded onto master: the head carries a passing approval run, bound to release.
    await push(h, repo, "master", head);
    const run = audit(head);
    expect([run.conclusion, run.output.title]).toEqual([
      "failure",
      "2 migration files without approval",
    ]);
  });

  test('a commit message claiming "(#1)" proves nothing', async () => {
    const { repo, master } = repository();
    const { number } = await approvedPullRequest(h, repo, NOTE);
    // The same content as the approved, still open pull request, committed directly.
    const c = repo.commit({ parent: master, files: NOTE, message: `Add note (#${number})` });
    await push(h, repo, "master", c);
    expect(audit(c).conclusion).toBe("failure");
  });

  test("an approval the DBA took back does not cover the merge", async () => {
    const { repo } = repository();
    const { number } = await approvedPullRequest(h, repo, NOTE);
    const before = repo.branches.get("master")!;
    const merge = repo.mergePullRequest(number);
    repo.branches.set("master", before);
    // A later failing approval run on the head (e.g. a change request) is the one in force.
    const head = repo.pull(number).headSha;
    const last = latestOn(h, APPROVAL, head)!;
    h.fake.addCheckRun(repo, {
      name: APPROVAL,
      head_sha: head,
      external_id: last.external_id ?? "",
      conclusion: "failure",
    });
    await push(h, repo, "master", merge);
    expect(audit(merge).conclusion).toBe("failure");
  });

  test("a look-alike approval run by another app covers nothing", async () => {
    const { repo, master } = repository();
    const { head, number } = await approvedPullRequest(h, repo, NOTE);
    const forged = repo.commit({ parent: master, files: NOTE, message: "forged" });
    h.fake.addCheckRun(repo, {
      appId: 999,
      name: APPROVAL,
      head_sha: forged,
      external_id: latestOn(h, APPROVAL, head)!.external_id ?? "",
    });
    void number;
    await push(h, repo, "master", forged);
    expect(audit(forged).conclusion).toBe("failure");
  });
});

describe("policy changes on an audited branch", () => {
  test("weakened by a direct push: failure, saying who and from what to what", async () => {
    const { repo, master } = repository();
    const c = repo.commit({
      parent: master,
      files: {
        ".github/migration-warden.yml":
          "directories:\n  - path: migrations\n    dialect: postgres\napproval:\n  required: risky\nrules:\n  drop-table: off\n",
      },
    });
    await push(h, repo, "master", c, { pusher: "root" });
    const run = audit(c);
    expect([run.conclusion, run.output.title]).toEqual([
      "failure",
      "policy weakened without a pull request",
    ]);
    const s = run.output.summary;
    expect(s).toContain("**root** pushed a change of the policy at 2026-01-01T00:00:00Z");
    expect(s).toContain("| `approval.required` | always → risky | **yes** |");
    expect(s).toContain("| `approval.teams` | removed dba (now (none)) | no |");
    expect(s).toContain("| `approval.teams/users` |");
    expect(s).toContain("| `rules.drop-table` | error → off | **yes** |");
  });

  test("tightened by a direct push: reported, success", async () => {
    const { repo, master } = repository();
    const c = repo.commit({
      parent: master,
      files: {
        ".github/migration-warden.yml": CONFIG().replace(
          "teams: [dba]",
          "teams: [dba]\n  count: 2",
        ),
      },
    });
    await push(h, repo, "master", c);
    const run = audit(c);
    expect([run.conclusion, run.output.title]).toEqual([
      "success",
      "Policy changed; no migration changes",
    ]);
    expect(run.output.summary).toContain("| `approval.count` | 1 → 2 | no |");
  });

  test("weakened through a merged pull request: reported prominently, failure to confirm", async () => {
    const { repo } = repository();
    const head = repo.commit({
      parent: repo.branches.get("master")!,
      files: { ".github/migration-warden.yml": CONFIG("audit:\n  branches: []\n") },
    });
    const n = repo.openPullRequest({ base: "master", head, user: "dev" });
    const before = repo.branches.get("master")!;
    const merge = repo.mergePullRequest(n);
    repo.branches.set("master", before);
    await push(h, repo, "master", merge);
    const run = audit(merge);
    expect([run.conclusion, run.output.title]).toEqual([
      "failure",
      `policy weakened (pull request #${n})`,
    ]);
    expect(run.output.summary).toContain("for a person to confirm it was meant");
    expect(run.output.summary).toContain("## ⚠️ Policy changed");
    expect(run.output.summary).toContain(
      "| `audit.branches` | removed master (now (none)) | **yes** |",
    );
  });

  test("an invalid pushed config fails the audit", async () => {
    const { repo, master } = repository();
    const c = repo.commit({
      parent: master,
      files: { ".github/migration-warden.yml": "approval:\n  required: sometimes\n" },
    });
    await push(h, repo, "master", c);
    const run = audit(c);
    expect(run.conclusion).toBe("failure");
    expect(run.output.summary).toContain("approval.required");
  });
});

describe("audit.issue", () => {
  const ISSUE_CONFIG = CONFIG("audit:\n  issue: true\n");

  test("one issue per branch, found again by its marker and updated", async () => {
    const { repo, master } = repository(ISSUE_CONFIG);
    // A look-alike issue by a user, with the marker: never the one updated.
    repo.addIssue({ title: "x", body: "<!-- migration-warden/audit branch=master -->\nmine" });
    const a = repo.commit({ parent: master, files: { "migrations/0001_t1.up.sql": "x" } });
    await push(h, repo, "master", a);
    const b = repo.commit({ parent: a, files: { "migrations/0001_t1.down.sql": "y" } });
    await push(h, repo, "master", b);
    const mine = repo.issues.filter((i) => i.type === "Bot");
    expect(mine).toHaveLength(1);
    expect(mine[0]!.body.startsWith("<!-- migration-warden/audit branch=master -->")).toBe(true);
    expect(mine[0]!.body.indexOf(b.slice(0, 12))).toBeLessThan(
      mine[0]!.body.indexOf(a.slice(0, 12)),
    );
    expect(repo.issues.find((i) => i.type === "User")!.body).toContain("mine");
    expect(audit(b).output.summary).toContain(`Findings added to issue #${mine[0]!.number}.`);
  });

  test("without issues: write the audit still fails and says so", async () => {
    const { repo, master } = repository(ISSUE_CONFIG);
    repo.issuesStatus = 403;
    const a = repo.commit({ parent: master, files: { "migrations/0001_t1.up.sql": "x" } });
    await push(h, repo, "master", a);
    const run = audit(a);
    expect(run.conclusion).toBe("failure");
    expect(run.output.summary).toContain("optional issues: write permission");
  });
});
