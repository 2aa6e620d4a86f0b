/**
 * The GitHub side of the change set: a pull request's file list, and the revision source the
 * shared builder (src/changeset/build.ts) reads a change through. The CLI's counterpart is
 * src/cli/changeset.ts.
 */
import type {
  BaseFile,
  DirectoryListing,
  HeadFile,
  HeadFiles,
  ListedChanges,
  RevisionSource,
  ShapeReading,
} from "../changeset/source.js";
import { joinPath } from "../core/migrations/directory.js";
import type { ChangeStatus, ChangedFile, TreeEntry } from "../core/types.js";
import { readBaseFiles, type GraphqlEntry } from "./base-files.js";
import { rememberTextsRead, textsLikelyRead, type BaseTextsPlan } from "./base-texts.js";
import { mapLimit, type GitHubClient, type RepoRef } from "./client.js";
import { EvaluationError } from "./errors.js";
import { knownChangedFiles } from "./first-read/head-reads.js";
import type { BaseRevision, TreeReader } from "./git.js";
import { gatherGitObjects, type GatherPlan } from "./git-gather.js";
import type { PullRequestInfo } from "./pull-request.js";

/** GitHub's cap on pulls.listFiles; a PR at or over it may hide files (fail closed). */
export const MAX_LISTED_FILES = 3000;
const PER_PAGE = 100;
const BLOB_CONCURRENCY = 8;

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
): Promise<ListedChanges> {
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
 * A change's revisions as GitHub has them, for the shared builder (src/changeset/build.ts).
 * Everything is read by object id through one TreeReader, which the rest of the evaluation
 * shares; how the changes are listed is the caller's: a pull request's file list, or the diff
 * of two commits' trees.
 */
export class GitHubRevisions implements RevisionSource {
  readonly shapesEveryHead = false;
  readonly owner: string;

  constructor(
    private readonly octokit: GitHubClient,
    private readonly repo: RepoRef,
    private readonly trees: TreeReader,
    readonly base: BaseRevision,
    readonly head: { ref: string; sha: string },
    private readonly changes: (dirs: readonly string[]) => Promise<ListedChanges>,
    /** Read the listed change's trees and blobs in bulk once it is listed (git-gather.ts). */
    private readonly gather = false,
    /** The pull request whose approved commits' trees the gather reads too (approved-trees.ts). */
    private readonly approvalsOf?: number,
    /** The REST listing, for a blob id the head's listings cannot give (see readHead). */
    private readonly restListing?: () => Promise<ListedChanges>,
    /** Directories whose merged texts the gather may bring for the replay (base-texts.ts). */
    private readonly baseTexts?: BaseTextsPlan,
  ) {
    this.owner = repo.owner;
  }

  #gathered = false;
  /** Directories' entries with texts at the base, as the gather answered them (unjudged). */
  readonly #preRead = new Map<string, ReadonlyMap<string, GraphqlEntry>>();

  async listChanges(dirs: readonly string[]): Promise<ListedChanges> {
    const listed = await this.changes(dirs);
    if (this.gather && !this.#gathered) {
      this.#gathered = true;
      await this.#gatherObjects(listed, dirs);
    }
    return listed;
  }

  /**
   * One GraphQL request for what the builder reads next: the directories' trees at the base and
   * the head, and the changed files' blobs below them.
   */
  async #gatherObjects(listed: ListedChanges, dirs: readonly string[]): Promise<void> {
    const below = (p: string) => dirs.some((d) => d === "" || p.startsWith(`${d}/`));
    const touched = listed.changes.filter((c) => below(c.path));
    // A change touching no directory needs only the base's shapes: often read already.
    if (touched.length === 0 && dirs.every((d) => this.trees.walkKnown(this.base.treeSha, d)))
      return;
    await gatherGitObjects(this.octokit, this.repo, this.trees, {
      commits: [
        { sha: this.base.sha, dirs },
        {
          sha: this.head.sha,
          dirs: [...new Set([...dirs, ...touched.map((c) => parentOf(c.path))])],
        },
      ],
      blobs: touched.flatMap((c) => (c.status !== "removed" && c.oid ? [c.oid] : [])),
      files: [
        // A listing without blob ids (the first query's): the head's blobs by path.
        ...touched.flatMap((c) =>
          c.status !== "removed" && !c.oid ? [{ sha: this.head.sha, path: c.path }] : [],
        ),
        // What an edit changed is judged against the base file (its id comes with the base tree).
        ...touched.flatMap((c) =>
          c.status === "modified" ? [{ sha: this.base.sha, path: c.path }] : [],
        ),
      ],
      // A migration change needs an approval: the commits approvals were given on are digested.
      ...(this.approvalsOf !== undefined && touched.length > 0
        ? { approvals: { number: this.approvalsOf, dirs } }
        : {}),
      ...this.#textsPlan(touched),
    });
  }

  /**
   * One replayed directory's merged texts, when the change adds or edits an up migration right in
   * it and this process likely holds no base state for its tree (base-texts.ts). One directory
   * only: what BaseDirectory would have asked in one request, never more in one answer.
   */
  #textsPlan(touched: readonly ChangedFile[]): Pick<GatherPlan, "baseTexts"> {
    const t = this.baseTexts;
    const dir = t?.dirs.find(
      (d) =>
        touched.some(
          (c) => c.status !== "removed" && parentOf(c.path) === d && /\.up\./.test(c.path),
        ) && textsLikelyRead(t.repoId, d, t.treeOids[d]),
    );
    if (!t || dir === undefined) return {};
    return {
      baseTexts: {
        expression: `${this.base.sha}:${dir}`,
        receive: (entries) => {
          this.#preRead.set(dir, entries);
          // The replay builds its base state from them now (or from a cached one).
          this.#textsRead(dir);
        },
      },
    };
  }

  /**
   * Remembers that `dir`'s texts were read at the base (base-texts.ts), under its tree id as the
   * first query showed it or, without that, as the trees read so far give it.
   */
  #textsRead(dir: string): void {
    const t = this.baseTexts;
    const oid = t?.treeOids[dir] ?? this.trees.knownTreeIdAt(this.base.treeSha, dir);
    if (t && oid !== undefined) rememberTextsRead(t.repoId, dir, oid);
  }

  listBase(dir: string): Promise<DirectoryListing> {
    return this.trees.listDirectory(this.base.treeSha, dir, `${this.base.ref} (${this.base.sha})`);
  }

  async headShape(dir: string): Promise<ShapeReading> {
    const root = await this.trees.commitTree(this.head.sha);
    return this.trees.shape(root, dir, `head ${this.head.sha}`);
  }

  /**
   * From the head commit's own listings, checked against the listed change: a pull request that
   * changed while it was read fails the evaluation (the next event evaluates the new head). A file
   * listed without a blob id (the first query's listing: its files and head come from one answer)
   * must be there; its id is the head's.
   */
  async describeHead(files: readonly ChangedFile[]): Promise<HeadFiles> {
    const root = await this.trees.commitTree(this.head.sha);
    const dirs = [...new Set(files.map((c) => parentOf(c.path)))];
    const incomplete: string[] = [];
    const entries = new Map<string, TreeEntry>();
    const truncated = new Set<string>();
    const listings = await Promise.all(
      dirs.map((dir) => this.trees.listDirectory(root, dir, `head ${this.head.sha}`)),
    );
    dirs.forEach((dir, i) => {
      const listing = listings[i]!;
      if (listing.truncated) {
        incomplete.push(listing.truncated);
        truncated.add(dir);
      }
      for (const e of listing.entries ?? []) entries.set(joinPath(dir, e.name), e);
    });
    const out = new Map<string, HeadFile>();
    for (const c of files) {
      const e = entries.get(c.path);
      if (!e && truncated.has(parentOf(c.path))) continue;
      if (!e || (c.oid !== undefined && e.oid !== c.oid)) {
        throw new EvaluationError(
          `${c.path} in the head commit ${this.head.sha} does not match the pull request's file list; the pull request changed during the check, which runs again for the new commit`,
        );
      }
      out.set(c.path, {
        kind: e.kind,
        oid: e.oid,
        ...(e.size !== undefined ? { size: e.size } : {}),
      });
    }
    return { files: out, incomplete };
  }

  /**
   * By blob id (each distinct blob once). A file listed without one (the first query's listing
   * has none) takes the id its path has in the head commit's tree, or where GitHub cut that
   * listing short the one the REST listing gives, as before; without either it cannot be read
   * (an error: never skipped).
   */
  async readHead(files: readonly ChangedFile[]): Promise<Map<string, Uint8Array>> {
    const known = await this.#withHeadIds(files);
    const blobs = new Map<string, string>(known.map((c) => [c.oid, c.path]));
    const bytes = await mapLimit([...blobs], BLOB_CONCURRENCY, ([oid, path]) =>
      this.trees.blob(oid, path),
    );
    const byOid = new Map([...blobs.keys()].map((oid, i) => [oid, bytes[i]!]));
    return new Map(known.map((c) => [c.path, byOid.get(c.oid)!]));
  }

  async #withHeadIds(files: readonly ChangedFile[]): Promise<Array<{ path: string; oid: string }>> {
    const missing = files.filter((c) => c.oid === undefined);
    const head = missing.length > 0 ? (await this.describeHead(missing)).files : new Map();
    const listed =
      this.restListing && missing.some((c) => head.get(c.path)?.oid === undefined)
        ? new Map((await this.restListing()).changes.map((c) => [c.path, c.oid]))
        : new Map<string, string | undefined>();
    return files.map((c) => {
      const oid = c.oid ?? head.get(c.path)?.oid ?? listed.get(c.path);
      if (oid === undefined)
        throw new EvaluationError(
          `${c.path} could not be read at the head commit ${this.head.sha}: GitHub cut its directory's listing short`,
        );
      return { path: c.path, oid };
    });
  }

  /** Blobs already known (the gather's, the process's cache) come from there; the rest in bulk (base-files.ts). */
  async readBase(files: readonly BaseFile[]): Promise<Uint8Array[]> {
    const known = files.map((f) => f.oid !== undefined && this.trees.hasBlob(f.oid));
    const rest = files.filter((_, i) => !known[i]);
    const read =
      rest.length > 0
        ? await readBaseFiles(this.octokit, this.repo, this.base.sha, rest, this.#preRead)
        : [];
    for (const dir of new Set(files.map((f) => parentOf(f.path)))) this.#textsRead(dir);
    // Each hashed to its id (base-files.ts): a later event of this process need not read it again.
    rest.forEach((f, j) => this.trees.knowBlob(f.oid!, read[j]!));
    let next = 0;
    return Promise.all(
      files.map((f, i) =>
        known[i] ? this.trees.blob(f.oid!, f.path) : Promise.resolve(read[next++]!),
      ),
    );
  }
}

/**
 * A pull request's revisions: its base branch tip and head, changes from its file list (the one
 * the first query read, when plain; by REST otherwise).
 */
export function pullRequestRevisions(
  octokit: GitHubClient,
  pr: PullRequestInfo,
  base: BaseRevision,
  trees: TreeReader,
  baseTexts?: BaseTextsPlan,
): GitHubRevisions {
  const restListing = () => listPullRequestFiles(octokit, pr);
  return new GitHubRevisions(
    octokit,
    { owner: pr.owner, repo: pr.repo },
    trees,
    base,
    { ref: `pull/${pr.number}/head`, sha: pr.headSha },
    async () => knownChangedFiles(pr) ?? (await restListing()),
    true,
    pr.number,
    restListing,
    baseTexts,
  );
}

/** The changes between two commits, from their trees (see TreeReader.diff). */
export function treeDiff(
  trees: TreeReader,
  from: string,
  to: string,
): (dirs: readonly string[]) => Promise<ListedChanges> {
  return async (dirs) => {
    const [a, b] = await Promise.all([trees.commitTree(from), trees.commitTree(to)]);
    const diff = await trees.diff(a, b, dirs, `${from}..${to}`);
    return { changes: diff.changes, incomplete: diff.truncated };
  };
}

function parentOf(path: string): string {
  return path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
}
