/**
 * The core's ChangeSet from a local repository (git mode: a revision source for the shared builder
 * in src/changeset/build.ts) or from paths (PATH mode: the files alone).
 */
import { gitObjectId } from "../changeset/object-id.js";
import { readFileSync } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type {
  BaseFile,
  DirectoryListing,
  HeadFile,
  HeadFiles,
  ListedChanges,
  RevisionSource,
  ShapeReading,
} from "../changeset/source.js";
import { mergedUpFiles } from "../changeset/build.js";
import type { Config, DirectoryConfig } from "../config/types.js";
import type { ChangeSet, ChangedFile, EntryKind, Revision, TreeEntry } from "../core/types.js";
import { classifyName } from "../core/migrations/filename.js";
import type { BaseFiles } from "../changeset/source.js";
import type { Git, RawChange } from "./git.js";
import { lstatOrNull } from "./git.js";
import { UsageError, type GitRevisions } from "./revisions.js";
import type { EarlyListing } from "./lint-start.js";
// Moved to revisions.ts (loaded before the analysis's modules: lint-start.ts); kept importable here.
export {
  UsageError,
  resolveRevisions,
  revisionsToResolve,
  type GitRevisions,
} from "./revisions.js";

/**
 * A local repository's revisions for the shared builder (src/changeset/build.ts): the base
 * revision and a head commit, or the working tree (staged, unstaged and untracked files).
 */
export class LocalRevisions implements RevisionSource {
  readonly owner = null;
  /** The working tree can differ from any commit where no diff shows it; reading is cheap here. */
  readonly shapesEveryHead = true;
  readonly base: { ref: string; sha: string };
  readonly head: Revision;

  constructor(
    private readonly git: Git,
    private readonly revs: GitRevisions,
    /** Listings already started (startLint), each used once and only for what it was asked. */
    private readonly early?: EarlyListing,
  ) {
    this.base = revs.base;
    this.head = revs.head ?? { ref: "WORKTREE" };
  }

  /** `git diff` from the merge base, limited to the directories' paths (see Git.diff). */
  async listChanges(dirs: readonly string[]): Promise<ListedChanges> {
    const from = this.revs.from;
    const to = this.revs.head?.sha ?? null;
    const ahead = this.early?.diff;
    let started: Promise<RawChange[]> | undefined;
    if (
      ahead &&
      ahead.from === from &&
      ahead.head === to &&
      ahead.dirs.length === dirs.length &&
      ahead.dirs.every((d, i) => d === dirs[i])
    ) {
      this.early!.diff = null;
      started = ahead.changes;
    }
    const raw = await (started ?? this.git.diff(from, to, dirs));
    const changes = raw.map((c) => {
      const f: ChangedFile = { path: c.path, status: c.status, kind: c.kind };
      if (c.previousPath !== undefined) f.previousPath = c.previousPath;
      if (c.oid !== undefined) f.oid = c.oid;
      return f;
    });
    return { changes, incomplete: [] };
  }

  /** Base listings asked for ahead of time (prefetchBase), by directory. */
  private readonly baseListings = new Map<string, Promise<DirectoryListing>>();

  /** The merged up files of the prefetched listings, being read (prefetchBase). */
  private mergedUps: Promise<{
    files: readonly BaseFile[];
    bytes: Promise<Uint8Array[]>;
  }> | null = null;

  /**
   * Start reading the base's listing of `dirs` now, while the changes are being listed: the
   * builder asks for them next, and the git processes then overlap instead of queueing. Once
   * the listings are in, their merged up files (which the builder reads for the merged schema,
   * mergedUpFiles) are read too, while the changes are still being listed and read.
   */
  prefetchBase(dirs: readonly string[]): void {
    for (const dir of dirs) {
      if (this.baseListings.has(dir)) continue;
      const p = this.readBaseListing(dir);
      // Read later by listBase, which rethrows; until then a failure is not unhandled.
      p.catch(() => undefined);
      this.baseListings.set(dir, p);
    }
    if (this.mergedUps) return;
    const unique = [...new Set(dirs)];
    this.mergedUps = Promise.all(unique.map((d) => this.baseListings.get(d)!)).then((listings) => {
      const trees = new Map(unique.map((d, i) => [d, listings[i]!.entries ?? []]));
      const files = mergedUpFiles(trees);
      const bytes = this.readBaseNow(files);
      bytes.catch(() => undefined); // rethrown to readBase, the only reader
      return { files, bytes };
    });
    // A listing's failure is listBase's to report; this read is then never used.
    this.mergedUps.catch(() => undefined);
  }

  listBase(dir: string): Promise<DirectoryListing> {
    return this.baseListings.get(dir) ?? this.readBaseListing(dir);
  }

  private async readBaseListing(dir: string): Promise<DirectoryListing> {
    const ahead = this.early?.base === this.base.sha ? this.early.trees.get(dir) : undefined;
    this.early?.trees.delete(dir);
    const { shape, entries } = await (ahead ?? this.git.readDirectory(this.base.sha, dir));
    return { shape, entries, truncated: null };
  }

  async headShape(dir: string): Promise<ShapeReading> {
    const shape = this.revs.head
      ? await this.git.directoryShape(this.revs.head.sha, dir)
      : await this.git.worktreeShape(dir);
    return { shape, truncated: null };
  }

  /** A commit's diff already names kind and blob; the working tree is asked file by file. */
  async describeHead(files: readonly ChangedFile[]): Promise<HeadFiles> {
    const out = new Map<string, HeadFile | null>();
    if (!this.revs.head)
      for (const c of files) out.set(c.path, describeLocal(join(this.git.root, c.path)));
    return { files: out, incomplete: [] };
  }

  async readHead(files: readonly ChangedFile[]): Promise<Map<string, Uint8Array>> {
    const head = this.revs.head;
    if (!head)
      return new Map(files.map((c) => [c.path, readFileSync(join(this.git.root, c.path))]));
    const bytes = await this.git.readBlobs(
      files.map((c) => ({ object: c.oid ?? `${head.sha}:${c.path}`, path: c.path })),
    );
    return new Map(files.map((c, i) => [c.path, bytes[i]!]));
  }

  /** Bytes of base files; the merged up files, when asked for exactly, from prefetchBase. */
  async readBase(files: readonly BaseFile[]): Promise<Uint8Array[]> {
    const ahead = await this.mergedUps?.catch(() => null);
    if (
      ahead &&
      ahead.files.length === files.length &&
      ahead.files.every((f, i) => f.path === files[i]!.path && f.oid === files[i]!.oid)
    ) {
      // Used once: the builder asks for them once, and a later reader gets its own copy.
      this.mergedUps = null;
      return ahead.bytes;
    }
    return this.readBaseNow(files);
  }

  private readBaseNow(files: readonly BaseFile[]): Promise<Uint8Array[]> {
    return baseReader(this.git, this.base.sha)(files);
  }
}

/** What a working-tree file is, as git would commit it (a symlink is not followed); null: gone. */
function describeLocal(abs: string): HeadFile | null {
  const st = lstatOrNull(abs);
  if (st === null) return null;
  if (st.isSymbolicLink()) return { kind: "symlink" };
  if (st.isDirectory()) return { kind: "submodule" };
  return { kind: "file", size: st.size };
}

/**
 * A working-tree file as git would commit it. Synchronous on purpose: a CLI reading thousands of
 * small files is faster this way than through thousands of promises. Files over the size limit
 * are not read (the core reports them from their size).
 */
function readLocal(
  abs: string,
  maxBytes: number,
): { kind: EntryKind; size?: number; bytes?: Buffer } | null {
  const f = describeLocal(abs);
  if (f === null || f.kind !== "file" || f.size! > maxBytes) return f;
  const bytes = readFileSync(abs);
  return { kind: "file", size: bytes.length, bytes };
}

export interface PathInput {
  changeSet: ChangeSet;
  directories: DirectoryConfig[];
  /** Reads the history files (changeSet.history) from disk, for the replay. */
  baseFiles: BaseFiles;
}

/**
 * PATH mode: the given files, and the direct children of the given directories (golang-migrate
 * does not recurse), checked alone. Each parent directory is analysed with the dialect of the
 * configured directory at that path, else the first configured directory's dialect.
 *
 * A file given alone belongs to a history: the migration files beside it on disk with lower
 * versions are its ChangeSet.history, which the replay runs first (an ALTER of a table an earlier
 * file created is not a false replay-up-failed). Only the replay reads them.
 */
export async function pathChangeSet(
  cwd: string,
  root: string,
  paths: readonly string[],
  config: Config,
): Promise<PathInput> {
  const files = new Set<string>();
  const alone = new Set<string>();
  for (const p of paths) {
    const abs = isAbsolute(p) ? p : resolve(cwd, p);
    let st;
    try {
      st = await lstat(abs);
    } catch {
      throw new UsageError(`${p}: no such file or directory`);
    }
    if (st.isDirectory()) {
      for (const e of await readdir(abs, { withFileTypes: true })) {
        if (!e.isDirectory()) files.add(join(abs, e.name));
      }
    } else {
      files.add(abs);
      alone.add(abs);
    }
  }

  const changes: ChangedFile[] = [];
  const contents = new Map<string, Uint8Array>();
  const dirPaths = new Set<string>();
  for (const abs of [...files].sort()) {
    const rel = toPosix(relative(root, abs));
    if (rel.startsWith("../")) throw new UsageError(`${abs} is outside ${root}`);
    const local = readLocal(abs, config.limits.maxFileBytes) ?? { kind: "file" as const };
    const f: ChangedFile = { path: rel, status: "added", kind: local.kind };
    if (local.size !== undefined) f.size = local.size;
    if (local.bytes) contents.set(rel, local.bytes);
    changes.push(f);
    dirPaths.add(toPosix(dirname(rel)) === "." ? "" : toPosix(dirname(rel)));
  }

  const { history, texts } = await historyOf(files, alone, root, config.limits.maxFileBytes);
  const fallback = config.directories[0]!;
  const directories = [...dirPaths].sort().map((path): DirectoryConfig => {
    const configured = config.directories.find((d) => d.path === path);
    return configured ?? { ...fallback, path };
  });
  return {
    directories,
    changeSet: {
      mode: "paths",
      base: null,
      head: { ref: "PATHS" },
      baseTrees: new Map(),
      ...(history.size > 0 ? { history } : {}),
      changes,
      contents,
    },
    baseFiles: {
      owner: null,
      readBase: (want) =>
        Promise.resolve(
          want.map((f) => {
            const bytes = texts.get(f.path);
            if (!bytes) throw new Error(`${f.path}: not read from disk`);
            return bytes;
          }),
        ),
    },
  };
}

/**
 * For each directory holding a file given alone: the migration files beside it (regular files
 * golang-migrate would load) whose versions are below the lowest version given there.
 */
async function historyOf(
  files: ReadonlySet<string>,
  alone: ReadonlySet<string>,
  root: string,
  maxBytes: number,
): Promise<{ history: Map<string, TreeEntry[]>; texts: Map<string, Uint8Array> }> {
  const lowest = new Map<string, bigint>();
  for (const abs of alone) {
    const v = classifyName(basename(abs));
    if (v.kind !== "migration") continue;
    const dir = dirname(abs);
    const cur = lowest.get(dir);
    if (cur === undefined || v.parsed.version < cur) lowest.set(dir, v.parsed.version);
  }
  const history = new Map<string, TreeEntry[]>();
  const texts = new Map<string, Uint8Array>();
  for (const [dir, below] of lowest) {
    const rel = toPosix(relative(root, dir));
    const key = rel === "" ? "" : rel;
    const entries: TreeEntry[] = [];
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const abs = join(dir, e.name);
      if (!e.isFile() || files.has(abs)) continue;
      const v = classifyName(e.name);
      if (v.kind !== "migration" || v.parsed.version >= below) continue;
      const local = readLocal(abs, maxBytes);
      if (!local?.bytes) continue;
      entries.push({
        name: e.name,
        kind: "file",
        oid: gitObjectId("blob", local.bytes),
        size: local.size!,
      });
      texts.set(key === "" ? e.name : `${key}/${e.name}`, local.bytes);
    }
    if (entries.length > 0) history.set(key, entries);
  }
  return { history, texts };
}

function toPosix(p: string): string {
  return sep === "/" ? p : p.split(sep).join("/");
}

/** Base files by blob id (the listing has them), else by `<base>:<path>`. */
export function baseReader(
  git: Pick<Git, "readBlobs"> | null,
  baseSha: string | null,
): (files: readonly BaseFile[]) => Promise<Uint8Array[]> {
  return async (files) => {
    if (!git || !baseSha) throw new Error(`no base revision to read ${files[0]?.path} from`);
    return git.readBlobs(
      files.map((f) => ({ object: f.oid ?? `${baseSha}:${f.path}`, path: f.path })),
    );
  };
}
