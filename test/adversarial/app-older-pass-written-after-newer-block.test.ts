/**
 * Two evaluations of one head in different processes (two workers: a pull request's job and a
 * check suite's job are in different queue groups; in-flight.ts only knows its own process). The
 * older one saw a pass and has listed the commit's runs; the newer one saw a block and writes it;
 * then the older one creates its pass. GitHub shows the newest run: the stale pass, over the
 * newer evaluation's block. The older evaluation must look again after writing a pass, and end it
 * as superseded when a newer evaluation's run is there.
 */
import { describe, expect, test } from "@jest/globals";
import { olderPassAfterNewerBlock, otherProcess } from "../github/check-writes.js";
import { APPROVAL, helloWorld, type Harness, useHarness } from "../github/harness.js";

let h: Harness;
useHarness((created) => (h = created), { app: { replay: false } });

describe("an older evaluation's pass written after a newer one's block (another process)", () => {
  test("does not stay the newest run: it ends superseded", async () => {
    const { headSha } = helloWorld(h.fake, {}, { "README.md": "# changed\n" });
    // No repository node id: the writer creates by REST.
    const { writing } = await otherProcess(h, { headSha });
    // The older evaluation's REST create held while the newer one writes its block.
    await olderPassAfterNewerBlock(h, writing, { path: /\/check-runs$/ });

    const runs = h.runs(APPROVAL);
    expect(runs).toHaveLength(2);
    const newest = runs.reduce((a, r) => (r.id > a.id ? r : a));
    // Whichever GitHub ranks as the latest, no run of this check passes.
    expect(runs.map((r) => r.conclusion)).not.toContain("success");
    expect(newest.status).toBe("completed");
  });
});
