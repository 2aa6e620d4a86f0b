/**
 * A review approval and a migration directory the base adds after it.
 *
 * The pull request carries `migrations/0002_*` and `seeds/0001_wipe.up.sql`; the base guards only
 * `migrations/`, so the approval check the DBA approves shows `migrations/0002_*` alone. Then the
 * base starts guarding `seeds/` too (a strengthening anyone would merge). A review carries no
 * record of what it approved: its digest is computed again under the base's configuration now,
 * where it equals the head's, so the review covers `seeds/0001_wipe.up.sql`, a migration no DBA
 * was ever shown. A click on the same run is void in that case (approval.test.ts, "the base now
 * guards more"); a review must be too.
 */
import { describe, expect, test } from "@jest/globals";
import {
  APPROVAL,
  LINT,
  pullRequestEvent,
  reviewEvent,
  type Harness,
  useHarness,
} from "../github/harness.js";
import type { FakeRepo } from "../support/fake-github.mjs";
import { dbaConfig, dbaRepository, latestOn, push } from "../github/repositories.js";

let h: Harness;
useHarness((created) => (h = created), { app: { replay: false } });

const CHANGE = {
  "migrations/0002_audit.up.sql": "CREATE TABLE audit (id bigint PRIMARY KEY);\n",
  "migrations/0002_audit.down.sql": "DROP TABLE audit;\n",
  // Suppressed, so lint passes: only a DBA's approval of this waiver stands between it and main.
  "seeds/0001_wipe.up.sql":
    "-- migration-warden:ignore-file dml-without-where -- reset fixtures\nDELETE FROM users;\n",
  "seeds/0001_wipe.down.sql": "SELECT 1;\n",
};

/** A second from now, in GitHub's form: a review submitted after every run written so far. */
const later = () => new Date(Date.now() + 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

/** PR by dev carrying `files` (CHANGE), approved by alice (a DBA) on its head, delivered. */
async function approved(name: string, files: Record<string, string> = CHANGE) {
  const { repo, master } = dbaRepository(h.fake, name);
  const head = repo.commit({ parent: master, files, author: "dev" });
  const n = repo.openPullRequest({ base: "master", head, user: "dev" });
  await h.receive("pull_request", pullRequestEvent("opened", repo, n));
  const id = repo.review(n, { user: "alice", state: "APPROVED" });
  await h.receive("pull_request_review", reviewEvent("submitted", repo, n, id));
  expect(latestOn(h, APPROVAL, head)?.conclusion).toBe("success");
  expect(latestOn(h, APPROVAL, head)?.output.summary).not.toContain("seeds/");
  return { repo, master, head, n };
}

/** The base starts guarding seeds/ too (the push re-evaluates passing pull requests). */
async function guardSeeds(repo: FakeRepo, master: string): Promise<void> {
  const guarded = repo.commit({
    parent: master,
    files: { ".github/migration-warden.yml": dbaConfig(["migrations", "seeds"]) },
  });
  await push(h, repo, "master", guarded, { pusher: "root" });
}

describe("a review approval when the base guards a new directory afterwards", () => {
  test("does not cover the files that became migrations after it", async () => {
    const { repo, master, head } = await approved("Adv-Review-Dirs");
    await guardSeeds(repo, master);
    // The configuration push re-evaluates the passing pull request under the new policy.
    const lint = latestOn(h, LINT, head)!;
    expect(lint.output.summary).toContain("seeds/0001_wipe.up.sql");
    expect(lint.conclusion).not.toBe("failure");
    const approval = latestOn(h, APPROVAL, head)!;
    expect(approval.conclusion).toBe("action_required");
    expect(approval.output.summary).toContain("given before the migration directories changed");
  });

  test("nor after a force push drops the reviewed commit for one with the same content", async () => {
    const { repo, master, n } = await approved("Adv-Review-Dirs-Forced");
    await guardSeeds(repo, master);
    // The runs that showed the old content are on the reviewed commit, no longer in the PR.
    const again = repo.commit({ parent: master, files: CHANGE, author: "dev", message: "again" });
    repo.pushToPullRequest(n, again);
    await h.receive("pull_request", pullRequestEvent("synchronize", repo, n));
    const approval = latestOn(h, APPROVAL, again)!;
    expect(approval.conclusion).toBe("action_required");
    expect(approval.output.summary).toContain("given before the migration directories changed");
  });

  test("nor after a thousand re-runs pushed the runs that showed the old content out", async () => {
    const { repo, master, head, n } = await approved("Adv-Review-Dirs-Purged");
    await guardSeeds(repo, master);
    // Re-run a thousand times: GitHub keeps the newest 1,000 runs, the new content's only.
    const now = latestOn(h, APPROVAL, head)!;
    for (let i = 0; i < 1000; i++)
      h.fake.addCheckRun(repo, {
        name: APPROVAL,
        head_sha: head,
        external_id: now.external_id,
        conclusion: "success",
      });
    // The older runs are gone from the commit (moved aside: the harness still checks them).
    for (const r of h.fake.checkRuns)
      if (r.head_sha === head && r.name === APPROVAL && r.external_id !== now.external_id)
        r.head_sha = "f".repeat(40);
    await h.receive("pull_request", pullRequestEvent("synchronize", repo, n));
    const approval = latestOn(h, APPROVAL, head)!;
    expect(approval.conclusion).toBe("action_required");
    expect(approval.output.summary).toContain("cannot all be read");
  }, 60_000);

  test("a review given once the check showed the new directory counts", async () => {
    const { repo, master, head, n } = await approved("Adv-Review-Dirs-Again");
    await guardSeeds(repo, master);
    expect(latestOn(h, APPROVAL, head)?.conclusion).toBe("action_required");
    const id = repo.review(n, { user: "alice", state: "APPROVED", submittedAt: later() });
    await h.receive("pull_request_review", reviewEvent("submitted", repo, n, id));
    expect(latestOn(h, APPROVAL, head)?.conclusion).toBe("success");
  });

  test("a new directory that changes nothing in the pull request voids nothing", async () => {
    const { repo, master, head } = await approved("Adv-Review-Dirs-Empty", {
      "migrations/0002_audit.up.sql": CHANGE["migrations/0002_audit.up.sql"],
      "migrations/0002_audit.down.sql": CHANGE["migrations/0002_audit.down.sql"],
    });
    await guardSeeds(repo, master);
    expect(latestOn(h, APPROVAL, head)?.conclusion).toBe("success");
  });
});
