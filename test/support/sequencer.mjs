// Jest's testSequencer (jest.config.js): the order test files start in. Plain ESM: Jest loads it
// without the transform.
import { relative } from "node:path";
import Sequencer from "@jest/test-sequencer";

/**
 * Seconds of wall each slow file took in a full run (two workers, idle machine: session 12's
 * per-file log, with session 13's shorter waits), the files of 5 s and more. Refresh it from a
 * `MW_TEST_CPU_LOG` of a full run when files change much; a file missing here is ordered by size.
 */
const KNOWN = new Map([
  ["test/hardening/sql-fuzz.test.ts", 26],
  ["test/github/faults.test.ts", 24],
  ["test/replay/drift.test.ts", 23],
  ["test/replay/engines.test.ts", 19],
  ["test/replay/postgres.test.ts", 14],
  ["test/adversarial/pg-schema-facts-hidden-by-the-change.test.ts", 12],
  ["test/adversarial/replay-damaged-cached-state.test.ts", 12],
  ["test/github/replay-reads.test.ts", 12],
  ["test/github/retry.test.ts", 12],
  ["test/queue/e2e.test.ts", 12],
  ["test/github/approval.test.ts", 11],
  ["test/replay/catalog-schema.test.ts", 11],
  ["test/replay/adapters.test.ts", 10],
  ["test/cli/action.test.ts", 9],
  ["test/replay/shared-sandbox.test.ts", 9],
  ["test/adversarial/pg-rename-into-dropped-name.test.ts", 8],
  ["test/adversarial/pg-shadowed-names.test.ts", 8],
  ["test/github/merge-group.test.ts", 8],
  ["test/adversarial/pg-where-tautology.test.ts", 7],
  ["test/cli/code-cache.test.ts", 7],
  ["test/cli/lint-start.test.ts", 7],
  ["test/docs/rule-docs.test.ts", 7],
  ["test/github/first-read-base-directories.test.ts", 7],
  ["test/hardening/config-fuzz.test.ts", 7],
  ["test/queue/queues.test.ts", 7],
  ["test/replay/incremental.test.ts", 7],
  ["test/replay/pglite-snapshots.test.ts", 7],
  ["test/adversarial/cli-cache-dir-in-work-tree.test.ts", 6],
  ["test/adversarial/replay-template-equivalence.test.ts", 6],
  ["test/cli/explain.test.ts", 6],
  ["test/cli/lint-git.test.ts", 6],
  ["test/cli/report-approvals.test.ts", 6],
  ["test/github/base-texts.test.ts", 6],
  ["test/adversarial/clickhouse-data-loss.test.ts", 5],
  ["test/adversarial/sqlite-lossy-rebuild.test.ts", 5],
]);

/** Milliseconds per byte of test file for a file neither timed nor known (a 10 KB file: 1 s). */
const MS_PER_BYTE = 0.1;

/**
 * Longest first, by the best estimate there is for each file: Jest's own timing of its last run,
 * else KNOWN, else its size. Jest's sequencer orders by timing only when both files have one and
 * starts every timed file after every untimed one, so after a run of a few files (a developer's,
 * or a lane's) those few, the slowest, started last in the next full run and ran in workers grown
 * by a hundred files before them (`faults.test.ts` 64 CPU-s instead of 17-25, the run's last
 * minutes spent on five heavy files side by side). Failed files still go first.
 */
export default class SlowFirst extends Sequencer {
  sort(tests) {
    const estimate = new Map(
      tests.map((t) => {
        const timed = this.time(t);
        const known = KNOWN.get(relative(t.context.config.rootDir, t.path).split("\\").join("/"));
        const ms =
          timed ??
          (known === undefined
            ? (t.context.hasteFS.getSize(t.path) ?? 0) * MS_PER_BYTE
            : known * 1000);
        return [t, ms];
      }),
    );
    return tests.sort(
      (a, b) =>
        Number(this.hasFailed(b)) - Number(this.hasFailed(a)) ||
        estimate.get(b) - estimate.get(a) ||
        (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
    );
  }
}
