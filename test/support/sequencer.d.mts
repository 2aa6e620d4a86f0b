/** Types of sequencer.mjs (Jest's testSequencer, plain ESM): what its test uses. */
import type { Test } from "@jest/test-result";

export default class SlowFirst {
  constructor(options: unknown);
  sort(tests: Test[]): Test[];
  time(test: Test): number | undefined;
  hasFailed(test: Test): boolean;
}
