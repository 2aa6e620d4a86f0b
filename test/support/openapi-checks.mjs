// Validators of check-run request bodies against GitHub's official OpenAPI schemas (extracted
// from @octokit/openapi into test/fixtures/github/openapi-checks.json by
// scripts/gen-openapi-fixture.mjs); typed for the tests by test/support/openapi.ts.
//
// Plain ESM so the test environment can load it once per worker (cpu-environment.mjs, "Shared
// modules"): loading ajv and compiling the two schemas cost about 0.2 CPU-s in every GitHub test
// file. The validators are pure (a body in, messages out) and keep nothing between calls that a
// caller could see; what a file gets is one frozen function, whose answer is a fresh array of
// strings. ajv's generated code reads a body by shape (typeof, Array.isArray), so a body of the
// test file's realm validates as one of this realm would.
import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";

const fixture = JSON.parse(
  readFileSync(new URL("../fixtures/github/openapi-checks.json", import.meta.url), "utf8"),
);

let validators = null;

/** Schema errors of a check-run request body (empty when valid). */
function checkRunBodyErrors(kind, body) {
  if (!validators) {
    // ajv-formats is CommonJS: its default import is the module.exports function.
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    validators = {
      "checks/create": ajv.compile(fixture.schemas["checks/create"]),
      "checks/update": ajv.compile(fixture.schemas["checks/update"]),
    };
  }
  const validate = validators[kind];
  if (!validate) throw new TypeError(`no schema for ${String(kind)}`);
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e) => `${kind}${e.instancePath} ${e.message ?? "invalid"}`);
}

export const openapiChecks = Object.freeze({ checkRunBodyErrors });
