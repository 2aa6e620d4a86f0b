/**
 * WRITE_INTERVAL_MS (src/github/octokit.ts): unset keeps production's pacing (the throttling
 * plugin's one write a second per installation); a whole number of milliseconds replaces it; any
 * other value stops the process at start-up, naming the variable, instead of writing unpaced.
 */
import { expect, test } from "@jest/globals";
import { writeIntervalFromEnv } from "../../src/github/octokit.js";

test("unset or empty: production's pacing, nothing overridden", () => {
  expect(writeIntervalFromEnv({})).toEqual({});
  expect(writeIntervalFromEnv({ WRITE_INTERVAL_MS: "" })).toEqual({});
});

test("a whole number of milliseconds sets the least time between two writes", () => {
  expect(writeIntervalFromEnv({ WRITE_INTERVAL_MS: "0" })).toEqual({
    requests: { writeIntervalMs: 0 },
  });
  expect(writeIntervalFromEnv({ WRITE_INTERVAL_MS: "250" })).toEqual({
    requests: { writeIntervalMs: 250 },
  });
});

test.each(["-1", "1.5", "1s", " 5", "0x10", "1e3", "9999999"])(
  "%j stops the process, naming the variable",
  (bad) => {
    expect(() => writeIntervalFromEnv({ WRITE_INTERVAL_MS: bad })).toThrow(
      /^WRITE_INTERVAL_MS must be a whole number of milliseconds/,
    );
  },
);
