import type { DocumentNode, ExecutionResult } from "graphql";

/** A query text as GitHub's schema takes it: its document, or GitHub's errors (JSON form). */
export type Checked =
  | { readonly document: DocumentNode }
  | { readonly errors: ReadonlyArray<{ readonly message: string }> };

declare const githubGraphql: {
  /** Parsed and validated against GitHub's schema once per text (deeply frozen). */
  readonly check: (source: string) => Checked;
  /** `document` executed with `rootValue`'s fields as resolvers; `own` copies their arguments. */
  readonly execute: (options: {
    document: DocumentNode;
    rootValue: unknown;
    variableValues?: Record<string, unknown>;
    own?: (args: Record<string, unknown>) => Record<string, unknown>;
  }) => ExecutionResult;
};
export default githubGraphql;
