/**
 * The git processes behind the CLI's Git (src/cli/git.ts): spawning one, the long-lived
 * `cat-file --batch` reader that answers a lint's object reads in turn, and the parsing of what
 * cat-file prints. Kept apart from Git's questions (what changed, what a tree holds) because it is
 * about bytes and processes, not revisions.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";

export class GitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GitError";
  }
}

/** The header of one `cat-file --batch` record: "<oid> SP <type> SP <size>". */
const BATCH_HEADER = /^([0-9a-f]{40,64}) (\S+) (\d+)$/;

/**
 * Where the `cat-file --batch` record at the start of `buf` ends ("<oid> <type> <size>", its
 * bytes and a line feed; or one line: "<name> missing", "<name> ambiguous"), or -1 while it is
 * incomplete.
 */
export function recordEnd(buf: Buffer): number {
  const eol = buf.indexOf(0x0a);
  if (eol < 0) return -1;
  const m = BATCH_HEADER.exec(buf.subarray(0, eol).toString("utf8"));
  if (!m) return eol + 1;
  const end = eol + 1 + Number(m[3]) + 1;
  return buf.length >= end ? end : -1;
}

/** A blob's bytes, when `record` is exactly one whole blob record. */
export function blobRecord(record: Buffer): Buffer | null {
  const eol = record.indexOf(0x0a);
  const m = eol < 0 ? null : BATCH_HEADER.exec(record.subarray(0, eol).toString("utf8"));
  if (!m || m[2] !== "blob") return null;
  const size = Number(m[3]);
  if (record.length !== eol + 1 + size + 1 || record[record.length - 1] !== 0x0a) return null;
  return Buffer.from(record.subarray(eol + 1, eol + 1 + size));
}

/**
 * One `git cat-file --batch` process answering a lint's object reads in turn (its revisions, the
 * base's configuration file, the merged files) instead of a process for each: each costs the CLI
 * a fork of itself and git its start-up. Reads are answered in the order they are written (git
 * answers line by line and flushes after each object). While nothing is asked the process is
 * unreferenced, so it never keeps the CLI alive; close() ends it, and so does the CLI's exit
 * (its stdin closes). A read fails only when the process does (it is then asked no more).
 */
export class ObjectSession {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: Array<{
    records: number;
    out: Buffer[];
    resolve: (out: Buffer) => void;
    reject: (err: Error) => void;
  }> = [];
  private buf: Buffer = Buffer.alloc(0);
  private stderr = "";
  private failure: GitError | null = null;

  /** A reader in `cwd`, or null when its process cannot even be started (reads then spawn their own). */
  static start(cwd: string): ObjectSession | null {
    try {
      return new ObjectSession(cwd);
    } catch {
      return null;
    }
  }

  private constructor(cwd: string) {
    this.child = spawn("git", ["cat-file", "--batch"], {
      cwd,
      stdio: ["pipe", "pipe", "pipe"],
      windowsHide: true,
    });
    this.child.stdout.on("data", (c: Buffer) => this.take(c));
    this.child.stderr.on("data", (c: Buffer) => (this.stderr += c.toString("utf8")));
    this.child.on("error", (err) =>
      this.fail(new GitError(`cannot run git cat-file: ${err.message}`)),
    );
    this.child.on("close", (code) =>
      this.fail(
        new GitError(`git cat-file failed: ${firstLine(this.stderr) || `exit code ${code}`}`),
      ),
    );
    this.child.stdin.on("error", () => undefined);
    this.hold(false);
  }

  /** What one `cat-file --batch` fed `names` (one per line; none holds a line break) prints. */
  read(names: readonly string[]): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    if (names.length === 0) return Promise.resolve(Buffer.alloc(0));
    return new Promise((resolve, reject) => {
      this.waiting.push({ records: names.length, out: [], resolve, reject });
      this.hold(true);
      this.child.stdin.write(names.map((n) => `${n}\n`).join(""));
    });
  }

  close(): void {
    this.fail(new GitError("git cat-file: closed"));
    this.child.stdin.end();
  }

  private take(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (let end = recordEnd(this.buf); end >= 0; end = recordEnd(this.buf)) {
      const w = this.waiting[0];
      if (!w) return this.fail(new GitError("git cat-file printed what was not asked"));
      w.out.push(this.buf.subarray(0, end));
      this.buf = this.buf.subarray(end);
      if (w.out.length === w.records) {
        this.waiting.shift();
        w.resolve(Buffer.concat(w.out));
      }
    }
    if (this.waiting.length === 0) this.hold(false);
  }

  private fail(err: GitError): void {
    this.failure ??= err;
    for (const w of this.waiting.splice(0)) w.reject(this.failure);
    this.hold(false);
  }

  /** Keep the event loop alive for the process only while a read waits for it. */
  private hold(on: boolean): void {
    // The pipes are sockets (their types say only streams).
    const handles = [this.child, this.child.stdout, this.child.stderr, this.child.stdin] as Array<{
      ref(): void;
      unref(): void;
    }>;
    for (const h of handles)
      if (on) h.ref();
      else h.unref();
  }
}

/**
 * `git cat-file --batch` output: per object "<oid> SP <type> SP <size> LF <bytes> LF", or
 * "<name> SP missing LF" (also "ambiguous"). Anything else is an error naming the file.
 */
export function parseBatch(
  out: Buffer,
  blobs: ReadonlyArray<{ object: string; path: string }>,
): Buffer[] {
  const result: Buffer[] = [];
  let at = 0;
  for (const b of blobs) {
    const eol = out.indexOf(0x0a, at);
    if (eol < 0) throw new GitError(`${b.path}: git cat-file stopped before ${b.object}`);
    const header = out.subarray(at, eol).toString("utf8");
    const m = BATCH_HEADER.exec(header);
    if (!m) {
      const why = header.endsWith(" missing")
        ? "does not exist"
        : header.endsWith(" ambiguous")
          ? "is ambiguous"
          : `gave "${header}"`;
      throw new GitError(`${b.path}: ${b.object} ${why} in the repository`);
    }
    const [, oid, type, size] = m;
    if (type !== "blob") throw new GitError(`${b.path}: ${b.object} is a ${type}, not a file`);
    if (/^[0-9a-f]{40,64}$/.test(b.object) && oid !== b.object)
      throw new GitError(`${b.path}: git cat-file answered ${oid} for ${b.object}`);
    const start = eol + 1;
    const end = start + Number(size);
    if (end + 1 > out.length || out[end] !== 0x0a)
      throw new GitError(`${b.path}: git cat-file output ended inside ${b.object}`);
    result.push(Buffer.from(out.subarray(start, end)));
    at = end + 1;
  }
  return result;
}

/**
 * Several revisions at once, each to its commit sha or null (what tryResolve answers), through
 * one `git cat-file --batch-check` process in `cwd` instead of a `rev-parse` each. A revision is
 * read from stdin, never as an option, so one starting with "-" is just a name.
 */
export async function resolveIn(
  cwd: string,
  revs: readonly string[],
  session: ObjectSession | null = null,
): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  const asked = [...new Set(revs)];
  // A line break would split the request; such a name is no revision (rev-parse agrees).
  const sendable = asked.filter((r) => r !== "" && !/[\n\r]/.test(r));
  for (const r of asked) out.set(r, null);
  if (sendable.length === 0) return out;
  const names = sendable.map((r) => `${r}^{commit}`);
  // The object reader prints each commit after its header: the headers are what is read.
  let headers: string[];
  if (session) {
    const records = await session.read(names);
    headers = [];
    for (let at = 0, end = recordEnd(records); end > 0; end = recordEnd(records.subarray(at))) {
      const record = records.subarray(at, at + end);
      headers.push(record.subarray(0, record.indexOf(0x0a)).toString("utf8"));
      at += end;
    }
  } else {
    const answer = await catFile(cwd, names.map((n) => `${n}\n`).join(""), "--batch-check");
    headers = answer.toString("utf8").split("\n");
  }
  sendable.forEach((r, i) => {
    const m = /^([0-9a-f]{40,64}) commit \d+$/.exec(headers[i] ?? "");
    out.set(r, m ? m[1]! : null);
  });
  return out;
}

/** One `git cat-file` process in `cwd` fed `input`: its whole output. */
export function catFile(
  cwd: string,
  input: string,
  mode: "--batch" | "--batch-check",
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["cat-file", mode], {
      cwd,
      stdio: ["pipe", "pipe", "pipe"],
      windowsHide: true,
    });
    const chunks: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => chunks.push(c));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    child.on("error", (err) => reject(new GitError(`cannot run git cat-file: ${err.message}`)));
    child.on("close", (code) =>
      code === 0
        ? resolve(Buffer.concat(chunks))
        : reject(new GitError(`git cat-file failed: ${firstLine(stderr) || `exit code ${code}`}`)),
    );
    // A closed stdin (git exited early) surfaces as the exit code above.
    child.stdin.on("error", () => undefined);
    child.stdin.end(input);
  });
}

/**
 * One `git` process in `cwd`: its stdout, or an error whose message is its stderr (or its exit
 * status when it printed nothing: `merge-base` without a common ancestor, `rev-parse --quiet`).
 */
export function runGit(cwd: string, args: readonly string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      windowsHide: true,
    });
    const chunks: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => chunks.push(c));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code, signal) =>
      code === 0
        ? resolve(Buffer.concat(chunks))
        : reject(
            new Error(stderr.trim() || `exit ${code === null ? `on ${signal}` : `code ${code}`}`),
          ),
    );
  });
}

export function firstLine(s: string): string {
  return s.trim().split("\n")[0] ?? s;
}
