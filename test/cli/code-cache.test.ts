/**
 * The bin's V8 code cache (src/cli/code-cache.ts): an entry is used only when it is exactly what
 * this process wrote for this source; anything else (truncated, garbage, altered, another bundle's,
 * an unwritable directory) costs the compilation and never changes what runs.
 */
import { execFile } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  codeCacheKey,
  installKey,
  loadBundle,
  type LoadedBundle,
} from "../../src/cli/code-cache.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mw-code-cache-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A bundle whose result shows which source ran; `n` keeps two sources the same length. */
function bundle(name: string, n: number): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `"use strict";\nfunction f(x) { return x * ${n}; }\nmodule.exports = { value: f(2), file: __filename, viaImport: (s) => __mwImport(s) };\n`,
  );
  return file;
}

const noImport = () => Promise.reject(new Error("no import in this test"));
const cacheDir = () => join(dir, "cache");
const entries = () => (existsSync(cacheDir()) ? readdirSync(cacheDir()) : []);
const value = (b: LoadedBundle) => (b.exports as { value: number }).value;

test("the first run writes an entry after it ran; the next one uses it", () => {
  const file = bundle("a.cjs", 21);
  const first = loadBundle(file, cacheDir(), noImport);
  expect(first.cache).toBe("written");
  expect(value(first)).toBe(42);
  expect((first.exports as { file: string }).file).toBe(file);
  expect(entries()).toEqual([]);
  first.save();
  first.save();
  expect(entries()).toEqual([
    `${codeCacheKey(readFileSync(file, "utf8"), "", installKey(file)!).toString("hex")}.v8`,
  ]);
  const second = loadBundle(file, cacheDir(), noImport);
  expect(second.cache).toBe("used");
  expect(value(second)).toBe(42);
  const mtime = statSync(join(cacheDir(), entries()[0]!)).mtimeMs;
  second.save();
  expect(statSync(join(cacheDir(), entries()[0]!)).mtimeMs).toBe(mtime);
});

test("no cache directory: nothing is read or written", () => {
  const b = loadBundle(bundle("a.cjs", 21), null, noImport);
  expect(b.cache).toBe("off");
  b.save();
  expect(value(b)).toBe(42);
});

test("the bundle's import() goes to the bin's function, with the bundle's URL", async () => {
  const file = bundle("a.cjs", 21);
  const seen: string[] = [];
  const b = loadBundle(file, cacheDir(), async (s, url) => {
    seen.push(`${s} ${url.href}`);
    return { ok: true };
  });
  const viaImport = (b.exports as { viaImport(s: string): Promise<unknown> }).viaImport;
  await expect(viaImport("./report.js")).resolves.toEqual({ ok: true });
  expect(seen).toEqual([`./report.js file://${file}`]);
});

describe("an entry that is not exactly this source's is ignored and rewritten", () => {
  function written(file: string, variant = ""): string {
    loadBundle(file, cacheDir(), noImport, variant).save();
    const key = codeCacheKey(readFileSync(file, "utf8"), variant, installKey(file)!).toString(
      "hex",
    );
    return join(cacheDir(), `${key}.v8`);
  }
  const damages: Array<[string, (entry: string) => void]> = [
    ["truncated", (e) => truncateSync(e, Math.floor(statSync(e).size / 2))],
    ["empty", (e) => writeFileSync(e, "")],
    ["garbage", (e) => writeFileSync(e, Buffer.alloc(statSync(e).size, 0x5a))],
    [
      "its bytecode altered",
      (e) => {
        const data = readFileSync(e);
        data.writeUInt8(data.readUInt8(data.length - 1) ^ 0xff, data.length - 1);
        writeFileSync(e, data);
      },
    ],
    [
      "its header altered",
      (e) => {
        const data = readFileSync(e);
        data.writeUInt8(data.readUInt8(0) ^ 0xff, 0);
        writeFileSync(e, data);
      },
    ],
  ];
  test.each(damages)("%s", (_label, damage) => {
    const file = bundle("a.cjs", 21);
    const entry = written(file);
    damage(entry);
    const b = loadBundle(file, cacheDir(), noImport);
    expect(b.cache).toBe("written");
    expect(value(b)).toBe(42);
    b.save();
    expect(loadBundle(file, cacheDir(), noImport).cache).toBe("used");
  });

  test("another bundle's entry (of the same length) under this bundle's name", () => {
    // V8's own check compares the source's length, not its text: only the key inside tells.
    const other = bundle("b.cjs", 23);
    const otherEntry = written(other);
    const file = bundle("a.cjs", 21);
    expect(readFileSync(file).length).toBe(readFileSync(other).length);
    const key = codeCacheKey(readFileSync(file, "utf8"), "", installKey(file)!).toString("hex");
    copyFileSync(otherEntry, join(cacheDir(), `${key}.v8`));
    const b = loadBundle(file, cacheDir(), noImport);
    expect(b.cache).toBe("written");
    expect(value(b)).toBe(42);
  });

  test("another command's entry under this one's name", () => {
    const file = bundle("a.cjs", 21);
    const lint = written(file, "lint");
    const explain = join(
      cacheDir(),
      `${codeCacheKey(readFileSync(file, "utf8"), "explain", installKey(file)!).toString("hex")}.v8`,
    );
    copyFileSync(lint, explain);
    expect(loadBundle(file, cacheDir(), noImport, "explain").cache).toBe("written");
    expect(loadBundle(file, cacheDir(), noImport, "lint").cache).toBe("used");
  });

  test("the same file edited in place: a new key, the old entry unused", () => {
    const file = bundle("a.cjs", 21);
    written(file);
    bundle("a.cjs", 23);
    const b = loadBundle(file, cacheDir(), noImport);
    expect(b.cache).toBe("written");
    expect(value(b)).toBe(46);
  });
});

test("a cache directory that cannot be written costs nothing but the cache", () => {
  const file = bundle("a.cjs", 21);
  writeFileSync(join(dir, "blocked"), "");
  const b = loadBundle(file, join(dir, "blocked"), noImport);
  expect(value(b)).toBe(42);
  expect(() => b.save()).not.toThrow();
  expect(readFileSync(join(dir, "blocked"), "utf8")).toBe("");
});

test("only the newest entries are kept", () => {
  const file = bundle("a.cjs", 21);
  for (let i = 0; i < 12; i++) loadBundle(file, cacheDir(), noImport, `v${i}`).save();
  expect(entries()).toHaveLength(8);
  expect(loadBundle(file, cacheDir(), noImport, "v11").cache).toBe("used");
});

describe("the built bin", () => {
  const bin = join(ROOT, "lib/cli/main.js");
  beforeAll(() => {
    if (!existsSync(bin)) throw new Error("run `npm run build` first (npm test does)");
  });

  const run = (args: string[], cwd: string, env: Record<string, string>) =>
    promisify(execFile)(process.execPath, [bin, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? "", ...env },
    }).catch((e: { code: number; stdout: string; stderr: string }) => ({
      stdout: e.stdout,
      stderr: `${e.stderr} (exit ${e.code})`,
    }));

  test("whatever is in its cache, every command prints what it prints without one", async () => {
    const work = join(dir, "work");
    mkdirSync(join(work, "pg"), { recursive: true });
    mkdirSync(join(work, "my"), { recursive: true });
    writeFileSync(
      join(work, "pg/1_a.up.sql"),
      "ALTER TABLE t ALTER COLUMN c SET NOT NULL;\nCREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END $$ LANGUAGE plpgsql;\n",
    );
    // MySQL: the parser is a package the bundle imports (through the bin's import()).
    writeFileSync(join(work, "my/1_a.up.sql"), "ALTER TABLE t DROP COLUMN d;\n");
    writeFileSync(
      join(work, "migration-warden.yml"),
      "directories:\n  - path: pg\n    dialect: postgres\n  - path: my\n    dialect: mysql\n",
    );
    const commands = [
      ["lint", "--no-replay", "--config", "migration-warden.yml", "--format", "json", "pg", "my"],
      // The report command is an ES module bundle the CommonJS one imports.
      ["report", "--help"],
      ["explain", "set-not-null"],
      ["--version"],
    ];
    const expected = await Promise.all(
      commands.map((c) => run(c, work, { MIGRATION_WARDEN_CACHE_DIR: "off" })),
    );
    expect(expected[0]!.stdout).toMatch(/"drop-column"/);
    expect(expected[0]!.stdout).toMatch(/"set-not-null"/);
    expect(expected[1]!.stdout).toMatch(/^Usage: migration-warden report/);
    const cache = join(dir, "bin-cache");
    const code = join(cache, "code");
    const check = async (label: string) => {
      for (const [i, c] of commands.entries()) {
        const r = await run(c, work, { MIGRATION_WARDEN_CACHE_DIR: cache });
        expect([label, r.stdout, r.stderr]).toEqual([
          label,
          expected[i]!.stdout,
          expected[i]!.stderr,
        ]);
      }
    };
    await check("no entries yet");
    expect(readdirSync(code).filter((n) => n.endsWith(".v8"))).toHaveLength(commands.length);
    const all = () => readdirSync(code).map((n) => join(code, n));
    const stamps = () => all().map((e) => `${e} ${statSync(e).mtimeMs} ${statSync(e).size}`);
    const written = stamps();
    await check("every entry written");
    // Accepted (by the checks and by V8): not written again.
    expect(stamps()).toEqual(written);
    for (const e of all()) truncateSync(e, 100);
    await check("truncated entries");
    // Ignored, then replaced by whole entries.
    for (const e of all()) expect(statSync(e).size).toBeGreaterThan(1000);
    for (const e of all()) writeFileSync(e, Buffer.alloc(statSync(e).size, 7));
    await check("garbage");
    // Every entry replaced by another command's (a foreign bundle's cache, as far as it knows).
    const [first, ...rest] = all();
    for (const e of rest) copyFileSync(first!, e);
    await check("foreign entries");
    expect(readdirSync(code).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  }, 120_000);
});
