/**
 * The CLI's cache directory inside the linted work tree, reached by a path that does not read
 * like it (cli-cache-dir-in-work-tree.test.ts has the plain paths). cacheDirInside compared path
 * texts (real paths): a second mount of the work tree (a container that mounts the workspace at
 * /src and again at /app, the cache set under /app) or a symlink followed by `..` (`link/..` is the
 * parent of the link's target, while the path's text says the directory holding the link) put the
 * cache among the checkout's files while the check said it was outside: a pull request's
 * committed entries would be read as the cache's. Now directories are compared by device and
 * inode, ancestor by ancestor.
 */
import { afterEach, beforeEach, describe, expect, jest, test } from "@jest/globals";
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { cacheDirInside } from "../../src/replay/cache-dir.js";
import { TempRepo } from "../support/git-repo.js";

jest.setTimeout(120_000);

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = join(ROOT, "lib/cli/main.js");

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "mw-adv-cache-alias-"));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

describe("cacheDirInside: directories, not path texts", () => {
  test("a symlink out of the tree followed by `..`: inside (made or not yet made)", () => {
    const tree = join(scratch, "tree");
    mkdirSync(join(tree, "sub"), { recursive: true });
    mkdirSync(join(scratch, "out"));
    symlinkSync(join(tree, "sub"), join(scratch, "out", "link"));
    // The text reads scratch/out/mw-cache; the system opens tree/mw-cache.
    const dir = `${join(scratch, "out", "link")}/../mw-cache`;
    expect(cacheDirInside(dir, [tree])).toBe(tree);
    mkdirSync(dir, { recursive: true });
    expect(existsSync(join(tree, "mw-cache"))).toBe(true);
    expect(cacheDirInside(dir, [tree])).toBe(tree);
    expect(cacheDirInside(`${dir}/deeper/still`, [tree])).toBe(tree);
  });

  test("held: a directory outside, also through a link from inside the tree, is not inside", () => {
    const tree = join(scratch, "tree");
    const out = join(scratch, "out");
    mkdirSync(tree);
    mkdirSync(out);
    symlinkSync(out, join(tree, "to-out"));
    expect(cacheDirInside(join(out, "cache"), [tree])).toBeNull();
    expect(cacheDirInside(join(tree, "to-out", "cache"), [tree])).toBeNull();
    expect(cacheDirInside(join(tree, ".cache", "mw"), [join(scratch, "elsewhere"), tree])).toBe(
      tree,
    );
    // A place that cannot be read is still compared by its path.
    expect(cacheDirInside(join(scratch, "gone", "x"), [join(scratch, "gone")])).toBe(
      join(scratch, "gone"),
    );
  });
});

/** Whether this process may make a mount namespace of its own and bind-mount in it. */
function canBindMount(): string | null {
  try {
    execFileSync("unshare", ["-m", "sh", "-c", `mount --bind "${scratch}" "${scratch}"`], {
      stdio: "ignore",
    });
    return null;
  } catch {
    return "unshare -m with mount --bind is not permitted here";
  }
}

describe("the work tree mounted a second time (a container's /src and /app)", () => {
  test("a cache under the second mount is refused", async () => {
    const why = canBindMount();
    if (why) {
      console.warn(`skipped: ${why}`);
      return;
    }
    if (!existsSync(BIN)) throw new Error("run `npm run build` first (npm test does)");
    const repo = new TempRepo();
    try {
      repo
        .write({
          ".github/migration-warden.yml":
            "directories:\n  - path: migrations\n    dialect: postgres\n",
          "migrations/000001_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",
          "migrations/000001_users.down.sql": "DROP TABLE users;\n",
        })
        .commit("base");
      repo.branch("change");
      repo
        .write({
          "migrations/000002_t.up.sql": "CREATE TABLE t (id bigint PRIMARY KEY);\n",
          "migrations/000002_t.down.sql": "DROP TABLE t;\n",
        })
        .commit("change");
      const alias = join(scratch, "app");
      mkdirSync(alias);
      // Only in a mount namespace of the run's own: nothing outside sees the second mount.
      const script =
        'mount --bind "$1" "$2" && cd "$1" && exec "$3" "$4" lint --no-replay --format json --base main';
      const r = await promisify(execFile)(
        "unshare",
        ["-m", "sh", "-c", script, "sh", repo.dir, alias, process.execPath, BIN],
        {
          env: {
            PATH: process.env.PATH ?? "",
            HOME: scratch,
            XDG_CACHE_HOME: join(alias, ".cache"),
          },
        },
      ).then(
        (x) => ({ code: 0, stderr: x.stderr }),
        (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
      );
      expect(r.stderr).toMatch(
        /the cache directory .*\/app\/\.cache\/migration-warden is inside the repository .*: running without it/,
      );
      // No merged schema lands among the checkout's files (the bin's own code cache may: its
      // entries are keyed by the installation's secret, code-cache.ts).
      expect(existsSync(join(repo.dir, ".cache/migration-warden/schema"))).toBe(false);
      expect(r.stderr).not.toMatch(/cache (entry|file)/i);
    } finally {
      repo.cleanup();
    }
  });
});
