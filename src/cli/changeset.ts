/**
 * Build the core's ChangeSet from a local repository (git mode) or from paths (PATH mode).
 */
import { lstatSync, readFileSync } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { Config, DirectoryConfig } from "../config/types.js";
import { directoryOf } from "../core/migrations/directory.js";
import { migrationPathRole } from "../core/migrations/shape.js";
import type {
  ChangeSet,
  ChangedFile,
  DirectoryShape,
  EntryKind,
  TreeEntry,
} from "../core/types.js";
import type { Git } from "./git.js";
import { GitError } from "./git.js";

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

/** Resolve --base/--head per the contract (default base: merge base with origin/HEAD, else main). */
export async function resolveRevisions(
  git: Git,
  baseArg?: string,
  headArg?: string,
): Promise<GitRevisions> {
  const headSha = headArg !== undefined ? await git.resolve(headArg) : null;
  const headForMerge = headSha ?? (await git.tryResolve("HEAD"));
  if (headForMerge === null) {
    throw new GitError(
      "the repository has no commits yet; commit the base first or lint files by PATH",
    );
  }
  let base: { ref: string; sha: string };
  if (baseArg !== undefined) {
    base = { ref: baseArg, sha: await git.resolve(baseArg) };
  } else {
    const d = await git.defaultBase(headForMerge);
    if (d === null) {
      throw new UsageError(
        'no base revision: there is no origin/HEAD and no "main" branch; pass --base <ref>',
      );
    }
    base = d;
  }
  const from = await git.mergeBase(base.sha, headForMerge);
  return { base, head: headSha !== null ? { ref: headArg!, sha: headSha } : null, from };
}

/** Migration directories at any depth need their changes; limits `git diff` to them. */
export async function gitChangeSet(
  git: Git,
  config: Config,
  revs: GitRevisions,
): Promise<ChangeSet> {
  const dirs = config.directories.map((d) => d.path);
  const baseTrees = new Map<string, TreeEntry[]>();
  const shapes = new Map<string, { base: DirectoryShape; head: DirectoryShape }>();
  for (const d of dirs) {
    const base = await git.directoryShape(revs.base.sha, d);
    const head = revs.head ? await git.directoryShape(revs.head.sha, d) : git.worktreeShape(d);
    shapes.set(d, { base, head });
    baseTrees.set(d, base.kind === "directory" ? await git.listDirectory(revs.base.sha, d) : []);
  }

  const raw = await git.diff(revs.from, revs.head?.sha ?? null, dirs);
  const changes: ChangedFile[] = [];
  const contents = new Map<string, Uint8Array>();
  const matters = (p: string | undefined) =>
    p !== undefined && migrationPathRole(p, config.directories) !== null;
  for (const c of raw) {
    // The pathspecs include the directories' ancestors, and so their other subdirectories.
    if (!matters(c.path) && !matters(c.previousPath)) continue;
    const f: ChangedFile = { path: c.path, status: c.status, kind: c.kind };
    if (c.previousPath !== undefined) f.previousPath = c.previousPath;
    if (c.oid !== undefined) f.oid = c.oid;
    if (c.status !== "removed" && directoryOf(c.path, config.directories)) {
      if (revs.head) {
        const bytes = await git.readAt(revs.head.sha, c.path);
        if (bytes) contents.set(c.path, bytes);
      } else {
        const local = readLocal(join(git.root, c.path), config.limits.maxFileBytes);
        if (local === null) continue; // deleted in the working tree but not staged as such
        f.kind = local.kind;
        if (local.size !== undefined) f.size = local.size;
        if (local.bytes) contents.set(c.path, local.bytes);
      }
    }
    changes.push(f);
  }
  return {
    mode: "git",
    base: { ref: revs.base.ref, sha: revs.base.sha },
    head: revs.head ? { ref: revs.head.ref, sha: revs.head.sha } : { ref: "WORKTREE" },
    baseTrees,
    directoryShapes: shapes,
    changes,
    contents,
  };
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
  let st;
  try {
    st = lstatSync(abs);
  } catch {
    return null;
  }
  if (st.isSymbolicLink()) return { kind: "symlink" };
  if (st.isDirectory()) return { kind: "submodule" };
  if (st.size > maxBytes) return { kind: "file", size: st.size };
  const bytes = readFileSync(abs);
  return { kind: "file", size: bytes.length, bytes };
}

export interface PathInput {
  changeSet: ChangeSet;
  directories: DirectoryConfig[];
}

/**
 * PATH mode: the given files, and the direct children of the given directories (golang-migrate
 * does not recurse), checked alone. Each parent directory is analysed with the dialect of the
 * configured directory at that path, else the first configured directory's dialect.
 */
export async function pathChangeSet(
  cwd: string,
  root: string,
  paths: readonly string[],
  config: Config,
): Promise<PathInput> {
  const files = new Set<string>();
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
      changes,
      contents,
    },
  };
}

function toPosix(p: string): string {
  return sep === "/" ? p : p.split(sep).join("/");
}
