// The check-run body validators (test/support/openapi-checks.mjs) as this Jest worker loaded them
// once (test/support/cpu-environment.mjs, "Shared modules"). Outside that environment, the module
// itself, loaded here only then (a static import would load ajv in every test file).
const shared = globalThis[Symbol.for("migration-warden.test.shared-modules")];

export default shared?.["openapi-checks"] ?? (await import("../openapi-checks.mjs")).openapiChecks;
