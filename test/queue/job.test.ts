/**
 * Job keys and coalescing, from GitHub's own example payloads: what may be dropped for what, and
 * what a payload can never do (reach another installation's or repository's jobs, smuggle a
 * separator into its group, make a click or a retarget disappear).
 */
import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { jobKey, supersedes, type Queued, type WebhookJob } from "../../src/queue/job.js";
import { createRequire } from "node:module";
import { example } from "../support/webhooks.js";

const all = createRequire(import.meta.url)("@octokit/webhooks-examples") as Array<{
  name: string;
  examples: Array<Record<string, any>>;
}>;

/**
 * GitHub's example of name.action; without one, another example of the event with this action
 * (pull_request.edited has none). An installation is added where the example has none.
 */
function job(name: string, action: string, edit?: (p: any) => void): WebhookJob {
  const examples = all.find((d) => d.name === name)?.examples ?? [];
  const found = examples.filter((x) => (x.action ?? "") === action);
  const base = found.find((x) => x.installation) ?? found[0] ?? examples[0];
  if (!base) throw new Error(`no ${name} example`);
  const payload = structuredClone(base);
  if (action) payload.action = action;
  payload.installation ??= { id: 99 };
  edit?.(payload);
  return { id: `${name}.${action}`, name, payload };
}

const queued = (j: WebhookJob, seq: number): Queued => ({ key: jobKey(j), seq });

describe("jobKey", () => {
  test("pull request events and reviews share the pull request's group", () => {
    const opened = jobKey(job("pull_request", "opened"));
    const p = example("pull_request", "opened");
    expect(opened).toEqual({
      group: `i${p.installation.id}/r${p.repository.id}/pr/${p.pull_request.number}`,
      covers: ["lint", "approval"],
    });
    const reviewed = jobKey(
      job("pull_request_review", "submitted", (r) => {
        r.installation = p.installation;
        r.repository = p.repository;
        r.pull_request.number = p.pull_request.number;
      }),
    );
    expect(reviewed).toEqual({ group: opened.group, covers: ["approval"] });
  });

  test("what covers what: only events whose handler re-reads everything from GitHub", () => {
    const covers = (name: string, action: string, edit?: (p: any) => void) =>
      jobKey(job(name, action, edit)).covers;
    expect(covers("pull_request", "synchronize")).toEqual(["lint", "approval"]);
    expect(covers("pull_request", "reopened")).toEqual(["lint", "approval"]);
    expect(covers("pull_request_review", "dismissed")).toEqual(["approval"]);
    // Uses its payload: the old base of a retarget, the click itself, a re-run's check name.
    expect(covers("pull_request", "edited")).toBeNull();
    expect(covers("check_run", "requested_action")).toBeNull();
    expect(covers("check_run", "rerequested")).toBeNull();
    expect(covers("check_suite", "rerequested")).toBeNull();
    expect(covers("push", "")).toBeNull();
    // Events the app does not know are never dropped either.
    expect(covers("pull_request", "labeled")).toBeNull();
    expect(covers("installation", "created")).toBeNull();
  });

  test("a click is grouped with the pull request its run names, and never coalesced", () => {
    const p = example("pull_request", "opened");
    const click = job("check_run", "requested_action", (c) => {
      c.installation = p.installation;
      c.repository = p.repository;
      c.check_run.external_id = `a/b#${p.pull_request.number}`;
    });
    const sync = job("pull_request", "synchronize", (s) => {
      s.installation = p.installation;
      s.repository = p.repository;
      s.pull_request.number = p.pull_request.number;
    });
    expect(jobKey(click).group).toBe(jobKey(sync).group);
    expect(supersedes(queued(sync, 2), queued(click, 1))).toBe(false);
    expect(supersedes(queued(click, 1), queued(sync, 2))).toBe(false);
  });

  test("merge groups by head sha, pushes by branch; without ids a delivery is alone", () => {
    const mg = job("merge_group", "checks_requested");
    expect(jobKey(mg).group).toMatch(/^i\d+\/r\d+\/merge_group\/[0-9a-f]{40}$/);
    const push = job("push", "", (p) => {
      p.installation = { id: 5 };
      p.ref = "refs/heads/a/../../x";
    });
    expect(jobKey(push).group).toMatch(/^i5\/r\d+\/ref\/refs%2Fheads%2Fa%2F..%2F..%2Fx$/);
    const noInstallation = job("pull_request", "opened", (p) => delete p.installation);
    expect(jobKey(noInstallation)).toEqual({ group: "delivery/pull_request.opened", covers: null });
  });

  test("a payload cannot reach another installation's or repository's group", () => {
    // Whatever the payload's strings say, the group is made of the numeric ids GitHub signed.
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.string(),
        fc.string(),
        (installation, repository, number, owner, name) => {
          const j = job("pull_request", "synchronize", (p) => {
            p.installation = { id: installation };
            p.repository = { ...p.repository, id: repository, name, owner: { login: owner } };
            p.pull_request.number = number;
          });
          expect(jobKey(j).group).toBe(`i${installation}/r${repository}/pr/${number}`);
        },
      ),
    );
    const ids = (installation: unknown, repository: unknown) =>
      jobKey(
        job("pull_request", "synchronize", (p) => {
          p.installation = { id: installation };
          p.repository.id = repository;
        }),
      ).group;
    // Ids that are not positive integers never form a shared group.
    for (const bad of ["7", "7/r8", 1.5, -1, 0, null, { id: 7 }, 2 ** 60])
      expect(ids(bad, 8)).toMatch(/^delivery\//);
    for (const bad of ["8", "8/pr/1", 8.5, -8, null]) expect(ids(7, bad)).toMatch(/^delivery\//);
    expect(ids(7, 8)).not.toBe(ids(7, 9));
    expect(ids(7, 8)).not.toBe(ids(6, 8));
  });

  test("the delivery id cannot impersonate a group either", () => {
    const j = { id: "x/../i1/r2/pr/3", name: "unknown", payload: {} };
    expect(jobKey(j).group).toBe("delivery/x%2F..%2Fi1%2Fr2%2Fpr%2F3");
  });
});

describe("supersedes", () => {
  const sync = job("pull_request", "synchronize");
  const p = sync.payload as any;
  const review = job("pull_request_review", "submitted", (r) => {
    r.installation = p.installation;
    r.repository = p.repository;
    r.pull_request.number = p.pull_request.number;
  });

  test("a newer synchronize drops an older one; never both", () => {
    expect(supersedes(queued(sync, 2), queued(sync, 1))).toBe(true);
    expect(supersedes(queued(sync, 1), queued(sync, 2))).toBe(false);
  });

  test("a synchronize covers a review either way round; a review never covers a synchronize", () => {
    expect(supersedes(queued(sync, 2), queued(review, 1))).toBe(true);
    expect(supersedes(queued(sync, 1), queued(review, 2))).toBe(true);
    expect(supersedes(queued(review, 2), queued(sync, 1))).toBe(false);
  });

  test("other groups never", () => {
    const other = job("pull_request", "synchronize", (q) => (q.repository.id += 1));
    expect(supersedes(queued(other, 2), queued(sync, 1))).toBe(false);
  });

  test("antisymmetric: of any two queued jobs at most one drops the other", () => {
    const kinds = [
      sync,
      review,
      job("pull_request", "edited"),
      job("check_run", "requested_action"),
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.constantFrom(...kinds),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 100 }),
        (a, b, sa, sb) => {
          const x = queued(a, sa);
          const y = queued(b, sb);
          expect(supersedes(x, y) && supersedes(y, x)).toBe(false);
        },
      ),
    );
  });
});
