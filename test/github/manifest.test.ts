/** app.yml registers new apps: it must subscribe to what the handlers need and ask for no more. */
import { readFileSync } from "node:fs";
import { expect, test } from "@jest/globals";
import { parse } from "yaml";
import { ELIGIBILITY_EVENTS, PULL_REQUEST_EVENTS, REVIEW_EVENTS } from "../../src/github/events.js";

const manifest = parse(readFileSync(new URL("../../app.yml", import.meta.url), "utf8")) as {
  default_events: string[];
  default_permissions: Record<string, string>;
};

test("app.yml subscribes to every event the app handles", () => {
  const handled = [
    ...PULL_REQUEST_EVENTS,
    ...REVIEW_EVENTS,
    ...ELIGIBILITY_EVENTS,
    "push",
    "merge_group.checks_requested",
  ].map((e) => e.split(".")[0]);
  // check_run and check_suite come with checks: write; listed for apps registered by hand.
  expect([...new Set(manifest.default_events)].sort()).toEqual(
    [...new Set([...handled, "check_run", "check_suite"])].sort(),
  );
});

test("app.yml asks for the permissions the checks use, members: read for team lookups", () => {
  expect(manifest.default_permissions).toEqual({
    checks: "write",
    contents: "read",
    pull_requests: "read",
    members: "read",
    metadata: "read",
    merge_queues: "read",
  });
});
