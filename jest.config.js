/** Jest 30 in native ESM mode (see docs/development.md, "Why this jest setup"). */
import { availableParallelism } from "node:os";

export default {
  // Jest's node environment; with MW_TEST_CPU_LOG set, it also logs each file's CPU-seconds.
  testEnvironment: "<rootDir>/test/support/cpu-environment.mjs",
  // Temporary directories where MW_TEST_TMPDIR says, if it does (test/support/global-setup.mjs).
  globalSetup: "<rootDir>/test/support/global-setup.mjs",
  // Known slow files first, also when Jest has timed only some (test/support/sequencer.mjs).
  testSequencer: "<rootDir>/test/support/sequencer.mjs",
  // WebAssembly compiled by Liftoff alone, as in the CLI (test/support/liftoff.mjs).
  setupFiles: ["<rootDir>/test/support/liftoff.mjs"],
  extensionsToTreatAsEsm: [".ts"],
  moduleNameMapper: {
    "^(\\.{1,2}/.*)\\.js$": "$1",
    // Loaded once per worker, not per file (test/support/cpu-environment.mjs, "Shared modules").
    "^node-sql-parser$": "<rootDir>/test/support/shared/node-sql-parser.mjs",
  },
  // Types are stripped by esbuild, file by file; `npm run typecheck` type-checks src/ and test/.
  transform: { "^.+\\.ts$": "<rootDir>/test/support/esbuild-transform.mjs" },
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  testTimeout: 30000,
  // Jest's default (one worker fewer than cores) is a single in-band process on 2 cores, which
  // leaves a core idle whenever a file waits on what it started (the app server, git, database
  // servers, the sandbox's worker threads). One worker per core, not more: the sandbox's real-time
  // limits (replay.statementTimeoutMs) must not be starved by oversubscription.
  maxWorkers: availableParallelism(),
  // A fresh worker process once one holds this much heap after a file. Every test file's context
  // and module graph stays reachable after the file ends (Jest's ESM mode on Node 20: even an
  // empty test file keeps about 2.5 MB, a GitHub test file tens of MB), so without a limit each
  // worker grows through the run and every later file pays for it: a rule's file costs about 0.8
  // CPU-s in a worker holding 50 MB, 2.5 in one holding 450 (docs/development.md, "A fresh worker
  // once one has grown"). 256 MB, not 768: the 79 rule files in one worker cost 144 CPU-s at
  // 768 MB and 90 at 256 (two restarts; a restart costs a fraction of a CPU-second).
  workerIdleMemoryLimit: "256MB",
};
