/**
 * The CLI's cache directory inside the repository it lints. A CI job that keeps its caches in the
 * workspace (`XDG_CACHE_HOME: ${{ github.workspace }}/.cache`, `MIGRATION_WARDEN_CACHE_DIR: .mw`)
 * checks the pull request's commit out into that directory: every file the pull request commits
 * under it is a cache entry, written by the job's own user (trustedCacheDir's owner and mode checks
 * pass). A merged schema's key and its checks are public (the merged files, the configuration, the
 * released bundle's build hash): whoever runs the tool once has an entry's name, and re-heads
 * another history's payload under it. Here the pull request narrows `users.email` from
 * varchar(50) to varchar(20) (`alter-column-type`: fails or truncates rows) and commits a merged
 * schema claiming the column is varchar(10), so the change reads as a widening.
 */
import { jest } from "@jest/globals";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { runCli } from "../support/cli.js";
import { TempRepo } from "../support/git-repo.js";

jest.setTimeout(120_000);

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = join(ROOT, "lib/cli/main.js");
const CONFIG = "directories:\n  - path: migrations\n    dialect: postgres\n";
const SQLITE = "directories:\n  - path: migrations\n    dialect: sqlite\n";
const users = (type: string) => `CREATE TABLE users (id bigint PRIMARY KEY, email ${type});\n`;
const NARROW = {
  "migrations/000002_narrow.up.sql": "ALTER TABLE users ALTER COLUMN email TYPE varchar(20);\n",
  "migrations/000002_narrow.down.sql": "SELECT 1;\n",
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The released bin, as a CI step runs it. */
async function bin(cwd: string, env: Record<string, string>): Promise<Run> {
  const args = [BIN, "lint", "--no-replay", "--format", "json", "--base", "main"];
  return promisify(execFile)(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: cwd, ...env },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );
}

const ids = (r: Run) =>
  (JSON.parse(r.stdout) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId);

/** A repository whose main holds the config and `users` with `type`, on branch main. */
function baseRepo(type: string): TempRepo {
  const repo = new TempRepo();
  repo
    .write({
      ".github/migration-warden.yml": CONFIG,
      "migrations/000001_users.up.sql": users(type),
      "migrations/000001_users.down.sql": "DROP TABLE users;\n",
    })
    .commit("base");
  return repo;
}

/** The one schema entry a run of the bin on `repo` leaves in `cache`: [name, text]. */
async function entryOf(repo: TempRepo, cache: string): Promise<[string, string]> {
  repo.branch("probe");
  repo.write(NARROW).commit("probe");
  await bin(repo.dir, { MIGRATION_WARDEN_CACHE_DIR: cache });
  const names = readdirSync(join(cache, "schema")).filter((n) => n.endsWith(".schema.json"));
  expect(names).toHaveLength(1);
  return [names[0]!, readFileSync(join(cache, "schema", names[0]!), "utf8")];
}

/**
 * What the attacker commits: the payload of a history where email is varchar(10), under the key
 * of main's real history (varchar(50)), with a header that passes the entry's checks.
 */
async function forgedEntry(scratch: string): Promise<[string, string]> {
  const real = baseRepo("varchar(50)");
  const lie = baseRepo("varchar(10)");
  try {
    const [name] = await entryOf(real, join(scratch, "real"));
    const [, text] = await entryOf(lie, join(scratch, "lie"));
    const payload = text.slice(text.indexOf("\n") + 1);
    const key = name.slice(0, -".schema.json".length);
    const sha256 = createHash("sha256").update(payload).digest("hex");
    return [name, `${JSON.stringify({ key, sha256 })}\n${payload}`];
  } finally {
    real.cleanup();
    lie.cleanup();
  }
}

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "mw-adv-cache-in-tree-"));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

describe("a cache directory inside the linted work tree is not used", () => {
  beforeAll(() => {
    if (!existsSync(BIN)) throw new Error("run `npm run build` first (npm test does)");
  });

  test("a merged schema the pull request commits under XDG_CACHE_HOME does not hide a narrowing", async () => {
    const [name, forged] = await forgedEntry(scratch);
    const repo = baseRepo("varchar(50)");
    try {
      repo.branch("attack");
      repo
        .write({ ...NARROW, [`.cache/migration-warden/schema/${name}`]: forged })
        .commit("attack");
      const off = await bin(repo.dir, { MIGRATION_WARDEN_CACHE_DIR: "off" });
      expect(ids(off)).toContain("alter-column-type");
      expect(off.code).not.toBe(0);

      // The CI job: caches under the workspace, the pull request checked out there.
      const ci = await bin(repo.dir, { XDG_CACHE_HOME: join(repo.dir, ".cache") });
      expect({ code: ci.code, stdout: ci.stdout }).toEqual({ code: off.code, stdout: off.stdout });
      expect(ci.stderr).toMatch(
        /cache directory .* is inside the repository .*: running without it/,
      );
      // Nothing the run made lands among the pull request's files either.
      expect(readdirSync(join(repo.dir, ".cache/migration-warden/schema"))).toEqual([name]);
    } finally {
      repo.cleanup();
    }
  });
});

describe("the same rule for the replay's states, in-process", () => {
  test.each([
    ["a directory of the work tree", "mw-cache", false],
    ["the git directory", ".git/mw-cache", false],
    ["the common git directory of a linked work tree", ".git/mw-cache", true],
  ])(
    "MIGRATION_WARDEN_CACHE_DIR in %s: no state read or written there",
    async (_w, where, linked) => {
      // SQLite: the replay runs in sql.js (no PGlite start), and stores its base states the same way.
      const repo = new TempRepo();
      try {
        repo
          .write({
            ".github/migration-warden.yml": SQLITE,
            "migrations/000001_users.up.sql": users("text"),
            "migrations/000001_users.down.sql": "DROP TABLE users;\n",
          })
          .commit("base");
        repo.branch("attack");
        repo
          .write({
            "migrations/000002_t.up.sql": "CREATE TABLE t (id integer PRIMARY KEY);\n",
            "migrations/000002_t.down.sql": "DROP TABLE t;\n",
          })
          .commit("attack");
        const cache = join(repo.dir, where);
        // A linked work tree elsewhere: only its common git directory (the main .git) holds the cache.
        const cwd = linked ? join(scratch, "linked") : repo.dir;
        if (linked) repo.git("worktree", "add", "-q", "--detach", cwd, "attack");
        const r = await runCli(["lint", "--format", "json", "--base", "main"], cwd, {
          MIGRATION_WARDEN_CACHE_DIR: cache,
        });
        expect(r.stderr).toMatch(
          /cache directory .* is inside the repository .*: running without it/,
        );
        expect(existsSync(join(cache, "replay"))).toBe(false);
      } finally {
        repo.cleanup();
      }
    },
  );
});
