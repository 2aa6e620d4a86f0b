// GitHub's GraphQL schema service (test/support/github-graphql.mjs) as this Jest worker loaded it
// once (test/support/cpu-environment.mjs, "Shared modules"). Outside that environment, the module
// itself, loaded here only then: a static import would evaluate graphql-js in every test file.
const shared = globalThis[Symbol.for("migration-warden.test.shared-modules")];

export default shared?.["github-graphql"] ??
  (await import("../github-graphql.mjs")).githubGraphqlService;
