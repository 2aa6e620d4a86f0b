/**
 * Git tree facts both revision sources read the same way: what a tree entry's mode makes it, and
 * what a configured directory's path is, walked segment by segment from the root as
 * golang-migrate's `os.DirFS` would open it.
 */
import type { DirectoryShape, EntryKind } from "../core/types.js";

/** The git mode decides (`git ls-tree`, `git diff --raw`, GitHub's tree API); `type` as GitHub adds it. */
export function entryKind(mode: string, type?: string): EntryKind {
  if (mode === "120000") return "symlink";
  if (mode === "160000" || type === "commit") return "submodule";
  if (mode === "040000" || mode === "40000" || type === "tree") return "directory";
  return "file";
}

/** One segment's entry: its kind and object id; null when the segment does not exist. */
export type SegmentEntry = { kind: EntryKind; oid?: string } | null;

/**
 * Walks `dir` from the repository root: `entry(segment, path)` says what the segment at `path` is,
 * its parent being known to be a plain directory. The first segment that is missing or not a
 * directory decides; the root ("") is always a directory.
 */
export async function walkShape(
  dir: string,
  entry: (segment: string, path: string) => Promise<SegmentEntry>,
): Promise<DirectoryShape> {
  if (dir === "") return { kind: "directory" };
  const segments = dir.split("/");
  for (let i = 1; i <= segments.length; i++) {
    const path = segments.slice(0, i).join("/");
    const e = await entry(segments[i - 1]!, path);
    if (e === null) return { kind: "missing" };
    if (e.kind !== "directory") {
      const shape: DirectoryShape = { kind: "not-a-directory", at: path, entry: e.kind };
      if (e.oid !== undefined && e.oid !== "") shape.oid = e.oid;
      return shape;
    }
  }
  return { kind: "directory" };
}
