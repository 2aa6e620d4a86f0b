/** Jest 30 in native ESM mode (see docs/development.md, "Why this jest setup"). */
import { availableParallelism } from "node:os";

export default {
  // Jest's node environment; with MW_TEST_CPU_LOG set, it also logs each file's CPU-seconds.
  testEnvironment: "<rootDir>/test/support/cpu-environment.mjs",
  // WebAssembly compiled by Liftoff alone, as in the CLI (test/support/liftoff.mjs).
  setupFiles: ["<rootDir>/test/support/liftoff.mjs"],
  extensionsToTreatAsEsm: [".ts"],
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  // Types are stripped by esbuild, file by file; `npm run typecheck` type-checks src/ and test/.
  transform: { "^.+\\.ts$": "<rootDir>/test/support/esbuild-transform.mjs" },
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  testTimeout: 30000,
  // Jest's default (one worker fewer than cores) is a single in-band process on 2 cores, which
  // leaves a core idle whenever a file waits on what it started (the app server, git, database
  // servers, the sandbox's worker threads). One worker per core, not more: the sandbox's real-time
  // limits (replay.statementTimeoutMs) must not be starved by oversubscription.
  maxWorkers: availableParallelism(),
};
