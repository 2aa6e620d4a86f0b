/**
 * Finds golang-migrate directories in a working tree: directories holding files whose names
 * golang-migrate reads (src/core/migrations/filename.ts), listed non-recursively as golang-migrate
 * reads them. In a git repository the files are git's (tracked, and untracked ones not ignored);
 * elsewhere the tree is walked. Vendored code and test data are set aside, not proposed.
 */
import { execFile } from "node:child_process";
import { lstat, open, readdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { classifyName, parseMigrationName } from "../../core/migrations/filename.js";
import { guessDialect, type DialectGuess, type SqlFile } from "./dialect.js";

const run = promisify(execFile);

/** Path segments whose migrations are someone else's or exist for tests. */
const SET_ASIDE = new Set([
  "node_modules",
  "vendor",
  "third_party",
  "testdata",
  "fixtures",
  "__fixtures__",
]);
/** Walking outside git: stop here rather than read a whole disk. */
const MAX_WALKED_FILES = 200_000;
/** Dialect guessing reads at most this much of a directory. */
const MAX_SAMPLE_FILES = 200;
const MAX_SAMPLE_BYTES = 256 * 1024;

export interface FoundDirectory {
  /** Repo-relative, "" for the root. */
  path: string;
  ups: number;
  downs: number;
  /** Lowest and highest version, as written (leading zeros kept). */
  first: string;
  last: string;
  /** Files that look like migrations but golang-migrate skips (bad names). */
  ignored: number;
  guess: DialectGuess;
  /** Why it is not proposed (vendored or test data); null when it is. */
  setAside: string | null;
}

/** Repo-relative file paths, `/`-separated. */
export async function listFiles(root: string, inGit: boolean): Promise<string[]> {
  if (inGit) {
    const { stdout } = await run(
      "git",
      ["-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
      { maxBuffer: 512 * 1024 * 1024 },
    );
    return [...new Set(stdout.split("\0").filter((p) => p !== ""))];
  }
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    if (out.length >= MAX_WALKED_FILES) return;
    let entries;
    try {
      entries = await readdir(join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = rel === "" ? e.name : `${rel}/${e.name}`;
      // Dot directories (.git, .cache …) hold no migrations worth proposing; symlinks are not
      // followed (they could lead out of the tree, or in circles).
      if (e.isDirectory() && !e.name.startsWith(".")) await walk(path);
      else if (e.isFile()) out.push(path);
      if (out.length >= MAX_WALKED_FILES) return;
    }
  };
  await walk("");
  return out;
}

/** A directory of migration-like names none of which golang-migrate reads (a naming mistake). */
export interface Lookalike {
  path: string;
  count: number;
  example: string;
  problem: string;
}

export interface Discovery {
  found: FoundDirectory[];
  lookalikes: Lookalike[];
}

/** Fewer ignored names than this in a directory are not worth mentioning (a stray file). */
const LOOKALIKE_MIN = 2;

export async function discover(root: string, inGit: boolean): Promise<Discovery> {
  const byDir = new Map<string, string[]>();
  for (const path of await listFiles(root, inGit)) {
    const slash = path.lastIndexOf("/");
    const dir = slash < 0 ? "" : path.slice(0, slash);
    const list = byDir.get(dir) ?? [];
    list.push(path.slice(slash + 1));
    byDir.set(dir, list);
  }
  const found: FoundDirectory[] = [];
  const lookalikes: Lookalike[] = [];
  for (const [dir, names] of byDir) {
    const parsed = names
      .map((n) => ({ name: n, p: parseMigrationName(n) }))
      .filter((x): x is { name: string; p: NonNullable<typeof x.p> } => x.p !== null);
    if (parsed.length === 0) {
      const ignored = names
        .filter((n) => /\.sql$/i.test(n))
        .map((n) => ({ n, v: classifyName(n) }))
        .filter((x) => x.v.kind === "ignored");
      const first = ignored[0];
      if (ignored.length >= LOOKALIKE_MIN && first && first.v.kind === "ignored")
        lookalikes.push({
          path: dir,
          count: ignored.length,
          example: first.n,
          problem: first.v.problem,
        });
      continue;
    }
    parsed.sort((a, b) => (a.p.version < b.p.version ? -1 : a.p.version > b.p.version ? 1 : 0));
    const files = await sample(root, dir, parsed);
    const segments = dir.split("/");
    const aside = segments.find((s) => SET_ASIDE.has(s.toLowerCase()));
    found.push({
      path: dir,
      ups: parsed.filter((x) => x.p.direction === "up").length,
      downs: parsed.filter((x) => x.p.direction === "down").length,
      first: parsed[0]!.p.versionText,
      last: parsed.at(-1)!.p.versionText,
      ignored: names.filter((n) => classifyName(n).kind === "ignored").length,
      guess: guessDialect(files),
      setAside: aside
        ? `under ${aside}/ (${/^(?:node_modules|vendor|third_party)$/i.test(aside) ? "vendored code" : "test data"})`
        : null,
    });
  }
  // Most migrations first; ties by path.
  found.sort((a, b) => b.ups + b.downs - (a.ups + a.downs) || (a.path < b.path ? -1 : 1));
  lookalikes.sort((a, b) => (a.path < b.path ? -1 : 1));
  return { found, lookalikes };
}

/** The newest files' text (up to the limits), for the dialect guess. */
async function sample(
  root: string,
  dir: string,
  parsed: Array<{ name: string; p: { title: string } }>,
): Promise<SqlFile[]> {
  const out: SqlFile[] = [];
  let bytes = 0;
  for (const { name, p } of [...parsed].reverse().slice(0, MAX_SAMPLE_FILES)) {
    if (bytes >= MAX_SAMPLE_BYTES) break;
    const text = await readPrefix(join(root, dir, name), MAX_SAMPLE_BYTES - bytes);
    if (text === null) continue;
    bytes += text.length;
    out.push({ title: p.title, text });
  }
  return out;
}

/** A regular file's first bytes as text; null for anything else (symlinks are not followed). */
async function readPrefix(path: string, max: number): Promise<string | null> {
  try {
    if (!(await lstat(path)).isFile()) return null;
    const fh = await open(path, "r");
    try {
      const buf = Buffer.alloc(Math.max(0, max));
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      return buf.subarray(0, bytesRead).toString("utf8");
    } finally {
      await fh.close();
    }
  } catch {
    return null;
  }
}
