/**
 * Git data read through the REST API, by object id. Everything is addressed by sha (never by a
 * branch of the head repository), which is what makes fork pull requests work: GitHub keeps the
 * PR's head objects in the base repository.
 */
import type { DirectoryListing, ShapeReading } from "../changeset/source.js";
import { entryKind, walkShape } from "../changeset/tree.js";
import { sameShape } from "../core/migrations/shape.js";
import type { ChangedFile, TreeEntry } from "../core/types.js";
import type { RequirementSource } from "../core/approval/index.js";
import { cached, type GitHubClient, type RepoRef } from "./client.js";
import { protectionRequirements } from "./enforcement.js";
import { EvaluationError } from "./errors.js";
import { gitObjectId } from "../changeset/object-id.js";
import type { RepositoryObjects } from "./git-object-cache.js";

export interface BaseRevision {
  /** Branch name the pull request targets. */
  ref: string;
  /** Its tip commit now (the PR payload's base.sha is only the tip when the PR was opened). */
  sha: string;
  treeSha: string;
  /**
   * Branch protection's required checks, as GitHub showed them with the branch (absent for a
   * revision not read as a branch tip).
   */
  protection?: RequirementSource;
}

/** The base branch tip: one request gives both the commit and its root tree. */
export async function resolveBranch(
  octokit: GitHubClient,
  repo: RepoRef,
  branch: string,
): Promise<BaseRevision> {
  const { data } = await octokit.rest.repos.getBranch({ ...repo, branch });
  return {
    ref: branch,
    sha: data.commit.sha,
    treeSha: data.commit.commit.tree.sha,
    protection: protectionRequirements(data),
  };
}

/** A tree as REST lists it (modes as strings, "040000" for trees). */
export interface RawTree {
  entries: Array<{ path: string; mode: string; type: string; sha: string; size?: number }>;
  truncated: boolean;
}

/**
 * Lists directories by walking from a root tree down the path, one non-recursive tree request per
 * segment, cached per evaluation: the cost depends on the directory depth, never on how many
 * migrations a directory holds. Git objects never change, so the cache is valid for any commit:
 * a directory that two commits share is read once. With `shared` (the process's git-object cache,
 * git-object-cache.ts), verified objects outlive the evaluation and are consulted first.
 */
export class TreeReader {
  readonly #cache = new Map<string, Promise<RawTree>>();
  readonly #commits = new Map<string, Promise<string>>();
  readonly #blobs = new Map<string, Promise<Uint8Array>>();

  constructor(
    private readonly octokit: GitHubClient,
    private readonly repo: RepoRef,
    private readonly shared?: RepositoryObjects,
  ) {}

  /** The root tree of a commit. */
  commitTree(commitSha: string): Promise<string> {
    return cached(this.#commits, commitSha, async () => {
      const known = this.#sharedRoot(commitSha);
      if (known !== undefined) return known;
      const { data } = await this.octokit.rest.git.getCommit({
        ...this.repo,
        commit_sha: commitSha,
      });
      // Kept beyond this evaluation only when the answer is about the commit asked for.
      if (data.sha === commitSha)
        this.shared?.cache.setCommitTree(this.shared.repoId, commitSha, data.tree.sha);
      return data.tree.sha;
    });
  }

  /**
   * Records a commit's root tree that another answer gave (a commit never changes its tree);
   * `proven`: the answer was to a question about that commit id, so the process's cache keeps it
   * too (git-object-cache.ts).
   */
  knowCommitTree(commitSha: string, treeSha: string, proven = false): void {
    if (proven) this.shared?.cache.setCommitTree(this.shared.repoId, commitSha, treeSha);
    if (this.#commits.has(commitSha)) return;
    this.#commits.set(commitSha, Promise.resolve(treeSha));
    this.#roots.set(commitSha, treeSha);
  }

  /** A root the process's cache holds, recorded here as if this evaluation had read it. */
  #sharedRoot(commitSha: string): string | undefined {
    const known = this.#roots.get(commitSha);
    if (known !== undefined || !this.shared) return known;
    const tree = this.shared.cache.commitTree(this.shared.repoId, commitSha);
    if (tree !== undefined) this.#roots.set(commitSha, tree);
    return tree;
  }

  /** A tree already answered, here or (verified) in the process's cache. */
  #known(treeSha: string): RawTree | undefined {
    const read = this.#read.get(treeSha);
    if (read || !this.shared) return read;
    const tree = this.shared.cache.tree(this.shared.repoId, treeSha);
    if (tree) {
      this.#read.set(treeSha, tree);
      if (!this.#cache.has(treeSha)) this.#cache.set(treeSha, Promise.resolve(tree));
    }
    return tree;
  }

  /**
   * True when `path` at a commit needs no request to resolve: its root known and every tree down
   * to it known (or the path ends on the way). The gather asks only for what this denies.
   */
  knowsPath(commitSha: string, path: string): boolean {
    const root = this.#sharedRoot(commitSha);
    return root !== undefined && this.#listingKnown(root, path);
  }

  /**
   * The blob id at `path` of a commit when the known trees resolve it and its bytes are known
   * too (the gather then need not ask for the file); undefined otherwise.
   */
  knownBlobAt(commitSha: string, path: string): string | undefined {
    const root = this.#sharedRoot(commitSha);
    if (root === undefined) return undefined;
    const i = path.lastIndexOf("/");
    const [dir, name] = i < 0 ? ["", path] : [path.slice(0, i), path.slice(i + 1)];
    let tree = this.#known(root);
    for (const segment of dir === "" ? [] : dir.split("/")) {
      const next = tree?.entries.find((e) => e.path === segment);
      if (!next || entryKind(next.mode, next.type) !== "directory") return undefined;
      tree = this.#known(next.sha);
    }
    const e = tree?.entries.find((x) => x.path === name);
    return e && e.type === "blob" && this.hasBlob(e.sha) ? e.sha : undefined;
  }

  /** Roots recorded from other answers, by commit. */
  readonly #roots = new Map<string, string>();

  /**
   * True when listing `dirs` at a commit needs no request: its root recorded, and every tree down
   * to each directory, the directory's own included, read (or the path ends on the way).
   */
  knowsDirectories(commitSha: string, dirs: readonly string[]): boolean {
    const root = this.#sharedRoot(commitSha);
    return root !== undefined && dirs.every((d) => this.#listingKnown(root, d));
  }

  #listingKnown(rootTreeSha: string, dir: string): boolean {
    let tree = this.#known(rootTreeSha);
    for (const segment of dir === "" ? [] : dir.split("/")) {
      if (!tree) return false;
      const next = tree.entries.find((e) => e.path === segment);
      // Missing, or a symlink, submodule or file: the listing so far says all.
      if (!next || entryKind(next.mode, next.type) !== "directory") return true;
      tree = this.#known(next.sha);
    }
    return tree !== undefined;
  }

  /** The tree id of `dir` below a root when the trees read so far give it; never a request. */
  knownTreeIdAt(rootTreeSha: string, dir: string): string | undefined {
    let sha = rootTreeSha;
    for (const segment of dir === "" ? [] : dir.split("/")) {
      const next = this.#known(sha)?.entries.find((e) => e.path === segment);
      if (!next || entryKind(next.mode, next.type) !== "directory") return undefined;
      sha = next.sha;
    }
    return sha;
  }

  /** Records a tree read another way, verified against its id (see git-gather.ts). */
  knowTree(treeSha: string, tree: RawTree): void {
    this.shared?.cache.setTree(this.shared.repoId, treeSha, tree);
    if (!this.#cache.has(treeSha)) this.#cache.set(treeSha, Promise.resolve(tree));
    this.#read.set(treeSha, tree);
  }

  /** Trees already answered, by id. */
  readonly #read = new Map<string, RawTree>();

  /** Directories another answer showed as plain trees below a root, as `${root}:${dir}`. */
  readonly #plain = new Set<string>();

  /**
   * Records that `dir` is a plain directory below a root tree: every prefix a tree entry at the
   * tip whose root that is (first-read/base-directories.ts). `shape` then answers it unread.
   */
  knowPlainDirectory(rootTreeSha: string, dir: string): void {
    this.#plain.add(`${rootTreeSha}:${dir}`);
  }

  /** Names another answer showed absent from a root tree, as `${root}:${name}`. */
  readonly #absent = new Set<string>();

  /**
   * Records that a root tree has no entry `name` (first-read/base-directories.ts: the config
   * file's directory of a repository without one). Only `walkKnown` consults it, so it can spare
   * the gather a request but never answers a shape: what decides is read as before.
   */
  knowAbsentAtRoot(rootTreeSha: string, name: string): void {
    this.#absent.add(`${rootTreeSha}:${name}`);
  }

  /** True when the shape of `dir` below a root tree needs no request (every tree on the way read). */
  walkKnown(rootTreeSha: string, dir: string): boolean {
    if (this.#plain.has(`${rootTreeSha}:${dir}`) || this.#absent.has(`${rootTreeSha}:${dir}`))
      return true;
    const segments = dir === "" ? [] : dir.split("/");
    let tree = this.#known(rootTreeSha);
    for (let i = 0; i < segments.length; i++) {
      if (!tree) return false;
      const next = tree.entries.find((e) => e.path === segments[i]);
      // Missing, not a directory, or the last segment: its parent's listing says all.
      if (!next || entryKind(next.mode, next.type) !== "directory" || i === segments.length - 1)
        return true;
      tree = this.#known(next.sha);
    }
    return tree !== undefined;
  }

  /** Records a blob's bytes read another way, verified against its id (see git-gather.ts). */
  knowBlob(oid: string, bytes: Uint8Array): void {
    this.shared?.cache.setBlob(this.shared.repoId, oid, bytes);
    if (!this.#blobs.has(oid)) this.#blobs.set(oid, Promise.resolve(bytes));
  }

  hasBlob(oid: string): boolean {
    if (this.#blobs.has(oid)) return true;
    const bytes = this.shared?.cache.blob(this.shared.repoId, oid);
    if (bytes) this.#blobs.set(oid, Promise.resolve(bytes));
    return bytes !== undefined;
  }

  /** A blob's bytes by id: recorded ones, else by REST (hashed against the id either way). */
  blob(oid: string, path: string): Promise<Uint8Array> {
    if (!this.#blobs.has(oid)) this.hasBlob(oid);
    return cached(this.#blobs, oid, () =>
      readBlob(this.octokit, this.repo, oid, path).then((bytes) => {
        this.shared?.cache.setBlob(this.shared.repoId, oid, bytes);
        return bytes;
      }),
    );
  }

  /**
   * The files that differ below `dirs` between two root trees, as a pull request's file list
   * would show them (renames: a removed and an added file with the same blob), plus the path of a
   * segment that is a symlink, submodule or file on one side. Only subtrees whose ids differ are
   * read. `truncated` says what could not be listed (fail closed).
   */
  async diff(
    fromRoot: string,
    toRoot: string,
    dirs: readonly string[],
    at: string,
  ): Promise<{ changes: ChangedFile[]; truncated: string[] }> {
    const out = new Map<string, ChangedFile>();
    const truncated: string[] = [];
    for (const dir of dirs) {
      const [a, b] = await Promise.all([
        this.#walk(fromRoot, dir, at),
        this.#walk(toRoot, dir, at),
      ]);
      const shapeA = "done" in a ? a.done.shape : ({ kind: "directory" } as const);
      const shapeB = "done" in b ? b.done.shape : ({ kind: "directory" } as const);
      for (const w of [a, b]) if ("done" in w && w.done.truncated) truncated.push(w.done.truncated);
      if (!sameShape(shapeA, shapeB)) {
        if (shapeA.kind === "not-a-directory" && !out.has(shapeA.at))
          out.set(shapeA.at, { path: shapeA.at, status: "removed", kind: shapeA.entry });
        if (shapeB.kind === "not-a-directory") {
          const c: ChangedFile = {
            path: shapeB.at,
            status:
              shapeA.kind === "not-a-directory" && shapeA.at === shapeB.at ? "modified" : "added",
            kind: shapeB.entry,
          };
          if (shapeB.oid !== undefined) c.oid = shapeB.oid;
          out.set(shapeB.at, c);
        }
      }
      await this.#diffTrees(
        "sha" in a ? a.sha : null,
        "sha" in b ? b.sha : null,
        dir,
        out,
        truncated,
        at,
      );
      if (out.size > MAX_DIFF_FILES) {
        truncated.push(
          `more than ${MAX_DIFF_FILES} files differ below ${dir || "the repository root"} at ${at}`,
        );
        break;
      }
    }
    return { changes: pairRenames([...out.values()]), truncated };
  }

  async #diffTrees(
    aSha: string | null,
    bSha: string | null,
    prefix: string,
    out: Map<string, ChangedFile>,
    truncated: string[],
    at: string,
  ): Promise<void> {
    if (aSha === bSha || out.size > MAX_DIFF_FILES) return;
    const none: RawTree = { entries: [], truncated: false };
    const [ta, tb] = await Promise.all([
      aSha ? this.#tree(aSha) : none,
      bSha ? this.#tree(bSha) : none,
    ]);
    if (ta.truncated || tb.truncated)
      truncated.push(`GitHub truncated the listing of ${prefix || "the repository root"} at ${at}`);
    const before = new Map(ta.entries.map((e) => [e.path, e]));
    const after = new Map(tb.entries.map((e) => [e.path, e]));
    for (const name of new Set([...before.keys(), ...after.keys()])) {
      const ea = before.get(name);
      const eb = after.get(name);
      if (ea && eb && ea.sha === eb.sha && ea.mode === eb.mode) continue;
      const path = prefix === "" ? name : `${prefix}/${name}`;
      const ka = ea ? entryKind(ea.mode, ea.type) : null;
      const kb = eb ? entryKind(eb.mode, eb.type) : null;
      if (ka === "directory" || kb === "directory")
        await this.#diffTrees(
          ka === "directory" ? ea!.sha : null,
          kb === "directory" ? eb!.sha : null,
          path,
          out,
          truncated,
          at,
        );
      const fileA = ka !== null && ka !== "directory";
      const fileB = kb !== null && kb !== "directory";
      if (!fileA && !fileB) continue;
      const c: ChangedFile = {
        path,
        status: fileA && fileB ? "modified" : fileB ? "added" : "removed",
        kind: (fileB ? kb : ka)!,
      };
      if (fileB) {
        c.oid = eb!.sha;
        if (eb!.size !== undefined) c.size = eb!.size;
      }
      if (fileA && !fileB) c.oid = ea!.sha;
      out.set(path, c);
    }
  }

  #tree(sha: string): Promise<RawTree> {
    if (!this.#cache.has(sha)) this.#known(sha);
    return cached(this.#cache, sha, () =>
      // No `recursive` parameter at all: GitHub recurses for any value of it, "0" included.
      this.octokit.rest.git.getTree({ ...this.repo, tree_sha: sha }).then(({ data }) =>
        this.#remember(sha, {
          entries: data.tree.map((e) => ({
            path: e.path ?? "",
            mode: e.mode ?? "",
            type: e.type ?? "",
            sha: e.sha ?? "",
            ...(e.size !== undefined ? { size: e.size } : {}),
          })),
          truncated: data.truncated,
        }),
      ),
    );
  }

  #remember(sha: string, tree: RawTree): RawTree {
    this.#read.set(sha, tree);
    // REST's listing is not checked for this evaluation (as before); the cache keeps it only
    // when it encodes to its id, complete.
    this.shared?.cache.setTree(this.shared.repoId, sha, tree);
    return tree;
  }

  /**
   * What `dir` is below a root tree, without reading the directory's own listing: a plain
   * directory, missing, or a symlink, submodule or file on the way.
   */
  async shape(rootTreeSha: string, dir: string, at: string): Promise<ShapeReading> {
    if (this.#plain.has(`${rootTreeSha}:${dir}`))
      return { shape: { kind: "directory" }, truncated: null };
    const walk = await this.#walk(rootTreeSha, dir, at);
    return "done" in walk ? walk.done : { shape: { kind: "directory" }, truncated: null };
  }

  async listDirectory(rootTreeSha: string, dir: string, at: string): Promise<DirectoryListing> {
    const walk = await this.#walk(rootTreeSha, dir, at);
    if ("done" in walk) return { entries: null, ...walk.done };
    const tree = await this.#tree(walk.sha);
    return {
      shape: { kind: "directory" },
      entries: tree.entries.map(toTreeEntry),
      truncated: tree.truncated
        ? `GitHub truncated the listing of ${dir || "the repository root"} at ${at}`
        : null,
    };
  }

  /** Down the path segment by segment: the directory's tree, or why there is none. */
  async #walk(
    rootTreeSha: string,
    dir: string,
    at: string,
  ): Promise<{ sha: string } | { done: ShapeReading }> {
    let sha = rootTreeSha;
    let parent = "the repository root";
    let truncated: string | null = null;
    const shape = await walkShape(dir, async (segment, path) => {
      const tree = await this.#tree(sha);
      const next = tree.entries.find((e) => e.path === segment);
      if (!next) {
        if (tree.truncated) truncated = `GitHub truncated the listing of ${parent} at ${at}`;
        return null;
      }
      [parent, sha] = [path, next.sha];
      return { kind: entryKind(next.mode, next.type), oid: next.sha };
    });
    return shape.kind === "directory" ? { sha } : { done: { shape, truncated } };
  }
}

/** Beyond this many changed files below the migration directories, a diff is incomplete. */
export const MAX_DIFF_FILES = 3000;

/**
 * A removed and an added file with the same blob and kind are a rename (GitHub's file lists call
 * exact moves renames too). Removed files keep their blob id only for this pairing.
 */
function pairRenames(changes: ChangedFile[]): ChangedFile[] {
  const added = changes.filter((c) => c.status === "added");
  const out: ChangedFile[] = [];
  const taken = new Set<ChangedFile>();
  for (const c of changes) {
    if (c.status !== "removed") continue;
    const to = added.find((a) => !taken.has(a) && a.oid === c.oid && a.kind === c.kind);
    if (to) {
      taken.add(to);
      out.push({ ...to, status: "renamed", previousPath: c.path });
    } else {
      const { oid: _oid, ...removed } = c;
      out.push(removed);
    }
  }
  for (const c of changes) if (c.status !== "removed" && !taken.has(c)) out.push(c);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function toTreeEntry(e: RawTree["entries"][number]): TreeEntry {
  const entry: TreeEntry = { name: e.path, kind: entryKind(e.mode, e.type), oid: e.sha };
  if (e.size !== undefined) entry.size = e.size;
  return entry;
}

/** Blob contents by sha; GitHub serves up to 100 MB this way. */
export async function readBlob(
  octokit: GitHubClient,
  repo: RepoRef,
  sha: string,
  path: string,
): Promise<Uint8Array> {
  const { data } = await octokit.rest.git.getBlob({ ...repo, file_sha: sha });
  const bytes =
    data.encoding === "base64"
      ? Buffer.from(data.content, "base64")
      : data.encoding === "utf-8"
        ? Buffer.from(data.content, "utf8")
        : null;
  if (bytes === null) {
    throw new EvaluationError(
      `${path}: blob ${sha} came back in unknown encoding "${data.encoding}"`,
    );
  }
  if (typeof data.size === "number" && bytes.length !== data.size) {
    throw new EvaluationError(
      `${path}: blob ${sha} came back with ${bytes.length} bytes instead of ${data.size}`,
    );
  }
  // Never trust content whose id was not checked: what GitHub sent must be that blob.
  if (gitObjectId("blob", bytes, sha) !== sha.toLowerCase()) {
    throw new EvaluationError(
      `${path}: GitHub's content for blob ${sha} does not hash to that id; re-run the check`,
    );
  }
  return bytes;
}
