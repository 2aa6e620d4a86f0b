/**
 * Measurement only (never in jest.config.js): the test environment of a Jest worker that has
 * already run many files. In a full run a worker carries up to `workerIdleMemoryLimit` of earlier
 * files' module graphs (docs/development.md, "A fresh worker once one has grown"), and every full
 * garbage collection marks all of it; a file that allocates large buffers in the worker's own
 * thread (snapshots, tars, PGlite run in-thread) pays for that heap at each one. Run a file alone
 * as it would run late in a full run:
 *
 *   MW_GROWN_WORKER_MB=700 MW_TEST_CPU_LOG=/tmp/x.jsonl NODE_OPTIONS=--experimental-vm-modules \
 *     npx jest --runInBand --testEnvironment=./test/support/grown-worker-environment.mjs <file>
 *
 * The heap is small objects (as module graphs are), made before the file's CPU clock starts.
 */
import CpuEnvironment from "./cpu-environment.mjs";

const mb = Number(process.env.MW_GROWN_WORKER_MB ?? 0);
if (mb > 0 && !globalThis.__mwGrownWorker) {
  const held = [];
  for (let i = 0; i < (mb * 1024 * 1024) / 200; i++)
    held.push({ a: i, b: `x${i % 1000}`, c: [i, i + 1], d: { e: i } });
  globalThis.__mwGrownWorker = held;
}

export default CpuEnvironment;
