/**
 * GitHub carries out a mutation's fields one after the other. Another process (a newer evaluation
 * of the same head, which saw the approval dismissed) writes its block between this mutation's
 * lint field and its approval field: the older evaluation's approval pass is created after that
 * block, so GitHub shows the stale pass unless the look after writing ends it. The lint pass,
 * created before anything newer, stays. (The lanes' race test pauses the whole mutation; this one
 * lands between its fields, with the fake's `beforeCreate`.)
 */
import { describe, expect, test } from "@jest/globals";
import { externalId } from "../../src/github/checks/external-id.js";
import type { CheckDefinition, CheckResult } from "../../src/github/checks/types.js";
import { writeResults } from "../../src/github/checks/write.js";
import { evaluationMarker } from "../../src/github/checks/written.js";
import { APPROVAL_CHECK as approval, otherProcess, PASS as pass } from "../github/check-writes.js";
import { APPROVAL, helloWorld, type Harness, LINT, useHarness } from "../github/harness.js";

let h: Harness;
useHarness((created) => (h = created), { app: { replay: false } });

const lint = { name: LINT } as unknown as CheckDefinition;
const clean: CheckResult = { conclusion: "success", title: "No findings", summary: "clean" };

describe("a newer evaluation's block written between the mutation's two fields", () => {
  test("the older approval pass created after it ends superseded; the lint pass stays", async () => {
    const { repo: fakeRepo, headSha } = helloWorld(h.fake, {}, { "README.md": "# changed\n" });
    const baseRepoNodeId = `R_${fakeRepo.id}`;
    const { pr, writing } = await otherProcess(h, { headSha, baseRepoNodeId });
    const now = Date.now();
    const w = writing(now - 1000);
    let newer: number | null = null;
    h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenCreateCheckRuns",
      beforeCreate: (name) => {
        if (name !== APPROVAL || newer !== null) return;
        // The newer evaluation's block, as its own writer leaves it: marker and pull request.
        const run = h.fake.addCheckRun(fakeRepo, {
          name: APPROVAL,
          head_sha: headSha,
          external_id: externalId(pr),
          conclusion: "action_required",
          title: "Waiting for DBA approval (0 of 1)",
        });
        run.output.summary = `the approval was dismissed\n\n${evaluationMarker(now)}`;
        newer = run.id;
      },
    });
    await writeResults(
      w,
      [lint, approval],
      [
        { check: lint, result: clean },
        { check: approval, result: pass },
      ],
    );

    expect(newer).not.toBeNull();
    const approvals = h.runs(APPROVAL);
    const newest = approvals.reduce((a, r) => (r.id > a.id ? r : a));
    expect(newest.id).toBeGreaterThan(newer!);
    expect(newest.conclusion).toBe("failure");
    expect(newest.output.title).toBe("Superseded by a newer check run");
    expect(approvals.map((r) => r.conclusion)).not.toContain("success");
    expect(h.runs(LINT).map((r) => r.conclusion)).toEqual(["success"]);
  });
});
