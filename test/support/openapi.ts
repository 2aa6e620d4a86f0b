/**
 * Validates check-run request bodies against GitHub's official OpenAPI schemas (extracted from
 * @octokit/openapi into test/fixtures/github/openapi-checks.json by
 * scripts/gen-openapi-fixture.mjs).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

export type CheckRunBodyKind = "checks/create" | "checks/update";

const fixture = JSON.parse(
  readFileSync(
    fileURLToPath(new URL("../fixtures/github/openapi-checks.json", import.meta.url)),
    "utf8",
  ),
) as { source: string; schemas: Record<CheckRunBodyKind, object> };

// ajv-formats is CommonJS with a default export; under NodeNext the default import is the module.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);

const validators: Record<CheckRunBodyKind, ValidateFunction> = {
  "checks/create": ajv.compile(fixture.schemas["checks/create"]),
  "checks/update": ajv.compile(fixture.schemas["checks/update"]),
};

/** Schema errors of a request body (empty when valid). */
export function checkRunBodyErrors(kind: CheckRunBodyKind, body: unknown): string[] {
  const validate = validators[kind];
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e) => `${kind}${e.instancePath} ${e.message ?? "invalid"}`);
}
