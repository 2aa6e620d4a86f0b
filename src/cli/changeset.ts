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
import type { Config, DirectoryConfig } from "../config/types.js";
import type { ChangeSet, ChangedFile, EntryKind, Revision, TreeEntry } from "../core/types.js";
import { classifyName } from "../core/migrations/filename.js";
import type { BaseFiles } from "../changeset/source.js";
import type { Git } from "./git.js";
import { GitError, lstatOrNull } from "./git.js";
import { baseReader } from "./replay.js";

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface GitRevisions {
  /** Base as the user named it (or the default's name) and the sha whose tree is "merged". */
  base: { ref: string; sha: string };
  /** Null for the working tree. */
  head: { ref: string; sha: string } | null;
  /** Where the change starts (merge base of base and head). */
  from: string;
}

/** The revisions resolveRevisions asks Git.resolveMany for (Git.open can ask them ahead). */
export function revisionsToResolve(baseArg?: string, headArg?: string): string[] {
  return [
    ...(headArg !== undefined ? [headArg] : ["HEAD"]),
    ...(baseArg !== undefined ? [baseArg] : ["origin/HEAD", "main"]),
  ];
}

/** Resolve --base/--head per the contract (default base: merge base with origin/HEAD, else main). */
export async function resolveRevisions(
  git: Git,
  baseArg?: string,
  headArg?: string,
  /**
   * Called with the base as soon as it is known, before the merge base is computed: what reads
   * the base (its configuration) can start then. Not called when resolving fails first.
   */
  onBase?: (base: { ref: string; sha: string }) => void,
): Promise<GitRevisions> {
  // Every revision this may need, resolved by one git process.
  const known = await git.resolveMany(revisionsToResolve(baseArg, headArg));
  const sha = (rev: string) => {
    const s = known.get(rev);
    if (!s)
      throw new GitError(`unknown revision "${rev}" (not a branch, tag or commit in ${git.root})`);
    return s;
  };
  const headSha = headArg !== undefined ? sha(headArg) : null;
  const headForMerge = headSha ?? known.get("HEAD") ?? null;
  if (headForMerge === null) {
    throw new GitError(
      "the repository has no commits yet; commit the base first or lint files by PATH",
    );
  }
  let base: { ref: string; sha: string };
  let from: string;
  if (baseArg !== undefined) {
    base = { ref: baseArg, sha: sha(baseArg) };
    onBase?.(base);
    from = await git.mergeBase(base.sha, headForMerge);
  } else {
    // The contract's default (Git.defaultBase): the merge base with origin/HEAD, else main. That
    // merge base is an ancestor of the head: the change starts there.
    const ref = ["origin/HEAD", "main"].find((r) => known.get(r));
    if (ref === undefined) {
      throw new UsageError(
        'no base revision: there is no origin/HEAD and no "main" branch; pass --base <ref>',
      );
    }
    base = { ref, sha: await git.mergeBase(known.get(ref)!, headForMerge) };
    onBase?.(base);
    from = base.sha;
  }
  return { base, head: headSha !== null ? { ref: headArg!, sha: headSha } : null, from };
}

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
  ) {
    this.base = revs.base;
    this.head = revs.head ?? { ref: "WORKTREE" };
  }

  /** `git diff` from the merge base, limited to the directories' paths (see Git.diff). */
  async listChanges(dirs: readonly string[]): Promise<ListedChanges> {
    const raw = await this.git.diff(this.revs.from, this.revs.head?.sha ?? null, dirs);
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

  /**
   * Start reading the base's listing of `dirs` now, while the changes are being listed: the
   * builder asks for them next, and the git processes then overlap instead of queueing.
   */
  prefetchBase(dirs: readonly string[]): void {
    for (const dir of dirs) {
      if (this.baseListings.has(dir)) continue;
      const p = this.readBaseListing(dir);
      // Read later by listBase, which rethrows; until then a failure is not unhandled.
      p.catch(() => undefined);
      this.baseListings.set(dir, p);
    }
  }

  listBase(dir: string): Promise<DirectoryListing> {
    return this.baseListings.get(dir) ?? this.readBaseListing(dir);
  }

  private async readBaseListing(dir: string): Promise<DirectoryListing> {
    const { shape, entries } = await this.git.readDirectory(this.base.sha, dir);
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

  readBase(files: readonly BaseFile[]): Promise<Uint8Array[]> {
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
