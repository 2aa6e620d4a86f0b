/**
 * The pull request as the core's ChangeSet, built the way the CLI builds it from git: the base
 * tip's listing of each migration directory, the PR's files relative to the merge base, and the
 * head contents of the files it adds or modifies in those directories.
 */
import type { Config, DirectoryConfig } from "../config/types.js";
import { directoryOf, joinPath } from "../core/migrations/directory.js";
import { migrationPathRole, reshapesDirectory } from "../core/migrations/shape.js";
import type {
  ChangeSet,
  ChangeStatus,
  ChangedFile,
  DirectoryShape,
  TreeEntry,
} from "../core/types.js";
import { mapLimit, type GitHubClient, type RepoRef } from "./client.js";
import { EvaluationError } from "./errors.js";
import { readBlob, TreeReader, type BaseRevision } from "./git.js";
import type { PullRequestInfo } from "./pull-request.js";

/** GitHub's cap on pulls.listFiles; a PR at or over it may hide files (fail closed). */
export const MAX_LISTED_FILES = 3000;
const PER_PAGE = 100;
const BLOB_CONCURRENCY = 8;

export interface PullRequestFiles {
  changes: ChangedFile[];
  incomplete: string[];
}

const STATUS: Record<string, ChangeStatus | null> = {
  added: "added",
  removed: "removed",
  modified: "modified",
  renamed: "renamed",
  // A copy is a new file at its path; a "changed" file changed only its mode or type.
  copied: "added",
  changed: "modified",
  unchanged: null,
};

/** Every file of the pull request, paginated, with what could not be listed. */
export async function listPullRequestFiles(
  octokit: GitHubClient,
  pr: PullRequestInfo,
): Promise<PullRequestFiles> {
  const files = await octokit.paginate(octokit.rest.pulls.listFiles, {
    owner: pr.owner,
    repo: pr.repo,
    pull_number: pr.number,
    per_page: PER_PAGE,
  });
  const changes: ChangedFile[] = [];
  for (const f of files) {
    const status = STATUS[f.status];
    if (status === undefined) {
      throw new EvaluationError(`${f.filename}: unknown file status "${f.status}" from GitHub`);
    }
    if (status === null) continue;
    const c: ChangedFile = { path: f.filename, status };
    if (status === "renamed" && f.previous_filename) c.previousPath = f.previous_filename;
    if (status !== "removed" && f.sha) c.oid = f.sha;
    changes.push(c);
  }
  const incomplete: string[] = [];
  if (pr.changedFiles >= MAX_LISTED_FILES || files.length >= MAX_LISTED_FILES) {
    incomplete.push(
      `the pull request changes ${pr.changedFiles} files and GitHub lists at most ${MAX_LISTED_FILES}; split it so every migration change can be seen`,
    );
  } else if (files.length !== pr.changedFiles) {
    incomplete.push(
      `GitHub listed ${files.length} changed files but the pull request reports ${pr.changedFiles}; it probably changed during the check, which runs again for the new commit`,
    );
  }
  return { changes, incomplete };
}

/**
 * Changes golang-migrate or the structural rules care about: anything under a migration directory,
 * the directory's own path or an ancestor's (replaced by a symlink, a submodule or a file), and
 * other spellings of those that a case-insensitive checkout would merge with them.
 */
export function migrationChanges(
  changes: readonly ChangedFile[],
  dirs: readonly DirectoryConfig[],
): ChangedFile[] {
  const matters = (p: string | undefined) => p !== undefined && migrationPathRole(p, dirs) !== null;
  return changes.filter((c) => matters(c.path) || matters(c.previousPath));
}

export interface ChangeSetInput {
  pr: PullRequestInfo;
  base: BaseRevision;
  config: Config;
  /** Output of migrationChanges (non-empty, or the listing is incomplete). */
  changes: ChangedFile[];
  incomplete: string[];
  /** Shared with the rest of the evaluation (the approval check reads the same trees). */
  trees?: TreeReader;
}

export async function buildChangeSet(
  octokit: GitHubClient,
  input: ChangeSetInput,
): Promise<ChangeSet> {
  const { pr, base, config } = input;
  const repo: RepoRef = { owner: pr.owner, repo: pr.repo };
  const trees = input.trees ?? new TreeReader(octokit, repo);
  const incomplete = [...input.incomplete];
  // Copies: kind, size and oid are filled in from the head tree below.
  const changes = input.changes.map((c) => ({ ...c }));

  const baseTrees = new Map<string, TreeEntry[]>();
  const shapes = new Map<string, { base: DirectoryShape; head: DirectoryShape }>();
  const baseListings = await Promise.all(
    config.directories.map((d) =>
      trees.listDirectory(base.treeSha, d.path, `${base.ref} (${base.sha})`),
    ),
  );
  config.directories.forEach((d, i) => {
    const listing = baseListings[i]!;
    if (listing.truncated) incomplete.push(listing.truncated);
    baseTrees.set(d.path, listing.entries ?? []);
    shapes.set(d.path, { base: listing.shape, head: listing.shape });
  });
  // The head's shape matters where the change touches a directory (its path, an ancestor's, or a
  // file in it); the others keep the base's once merged.
  const reshaped = config.directories.filter((d) => reshapesDirectory(changes, d.path));
  if (reshaped.length > 0) {
    const headTree = await trees.commitTree(pr.headSha);
    const listings = await Promise.all(
      reshaped.map((d) => trees.shape(headTree, d.path, `head ${pr.headSha}`)),
    );
    reshaped.forEach((d, i) => {
      const listing = listings[i]!;
      if (listing.truncated) incomplete.push(listing.truncated);
      shapes.set(d.path, { base: shapes.get(d.path)!.base, head: listing.shape });
    });
  }

  // Files directly in a migration directory: their kind, size and contents come from the head
  // commit's own tree, so a symlink or submodule is never read as SQL and the contents belong
  // to exactly the head sha the check reports on.
  const direct = changes.filter(
    (c) => c.status !== "removed" && directoryOf(c.path, config.directories) !== null,
  );
  const contents = new Map<string, Uint8Array>();
  if (direct.length > 0) {
    const headTree = await trees.commitTree(pr.headSha);
    const dirs = [...new Set(direct.map((c) => directoryOf(c.path, config.directories)!.path))];
    const headEntries = new Map<string, TreeEntry>();
    const truncatedDirs = new Set<string>();
    const headListings = await Promise.all(
      dirs.map((dir) => trees.listDirectory(headTree, dir, `head ${pr.headSha}`)),
    );
    dirs.forEach((dir, i) => {
      const listing = headListings[i]!;
      if (listing.truncated) {
        incomplete.push(listing.truncated);
        truncatedDirs.add(dir);
      }
      for (const e of listing.entries ?? []) headEntries.set(joinPath(dir, e.name), e);
    });
    for (const c of direct) {
      const e = headEntries.get(c.path);
      if (!e && truncatedDirs.has(directoryOf(c.path, config.directories)!.path)) continue;
      if (!e || (c.oid !== undefined && e.oid !== c.oid)) {
        throw new EvaluationError(
          `${c.path} in the head commit ${pr.headSha} does not match the pull request's file list; the pull request changed during the check, which runs again for the new commit`,
        );
      }
      c.oid = e.oid;
      c.kind = e.kind;
      if (e.size !== undefined) c.size = e.size;
    }
    // Without a kind (truncated head listing) the file is read too: better checked than skipped.
    // Files over the size limit are not downloaded: the core reports them from their size.
    const toRead = direct.filter(
      (c) =>
        c.oid !== undefined &&
        (c.kind === undefined || c.kind === "file") &&
        !(c.size !== undefined && c.size > config.limits.maxFileBytes),
    );
    const blobs = new Map<string, string>(toRead.map((c) => [c.oid!, c.path]));
    const bytes = await mapLimit([...blobs], BLOB_CONCURRENCY, ([oid, path]) =>
      readBlob(octokit, repo, oid, path),
    );
    const byOid = new Map([...blobs.keys()].map((oid, i) => [oid, bytes[i]!]));
    for (const c of toRead) contents.set(c.path, byOid.get(c.oid!)!);
  }

  const changeSet: ChangeSet = {
    mode: "git",
    base: { ref: base.ref, sha: base.sha },
    head: { ref: `pull/${pr.number}/head`, sha: pr.headSha },
    baseTrees,
    directoryShapes: shapes,
    changes,
    contents,
  };
  if (incomplete.length > 0) changeSet.incomplete = incomplete;
  return changeSet;
}
