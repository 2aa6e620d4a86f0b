/**
 * A cached base state that passes its entry's checksum but is no data directory PGlite can load
 * (written damaged, or by a build whose snapshots this one cannot read). The sandbox then fails
 * before the first statement, the replay is "stopped" with a notice, and every later lint of that
 * base loses the replay's findings (a table rewrite's lock) while passing: the entry is never
 * dropped, since it decodes. The replay must not depend on what such an entry holds.
 */
import { gzipSync } from "node:zlib";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, jest, test } from "@jest/globals";
import { DiskCache } from "../../src/replay/cache.js";
import { runCli } from "../support/cli.js";
import { TempRepo } from "../support/git-repo.js";
import { seedCacheDir } from "../support/replay-templates.js";
import { RISKY_CONFIG } from "./support.js";

jest.setTimeout(240_000);

async function damageStates(replayDir: string, templates = false): Promise<number> {
  const cache = new DiskCache(replayDir);
  let n = 0;
  for (const name of readdirSync(replayDir)) {
    if (!name.endsWith(".snapshot")) continue;
    const key = name.slice(0, -".snapshot".length);
    const e = await cache.get(key);
    if (e?.kind !== "state" || (e.files === 0) !== templates) continue;
    await cache.set(key, { ...e, data: gzipSync(Buffer.from("not a data directory")) });
    n++;
  }
  return n;
}

/** The repository (read only: every lint reads the same two commits). */
let repo: TempRepo;
/** The cache directory as the first lint left it: each case copies it. */
let linted: string;
/** What that first lint found: every later one must find the same. */
let fresh: { code: number; rules: string[] };

async function lint(cache: string): Promise<{ code: number; rules: string[] }> {
  const r = await runCli(
    ["lint", "--format", "json", "--base", "main", "--head", "change"],
    repo.dir,
    { MIGRATION_WARDEN_CACHE_DIR: cache },
  );
  const report = JSON.parse(r.stdout);
  return {
    code: r.code,
    rules: (report.findings as Array<{ ruleId: string }>).map((f) => f.ruleId).sort(),
  };
}

// The first lint is the same for both cases (same repository, a cache seeded the same way), so
// it runs once; each case damages its own copy of the cache it left.
beforeAll(async () => {
  repo = new TempRepo();
  repo.write({
    ".github/migration-warden.yml": RISKY_CONFIG,
    "migrations/000001_users.up.sql":
      "CREATE TABLE users (id bigint PRIMARY KEY, email text);\nINSERT INTO users VALUES (1, 'a@example.com');\n",
    "migrations/000001_users.down.sql": "DROP TABLE users;\n",
  });
  repo.commit("base");
  repo.branch("change");
  repo.write({
    "migrations/000002_email.up.sql": "ALTER TABLE users ALTER COLUMN email TYPE varchar(200);\n",
    "migrations/000002_email.down.sql": "ALTER TABLE users ALTER COLUMN email TYPE text;\n",
  });
  repo.commit("change");
  linted = mkdtempSync(join(tmpdir(), "mw-adv-damaged-state-"));
  seedCacheDir(linted);
  fresh = await lint(linted);
});

afterAll(() => {
  repo?.cleanup();
  if (linted) rmSync(linted, { recursive: true, force: true });
});

test.each([
  ["base state", false],
  ["fresh-database template", true],
])(
  "a damaged cached %s: the next lint replays from the files, with the same findings",
  async (_, templates) => {
    const cache = mkdtempSync(join(tmpdir(), "mw-adv-damaged-state-"));
    cpSync(linted, cache, { recursive: true });
    try {
      expect(fresh.rules).not.toContain("replay-skipped");
      if (templates) {
        // Only the template left: the next replay starts from it.
        rmSync(join(cache, "replay"), { recursive: true });
        seedCacheDir(cache);
      }
      expect(await damageStates(join(cache, "replay"), templates)).toBeGreaterThan(0);
      expect(await lint(cache)).toEqual(fresh);
      // And the run after it too (the damaged entry does not keep costing a failed start).
      expect(await lint(cache)).toEqual(fresh);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  },
);
