// GitHub's GraphQL schema, for the fake GitHub (fake-github.mjs) and the tests of the app's
// queries: built once per process from @octokit/graphql-schema's IDL, and each query text parsed
// and validated against it once. Plain ESM: Jest files, the test environment and node scripts
// all load it.
//
// Why once per Jest worker: building the schema costs about 0.65 CPU-s, and importing the package
// itself about 0.4 more (its index parses its 5 MB JSON schema and its validate.js builds a second
// schema from it at import, neither used here: only the IDL file is read). Each GitHub test file
// paid both. The test environment (cpu-environment.mjs, "Shared modules") loads this module once
// per worker, outside Jest's registry, and test/support/shared/github-graphql.mjs hands every file
// of the worker that instance (outside that environment, this module as the file loaded it).
//
// What a file gets is frozen functions; the schema itself never leaves this module (resolvers
// get their arguments only, not graphql-js's `info`), and cached documents and errors are deeply
// frozen, so no file can change what the next one gets (test/support/shared-modules.test.ts).
//
// Realms: the worker's instance runs graphql-js in the environment's realm, the fake's resolvers
// in the test file's. What crosses, and how:
// - arguments into a resolver: graphql-js makes them in its realm; they are handed over as the
//   caller's own copies (`own`, a JSON copy made in the caller's realm), so what the fake stores
//   from them is of the test file's realm as before;
// - errors a resolver throws or returns: graphql-js turns anything that is not an `Error` of its
//   own realm into "Unexpected error value: …", so they are remade as this realm's `Error`s with
//   the same message (and `extensions`);
// - answers: objects of this realm, which the fake turns into JSON text at once.
import { readFileSync } from "node:fs";
import { buildSchema, execute, parse, validate } from "graphql";

let builtSchema = null;

/** GitHub's GraphQL schema, built on first use (about 0.65 CPU-s). */
function schema() {
  builtSchema ??= buildSchema(
    readFileSync(new URL("schema.graphql", import.meta.resolve("@octokit/graphql-schema")), "utf8"),
    { assumeValidSDL: true },
  );
  return builtSchema;
}

/** `value` and everything reachable from it, frozen. */
function deepFreeze(value, seen = new Set()) {
  if (value === null || typeof value !== "object" || seen.has(value)) return value;
  seen.add(value);
  for (const key of Reflect.ownKeys(value)) deepFreeze(value[key], seen);
  return Object.freeze(value);
}

/**
 * A query text parsed and validated against the schema once (graphqlSync's first two steps, pure
 * in the text): the app sends the same few queries thousands of times per file, and validating
 * one against GitHub's schema cost about a sixth of a GitHub test's CPU. Errors are kept as
 * GitHub's answer shows them (GraphQLError's JSON form).
 */
const checkedDocuments = new Map();
function check(source) {
  let checked = checkedDocuments.get(source);
  if (!checked) {
    try {
      const document = parse(source);
      const errors = validate(schema(), document);
      checked = errors.length > 0 ? { errors: errors.map((e) => e.toJSON()) } : { document };
    } catch (error) {
      // A syntax error, as graphqlSync reports it.
      checked = { errors: [typeof error?.toJSON === "function" ? error.toJSON() : error] };
    }
    deepFreeze(checked);
    if (checkedDocuments.size >= 1000) checkedDocuments.clear();
    checkedDocuments.set(source, checked);
  }
  return checked;
}

/** An error of another realm remade as this realm's, so graphql-js keeps its message. */
function ownError(value) {
  if (value instanceof Error || Object.prototype.toString.call(value) !== "[object Error]")
    return value;
  const error = new Error(String(value.message));
  if (value.extensions !== undefined) error.extensions = value.extensions;
  return error;
}

/**
 * `document` (from check()) executed against the schema with `rootValue`'s fields as resolvers
 * (graphql-js's default: a function-valued field is called with the field's arguments). `own`
 * copies a resolver's arguments into the caller's realm.
 */
function run({ document, rootValue, variableValues, own = (args) => args }) {
  const fieldResolver = (source, args, _context, info) => {
    if ((source === null || typeof source !== "object") && typeof source !== "function")
      return undefined;
    const field = source[info.fieldName];
    try {
      const value = typeof field === "function" ? field.call(source, own(args)) : field;
      return ownError(value);
    } catch (error) {
      throw ownError(error);
    }
  };
  return execute({ schema: schema(), document, rootValue, variableValues, fieldResolver });
}

/** The process's GitHub GraphQL service (see the header). */
export const githubGraphqlService = Object.freeze({ check, execute: run });
