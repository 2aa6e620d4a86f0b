/**
 * The CLI's cache directory written by someone else. Its entries' checks (magic, key, sha256) are
 * against accidents: every input of a key is public (the bundle's text, Node's version and flags;
 * the merged files), so whoever can write the directory can forge an entry that passes them. And
 * V8 checks a code cache only against the source's LENGTH: bytecode compiled from other code of
 * the same length runs in place of the shipped bundle (a lint that always exits 0). So an entry
 * is only used from a directory no other user can write: MIGRATION_WARDEN_CACHE_DIR=/tmp/… on a
 * shared runner, a cache directory made (or symlinked) by another user, a mode of 0777.
 */
import { createHash } from "node:crypto";
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import vm from "node:vm";
import { codeCacheKey, installKey, loadBundle } from "../../src/cli/code-cache.js";
import { SchemaCache } from "../../src/cli/schema-cache.js";
import type { DirectoryConfig } from "../../src/config/types.js";
import { buildMergedSchema } from "../../src/core/schema/build.js";
import { loadParsers } from "../../src/core/sql/parse/index.js";
import { DiskCache } from "../../src/replay/cache.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mw-adv-cache-dir-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const SHIPPED = `"use strict";\nmodule.exports = { runCli: () => 1 };\n`;
/** What an attacker compiles: the same length, another exit code. */
const FORGED = `"use strict";\nmodule.exports = { runCli: () => 0 };\n`;
const WRAP = (s: string) =>
  `(function (exports, require, module, __filename, __dirname, __mwImport) { ${s}\n})`;
const noImport = () => Promise.reject(new Error("no import"));
const isRoot = process.getuid?.() === 0;
const OTHER_UID = 4242;

/**
 * Writes, in `cache`, an entry for SHIPPED that holds FORGED's bytecode, as code-cache.ts frames
 * it, under the name of every key the forger can know: none (before the installation key), and
 * the installation's when given (they can read beside the bundle, i.e. edit the tool anyway).
 */
function forgeCodeEntry(cache: string, variant = "lint", install?: Buffer): void {
  const script = new vm.Script(WRAP(FORGED), { filename: "forged.cjs" });
  const mod = { exports: {} as { runCli?: () => number } };
  (script.runInThisContext() as (...a: unknown[]) => void)(mod.exports, null, mod);
  mod.exports.runCli!(); // compiled, so its bytecode is in the cache data
  const payload = script.createCachedData();
  mkdirSync(cache, { recursive: true });
  const magic = Buffer.from("migration-warden code cache 2\n");
  const sum = createHash("sha256").update(payload).digest();
  // What codeCacheKey hashed before the installation key: all public.
  const publicKey = createHash("sha256")
    .update(
      JSON.stringify({
        format: 2,
        variant,
        source: createHash("sha256").update(SHIPPED).digest("hex"),
        node: process.version,
        v8: process.versions.v8,
        platform: process.platform,
        arch: process.arch,
        execArgv: process.execArgv,
        nodeOptions: process.env.NODE_OPTIONS ?? "",
      }),
    )
    .digest();
  const keys = [publicKey, ...(install ? [codeCacheKey(SHIPPED, variant, install)] : [])];
  for (const key of keys)
    writeFileSync(
      join(cache, `${key.toString("hex")}.v8`),
      Buffer.concat([magic, key, sum, payload]),
    );
}

test("the forgery runs when the forger has the installation's key: V8 checks only the length", () => {
  // The reason for both defences: whoever can read the key beside the bundle could edit it too.
  const cache = join(dir, "own");
  const file = shippedBundle();
  forgeCodeEntry(cache, "lint", installKey(file)!);
  expect(FORGED.length).toBe(SHIPPED.length);
  expect(exitOf(cache)).toBe(0);
});

function shippedBundle(): string {
  const file = join(dir, "cli.cjs");
  writeFileSync(file, SHIPPED);
  return file;
}

/** The installation's key: other local users can read it (0644), as they can read the bundle. */
const key = () => installKey(shippedBundle())!;

const exitOf = (cache: string) =>
  (loadBundle(shippedBundle(), cache, noImport, "lint").exports as { runCli(): number }).runCli();

describe("the code cache runs only the shipped bundle's bytecode", () => {
  test("an entry another job left in the user's own cache (a CI cache a pull request saved)", () => {
    // Everything in the key is public: the bundle's text, Node's version, flags, platform. A
    // pull request's CI job that ran the tool can save such an entry into a cache directory a
    // CI system shares with later jobs (a branch's lint), which then run the forged bytecode.
    const cache = join(dir, "restored");
    forgeCodeEntry(cache);
    expect(FORGED.length).toBe(SHIPPED.length);
    expect(exitOf(cache)).toBe(1);
  });

  test("the installation's own entries are used; a new installation of the bundle uses none", () => {
    const cache = join(dir, "own");
    const file = shippedBundle();
    loadBundle(file, cache, noImport, "lint").save();
    expect(loadBundle(file, cache, noImport, "lint").cache).toBe("used");
    // A reinstall (a new CI job's npm ci): the same bundle, a new key beside it.
    rmSync(`${file}.code-cache-key`);
    expect(loadBundle(file, cache, noImport, "lint").cache).toBe("written");
  });

  test("a key beside the bundle that is not one: no cache, the bundle runs", () => {
    const cache = join(dir, "own");
    const file = shippedBundle();
    writeFileSync(`${file}.code-cache-key`, "");
    const b = loadBundle(file, cache, noImport, "lint");
    expect(b.cache).toBe("off");
    expect((b.exports as { runCli(): number }).runCli()).toBe(1);
  });

  test("a cache directory any user can write (mode 0777): the entry is not used", () => {
    const cache = join(dir, "shared");
    forgeCodeEntry(cache, "lint", key());
    chmodSync(cache, 0o777);
    expect(exitOf(cache)).toBe(1);
  });

  test("a sticky world-writable directory (/tmp itself as the cache): not used", () => {
    const cache = join(dir, "sticky");
    forgeCodeEntry(cache, "lint", key());
    chmodSync(cache, 0o1777);
    expect(exitOf(cache)).toBe(1);
  });

  test("a parent directory any user can write (the cache could be swapped): not used", () => {
    const parent = join(dir, "open");
    const cache = join(parent, "code");
    forgeCodeEntry(cache, "lint", key());
    chmodSync(parent, 0o777);
    expect(exitOf(cache)).toBe(1);
  });

  (isRoot ? test : test.skip)("a cache directory owned by another user: not used", () => {
    const cache = join(dir, "theirs");
    forgeCodeEntry(cache, "lint", key());
    chownSync(cache, OTHER_UID, OTHER_UID);
    expect(exitOf(cache)).toBe(1);
  });

  (isRoot ? test : test.skip)(
    "the configured path is a symlink to another user's directory: not used",
    () => {
      const theirs = join(dir, "theirs");
      forgeCodeEntry(theirs, "lint", key());
      chownSync(theirs, OTHER_UID, OTHER_UID);
      const link = join(dir, "link");
      symlinkSync(theirs, link);
      expect(exitOf(link)).toBe(1);
    },
  );

  test("no entry is written into a directory others can write either", () => {
    const cache = join(dir, "shared");
    mkdirSync(cache);
    chmodSync(cache, 0o777);
    loadBundle(shippedBundle(), cache, noImport, "lint").save();
    expect(readdirSync(cache)).toEqual([]);
  });
});

describe("the merged-schema and replay caches too", () => {
  const DIR: DirectoryConfig = { path: "m", dialect: "postgres", multiStatement: false };
  beforeAll(() => loadParsers());

  test("a schema entry in a directory others can write is not used", () => {
    const cache = new SchemaCache(join(dir, "schema"), "build-1");
    const files = [
      { path: "m/1_a.up.sql", bytes: new TextEncoder().encode("CREATE TABLE a (id int);") },
    ];
    const key = cache.key(DIR, files);
    // What a forger would leave: an empty schema under the key of a history with a table.
    cache.store(key, buildMergedSchema(DIR, []));
    expect(cache.load(key)).not.toBeNull();
    chmodSync(join(dir, "schema"), 0o777);
    // The next run (a cache checks its directory once).
    expect(new SchemaCache(join(dir, "schema"), "build-1").load(key)).toBeNull();
  });

  test("a replay entry (a recorded failure) in a directory others can write is not used", async () => {
    const path = join(dir, "replay");
    const key = "a".repeat(64);
    const failed = {
      kind: "failed" as const,
      files: 1,
      engine: "x",
      failure: {
        path: "m/1.up.sql",
        line: 1,
        error: { message: "forged" } as never,
        limitation: true,
      },
    };
    await new DiskCache(path).set(key, failed);
    expect(await new DiskCache(path).get(key)).not.toBeNull();
    chmodSync(path, 0o777);
    const cache = new DiskCache(path);
    expect(await cache.get(key)).toBeNull();
    expect(await cache.holding([key])).toEqual(new Set());
  });
});
