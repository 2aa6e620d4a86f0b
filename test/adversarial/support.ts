import { expect, jest } from "@jest/globals";
/** Shared setup for the adversarial reproductions: a temp git repo with merged users/orders. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seedCacheDir } from "../support/replay-templates.js";
import { runCli } from "../support/cli.js";
import { TempRepo } from "../support/git-repo.js";

// Each case runs the CLI with the PGlite replay: slow on shared CPUs.
jest.setTimeout(120_000);

export const RISKY_CONFIG =
  "directories:\n  - path: migrations\n    dialect: postgres\napproval:\n  required: risky\n  teams: [dba]\n";

/** main: config + users/orders with rows; branch `attack` adds `files`. Lints with replay on. */
export async function lintAttack(
  files: Record<string, string>,
  opts: { replay?: boolean; config?: string; baseExtra?: Record<string, string> } = {},
): Promise<{ code: number; report: any; stderr: string }> {
  const repo = new TempRepo();
  // A cache of its own holding only the shared fresh-database templates (no initdb per file): the
  // merged history is replayed by every case, as on a user's first run after the template exists.
  const cache = mkdtempSync(join(tmpdir(), "mw-adversarial-cache-"));
  seedCacheDir(cache);
  try {
    repo.write({
      ".github/migration-warden.yml": opts.config ?? RISKY_CONFIG,
      "migrations/000001_users.up.sql":
        "CREATE TABLE users (id bigint PRIMARY KEY, email text);\nINSERT INTO users VALUES (1, 'a@example.com');\n",
      "migrations/000001_users.down.sql": "DROP TABLE users;\n",
      "migrations/000002_orders.up.sql":
        "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n",
      "migrations/000002_orders.down.sql": "DROP TABLE orders;\n",
      ...opts.baseExtra,
    });
    repo.commit("base");
    repo.branch("attack");
    repo.write(files);
    repo.commit("attack");
    const args = ["lint", "--format", "json", "--base", "main", "--head", "attack"];
    if (opts.replay === false) args.push("--no-replay");
    const r = await runCli(args, repo.dir, { MIGRATION_WARDEN_CACHE_DIR: cache });
    return {
      code: r.code,
      report: r.stdout === "" ? null : JSON.parse(r.stdout),
      stderr: r.stderr,
    };
  } finally {
    repo.cleanup();
    rmSync(cache, { recursive: true, force: true });
  }
}

/** The safe outcome: the CLI fails, or at least the change needs a DBA's approval. */
export function expectGated(r: { code: number; report: any; stderr: string }): void {
  const summary = r.report
    ? { code: r.code, approvalRequired: r.report.approvalRequired, findings: r.report.findings }
    : { code: r.code, stderr: r.stderr };
  if (process.env.ADV_DEBUG) console.log(JSON.stringify(summary, null, 1));
  expect(summary).toEqual(expect.objectContaining({ approvalRequired: true }));
}
