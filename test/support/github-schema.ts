/**
 * The app's GraphQL documents against GitHub's published schema (@octokit/graphql-schema), built
 * once per Jest worker (test/support/github-graphql.mjs) instead of once per test file.
 */
import githubGraphql from "./shared/github-graphql.mjs";

/** GitHub's validation errors for `query` (empty when valid); a syntax error is one too. */
export function schemaErrors(query: string): string[] {
  const checked = githubGraphql.check(query);
  return "errors" in checked ? checked.errors.map((e) => e.message) : [];
}

/**
 * The errors of running `query` with `variableValues` (their coercion to the schema's input
 * types included) and `rootValue`'s fields as resolvers: graphqlSync's, as messages.
 */
export function executionErrors(
  query: string,
  variableValues: Record<string, unknown>,
  rootValue: Record<string, unknown>,
): string[] {
  const checked = githubGraphql.check(query);
  if ("errors" in checked) return checked.errors.map((e) => e.message);
  const result = githubGraphql.execute({ document: checked.document, rootValue, variableValues });
  return (result.errors ?? []).map((e) => e.message);
}
