/**
 * The modules a Jest worker loads once for all its test files (test/support/cpu-environment.mjs,
 * "Shared modules"): the tested code gets the worker's instance, that instance carries nothing
 * from one call to the next, and no file can change it for the files after it.
 */
import { describe, expect, test } from "@jest/globals";
import type nodeSqlParser from "node-sql-parser";
import { loadParsers } from "../../src/core/sql/parse/index.js";
import { models, parse } from "../helpers/source.js";

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
