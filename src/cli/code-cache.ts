/**
 * Loads the CLI's bundle (one CommonJS file, scripts/build-cli.mjs) through V8's code cache. Node
 * 20 has no compile cache for modules (`module.enableCompileCache` is Node 22), and compiling the
 * 1.3 MB bundle, then each function it runs the first time it runs, is most of a lint's start-up.
 * So the bin compiles the bundle as a `vm.Script` with the bytecode an earlier run left in the
 * CLI's cache directory (defaultCacheDir, `code/`), and a run that had none (or had it rejected)
 * leaves its own, taken after the command ran so it holds every function that run compiled. This
 * is what v8-compile-cache does for older Node versions.
 *
 * The cached bytes are code V8 runs, so an entry is used only when it is exactly what this process
 * wrote for this source:
 * - its name is a sha256 of the bundle's text itself (not a build id: an edited bundle is another
 *   key), Node's version, the platform and the V8 and Node flags of the process, and of this
 *   installation's own random key (installKey, in a file beside the bundle);
 * - it starts with a magic line, repeats that key and carries the sha256 of the bytecode: a
 *   truncated, altered or renamed file is ignored (V8's own checks compare the source's length and
 *   its flags, not its text, and skip the checksum in release builds);
 * - V8 may still reject an entry (another V8 build): the bundle is then compiled from source and
 *   the entry rewritten;
 * - entries are written to a temporary file and renamed into place; a cache directory that cannot
 *   be written only costs the compilation. Only the newest few entries are kept.
 * V8 itself checks an entry against the source's length only: bytecode of other code of that
 * length runs. Without the installation's key, every input of an entry's name is public, so an
 * entry forged anywhere (a pull request's CI job whose cache directory a CI cache hands to later
 * jobs) would run in place of the bundle. The key lives beside the bundle, where whoever could
 * change it could change the bundle too; a fresh installation (a new CI job's) has a new key and
 * uses none of the entries before it. npm does not publish the key (the build's .npmignore).
 * And the cache is used only in a directory no other user can write (trustedCacheDir).
 */
import { createHash, randomBytes } from "node:crypto";
import {
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import vm from "node:vm";
import { trustedCacheDir } from "../replay/cache-dir.js";

/** Bumped whenever the entry format, the key's derivation or the wrapper changes. */
const FORMAT = 2;
const MAGIC = Buffer.from(`migration-warden code cache ${FORMAT}\n`);
const SUFFIX = ".v8";
const KEY_BYTES = 32;
const HASH_BYTES = 32;
/** Entries kept (about the bundle's size each): a few commands' of the build and Node in use. */
const MAX_ENTRIES = 8;

const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest();

/** The bundle's `import()`: relative to the bundle, packages as Node would resolve them from it. */
export type DynamicImport = (specifier: string, bundleUrl: URL) => Promise<unknown>;

export interface LoadedBundle {
  /** The bundle's `module.exports`. */
  readonly exports: unknown;
  /** "used": compiled from the cache; "written": save() will write one; "off": no cache. */
  readonly cache: "used" | "written" | "off";
  /** Stores the code compiled so far, when this run had no usable entry. Never throws. */
  save(): void;
}

/**
 * The random key of the installation of the bundle `file` (`<file>.code-cache-key`, made by the
 * first run that can write beside it), or null: no key, no code cache (an installation nobody who
 * runs it may write, e.g. a global one by root, costs the compilation). Made once even when runs
 * race: written aside, then linked into place, which fails when another run linked first.
 */
export function installKey(file: string): Buffer | null {
  const path = `${file}.code-cache-key`;
  const read = () => {
    const key = readFileSync(path);
    return key.length === KEY_BYTES ? key : null;
  };
  try {
    return read();
  } catch {
    // None yet.
  }
  const tmp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    writeFileSync(tmp, randomBytes(KEY_BYTES), { mode: 0o644, flag: "wx" });
    try {
      linkSync(tmp, path);
    } catch {
      // Another run's key is in place: that one is used.
    }
    return read();
  } catch {
    return null;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * The key of `source` in this process (Node version, platform, flags) for `variant`, in the
 * installation whose key is `install` (installKey).
 */
export function codeCacheKey(source: string, variant: string, install: Uint8Array): Buffer {
  return sha256(
    JSON.stringify({
      format: FORMAT,
      variant,
      install: Buffer.from(install).toString("hex"),
      source: sha256(source).toString("hex"),
      node: process.version,
      v8: process.versions.v8,
      platform: process.platform,
      arch: process.arch,
      execArgv: process.execArgv,
      nodeOptions: process.env.NODE_OPTIONS ?? "",
    }),
  );
}

/** The bytecode of an entry, or undefined when the file is missing or not exactly an entry of `key`. */
function readEntry(file: string, key: Buffer): Buffer | undefined {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return undefined;
  }
  const start = MAGIC.length + KEY_BYTES + HASH_BYTES;
  if (data.length <= start || !data.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  if (!data.subarray(MAGIC.length, MAGIC.length + KEY_BYTES).equals(key)) return undefined;
  const payload = data.subarray(start);
  if (!sha256(payload).equals(data.subarray(MAGIC.length + KEY_BYTES, start))) return undefined;
  return payload;
}

function writeEntry(dir: string, file: string, key: Buffer, payload: Buffer): void {
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
    writeFileSync(tmp, Buffer.concat([MAGIC, key, sha256(payload), payload]));
    renameSync(tmp, file);
    prune(dir, file);
  } catch {
    // A cache that cannot be written costs the next run its compilation, nothing else.
  }
}

/** Removes all but the newest MAX_ENTRIES entries, and temporary files older than a minute. */
function prune(dir: string, keep: string): void {
  const now = Date.now();
  const entries: { path: string; mtime: number }[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    try {
      const mtime = statSync(path).mtimeMs;
      if (name.endsWith(".tmp")) {
        if (now - mtime > 60_000) rmSync(path, { force: true });
      } else if (name.endsWith(SUFFIX) && path !== keep) entries.push({ path, mtime });
    } catch {
      // Removed by another run meanwhile.
    }
  }
  entries.sort((a, b) => b.mtime - a.mtime);
  for (const e of entries.slice(MAX_ENTRIES - 1)) rmSync(e.path, { force: true });
}

/**
 * Runs the CommonJS file `file` as Node would `require` it, compiled with the code cache in
 * `cacheDir` (`null`: no cache). `variant` keeps one entry per kind of run (the bin: per command),
 * since an entry holds what the run that wrote it compiled: a `--version` must not leave the entry
 * every later lint uses.
 */
export function loadBundle(
  file: string,
  cacheDir: string | null,
  dynamicImport: DynamicImport,
  variant = "",
): LoadedBundle {
  const source = readFileSync(file, "utf8");
  // Made here if missing (0700), so the check below sees what save() will write into. Another
  // user's directory (or one they can write) is no cache: see trustedCacheDir.
  cacheDir = cacheDir === null ? null : trustedCacheDir(cacheDir, true);
  const install = cacheDir === null ? null : installKey(file);
  const key = install === null ? null : codeCacheKey(source, variant, install);
  const entry = key && cacheDir ? join(cacheDir, `${key.toString("hex")}${SUFFIX}`) : null;
  const cachedData = key && entry ? readEntry(entry, key) : undefined;
  const url = pathToFileURL(file);
  const script = new vm.Script(
    // Node's own CommonJS wrapper, on one line so the bundle's line numbers stay its own, plus the
    // bundle's way to `import()` (see scripts/build-cli.mjs: Node 20 has none inside a vm.Script).
    `(function (exports, require, module, __filename, __dirname, __mwImport) { ${source}\n})`,
    { filename: file, ...(cachedData ? { cachedData } : {}) },
  );
  const used = cachedData !== undefined && script.cachedDataRejected !== true;
  const mod = { exports: {} as unknown };
  (script.runInThisContext() as (...args: unknown[]) => void).call(
    mod.exports,
    mod.exports,
    createRequire(file),
    mod,
    file,
    dirname(file),
    (specifier: string) => dynamicImport(specifier, url),
  );
  let saved = false;
  return {
    get exports() {
      return mod.exports;
    },
    cache: entry === null ? "off" : used ? "used" : "written",
    save() {
      if (saved || used || entry === null || key === null || cacheDir === null) return;
      saved = true;
      let payload: Buffer;
      try {
        payload = script.createCachedData();
      } catch {
        return;
      }
      writeEntry(cacheDir, entry, key, payload);
    },
  };
}
