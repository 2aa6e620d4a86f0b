/**
 * Validates check-run request bodies against GitHub's official OpenAPI schemas (extracted from
 * @octokit/openapi into test/fixtures/github/openapi-checks.json by
 * scripts/gen-openapi-fixture.mjs). The validators are built once per Jest worker
 * (test/support/openapi-checks.mjs).
 */
import openapiChecks from "./shared/openapi-checks.mjs";

export type CheckRunBodyKind = "checks/create" | "checks/update";

/** Schema errors of a request body (empty when valid). */
export function checkRunBodyErrors(kind: CheckRunBodyKind, body: unknown): string[] {
  // A copy in this file's realm: the worker's validators answer with their realm's arrays.
  return [...openapiChecks.checkRunBodyErrors(kind, body)];
}
