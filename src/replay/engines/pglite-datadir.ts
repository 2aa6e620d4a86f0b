/**
 * The sandbox's data directory to and from a tar, straight on Emscripten's in-memory filesystem.
 *
 * PGlite's own `loadDataDir` copies a snapshot four times (Blob, arrayBuffer, tinytar's untar,
 * MEMFS's write) and resolves every path component of every file through the FS's path walker:
 * about 0.4 CPU-s of a 0.9 s start from the template (40 MB, 1,000 files). Here each file node is
 * created under its (cached) directory node and owns a view of the tar, which the worker received
 * as its own copy: nothing is shared with another replay, and a write past a file's end moves it
 * to a buffer of its own (MEMFS's expandFileStorage), as any MEMFS file does.
 *
 * What it builds is what `loadDataDir` builds: regular files (mode 0666, the tar's mtime) and
 * directories (0777), anything else skipped. Tars are the ustar tinytar writes (every snapshot
 * cached so far), and `tarDataDir` writes the same form back. A header whose checksum, magic,
 * size or name is wrong refuses the whole tar: the sandbox then fails at its start and the replay
 * runs again from the merged files (replay/jobs.ts).
 */

/** The slice of Emscripten's FS and MEMFS nodes used here (PGlite 0.5.16's build). */
export interface MemNode {
  name: string;
  mode: number;
  mtime: number;
  atime: number;
  /** Directories: child nodes by name; files: the bytes (capacity ≥ usedBytes). */
  contents: unknown;
  usedBytes?: number;
  node_ops: { mknod(parent: MemNode, name: string, mode: number, dev: number): MemNode };
}
export interface DataDirFs {
  mkdir(path: string, mode?: number): MemNode;
  lookupPath(path: string, opts?: { follow?: boolean }): { node: MemNode };
  isDir(mode: number): boolean;
  isFile(mode: number): boolean;
  isLink(mode: number): boolean;
}

const BLOCK = 512;
/** S_IFREG | 0666: what FS.writeFile creates (PGlite's loadTar). */
const FILE_MODE = 0o100666;
const latin1 = new TextDecoder("latin1");

function field(tar: Uint8Array, at: number, len: number): string {
  let end = at;
  while (end < at + len && tar[end] !== 0) end++;
  return latin1.decode(tar.subarray(at, end));
}

function octal(tar: Uint8Array, at: number, len: number, what: string): number {
  const text = field(tar, at, len).trim();
  if (!/^[0-7]*$/.test(text)) throw new Error(`tar header at ${at}: ${what} is not octal`);
  return text === "" ? 0 : parseInt(text, 8);
}

/** The header's checksum: its bytes summed, the checksum field counted as spaces. */
function checksum(tar: Uint8Array, at: number): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : tar[at + i]!;
  return sum;
}

export interface TarEntry {
  /** Path components under the data directory. */
  parts: string[];
  dir: boolean;
  /** Seconds. */
  mtime: number;
  data: Uint8Array;
}

/** The entries of a ustar archive, validated; data are views of `tar`. */
export function readTar(tar: Uint8Array): TarEntry[] {
  const out: TarEntry[] = [];
  let at = 0;
  while (at + BLOCK <= tar.length) {
    // A header always has a name: a zero first byte is the end-of-archive block, or damage.
    if (tar[at] === 0) {
      if (tar.subarray(at, at + BLOCK).every((b) => b === 0)) return out;
      throw new Error(`tar header at ${at}: no name`);
    }
    if (field(tar, at + 257, 6) !== "ustar") throw new Error(`tar header at ${at}: not ustar`);
    if (octal(tar, at + 148, 8, "checksum") !== checksum(tar, at))
      throw new Error(`tar header at ${at}: checksum mismatch`);
    const prefix = field(tar, at + 345, 155);
    const name = prefix ? `${prefix}/${field(tar, at, 100)}` : field(tar, at, 100);
    const type = tar[at + 156]!;
    // tinytar's reading: only regular files ("0", or NUL in old archives) have data.
    const file = type === 0x30 || type === 0;
    const size = file ? octal(tar, at + 124, 12, "size") : 0;
    const mtime = octal(tar, at + 136, 12, "mtime");
    const start = at + BLOCK;
    if (start + size > tar.length) throw new Error(`tar entry ${name}: truncated`);
    const parts = name.split("/").filter((p) => p !== "" && p !== ".");
    if (parts.length === 0 || parts.includes(".."))
      throw new Error(`tar entry "${name}": not a path inside the data directory`);
    if (file || type === 0x35)
      out.push({ parts, dir: !file, mtime, data: tar.subarray(start, start + size) });
    at = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  throw new Error("tar archive has no end");
}

/** Fill `root` (an empty or missing directory) with the tar's entries. */
export function loadDataDir(fs: DataDirFs, root: string, tar: Uint8Array): void {
  const dirs = new Map<string, MemNode>();
  const dirNode = (parts: readonly string[]): MemNode => {
    const path = parts.length === 0 ? root : `${root}/${parts.join("/")}`;
    let node = dirs.get(path);
    if (node) return node;
    const parent = parts.length === 0 ? null : dirNode(parts.slice(0, -1));
    const existing = parent
      ? (parent.contents as Record<string, MemNode>)[parts[parts.length - 1]!]
      : undefined;
    if (existing && !fs.isDir(existing.mode)) throw new Error(`tar: ${path} is not a directory`);
    if (existing) node = existing;
    else if (parent) node = fs.mkdir(path);
    else {
      try {
        node = fs.lookupPath(path).node;
      } catch {
        node = fs.mkdir(path);
      }
    }
    dirs.set(path, node);
    return node;
  };
  dirNode([]);
  for (const e of readTar(tar)) {
    if (e.dir) {
      dirNode(e.parts);
      continue;
    }
    const parent = dirNode(e.parts.slice(0, -1));
    const name = e.parts[e.parts.length - 1]!;
    if ((parent.contents as Record<string, MemNode>)[name])
      throw new Error(`tar: ${e.parts.join("/")} appears twice`);
    // What FS.writeFile(…, { canOwn: true }) + FS.utime do, without the path walks.
    const node = parent.node_ops.mknod(parent, name, FILE_MODE, 0);
    node.contents = e.data;
    node.usedBytes = e.data.length;
    node.atime = node.mtime = e.mtime * 1000;
  }
}

function writeOctal(buf: Uint8Array, at: number, len: number, n: number): void {
  const text = n.toString(8).padStart(len - 1, "0");
  for (let i = 0; i < len - 1; i++) buf[at + i] = text.charCodeAt(i);
}

function writeText(buf: Uint8Array, at: number, len: number, s: string): void {
  if (s.length > len) throw new Error(`tar: "${s}" is too long`);
  for (let i = 0; i < s.length; i++) buf[at + i] = s.charCodeAt(i) & 0xff;
}

/**
 * The data directory as a ustar archive, in the form tinytar gives it (PGlite's dumpDataDir):
 * names "/relative/path", a directory before its entries, anything not a regular file recorded
 * as a directory; read from the nodes in one pass and one buffer.
 *
 * A symbolic link is stored as what it leads to, as dumpDataDir's stat() did: Postgres links
 * pg_tblspc/<oid> to a tablespace's location (CREATE TABLESPACE … LOCATION '/tmp'), and a base
 * state that kept only the link, or an empty directory for it, would restore a table without its
 * files. A link back into a directory being walked is a cycle: the snapshot fails (dumpDataDir's
 * path walks ran out of links), never a state with part of the data directory missing.
 */
export function tarDataDir(fs: DataDirFs, root: string): Uint8Array {
  const entries: Array<{ name: string; node: MemNode; file: boolean }> = [];
  let size = 2 * BLOCK;
  const walking = new Set<MemNode>();
  const walk = (dir: MemNode, prefix: string, at: string) => {
    if (walking.has(dir)) throw new Error(`data directory has a cycle at ${prefix || "/"}`);
    walking.add(dir);
    for (const [name, entry] of Object.entries(dir.contents as Record<string, MemNode>)) {
      const node = fs.isLink(entry.mode)
        ? fs.lookupPath(`${at}/${name}`, { follow: true }).node
        : entry;
      const file = fs.isFile(node.mode);
      const path = `${prefix}/${name}`;
      entries.push({ name: path, node, file });
      size += BLOCK + (file ? Math.ceil((node.usedBytes ?? 0) / BLOCK) * BLOCK : 0);
      if (fs.isDir(node.mode)) walk(node, path, `${at}/${name}`);
    }
    walking.delete(dir);
  };
  walk(fs.lookupPath(root).node, "", root);
  const out = new Uint8Array(size);
  let at = 0;
  for (const { name, node, file } of entries) {
    const bytes = file ? (node.contents as Uint8Array).subarray(0, node.usedBytes ?? 0) : null;
    if (name.length > 100) throw new Error(`tar: "${name}" is too long`);
    writeText(out, at, 100, name);
    writeOctal(out, at + 100, 8, node.mode & 0o777);
    writeOctal(out, at + 108, 8, 0);
    writeOctal(out, at + 116, 8, 0);
    writeOctal(out, at + 124, 12, bytes?.length ?? 0);
    writeOctal(out, at + 136, 12, Math.floor(node.mtime / 1000));
    out[at + 156] = file ? 0x30 : 0x35;
    writeText(out, at + 257, 8, "ustar\u000000");
    writeOctal(out, at + 148, 7, checksum(out, at));
    out[at + 155] = 0x20;
    if (bytes) out.set(bytes, at + BLOCK);
    at += BLOCK + (bytes ? Math.ceil(bytes.length / BLOCK) * BLOCK : 0);
  }
  return out;
}
