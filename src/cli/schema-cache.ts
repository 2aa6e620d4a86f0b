/**
 * The CLI's disk cache of merged schemas. A lint in git mode judges the change against the schema
 * the merged history builds (core/schema/build.ts): a parse of every merged up file, most of a
 * typical pull request's analysis, and the same on every run against the same base. This keeps
 * what that built, under the user's cache directory (defaultCacheDir, `schema/`).
 *
 * A wrong entry would let a change be judged against the wrong schema, so:
 * - the key is a hash of everything the schema depends on: the merged files' paths and their
 *   bytes (sha256 of the bytes themselves, not of a name or a commit), the directory's whole
 *   configuration (dialect, database version, multi-statement mode…), the tool's version and a
 *   hash of the build's source code (a build without one, e.g. `tsc` output run directly, does
 *   not use the disk at all);
 * - an entry repeats its key and carries the sha256 of its payload, and its payload must be
 *   exactly a snapshot (core/schema/snapshot.ts): anything else (truncated, altered, another
 *   format) is ignored and rebuilt;
 * - entries are written to a temporary file and renamed into place, so two runs writing the same
 *   entry at once leave one whole entry; a cache directory that cannot be written only costs the
 *   rebuild.
 * The checks are against accidents and stale entries: the key's inputs are public, so whoever can
 * write the directory can forge an entry that passes them (an empty schema under a history's key).
 * The user's own directory is theirs to edit like the tool itself; one another user can write
 * (a shared runner's /tmp/…, a directory made by someone else) is not used (trustedCacheDir).
 */
import { createHash, randomBytes } from "node:crypto";
import {
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import type { DirectoryConfig } from "../config/types.js";
import {
  buildMergedSchema,
  type MergedFile,
  type MergedSchemaBuilder,
} from "../core/schema/build.js";
import type { MergedSchema } from "../core/schema/merged.js";
import { schemaFromJson, schemaToJson } from "../core/schema/snapshot.js";
import { defaultCacheDir } from "../replay/cache.js";
import { trustedCacheDir } from "../replay/cache-dir.js";
import { TOOL } from "../version.js";

/** Bumped whenever the entry format or the key's derivation changes. */
const FORMAT = 1;
const SUFFIX = ".schema.json";

// Set by scripts/build-cli.mjs (esbuild `define`): a hash of the source the bundle was built from.
declare const __MIGRATION_WARDEN_BUILD__: string | undefined;

/** The running build's source hash; null when the code was not built by build-cli.mjs. */
export function buildId(): string | null {
  return typeof __MIGRATION_WARDEN_BUILD__ === "string" ? __MIGRATION_WARDEN_BUILD__ : null;
}

const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");

export class SchemaCache {
  /**
   * `build`: what identifies the code that builds schemas (buildId()); `maxEntries`: older
   * entries beyond it are removed when a new one is written.
   */
  constructor(
    readonly dir: string,
    private readonly build: string,
    private readonly maxEntries = 64,
  ) {}

  /** The directory's real path once it is checked (made if missing), null when it is not ours. */
  #root: string | null | undefined;
  private root(): string | null {
    if (this.#root === undefined) this.#root = trustedCacheDir(this.dir, true);
    return this.#root;
  }

  /** The CLI's cache (MIGRATION_WARDEN_CACHE_DIR=off disables it), or null when there is none. */
  static fromEnv(env: Record<string, string | undefined>): SchemaCache | null {
    const dir = defaultCacheDir(env);
    const build = buildId();
    return dir && build ? new SchemaCache(join(dir, "schema"), build) : null;
  }

  /** The key of the schema after `files` in `directory`. */
  key(directory: DirectoryConfig, files: readonly MergedFile[]): string {
    return sha256(
      JSON.stringify({
        format: FORMAT,
        tool: TOOL.version,
        build: this.build,
        directory,
        files: files.map((f) => [f.path, sha256(f.bytes)]),
      }),
    );
  }

  /** The entry under `key`, or null when there is none or it is not exactly what was written. */
  load(key: string): MergedSchema | null {
    const root = this.root();
    if (root === null) return null;
    const path = join(root, key + SUFFIX);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      return null;
    }
    const eol = text.indexOf("\n");
    if (eol < 0) return null;
    let header: unknown;
    try {
      header = JSON.parse(text.slice(0, eol));
    } catch {
      return null;
    }
    const payload = text.slice(eol + 1);
    const h = header as { key?: unknown; sha256?: unknown };
    if (h === null || typeof h !== "object" || h.key !== key || h.sha256 !== sha256(payload))
      return null;
    const schema = schemaFromJson(payload);
    if (schema) touch(path);
    return schema;
  }

  /** Write `schema` under `key` (atomically; a failure to write is not an error). */
  store(key: string, schema: MergedSchema): void {
    const payload = schemaToJson(schema);
    const text = `${JSON.stringify({ key, sha256: sha256(payload) })}\n${payload}`;
    const root = this.root();
    if (root === null) return;
    const path = join(root, key + SUFFIX);
    const tmp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      writeFileSync(tmp, text);
      renameSync(tmp, path);
    } catch {
      try {
        rmSync(tmp, { force: true });
      } catch {
        // Nothing was written.
      }
      return;
    }
    this.prune(root);
  }

  /** buildMergedSchema through the cache. */
  builder(): MergedSchemaBuilder {
    return (directory, files) => {
      const key = this.key(directory, files);
      const cached = this.load(key);
      if (cached) return cached;
      const schema = buildMergedSchema(directory, files);
      this.store(key, schema);
      return schema;
    };
  }

  /** Keep the newest `maxEntries` entries (by last use). */
  private prune(root: string): void {
    try {
      const names = readdirSync(root).filter((n) => n.endsWith(SUFFIX));
      if (names.length <= this.maxEntries) return;
      const aged = names
        .map((n) => ({ n, t: statSync(join(root, n)).mtimeMs }))
        .sort((a, b) => b.t - a.t);
      for (const { n } of aged.slice(this.maxEntries)) rmSync(join(root, n), { force: true });
    } catch {
      // Another run pruning at the same time, or a directory gone read-only: nothing to do.
    }
  }
}

function touch(path: string): void {
  try {
    const now = new Date();
    utimesSync(path, now, now);
  } catch {
    // A read-only cache still serves.
  }
}
