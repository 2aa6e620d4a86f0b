/**
 * Git access for the CLI. Everything the CLI learns about revisions goes through here, so errors
 * come out as GitError with a message a user can act on. Each call is one `git` process spawned
 * directly (no wrapper library: loading one and queueing through it cost a typical lint more
 * than the processes it ran); independent calls may run at once.
 */
import { lstatSync, type Stats } from "node:fs";
import { join, resolve as resolvePath } from "node:path";
import { entryKind, walkShape } from "../changeset/tree.js";
import type { ChangeStatus, DirectoryShape, EntryKind, TreeEntry } from "../core/types.js";
import {
  blobRecord,
  catFile,
  firstLine,
  GitError,
  ObjectSession,
  parseBatch,
  resolveIn,
  runGit,
} from "./git-process.js";

export { GitError, parseBatch };

export interface RawChange {
  status: ChangeStatus;
  path: string;
  previousPath?: string;
  /** Head blob id; absent for working-tree files not yet hashed. */
  oid?: string;
  kind: EntryKind;
}

const ZERO_OID = /^0+$/;

export class Git {
  /** resolveMany's answer for `revs`, asked while the repository was being opened. */
  private ahead: { revs: readonly string[]; answer: Map<string, string | null> } | null = null;

  /** The object reader of Git.open's `objects` option, until closeObjects(). */
  private objects: ObjectSession | null = null;

  /**
   * `places`: the work tree's top level and the git directories (its own, the common one of a
   * linked work tree), where nothing the CLI caches may live (cache-env.ts).
   */
  private constructor(
    readonly root: string,
    readonly places: readonly string[] = [root],
  ) {}

  /**
   * Open the repository containing `cwd`; null when `cwd` is not inside a git work tree.
   * `resolve`: revisions the caller will pass to resolveMany next, resolved by a process running
   * beside the one that finds the work tree (`cwd` is in the same repository as its top level,
   * and revision names do not depend on the directory), so that its answer is ready first.
   */
  static async open(
    cwd: string,
    resolve: readonly string[] = [],
    /**
     * `objects`: one `git cat-file --batch` process answers the revisions, readAt and readBlobs
     * (ObjectSession) instead of a process each, until closeObjects(), which the caller must call.
     */
    options: { objects?: boolean } = {},
  ): Promise<Git | null> {
    const session = options.objects ? ObjectSession.start(cwd) : null;
    const ahead =
      resolve.length > 0
        ? resolveIn(cwd, resolve, session).catch(() => null) // asked again, with its error, by resolveMany
        : null;
    let lines: string[];
    try {
      // The git directories in the same process: the caches must not live in them either.
      const args = ["rev-parse", "--show-toplevel", "--absolute-git-dir", "--git-common-dir"];
      lines = (await runGit(cwd, args)).toString("utf8").split("\n");
    } catch {
      session?.close();
      return null;
    }
    const top = lines[0]!.trim();
    if (top === "") {
      session?.close();
      return null;
    }
    const dirs = lines.slice(1, 3).filter((l) => l.trim() !== "");
    // --git-common-dir answers relative to `cwd` (".git") unless it is elsewhere.
    const git = new Git(top, [top, ...dirs.map((d) => resolvePath(cwd, d))]);
    git.objects = session;
    const answer = await ahead;
    if (answer) git.ahead = { revs: [...resolve], answer };
    return git;
  }

  /** Ends Git.open's object reader; later reads start a process each, as without it. */
  closeObjects(): void {
    this.objects?.close();
    this.objects = null;
  }

  private async run(args: string[], what: string): Promise<string> {
    try {
      return (await runGit(this.root, args)).toString("utf8");
    } catch (err) {
      throw new GitError(`${what}: ${firstLine((err as Error).message)}`);
    }
  }

  /** Resolve a revision to a commit sha, or throw naming the revision. */
  async resolve(rev: string): Promise<string> {
    const sha = await this.tryResolve(rev);
    if (sha === null) {
      throw new GitError(`unknown revision "${rev}" (not a branch, tag or commit in ${this.root})`);
    }
    return sha;
  }

  async tryResolve(rev: string): Promise<string | null> {
    try {
      // `--end-of-options` keeps a revision starting with "-" from being read as an option.
      const args = ["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`];
      const out = (await runGit(this.root, args)).toString("utf8").trim();
      return /^[0-9a-f]{40,64}$/.test(out) ? out : null;
    } catch {
      return null;
    }
  }

  /**
   * Several revisions at once, each to its commit sha or null (what tryResolve answers), through
   * one `git cat-file --batch-check` process instead of a `rev-parse` each. A revision is read
   * from stdin, never as an option, so one starting with "-" is just a name.
   */
  async resolveMany(revs: readonly string[]): Promise<Map<string, string | null>> {
    // Used once, for exactly the revisions asked ahead: later calls ask git again.
    const ahead = this.ahead;
    this.ahead = null;
    if (ahead && ahead.revs.length === revs.length && ahead.revs.every((r, i) => r === revs[i]))
      return new Map(ahead.answer);
    return resolveIn(this.root, revs);
  }

  async mergeBase(a: string, b: string): Promise<string> {
    let out: string;
    try {
      out = (await runGit(this.root, ["merge-base", a, b])).toString("utf8").trim();
    } catch (err) {
      // Unrelated histories: git exits 1 and says nothing.
      const why = (err as Error).message;
      throw new GitError(
        `no common ancestor between ${a} and ${b}${why.startsWith("exit ") ? "" : `: ${firstLine(why)}`}`,
      );
    }
    // Never an empty merge base: a later diff would read it as no revision at all.
    if (!/^[0-9a-f]{40,64}$/.test(out))
      throw new GitError(`no common ancestor between ${a} and ${b}`);
    return out;
  }

  /**
   * The contract's default base: the merge base with origin/HEAD, else main. Returns the ref name
   * used and the merge-base sha, or null when neither exists.
   */
  async defaultBase(head: string): Promise<{ ref: string; sha: string } | null> {
    for (const ref of ["origin/HEAD", "main"]) {
      const sha = await this.tryResolve(ref);
      if (sha) return { ref, sha: await this.mergeBase(sha, head) };
    }
    return null;
  }

  /** Direct children of `dir` at `rev` (like golang-migrate: non-recursive). */
  async listDirectory(rev: string, dir: string): Promise<TreeEntry[]> {
    return (await this.listTree(rev, dir)).map((r) => r.entry);
  }

  /** `ls-tree` of `dir/` at `rev`: each entry with the path git printed for it. */
  private async listTree(
    rev: string,
    dir: string,
  ): Promise<Array<{ path: string; entry: TreeEntry }>> {
    const spec = dir === "" ? [] : [`${dir}/`];
    const out = await this.run(
      ["ls-tree", "-l", "-z", rev, "--", ...spec],
      `cannot list ${dir || "."} at ${rev}`,
    );
    const entries: Array<{ path: string; entry: TreeEntry }> = [];
    for (const rec of out.split("\0")) {
      if (rec === "") continue;
      // "<mode> SP <type> SP <object> SP+ <size> TAB <path>"
      const tab = rec.indexOf("\t");
      const [mode, , oid, size] = rec.slice(0, tab).split(/ +/);
      const path = rec.slice(tab + 1);
      const e: TreeEntry = {
        name: path.slice(path.lastIndexOf("/") + 1),
        kind: entryKind(mode!),
        oid: oid!,
      };
      if (size !== undefined && size !== "-") e.size = Number(size);
      entries.push({ path, entry: e });
    }
    return entries;
  }

  /**
   * `dir` at `rev`: its shape and, when it is a directory, its direct children. Usually one
   * process: a listing whose every entry is `<dir>/<name>` proves each segment of `dir` is a
   * directory (git stores no path below anything else). Anything else (nothing listed: missing,
   * a symlink, a submodule or a file on the way; or a name pathspec magic widened) takes the
   * segment-by-segment walk and lists again, as before.
   */
  async readDirectory(
    rev: string,
    dir: string,
  ): Promise<{ shape: DirectoryShape; entries: TreeEntry[] | null }> {
    if (dir !== "") {
      const listed = await this.listTree(rev, dir);
      if (listed.length > 0 && listed.every((r) => r.path === `${dir}/${r.entry.name}`))
        return { shape: { kind: "directory" }, entries: listed.map((r) => r.entry) };
    }
    const shape = await this.directoryShape(rev, dir);
    const entries = shape.kind === "directory" ? await this.listDirectory(rev, dir) : null;
    return { shape, entries };
  }

  /**
   * What `dir` is at `rev`, walking its path segment by segment: a plain directory, missing, or a
   * symlink, submodule or file on the way (one `ls-tree` per segment: directories are shallow).
   */
  async directoryShape(rev: string, dir: string): Promise<DirectoryShape> {
    return walkShape(dir, async (_segment, path) => {
      const out = await this.run(
        ["--literal-pathspecs", "ls-tree", "-z", rev, "--", path],
        `cannot read ${path} at ${rev}`,
      );
      const rec = out.split("\0").find((r) => r.endsWith(`\t${path}`));
      if (rec === undefined) return null;
      const [mode, , oid] = rec.slice(0, rec.indexOf("\t")).split(" ");
      return { kind: entryKind(mode!), oid: oid! };
    });
  }

  /**
   * What `dir` is in the working tree, as golang-migrate run from this checkout would open it: a
   * symlinked directory here is followed just the same.
   */
  worktreeShape(dir: string): Promise<DirectoryShape> {
    return walkShape(dir, async (_segment, path) => {
      const abs = join(this.root, path);
      const st = lstatOrNull(abs);
      if (st === null) return null;
      if (st.isSymbolicLink()) return { kind: "symlink" };
      if (!st.isDirectory()) return { kind: "file" };
      // A checked-out submodule is a directory with its own .git.
      return { kind: lstatOrNull(join(abs, ".git")) ? "submodule" : "directory" };
    });
  }

  /**
   * Files changed between `from` and `to` (a commit, or null for the working tree including
   * staged, unstaged and untracked files) that can change what golang-migrate reads from `dirs`:
   * anything below them, their own paths and their ancestors' (a directory replaced by a link),
   * in any letter case (a case-insensitive checkout merges those). Callers filter the rest.
   */
  async diff(from: string, to: string | null, dirs: readonly string[]): Promise<RawChange[]> {
    const spec = migrationPathspecs(dirs);
    const range = to === null ? [from] : [from, to];
    // The untracked files do not depend on the diff: both processes run at once.
    const [out, untracked] = await Promise.all([
      this.run(
        ["diff", "--raw", "-z", "-M", "--no-abbrev", "--no-ext-diff", ...range, "--", ...spec],
        `cannot compare ${from} with ${to ?? "the working tree"}`,
      ),
      to === null
        ? this.run(
            ["ls-files", "--others", "--exclude-standard", "-z", "--", ...spec],
            "cannot list untracked files",
          )
        : null,
    ]);
    const changes = parseRawDiff(out);
    for (const p of untracked?.split("\0") ?? []) {
      if (p !== "") changes.push({ status: "added", path: p, kind: "file" });
    }
    return changes;
  }

  /**
   * Blob contents, in the order asked, through one `git cat-file --batch` process (a `git show`
   * per file costs a process each: seconds for a long migration history). `object` is a blob id
   * or `<rev>:<path>`; `path` names the file in errors.
   */
  async readBlobs(blobs: ReadonlyArray<{ object: string; path: string }>): Promise<Buffer[]> {
    if (blobs.length === 0) return [];
    const bad = blobs.find((b) => /[\n\r]/.test(b.object) || b.object === "");
    if (bad)
      throw new GitError(
        `cannot read ${JSON.stringify(bad.path)}: the name cannot be passed to git`,
      );
    const names = blobs.map((b) => b.object);
    const session = await this.objects?.read(names).catch(() => null);
    // Without the session (or when its process failed): a process of their own, as before.
    const out =
      session ?? (await catFile(this.root, names.map((n) => `${n}\n`).join(""), "--batch"));
    return parseBatch(out, blobs);
  }

  /** File bytes at a revision, or null when the path does not exist there. */
  async readAt(rev: string, path: string): Promise<Buffer | null> {
    const name = `${rev}:${path}`;
    // The object reader answers a blob and a missing path exactly as `git show` does (a blob's
    // bytes as stored, no textconv; a failure); anything else (a tree, which `show` lists, a
    // name the reader cannot take, its process gone) is asked of `git show` as before.
    const record = /[\n\r]/.test(name) ? null : await this.objects?.read([name]).catch(() => null);
    if (record) {
      const blob = blobRecord(record);
      if (blob) return blob;
      if (record.toString("utf8") === `${name} missing\n`) return null;
    }
    try {
      return await runGit(this.root, ["show", "--binary", name]);
    } catch {
      return null;
    }
  }
}

/** Pathspecs (literal, case-insensitive) for `dirs`, their own paths and their ancestors. */
export function migrationPathspecs(dirs: readonly string[]): string[] {
  if (dirs.includes("")) return [];
  const specs = new Set<string>();
  for (const d of dirs) {
    specs.add(`:(literal,icase)${d}/`);
    const segments = d.split("/");
    for (let i = 1; i <= segments.length; i++)
      specs.add(`:(literal,icase)${segments.slice(0, i).join("/")}`);
  }
  return [...specs];
}

/** What is at `path` itself (a symlink is not followed); null when nothing can be found there. */
export function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/** Parse `git diff --raw -z` output: ":<m1> <m2> <o1> <o2> <S>[score]\0<path>[\0<path2>]\0". */
export function parseRawDiff(out: string): RawChange[] {
  const parts = out.split("\0");
  const changes: RawChange[] = [];
  for (let i = 0; i < parts.length; i++) {
    const head = parts[i]!;
    if (!head.startsWith(":")) continue;
    const [, dstMode, , dstOid, st] = head.slice(1).split(" ");
    const letter = st![0];
    const kind = entryKind(dstMode!);
    const oid = ZERO_OID.test(dstOid!) ? undefined : dstOid;
    if (letter === "R" || letter === "C") {
      const from = parts[++i]!;
      const to = parts[++i]!;
      const c: RawChange =
        letter === "R"
          ? { status: "renamed", path: to, previousPath: from, kind }
          : { status: "added", path: to, kind };
      if (oid) c.oid = oid;
      changes.push(c);
      continue;
    }
    const path = parts[++i]!;
    const status: ChangeStatus | null =
      letter === "A"
        ? "added"
        : letter === "D"
          ? "removed"
          : letter === "M" || letter === "T"
            ? "modified"
            : null;
    if (status === null) continue; // U (unmerged) and X: nothing sensible to analyse
    const c: RawChange = { status, path, kind: status === "removed" ? "file" : kind };
    if (oid && status !== "removed") c.oid = oid;
    changes.push(c);
  }
  return changes;
}
