/** The replay's pure helpers: golang-migrate splitting, schema diffs, caches. */
import { describe, expect, test } from "@jest/globals";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { splitStatements } from "../../src/core/sql/split.js";
import { defaultCacheDir, DiskCache, MemoryCache, prefixKeys } from "../../src/replay/cache.js";
import { PGLITE_VERSION, SQLJS_VERSION } from "../../src/replay/engines/embedded.js";
import {
  controlsTransactions,
  mentionedExtensions,
  multiStatementPieces,
} from "../../src/replay/golang-migrate.js";
import { normalizeDefinition } from "../../src/replay/fingerprint/normalize.js";
import { changesTable, describeChange, diffSchemas, schemaOf } from "../../src/replay/schema.js";

describe("golang-migrate file handling", () => {
  test("x-multi-statement splits on every ';' byte, $$ bodies included", () => {
    const text =
      "CREATE TABLE a (x int);\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n\n";
    expect(multiStatementPieces(text).map((p) => [p.start, p.text.trim()])).toEqual([
      [0, "CREATE TABLE a (x int);"],
      [23, "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1;"],
      [71, "$$ LANGUAGE sql;"],
    ]);
  });

  test("transaction control statements", () => {
    const has = (t: string) => controlsTransactions(splitStatements(t, "postgres").statements);
    expect(has("BEGIN;\nCREATE TABLE a (x int);\nCOMMIT;")).toBe(true);
    expect(has("DO $$ BEGIN PERFORM 1; END $$;")).toBe(false);
    expect(has("CREATE TABLE begin_log (x int);")).toBe(false);
  });

  test("extensions a file creates", () => {
    expect(
      mentionedExtensions(
        'CREATE EXTENSION IF NOT EXISTS "uuid-ossp";\ncreate extension pgcrypto schema x;',
      ),
    ).toEqual(["pgcrypto", "uuid-ossp"]);
  });
});

describe("schema diff", () => {
  const col = (name: string, type: string, notNull = false) => ({
    kind: "column" as const,
    name: `public.t.${name}`,
    table: "public.t",
    attrs: { type, notNull, default: null },
  });
  test("added, removed and changed objects, grouped by table", () => {
    const a = schemaOf([
      { kind: "table", name: "public.t", attrs: {} },
      col("a", "text"),
      col("b", "int"),
    ]);
    const b = schemaOf([
      { kind: "table", name: "public.t", attrs: {} },
      col("a", "varchar(10)", true),
      col("c", "int"),
    ]);
    expect(diffSchemas(a, b).map((c) => [c.change, c.name, c.changes?.map((x) => x.attr)])).toEqual(
      [
        ["changed", "public.t.a", ["type", "notNull"]],
        ["removed", "public.t.b", undefined],
        ["added", "public.t.c", undefined],
      ],
    );
    expect(diffSchemas(a, a)).toEqual([]);
  });

  test("names and values from the migration cannot end their code spans", () => {
    const a = schemaOf([col("a`b", "text")]);
    const b = schemaOf([
      { ...col("a`b", "int"), attrs: { type: "x` **y** `|z", notNull: false, default: null } },
    ]);
    const [change] = diffSchemas(a, b);
    expect(describeChange(change!)).toBe(
      "column ``t.a`b`` differs: type `text` → ``x` **y** `|z``",
    );
    // In a table the pipe is escaped for the cell; the spans stay closed.
    expect(changesTable([change!])).toContain(
      "| ~ | column | ``t.a`b`` | type `text` → ``x` **y** `\\|z`` |",
    );
  });

  test("a fallback attribute counts only when nothing more specific changed", () => {
    const t = (def: string) => ({
      kind: "table" as const,
      name: "t",
      attrs: { "~definition": def },
    });
    const c = { kind: "column" as const, name: "t.x", table: "t", attrs: { type: "int" } };
    expect(diffSchemas(schemaOf([t("A")]), schemaOf([t("B"), c])).map((x) => x.kind)).toEqual([
      "column",
    ]);
    expect(diffSchemas(schemaOf([t("A")]), schemaOf([t("B")])).map((x) => x.kind)).toEqual([
      "table",
    ]);
  });
});

describe("routine definitions", () => {
  test("layout goes, literals, quoted names, block comments and line ends of line comments stay", () => {
    const a = normalizeDefinition("BEGIN\n  RETURN  f( a , 'x  y' ) ;\nEND");
    expect(a).toBe("BEGIN RETURN f(a,'x  y');END");
    expect(normalizeDefinition("BEGIN RETURN f(a,'x  y');\n\n END")).toBe(a);
    expect(normalizeDefinition('SELECT "a  b" /* x  y */  FROM t')).toBe(
      'SELECT"a  b"/* x  y */FROM t',
    );
    // Joining a line to a comment would comment code out: the line end stays.
    expect(normalizeDefinition("x := 1; -- note  \nRETURN x;")).toBe("x:=1;-- note\nRETURN x;");
    expect(normalizeDefinition("x := 1; -- note RETURN x;")).not.toBe(
      normalizeDefinition("x := 1; -- note\nRETURN x;"),
    );
    // An unterminated literal is copied to the end, never a crash.
    expect(normalizeDefinition("RETURN 'abc")).toBe("RETURN'abc");
  });
});

describe("caches", () => {
  const entry = (n: number) => ({
    kind: "state" as const,
    data: new Uint8Array(n),
    extensions: [],
    files: 1,
  });

  test("prefix keys: a chain over the files, the engine and the run mode", () => {
    const k = (files: Array<[string, string]>, engine = "pglite@1", ms = false) =>
      prefixKeys({ engine, multiStatement: ms, files });
    const files: Array<[string, string]> = [
      ["1_a.up.sql", "aa"],
      ["2_b.up.sql", "bb"],
      ["3_c.up.sql", "cc"],
    ];
    const keys = k(files);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(3);
    expect(keys.every((x) => /^[0-9a-f]{64}$/.test(x))).toBe(true);
    // Appending files keeps the keys of the old base.
    expect(k([...files, ["4_d.up.sql", "dd"]]).slice(0, 3)).toEqual(keys);
    // Editing, renaming or removing a file keeps the keys before it and changes every later one.
    const edited = k([files[0]!, ["2_b.up.sql", "bX"], files[2]!]);
    expect(edited[0]).toBe(keys[0]);
    expect(edited.slice(1).some((x) => keys.includes(x))).toBe(false);
    const renamed = k([files[0]!, ["2_bb.up.sql", "bb"], files[2]!]);
    expect(renamed.slice(1).some((x) => keys.includes(x))).toBe(false);
    const removed = k([files[0]!, files[2]!]);
    expect(removed[0]).toBe(keys[0]);
    expect(keys).not.toContain(removed[1]);
    // Another engine or run mode shares no key.
    for (const other of [k(files, "pglite@2"), k(files, "pglite@1", true)])
      expect(other.some((x) => keys.includes(x))).toBe(false);
    expect(k([])).toEqual([]);
  });

  test("MemoryCache keeps within its byte bound, least recently used out", async () => {
    const c = new MemoryCache(3000);
    await c.set("a", entry(1000));
    await c.set("b", entry(1000));
    await c.get("a");
    await c.set("c", entry(1000));
    expect(await c.holding(["a", "b", "c", "d"])).toEqual(new Set(["a", "c"]));
    expect(await c.get("b")).toBeNull();
    expect(await c.get("a")).not.toBeNull();
    expect(c.size).toBeLessThanOrEqual(3000);
  });

  test("DiskCache round-trips, drops corrupt entries and prunes to its bound", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mw-cache-"));
    try {
      const c = new DiskCache(dir, 5000);
      const key = "a".repeat(64);
      await c.set(key, { ...entry(10), data: Uint8Array.from([1, 2, 3]) });
      expect(await c.get(key)).toEqual({
        kind: "state",
        data: Uint8Array.from([1, 2, 3]),
        extensions: [],
        files: 1,
      });
      const failed = {
        kind: "failed" as const,
        files: 2,
        engine: "e",
        failure: { path: "p", line: 3, error: { message: "m" }, limitation: true },
      };
      await c.set("b".repeat(64), failed);
      expect(await c.get("b".repeat(64))).toEqual(failed);
      expect(await c.holding([key, "b".repeat(64), "9".repeat(64)])).toEqual(
        new Set([key, "b".repeat(64)]),
      );
      expect(await new DiskCache(join(dir, "absent")).holding([key])).toEqual(new Set());
      writeFileSync(join(dir, `${key}.snapshot`), "garbage");
      expect(await c.get(key)).toBeNull();
      for (const ch of "cdef") await c.set(ch.repeat(64), entry(2000));
      expect(readdirSync(dir).length).toBeLessThanOrEqual(3);
      await expect(c.get("../etc")).rejects.toThrow("invalid cache key");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("default cache directory", () => {
    expect(defaultCacheDir({ MIGRATION_WARDEN_CACHE_DIR: "/x" })).toBe("/x");
    expect(defaultCacheDir({ MIGRATION_WARDEN_CACHE_DIR: "off", HOME: "/h" })).toBeNull();
    expect(defaultCacheDir({ XDG_CACHE_HOME: "/c", HOME: "/h" }, "linux")).toBe(
      "/c/migration-warden",
    );
    expect(defaultCacheDir({ HOME: "/h" }, "linux")).toBe("/h/.cache/migration-warden");
    expect(defaultCacheDir({ HOME: "/h" }, "darwin")).toBe("/h/Library/Caches/migration-warden");
    expect(defaultCacheDir({})).toBeNull();
  });
});

describe("embedded engines", () => {
  // The versions are part of the replay cache key: a stale one would reuse base states built by
  // another engine release.
  test("names the engine versions that are installed", () => {
    // Read from node_modules: the packages' exports do not include their package.json.
    const installed = (name: string) =>
      (
        JSON.parse(readFileSync(join("node_modules", name, "package.json"), "utf8")) as {
          version: string;
        }
      ).version;
    expect(PGLITE_VERSION).toBe(installed("@electric-sql/pglite"));
    expect(SQLJS_VERSION).toBe(installed("sql.js"));
  });
});
