/**
 * The modules a Jest worker loads once for all its test files (test/support/cpu-environment.mjs,
 * "Shared modules"): the tested code gets the worker's instance, that instance carries nothing
 * from one call to the next, and no file can change it for the files after it.
 */
import { describe, expect, test } from "@jest/globals";
import type nodeSqlParser from "node-sql-parser";
import { loadParsers } from "../../src/core/sql/parse/index.js";
import { models, parse } from "../helpers/source.js";
import githubGraphql from "./shared/github-graphql.mjs";
import openapiChecks from "./shared/openapi-checks.mjs";
import { checkRunBodyErrors } from "./openapi.js";
import { executionErrors, schemaErrors } from "./github-schema.js";
import { example } from "./webhooks.js";
import { FakeGitHub } from "./fake-github.mjs";
import { privateKey } from "./app-key.js";

const SHARED = Symbol.for("migration-warden.test.shared-modules");
type Shared = Record<string, unknown>;
const shared = (globalThis as unknown as Record<symbol, Shared>)[SHARED]!;

type Nsp = typeof nodeSqlParser;

describe("node-sql-parser, once per worker", () => {
  test("the tested code's import is the worker's instance", async () => {
    const imported = (await import("node-sql-parser")).default as unknown as Nsp;
    expect(shared).toBeDefined();
    expect(imported).toBe(shared["node-sql-parser"]);
    // Loaded by the worker, outside this file's realm: its objects are not this file's Objects,
    // which is why the adapter reads its trees by shape only.
    const ast = new imported.Parser().astify("SELECT 1", { database: "mysql" });
    expect(ast instanceof Object).toBe(false);
    expect(JSON.parse(JSON.stringify(ast))).toEqual(ast);
  });

  test("nothing carries over between calls: the same text reads the same, before and after others", async () => {
    await loadParsers("mysql");
    const texts = [
      "UPDATE users SET name = 'x' WHERE id = 1;",
      "DELETE FROM orders;",
      "SELECT a FROM t JOIN u ON t.id = u.id;",
      "ALTER TABLE t ADD COLUMN b int;",
      "THIS IS NOT SQL;",
      "INSERT INTO t (a) VALUES (1);",
    ];
    const once = await Promise.all(texts.map((t) => parse(t, "mysql")));
    const reversed = await Promise.all([...texts].reverse().map((t) => parse(t, "mysql")));
    expect(JSON.stringify(reversed.reverse())).toBe(JSON.stringify(once));
    // The error still comes with its message and place (read by shape, not instanceof).
    const bad = once[4]!.statements[0]!;
    expect(bad.model).toBeNull();
    expect(JSON.stringify(bad)).toMatch(/expected .* but .* found/);
    expect((await models("DELETE FROM orders;", "sqlite"))[0]).toMatchObject({ kind: "delete" });
  });

  test("a file cannot replace what the later files of its worker get", () => {
    const nsp = shared["node-sql-parser"] as Nsp & Record<string, unknown>;
    const { Parser } = nsp;
    expect(() => {
      nsp.Parser = class {} as never;
    }).toThrow(TypeError);
    expect(() => Object.defineProperty(nsp, "Parser", { value: null })).toThrow(TypeError);
    expect(() => {
      nsp.extra = 1;
    }).toThrow(TypeError);
    expect(nsp.Parser).toBe(Parser);
  });
});

describe("test support built once per worker", () => {
  const QUERY = `query($owner: String!, $name: String!) {
    repository(owner: $owner, name: $name) { nameWithOwner object(expression: "HEAD") { ... on Commit { message } } }
  }`;

  test("each file gets the worker's instance, built in the environment's realm", () => {
    expect(githubGraphql).toBe(shared["github-graphql"]);
    expect(openapiChecks).toBe(shared["openapi-checks"]);
    const checked = githubGraphql.check(QUERY);
    expect("document" in checked).toBe(true);
    // Not this file's Objects: built once, outside the file's realm.
    expect(checked instanceof Object).toBe(false);
    expect(checked).toBe(githubGraphql.check(QUERY));
    const examples = shared["@octokit/webhooks-examples"] as unknown[];
    expect(Array.isArray(examples) && examples.length > 10).toBe(true);
    expect(examples instanceof Object).toBe(false);
  });

  test("a file cannot change what the later files of its worker get", () => {
    for (const service of [githubGraphql, openapiChecks] as Array<Record<string, unknown>>) {
      expect(Object.isFrozen(service)).toBe(true);
      for (const key of Object.keys(service))
        expect(() => {
          service[key] = () => [];
        }).toThrow(TypeError);
    }
    // Cached documents and errors are deeply frozen.
    const checked = githubGraphql.check(QUERY) as unknown as {
      document: { definitions: unknown[] };
    };
    expect(() => {
      checked.document.definitions[1] = {};
    }).toThrow(TypeError);
    const operation = checked.document.definitions[0] as Record<string, unknown>;
    expect(() => {
      operation.operation = "mutation";
    }).toThrow(TypeError);
    const bad = githubGraphql.check("query { nope }") as { errors: Array<{ message: string }> };
    expect(bad.errors[0]!.message).toMatch(/Cannot query field "nope" on type "Query"/);
    expect(() => {
      bad.errors[0]!.message = "fine";
    }).toThrow(TypeError);
    expect(schemaErrors("query { nope }")).toEqual([bad.errors[0]!.message]);
    // The webhook examples: frozen; example() hands out a copy a test may change.
    const examples = shared["@octokit/webhooks-examples"] as Array<Record<string, unknown>>;
    expect(Object.isFrozen(examples) && Object.isFrozen(examples[0])).toBe(true);
    expect(() => {
      examples.length = 0;
    }).toThrow(TypeError);
    const copy = example("pull_request", "opened");
    copy.number = -1;
    copy.pull_request.title = "changed";
    const again = example("pull_request", "opened");
    expect(again.number).not.toBe(-1);
    expect(again.pull_request.title).not.toBe("changed");
  });

  test("what crosses the realms: arguments as the file's own, errors with their messages", () => {
    const seen: unknown[] = [];
    const rootValue = {
      repository: (args: { owner: string; name: string }) => {
        seen.push(args);
        if (args.owner === "throws") throw new Error("Could not resolve to a Repository.");
        return {
          nameWithOwner: `${args.owner}/${args.name}`,
          // A returned Error is a field error, as graphql-js makes it of an Error of its own.
          object: () =>
            args.owner === "returns"
              ? new Error("Something went wrong while resolving object.")
              : // Data with a `message` field is data, not an error.
                { __typename: "Commit", message: "an ordinary commit message" },
        };
      },
    };
    const { document } = githubGraphql.check(QUERY) as { document: never };
    const run = (owner: string) =>
      JSON.parse(
        JSON.stringify(
          githubGraphql.execute({
            document,
            rootValue,
            variableValues: { owner, name: "r" },
            own: (args) => JSON.parse(JSON.stringify(args)),
          }),
        ),
      );
    expect(run("o")).toEqual({
      data: {
        repository: { nameWithOwner: "o/r", object: { message: "an ordinary commit message" } },
      },
    });
    expect(seen[0]).toBeInstanceOf(Object);
    // With the schema's default of the argument not given, as graphql-js hands it over.
    expect(seen[0]).toStrictEqual({ owner: "o", name: "r", followRenames: true });
    expect(run("throws").errors).toEqual([
      expect.objectContaining({
        message: "Could not resolve to a Repository.",
        path: ["repository"],
      }),
    ]);
    expect(run("returns")).toEqual({
      data: { repository: { nameWithOwner: "returns/r", object: null } },
      errors: [
        expect.objectContaining({
          message: "Something went wrong while resolving object.",
          path: ["repository", "object"],
        }),
      ],
    });
    // Variables are coerced against GitHub's input types, as graphqlSync does.
    expect(executionErrors(QUERY, { owner: 1, name: "r" }, rootValue)).toEqual([
      expect.stringMatching(/Variable "\$owner" got invalid value 1/),
    ]);
  });

  test("the fake GitHub answers through it: a resolver's error keeps its message", () => {
    const fake = new FakeGitHub({ appId: 1, privateKey });
    fake.createRepo("o", "r");
    fake.tokens.add("t");
    const answer = (name: string) =>
      JSON.parse(
        fake.dispatch({
          method: "POST",
          url: "https://api.github.com/graphql",
          headers: { authorization: "token t" },
          body: JSON.stringify({ query: QUERY, variables: { owner: "o", name } }),
        }).body as string,
      );
    expect(answer("r").data.repository.nameWithOwner).toBe("o/r");
    expect(answer("missing").errors[0].message).toBe(
      "Could not resolve to a Repository with the name 'o/missing'.",
    );
  });

  test("the fake GitHub routes each query text by its own shape, however often it was seen", () => {
    // The fake keeps each text's normalized shape (fake-github.mjs, shapeOf): a text seen before
    // must route as it did, and a lookalike text (one field more) must not take its route. The
    // base-directory shape has a route of its own, where faults without `executed` apply.
    const fake = new FakeGitHub({ appId: 1, privateKey });
    const repo = fake.createRepo("o", "r");
    repo.commit({ branch: "main", files: { "db/1.sql": "SELECT 1;\n" } });
    fake.tokens.add("t");
    fake.graphqlFault({ error: "the base-directory route", times: 2 });
    const directory = (extra: string, comment = "") => `query MigrationWardenBaseFiles(
      $owner: String!, $name: String!, $expression: String!) { ${comment}
      repository(owner: $owner, name: $name) {
        object(expression: $expression) {
          ... on Tree { entries { name oid type ${extra} object { ... on Blob { text isBinary isTruncated byteSize } } } }
        }
      }
    }`;
    const answer = (query: string) =>
      JSON.parse(
        fake.dispatch({
          method: "POST",
          url: "https://api.github.com/graphql",
          headers: { authorization: "token t" },
          body: JSON.stringify({
            query,
            variables: { owner: "o", name: "r", expression: "main:db" },
          }),
        }).body as string,
      );
    const routed = (a: { errors?: Array<{ message: string }> }) =>
      a.errors?.[0]?.message === "the base-directory route";
    expect(routed(answer(directory("")))).toBe(true);
    // One field more: GitHub's schema executes it (the route's faults do not apply), every time.
    for (let i = 0; i < 2; i++) {
      const other = answer(directory("mode"));
      expect(routed(other)).toBe(false);
      expect(other.data.repository.object.entries).toEqual([
        expect.objectContaining({ name: "1.sql", type: "blob", mode: 0o100644 }),
      ]);
    }
    // The first text again, and one that differs only by a comment: the route, then (its fault
    // spent) the route's own answer.
    expect(routed(answer(directory("", "# a comment\n")))).toBe(true);
    const again = answer(directory(""));
    expect(routed(again)).toBe(false);
    expect(again.data.repository.object.entries).toEqual([
      expect.objectContaining({ name: "1.sql", type: "blob", object: expect.anything() }),
    ]);
    expect(again.data.repository.object.entries[0]).not.toHaveProperty("mode");
  });

  test("the OpenAPI validators answer with this file's arrays, and keep nothing between calls", () => {
    const body = { name: "n", head_sha: "a".repeat(40), status: "bogus" };
    const errors = checkRunBodyErrors("checks/create", body);
    expect(errors).toBeInstanceOf(Array);
    expect(errors.some((e) => /status/.test(e))).toBe(true);
    expect(checkRunBodyErrors("checks/create", { name: "n", head_sha: "a".repeat(40) })).toEqual(
      [],
    );
    expect(checkRunBodyErrors("checks/create", body)).toEqual(errors);
  });
});
