/**
 * `migration-warden init [--dry-run] [--force]`: find the repository's golang-migrate
 * directories, guess each one's dialect, write `.github/migration-warden.yml` (or print it), and
 * print the settings that make both checks required.
 */
import { execFile } from "node:child_process";
import { lstat, mkdir, unlink, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { ConfigError, parseConfig } from "../../config/load.js";
import { CONFIG_PATH } from "../../config/types.js";
import { parseOptions, usageFailure } from "../args.js";
import { Git } from "../git.js";
import { sanitize } from "../format/style.js";
import type { Io } from "../lint.js";
import { configText, describeGuess } from "./config-text.js";
import { discover, type FoundDirectory } from "./discover.js";
import { protectionText, repoFromRemote } from "./protection.js";

const run = promisify(execFile);

export const INIT_USAGE = `Usage: migration-warden init [--dry-run] [--force] [--app-id N] [--cwd DIR]

Finds the golang-migrate directories of the repository (by the file names
golang-migrate reads), guesses each one's SQL dialect and says how sure it is,
writes ${CONFIG_PATH} with comments, and prints the branch protection
or ruleset settings that require both migration-warden checks.

Options:
  --dry-run     print the configuration on stdout instead of writing it (the
                rest goes to stderr, so "init --dry-run > file" works)
  --force       replace an existing configuration file
  --app-id N    the migration-warden GitHub App's id, for the printed settings
  --cwd DIR     run as if started in DIR
  -h, --help    show this help

Exit status: 0 = written (or printed), 1 = no migration directory found,
2 = usage error, or a configuration exists and --force was not given.
`;

class InitError extends Error {}

export async function runInit(argv: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseOptions({
      args: argv,
      options: {
        "dry-run": { type: "boolean", default: false },
        force: { type: "boolean", default: false },
        "app-id": { type: "string" },
        cwd: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (err) {
    return usageFailure(io, (err as Error).message, INIT_USAGE);
  }
  const v = parsed.values;
  if (v.help) {
    io.stdout(INIT_USAGE);
    return 0;
  }
  let appId: number | null = null;
  if (v["app-id"] !== undefined) {
    if (!/^[1-9]\d{0,15}$/.test(v["app-id"])) {
      io.stderr(
        `migration-warden: --app-id must be a positive integer (got "${sanitize(v["app-id"])}")\n`,
      );
      return 2;
    }
    appId = Number(v["app-id"]);
  }
  try {
    return await init(io, {
      cwd: v.cwd !== undefined ? resolve(io.cwd, v.cwd) : io.cwd,
      dryRun: v["dry-run"],
      force: v.force,
      appId,
    });
  } catch (err) {
    if (err instanceof InitError) {
      io.stderr(`migration-warden: ${err.message}\n`);
      return 2;
    }
    io.stderr(`migration-warden: internal error: ${(err as Error).stack ?? String(err)}\n`);
    return 2;
  }
}

interface InitOptions {
  cwd: string;
  dryRun: boolean;
  force: boolean;
  appId: number | null;
}

async function init(io: Io, opts: InitOptions): Promise<number> {
  const git = await Git.open(opts.cwd);
  const root = git?.root ?? opts.cwd;
  // With --dry-run stdout carries the file alone.
  const say = opts.dryRun ? io.stderr : io.stdout;

  const target = join(root, CONFIG_PATH);
  const existing = await kindOf(target);
  if (existing !== null && !opts.force && !opts.dryRun)
    throw new InitError(
      `${CONFIG_PATH} already exists in ${root}; nothing was written (use --force to replace it, or --dry-run to see what init would write)`,
    );
  const githubDir = await kindOf(join(root, ".github"));
  if (githubDir !== null && githubDir !== "directory")
    throw new InitError(
      `${join(root, ".github")} is a ${githubDir}, not a directory; init writes only into a real .github directory`,
    );
  if (existing === "directory") throw new InitError(`${target} is a directory; remove it first`);

  const { found: all, lookalikes } = await discover(root, git !== null);
  const usable: FoundDirectory[] = [];
  const skipped: Array<{ dir: FoundDirectory; why: string }> = [];
  for (const d of all) {
    const why = d.setAside ?? unusablePath(d.path);
    if (why) skipped.push({ dir: d, why });
    else usable.push(d);
  }

  const where = (p: string) => JSON.stringify(p === "" ? "." : sanitize(p));
  for (const { dir, why } of skipped)
    say(`Skipped ${where(dir.path)} (${dir.ups + dir.downs} migration files): ${why}.\n`);
  for (const l of lookalikes)
    say(
      `Not proposed: ${where(l.path)} has ${l.count} SQL files named like migrations that golang-migrate does not read, e.g. ${JSON.stringify(sanitize(l.example))}: ${l.problem}.\n`,
    );
  if (usable.length === 0) {
    io.stderr(
      `migration-warden: no golang-migrate migrations found in ${root}${skipped.length > 0 ? " outside vendored code and test data" : ""} (looked for files named like 000001_create_users.up.sql); nothing was written\n`,
    );
    return 1;
  }

  const text = configText(usable);
  // What init writes must load: a mistake here would switch the checks off for the repository.
  try {
    const config = parseConfig(text, { path: CONFIG_PATH, ref: "init" });
    const paths = config.directories.map((d) => d.path);
    if (JSON.stringify(paths) !== JSON.stringify(usable.map((d) => d.path)))
      throw new Error(`directories read back as ${JSON.stringify(paths)}`);
  } catch (err) {
    const why = err instanceof ConfigError ? err.problems.join("; ") : (err as Error).message;
    throw new InitError(
      `the configuration init generated does not validate (${why}); please report this`,
    );
  }

  for (const d of usable)
    say(
      `Found ${where(d.path)}: ${d.ups} up, ${d.downs} down (versions ${d.first} to ${d.last}); dialect ${describeGuess(d)}.\n`,
    );

  if (opts.dryRun) {
    io.stdout(text);
    if (existing !== null)
      say(`\n${CONFIG_PATH} already exists; init --force would replace it with the above.\n`);
  } else {
    await mkdir(join(root, ".github"), { recursive: true });
    // A symlink is replaced, never written through (it could point anywhere).
    if (existing !== null) await unlink(target);
    // "wx": fails instead of following a symlink or a file that appeared meanwhile.
    await writeFile(target, text, { flag: "wx", mode: 0o644 });
    say(
      `\nWrote ${CONFIG_PATH}. Review the dialects and the approval policy, then commit it to the default branch (it is read from the base branch of each pull request).\n`,
    );
  }
  say(
    `\n${protectionText({
      repo: await remoteRepo(root, git !== null),
      branch: await defaultBranch(root, git !== null),
      appId: opts.appId,
    })}`,
  );
  return 0;
}

/** Why the configuration cannot name this directory; null when it can. */
function unusablePath(path: string): string | null {
  if (path !== path.trim())
    return "its name starts or ends with white space, which the configuration trims";
  if (path.includes("\\")) return 'its name contains "\\", which the configuration does not accept';
  if (path.length > 1024)
    return "its path is longer than the configuration accepts (1024 characters)";
  return null;
}

async function kindOf(path: string): Promise<"file" | "directory" | "symlink" | "other" | null> {
  try {
    const s = await lstat(path);
    return s.isSymbolicLink()
      ? "symlink"
      : s.isDirectory()
        ? "directory"
        : s.isFile()
          ? "file"
          : "other";
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

async function gitOut(root: string, args: string[]): Promise<string | null> {
  try {
    return (await run("git", ["-C", root, ...args])).stdout.trim();
  } catch {
    return null;
  }
}

async function remoteRepo(root: string, inGit: boolean): Promise<string | null> {
  if (!inGit) return null;
  const url = await gitOut(root, ["remote", "get-url", "origin"]);
  return url ? repoFromRemote(url) : null;
}

async function defaultBranch(root: string, inGit: boolean): Promise<string> {
  if (inGit) {
    const head = await gitOut(root, ["symbolic-ref", "--short", "refs/remotes/origin/HEAD"]);
    if (head) return head.replace(/^origin\//, "");
    for (const b of ["main", "master"])
      if ((await gitOut(root, ["rev-parse", "--verify", "--quiet", `refs/heads/${b}`])) !== null)
        return b;
  }
  return "main";
}
