// node-sql-parser as this Jest worker loaded it once (test/support/cpu-environment.mjs, "Shared
// modules"); mapped in jest.config.js. Outside that environment, the package itself.
const shared = globalThis[Symbol.for("migration-warden.test.shared-modules")];

export default shared ? shared["node-sql-parser"] : (await import("node-sql-parser")).default;
