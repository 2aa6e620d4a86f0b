/**
 * Whether the gather (git-gather.ts) should also bring one migration directory's merged texts,
 * which the sandbox replay otherwise reads in a request of its own (base-files.ts,
 * `MigrationWardenBaseDirectory`) when no cached base state covers them.
 *
 * The replay's cache is keyed by the merged files' names and blob ids (replay/cache.ts), which
 * only the directory's listing gives: in the gather's answer, too late to decide what to ask. So
 * the prediction is made from what is known before it: the directory's tree id at the base tip,
 * from the first query (first-read/base-directories.ts), and which directory trees this process
 * has read the texts of (and so built a base state from). Nothing read for the repository's
 * directory: ask (a cold event). Read for the very tree the base shows now: do not (the state is
 * cached unless the cache dropped it; then the replay reads them as before). Read for another
 * tree (the base gained a migration): ask, since the replay reads the directory then anyway.
 * Read, but the tree id now unknown: do not. A wrong guess costs bytes or the request spared,
 * never a decision: whatever is pre-read goes through base-files.ts's checks.
 */

/** Directories remembered per process (the oldest is forgotten first). */
const MAX_REMEMBERED = 2000;

/** repoId/dir → the tree id of the directory whose texts were last read. */
const read = new Map<string, string>();

const keyOf = (repoId: number, dir: string) => `${repoId}/${dir}`;

/** Records that the texts of `dir` were read at the directory tree `treeOid`. */
export function rememberTextsRead(repoId: number, dir: string, treeOid: string): void {
  const key = keyOf(repoId, dir);
  read.delete(key);
  read.set(key, treeOid);
  while (read.size > MAX_REMEMBERED) read.delete(read.keys().next().value!);
}

/** Forgets every directory (tests). */
export function forgetTextsRead(): void {
  read.clear();
}

/** True when the replay will likely read the texts of `dir` (see the header). */
export function textsLikelyRead(repoId: number, dir: string, treeOid: string | undefined): boolean {
  const last = read.get(keyOf(repoId, dir));
  if (last === undefined) return true;
  return treeOid !== undefined && treeOid !== last;
}

/** What an evaluation may pre-read: the replayed directories and their trees at the base. */
export interface BaseTextsPlan {
  repoId: number;
  /** Directories the replay runs for (config and app both enable it). */
  dirs: readonly string[];
  /** Each directory's tree id at the base tip, where the first query showed it. */
  treeOids: Readonly<Record<string, string>>;
}
