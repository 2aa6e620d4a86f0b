/**
 * The revisions of a git-mode lint: which to resolve, the base, the head and where the change
 * starts. Only git is needed for them, so this module imports nothing of the analysis: a lint
 * resolves them while its other modules initialise (lint-start.ts).
 */
import { GitError, type Git } from "./git.js";

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
