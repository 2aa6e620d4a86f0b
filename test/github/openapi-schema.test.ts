/** The OpenAPI check the app tests rely on is live: it rejects what GitHub would reject. */
import { describe, expect, test } from "@jest/globals";
import { checkRunBodyErrors } from "../support/openapi.js";

const annotation = {
  path: "migrations/0001_a.up.sql",
  start_line: 1,
  end_line: 1,
  annotation_level: "failure",
  message: "m",
};

describe("check-run body schemas from @octokit/openapi", () => {
  test("accept well-formed bodies", () => {
    expect(
      checkRunBodyErrors("checks/create", {
        name: "migration-warden/lint",
        head_sha: "a".repeat(40),
        status: "in_progress",
        output: { title: "t", summary: "s" },
      }),
    ).toEqual([]);
    expect(
      checkRunBodyErrors("checks/update", {
        status: "completed",
        conclusion: "failure",
        output: { title: "t", summary: "s", annotations: Array(50).fill(annotation) },
      }),
    ).toEqual([]);
  });

  const summary = (n: number) => ({ title: "t", summary: "s".repeat(n) });
  test.each([
    [
      "a create without name",
      "checks/create",
      { head_sha: "a" },
      " must have required property 'name'",
    ],
    [
      "an unknown conclusion",
      "checks/update",
      { conclusion: "approved" },
      "/conclusion must be equal to one of the allowed values",
    ],
    [
      "completed without conclusion",
      "checks/update",
      { status: "completed" },
      " must have required property 'conclusion'",
    ],
    [
      "a create output without title",
      "checks/create",
      { name: "n", head_sha: "a", output: { summary: "s" } },
      "/output must have required property 'title'",
    ],
    [
      "51 annotations",
      "checks/update",
      { output: { ...summary(1), annotations: Array(51).fill(annotation) } },
      "/output/annotations must NOT have more than 50 items",
    ],
    [
      "an unknown annotation level",
      "checks/update",
      { output: { ...summary(1), annotations: [{ ...annotation, annotation_level: "error" }] } },
      "/output/annotations/0/annotation_level must be equal to one of the allowed values",
    ],
    [
      "a summary over 65535",
      "checks/update",
      { output: summary(65_536) },
      "/output/summary must NOT have more than 65535 characters",
    ],
  ] as const)("reject %s", (_what, kind, body, message) => {
    expect(checkRunBodyErrors(kind, body)).toContain(`${kind}${message}`);
  });
});
