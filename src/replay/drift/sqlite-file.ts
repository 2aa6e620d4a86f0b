/**
 * A live SQLite database as bytes, read without opening it for writing: the main file, plus the
 * transactions committed to its write-ahead log that a checkpoint has not copied back yet (an
 * application's database in WAL mode usually has some). sql.js then opens that image in memory;
 * nothing is ever written to the user's files.
 *
 * The WAL is read as SQLite's file format describes it (sqlite.org/fileformat2.html, "The
 * Write-Ahead Log"): frames count only while their salts match the header and their cumulative
 * checksums hold, and only up to the last commit frame. The main file and the log are read again
 * when a checkpoint ran in between; a rollback journal (a write in progress) is waited out.
 */
import { readFile, stat } from "node:fs/promises";

export class SqliteFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SqliteFileError";
  }
}

const MAGIC = Buffer.from("SQLite format 3\0", "latin1");
const WAL_HEADER = 32;
const FRAME_HEADER = 24;
const JOURNAL_MAGIC = Buffer.from([0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]);
const ATTEMPTS = 5;

function pageSizeOf(n: number): number {
  return n === 1 ? 65536 : n;
}

/** SQLite's WAL checksum over `data` (32-bit words, in the log's byte order), continuing (s0, s1). */
function checksum(data: Buffer, bigEndian: boolean, s: [number, number]): [number, number] {
  let [s0, s1] = s;
  for (let i = 0; i + 8 <= data.length; i += 8) {
    const a = bigEndian ? data.readUInt32BE(i) : data.readUInt32LE(i);
    const b = bigEndian ? data.readUInt32BE(i + 4) : data.readUInt32LE(i + 4);
    s0 = (s0 + a + s1) >>> 0;
    s1 = (s1 + b + s0) >>> 0;
  }
  return [s0, s1];
}

/** The committed frames of a log: page number → page bytes (last one wins), and the page count. */
export function committedFrames(
  wal: Buffer,
): { pages: Map<number, Buffer>; pageCount: number; pageSize: number } | null {
  if (wal.length < WAL_HEADER) return null;
  const magic = wal.readUInt32BE(0);
  if (magic !== 0x377f0682 && magic !== 0x377f0683) return null;
  const bigEndian = (magic & 1) === 1;
  const pageSize = wal.readUInt32BE(8);
  const salt = [wal.readUInt32BE(16), wal.readUInt32BE(20)];
  let sum = checksum(wal.subarray(0, 24), bigEndian, [0, 0]);
  if (sum[0] !== wal.readUInt32BE(24) || sum[1] !== wal.readUInt32BE(28)) return null;

  const pending = new Map<number, Buffer>();
  const pages = new Map<number, Buffer>();
  let pageCount = 0;
  for (let at = WAL_HEADER; at + FRAME_HEADER + pageSize <= wal.length;) {
    const header = wal.subarray(at, at + FRAME_HEADER);
    const page = wal.subarray(at + FRAME_HEADER, at + FRAME_HEADER + pageSize);
    if (header.readUInt32BE(8) !== salt[0] || header.readUInt32BE(12) !== salt[1]) break;
    sum = checksum(page, bigEndian, checksum(header.subarray(0, 8), bigEndian, sum));
    if (sum[0] !== header.readUInt32BE(16) || sum[1] !== header.readUInt32BE(20)) break;
    pending.set(header.readUInt32BE(0), page);
    const commitSize = header.readUInt32BE(4);
    if (commitSize > 0) {
      for (const [n, p] of pending) pages.set(n, p);
      pending.clear();
      pageCount = commitSize;
    }
    at += FRAME_HEADER + pageSize;
  }
  return { pages, pageCount, pageSize };
}

async function readOptional(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The database as SQLite would read it now, as one rollback-journal-mode image. */
export async function readSqliteImage(path: string): Promise<Uint8Array> {
  for (let attempt = 1; ; attempt++) {
    const walBefore = await readOptional(`${path}-wal`);
    let main: Buffer;
    try {
      if (!(await stat(path)).isFile()) throw new SqliteFileError(`${path} is not a file`);
      main = await readFile(path);
    } catch (err) {
      if (err instanceof SqliteFileError) throw err;
      throw new SqliteFileError(
        `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
    const walAfter = await readOptional(`${path}-wal`);
    const journal = await readOptional(`${path}-journal`);
    const stable =
      (walBefore === null) === (walAfter === null) &&
      (walBefore === null ||
        walBefore.subarray(0, WAL_HEADER).equals(walAfter!.subarray(0, WAL_HEADER)));
    const writing = journal !== null && journal.subarray(0, 8).equals(JOURNAL_MAGIC);
    if (!stable || writing) {
      if (attempt >= ATTEMPTS)
        throw new SqliteFileError(
          `${path} kept changing while it was read (${writing ? "a write transaction holds its rollback journal" : "its write-ahead log was checkpointed"}); try again`,
        );
      await sleep(100 * attempt);
      continue;
    }
    if (main.length > 0 && !main.subarray(0, 16).equals(MAGIC))
      throw new SqliteFileError(`${path} is not an SQLite database`);
    return applyWal(main, walAfter);
  }
}

/** The main file with the log's committed pages written in, marked as not in WAL mode. */
export function applyWal(main: Buffer, wal: Buffer | null): Uint8Array {
  const frames = wal ? committedFrames(wal) : null;
  let image = Buffer.from(main);
  if (frames && frames.pageCount > 0) {
    const size = frames.pageCount * frames.pageSize;
    const grown = Buffer.alloc(size);
    image.copy(grown, 0, 0, Math.min(image.length, size));
    for (const [n, page] of frames.pages)
      if (n >= 1 && n <= frames.pageCount) page.copy(grown, (n - 1) * frames.pageSize);
    image = grown;
  }
  if (image.length >= 100 && image.subarray(0, 16).equals(MAGIC)) {
    if (pageSizeOf(image.readUInt16BE(16)) === 0)
      throw new SqliteFileError("the database header names no page size");
    // File format versions 1: rollback journal. sql.js keeps the image in memory, without a log.
    image[18] = 1;
    image[19] = 1;
  }
  return new Uint8Array(image.buffer, image.byteOffset, image.length);
}
