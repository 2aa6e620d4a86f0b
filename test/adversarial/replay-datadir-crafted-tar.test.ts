/**
 * Crafted tars for the sandbox's own data directory loader (src/replay/engines/pglite-datadir.ts),
 * on PGlite's real Emscripten FS: a cached state is a file in the CLI's cache directory (its owner
 * can write it; trustedCacheDir only keeps other users out) or damaged bytes. Whatever a tar
 * holds, the loader may only create regular files and directories under the directory it fills:
 * no link of any kind, nothing outside it (names with "..", absolute names, links to follow, pax
 * or GNU headers whose data names another path), no size read past the tar, no node replaced,
 * and the FS's directory objects (plain `{}` in MEMFS) must not be polluted through names such as
 * `__proto__`. A tar with no PG_VERSION must not become a fresh initdb database either.
 */
import { afterAll, beforeAll, expect, jest, test } from "@jest/globals";
import type { PGlite } from "@electric-sql/pglite";
import { PgliteEngine, type PgliteModules } from "../../src/replay/engines/pglite.js";
import {
  loadDataDir,
  readTar,
  type DataDirFs,
  type MemNode,
} from "../../src/replay/engines/pglite-datadir.js";
import { pgliteModules } from "../../src/replay/run-in-worker.js";
import { pgliteTemplate } from "../replay/support.js";

jest.setTimeout(120_000);

const progress = () => undefined;
let modules: PgliteModules;
let engine: PgliteEngine;
type Fs = DataDirFs & {
  readdir(p: string): string[];
  stat(p: string): { mode: number; size: number };
  readFile(p: string): Uint8Array;
  analyzePath(p: string): { exists: boolean };
  lstat(p: string): { mode: number };
};
let fs: Fs;

beforeAll(async () => {
  // Compiled as production compiles it (Liftoff alone), once per process.
  modules = await pgliteModules();
  engine = await PgliteEngine.create({
    extensions: [],
    progress,
    snapshot: await pgliteTemplate(),
    modules,
  });
  fs = (engine as unknown as { db: PGlite }).db.Module.FS as unknown as Fs;
});

afterAll(async () => {
  await engine.close();
});

interface Entry {
  name: string;
  data?: Uint8Array | string;
  type?: string;
  /** The size field as written (default: the data's length in octal). */
  size?: string;
  linkname?: string;
  prefix?: string;
}

function header(e: Entry, length: number): Uint8Array {
  const h = new Uint8Array(512);
  const put = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) h[at + i] = s.charCodeAt(i) & 0xff;
  };
  put(0, e.name);
  put(100, "000644 ");
  put(124, e.size ?? length.toString(8).padStart(11, "0"));
  put(136, (1_700_000_000).toString(8).padStart(11, "0"));
  put(156, e.type ?? "0");
  if (e.linkname) put(157, e.linkname);
  put(257, "ustar\u000000");
  if (e.prefix) put(345, e.prefix);
  put(148, "        ");
  const sum = h.reduce((a, b) => a + b, 0);
  put(148, `${sum.toString(8).padStart(6, "0")}\u0000 `);
  return h;
}

function tar(entries: Entry[], end = 1024): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    const bytes = typeof e.data === "string" ? new TextEncoder().encode(e.data) : (e.data ?? null);
    parts.push(header(e, bytes?.length ?? 0));
    if (bytes) {
      const padded = new Uint8Array(Math.ceil(bytes.length / 512) * 512);
      padded.set(bytes);
      parts.push(padded);
    }
  }
  parts.push(new Uint8Array(end));
  return new Uint8Array(Buffer.concat(parts));
}

/** Every path of the FS outside `/tmp/crafted*` with its kind and size (/proc and /dev skipped). */
function listing(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of fs.readdir(dir)) {
      if (name === "." || name === "..") continue;
      const p = dir === "/" ? `/${name}` : `${dir}/${name}`;
      if (/^\/(proc|dev)$|^\/tmp\/crafted/.test(p)) continue;
      const st = fs.lstat(p);
      out.push(`${p} ${st.mode.toString(8)} ${fs.isFile(st.mode) ? fs.stat(p).size : ""}`);
      if (fs.isDir(st.mode)) walk(p);
    }
  };
  walk("/");
  return out;
}

let roots = 0;
/** Load `bytes` into a new directory; what it made (kind and path), or the error. */
function load(bytes: Uint8Array): { made: string[]; error: string | null } {
  const root = `/tmp/crafted${++roots}`;
  let error: string | null = null;
  try {
    loadDataDir(fs, root, bytes);
  } catch (err) {
    error = (err as Error).message;
  }
  const made: string[] = [];
  const walk = (dir: string) => {
    if (!fs.analyzePath(dir).exists) return;
    for (const name of fs.readdir(dir)) {
      if (name === "." || name === "..") continue;
      const p = `${dir}/${name}`;
      const mode = fs.lstat(p).mode;
      const kind = fs.isLink(mode)
        ? "link"
        : fs.isDir(mode)
          ? "dir"
          : fs.isFile(mode)
            ? "file"
            : "?";
      made.push(`${kind} ${p.slice(root.length + 1)}`);
      if (kind === "dir") walk(p);
    }
  };
  walk(root);
  return { made, error };
}

test("names that climb out, absolute names and links never reach outside the directory filled", () => {
  const before = listing();
  const climbs = [
    "../../pglite/lib/evil.so",
    "base/../../../pglite/lib/evil.so",
    "./../evil",
    "..",
  ];
  for (const name of climbs) {
    const r = load(tar([{ name, data: "\u0000asm" }]));
    expect(r.error).toMatch(/not a path inside/);
    expect(r.made).toEqual([]);
  }
  // The prefix field counts as part of the name.
  expect(load(tar([{ name: "evil.so", prefix: "../../pglite/lib", data: "x" }])).error).toMatch(
    /not a path inside/,
  );

  // An absolute name is a name inside the directory (tinytar writes "/PG_VERSION").
  expect(load(tar([{ name: "/pglite/lib/evil.so", data: "x" }]))).toEqual({
    made: ["dir pglite", "dir pglite/lib", "file pglite/lib/evil.so"],
    error: null,
  });

  // Symbolic and hard links, devices, FIFOs: skipped, never made or followed.
  const links = load(
    tar([
      { name: "/lib", type: "2", linkname: "/pglite/lib" },
      { name: "/lib/evil.so", data: "x" },
      { name: "/hard", type: "1", linkname: "../../pglite/lib/postgres.so" },
      { name: "/dev0", type: "3" },
      { name: "/fifo", type: "6" },
    ]),
  );
  expect(links).toEqual({ made: ["dir lib", "file lib/evil.so"], error: null });
  expect(listing()).toEqual(before);
});

test("pax and GNU headers are not obeyed: their data is read as the next header and refused", () => {
  const before = listing();
  const pax = "30 path=../../pglite/lib/evil.so\n";
  for (const type of ["x", "g", "L", "K"]) {
    const r = load(
      tar([
        { name: "././@PaxHeader", type, data: type === "L" ? "../../pglite/lib/evil.so" : pax },
        { name: "/innocent", data: "\u0000asm" },
      ]),
    );
    expect(r.error).not.toBeNull();
    expect(r.made).toEqual([]);
  }
  // A directory entry's size is not honoured either: a header hidden in its "data" is read as an
  // entry and checked as one.
  const hidden = header({ name: "../../pglite/lib/evil.so" }, 4);
  const r = load(
    tar([
      { name: "/base", type: "5", size: "00000001000", data: hidden },
      { name: "/x", data: "" },
    ]),
  );
  expect(r.error).toMatch(/not a path inside/);
  expect(r.made).toEqual([]);
  expect(listing()).toEqual(before);
});

test("sizes: past the end, huge, not octal, base-256 or negative refuse the tar before anything is made", () => {
  const file = (size: string) => tar([{ name: "/PG_VERSION", data: "18\n", size }]);
  for (const size of [
    "77777777777",
    "00000010000",
    "0x1f",
    "-0000000001",
    "1e3",
    "\u0080\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0001",
  ]) {
    const r = load(file(size));
    expect(r.error).toMatch(/truncated|not octal/);
    expect(r.made).toEqual([]);
  }
  // The last block cut short, or no end-of-archive block at all.
  const good = tar([{ name: "/PG_VERSION", data: "18\n" }]);
  expect(load(good.subarray(0, 512 + 100)).error).toMatch(/no end|truncated/);
  expect(load(good.subarray(0, 1024)).error).toMatch(/no end/);
  expect(load(good.subarray(0, good.length - 1)).made).toEqual(["file PG_VERSION"]); // one zero block ends it
  expect(() => readTar(new Uint8Array(0))).toThrow(/no end/);
});

test("a file's bytes are its own: writing one never changes its neighbour in the tar", () => {
  const bytes = tar([
    { name: "/a", data: "AAAA" },
    { name: "/b", data: "BBBB" },
  ]);
  const root = `/tmp/crafted${++roots}`;
  loadDataDir(fs, root, bytes);
  const node = fs.lookupPath(`${root}/a`).node;
  expect((node.contents as Uint8Array).length).toBe(4);
  const stream = fs as unknown as {
    open(p: string, f: string): unknown;
    write(s: unknown, b: Uint8Array, o: number, l: number, p: number): number;
    close(s: unknown): void;
  };
  const s = stream.open(`${root}/a`, "r+");
  stream.write(s, new TextEncoder().encode("ZZZZZZZZZZ"), 0, 10, 0); // past its end
  stream.close(s);
  expect(new TextDecoder().decode(fs.readFile(`${root}/b`))).toBe("BBBB");
  expect(new TextDecoder().decode(fs.readFile(`${root}/a`))).toBe("ZZZZZZZZZZ");
});

test("an entry twice, a directory over a file or a file over a directory refuses the tar", () => {
  const cases: Entry[][] = [
    [
      { name: "/PG_VERSION", data: "18\n" },
      { name: "/PG_VERSION", data: "99\n" },
    ],
    [
      { name: "/global/pg_control", data: "x" },
      { name: "/global/pg_control", type: "5" },
    ],
    [
      { name: "/base", type: "5" },
      { name: "/base", data: "x" },
    ],
    [
      { name: "/PG_VERSION", data: "18\n" },
      { name: "/PG_VERSION/x", data: "x" },
    ],
  ];
  for (const entries of cases) expect(load(tar(entries)).error).toMatch(/twice|not a directory/);
  // A directory listed twice is one directory (tinytar's form never does it, but it is harmless).
  expect(
    load(
      tar([
        { name: "/base", type: "5" },
        { name: "/base", type: "5" },
      ]),
    ).error,
  ).toBeNull();
});

test("names of Object.prototype's members are refused, and no directory object is polluted", () => {
  for (const name of ["__proto__", "constructor", "hasOwnProperty", "toString"]) {
    for (const entries of [
      [{ name: `/${name}`, data: '{"mode":16895}' }],
      [{ name: `/${name}`, type: "5" }],
      [{ name: `/base/${name}/x`, data: "x" }],
    ] as Entry[][]) {
      const r = load(tar(entries));
      expect(r.error).not.toBeNull();
    }
  }
  const plain = {} as Record<string, unknown>;
  expect(plain.mode).toBeUndefined();
  expect(plain.contents).toBeUndefined();
  expect(Object.getPrototypeOf(fs.lookupPath("/tmp").node.contents)).toBe(Object.prototype);
  for (const n of fs.readdir("/tmp")) expect(n).not.toBe("__proto__");
});

test("a cached state without PG_VERSION fails the start: it is not made a fresh database by initdb", async () => {
  const state = tar([
    { name: "/base", type: "5" },
    { name: "/postgresql.auto.conf", data: "log_min_messages = debug5\n" },
  ]);
  await expect(
    PgliteEngine.create({ extensions: [], progress, snapshot: state, modules }),
  ).rejects.toThrow();
});

test("a cached state whose entries are all skipped (links only) is refused, not initdb'd into a fresh database", async () => {
  // PGlite runs initdb when it finds no PG_VERSION after the FS's initial sync; main's
  // loadDataDir path never did, so such a state failed the start. A fresh database standing in
  // for a base state would replay the change against none of the base's tables.
  const state = tar([{ name: "/PG_VERSION", type: "2", linkname: "/pglite/share/PG_VERSION" }]);
  await expect(
    PgliteEngine.create({ extensions: [], progress, snapshot: state, modules }),
  ).rejects.toThrow(/PG_VERSION|not a data directory/);
});

test("a node made by the loader is an ordinary MEMFS file of the directory", () => {
  const root = `/tmp/crafted${++roots}`;
  loadDataDir(fs, root, tar([{ name: "/d/f", data: "x" }]));
  const d = fs.lookupPath(`${root}/d`).node;
  expect(Object.keys(d.contents as Record<string, MemNode>)).toEqual(["f"]);
  expect(fs.stat(`${root}/d/f`).mode).toBe(0o100666);
});
