/**
 * A configured migration directory's own path: what golang-migrate opens before it reads a single
 * file. Replacing the directory (or any ancestor) by a symlink, a submodule or a file changes which
 * migrations run without changing any file inside it, so such a change is a migration change, and
 * a directory that is not a plain directory in this repository cannot be reviewed at all.
 */
import type { DirectoryConfig } from "../../config/types.js";
import type { ChangedFile, DirectoryShape } from "../types.js";

/** True when `path` names the directory itself or one of its ancestors. */
export function isDirectoryPathOrAncestor(path: string, dir: string): boolean {
  // The repository root has no path of its own that a change could replace.
  if (dir === "" || path === "") return false;
  return dir === path || dir.startsWith(`${path}/`);
}

/**
 * A path as a case-insensitive, Unicode-normalising filesystem (macOS, Windows) sees it: two
 * spellings git keeps apart can be one directory in a checkout there.
 */
export function foldPath(path: string): string {
  return path.normalize("NFC").toLowerCase();
}

/** True when `path` is somewhere below `dir` (any depth). */
export function isUnder(path: string, dir: string): boolean {
  return dir === "" ? true : path.startsWith(`${dir}/`);
}

/**
 * How a changed path matters to the configured directories: inside one, the path of one (or an
 * ancestor), or only a different spelling of those (case, Unicode normalisation). Null: unrelated.
 */
export function migrationPathRole(
  path: string,
  dirs: readonly Pick<DirectoryConfig, "path">[],
): "inside" | "directory-path" | "lookalike" | null {
  if (dirs.some((d) => isUnder(path, d.path))) return "inside";
  if (dirs.some((d) => isDirectoryPathOrAncestor(path, d.path))) return "directory-path";
  const folded = foldPath(path);
  if (
    dirs.some(
      (d) =>
        isUnder(folded, foldPath(d.path)) || isDirectoryPathOrAncestor(folded, foldPath(d.path)),
    )
  )
    return "lookalike";
  return null;
}

/**
 * True when the change can make the directory's path something else than on the base: it touches
 * the path or an ancestor (either side of a rename), or a file inside (which makes it exist).
 */
export function reshapesDirectory(changes: readonly ChangedFile[], dir: string): boolean {
  const on = (p: string | undefined) =>
    p !== undefined && (isDirectoryPathOrAncestor(p, dir) || (dir !== "" && isUnder(p, dir)));
  return changes.some((c) => on(c.path) || on(c.previousPath));
}

export interface ShapeVerdict {
  base: DirectoryShape;
  head: DirectoryShape;
  /** The shape once the change is merged (the head's or the base's, see `fromHead`). */
  merged: DirectoryShape;
  /**
   * True when `merged` is the head's: the change reshapes the directory, or the head's is not a
   * directory at all (reported whatever the diff says: a working-tree symlink, say).
   */
  fromHead: boolean;
}

export function shapeVerdict(
  dir: string,
  shapes: { base: DirectoryShape; head: DirectoryShape },
  changes: readonly ChangedFile[],
): ShapeVerdict {
  const fromHead = reshapesDirectory(changes, dir) || shapes.head.kind === "not-a-directory";
  return { ...shapes, merged: fromHead ? shapes.head : shapes.base, fromHead };
}

/** "on the base branch", "at the head of this change", or both. */
export function whereShape(v: ShapeVerdict): string {
  if (!v.fromHead) return "on the base branch";
  return sameShape(v.base, v.head)
    ? "on the base branch and at the head"
    : "at the head of this change";
}

const WHAT: Record<Extract<DirectoryShape, { kind: "not-a-directory" }>["entry"], string> = {
  symlink: "a symbolic link",
  submodule: "a git submodule",
  file: "a file",
};

/** "a symbolic link", "a git submodule", "a file". */
export function describeEntry(shape: Extract<DirectoryShape, { kind: "not-a-directory" }>): string {
  return WHAT[shape.entry];
}

/** Same shape: same kind and, for non-directories, the same segment and object. */
export function sameShape(a: DirectoryShape, b: DirectoryShape): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind !== "not-a-directory" || b.kind !== "not-a-directory") return true;
  return a.at === b.at && a.entry === b.entry && a.oid === b.oid;
}

/**
 * Why the analysis cannot vouch for this directory (fail closed: lint fails and approval cannot
 * pass), or null when golang-migrate would read a plain directory of this repository.
 */
export function unreviewableReason(dir: string, v: ShapeVerdict): string | null {
  const m = v.merged;
  if (m.kind !== "not-a-directory") return null;
  const target = m.at === dir ? dir : `${m.at} (an ancestor of ${dir})`;
  return `${target} is ${describeEntry(m)} ${whereShape(v)}, not a plain directory: golang-migrate would read migrations from content this analysis cannot see, so neither the lint check nor an approval can cover them`;
}
