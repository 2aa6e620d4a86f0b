#!/usr/bin/env node
// Same output check in git mode, the part scripts/cli-same-output.mjs (PATH mode) does not cover:
//   node scripts/cli-same-output-git.mjs <baseline lib/cli/main.js> [<candidate main.js>] [<corpus>]
// makes git repositories from three corpus directories (Postgres, MySQL, SQLite: merged files on
// main; a branch adding, editing and removing; untracked and unstaged files), runs both CLIs with
// --base/--head in several forms, from a subdirectory, outside a repository, with the schema
// cache cold and warm, on a directory replaced by a symlink, on unrelated histories and in PATH
// mode inside the repository, and exits 1 if any output or exit status differs.
import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const [A, B = join(repoRoot, "lib/cli/main.js"), C = join(repoRoot, "../shared/corpus")] =
  process.argv.slice(2).map((p) => resolve(p));
if (!A) {
  console.error(
    "usage: node scripts/cli-same-output-git.mjs <baseline main.js> [<candidate main.js>] [<corpus>]",
  );
  process.exit(2);
}
const W = mkdtempSync(join(tmpdir(), "mw-same-git-"));
const git = (cwd, ...a) => {
  const r = spawnSync("git", a, { cwd, encoding: "utf8" });
  if (r.status) throw new Error(a.join(" ") + r.stderr);
  return r.stdout;
};
const commit = (cwd, m) => {
  git(cwd, "add", "-A");
  git(cwd, "-c", "user.name=a", "-c", "user.email=b@c", "commit", "-qm", m);
};
let diff = 0,
  n = 0;
function cmp(label, cwd, args) {
  const out = [A, B].map((cli) =>
    spawnSync(process.execPath, [cli, "lint", ...args], {
      cwd,
      encoding: "utf8",
      env: {
        ...process.env,
        MIGRATION_WARDEN_CACHE_DIR: join(W, cli === A ? "cache-a" : "cache-b"),
      },
    }),
  );
  n++;
  for (const k of ["status", "stdout", "stderr"])
    if (out[0][k] !== out[1][k]) {
      diff++;
      console.log(
        `DIFFERENT ${k} ${label} ${args.join(" ")}\n${String(out[0][k]).slice(0, 300)}\n---\n${String(out[1][k]).slice(0, 300)}`,
      );
    }
}
function make(name, src, dialect, dir, nMerged, nAdded) {
  const repo = join(W, name);
  const files = readdirSync(src).sort();
  mkdirSync(join(repo, dir), { recursive: true });
  mkdirSync(join(repo, ".github"));
  writeFileSync(
    join(repo, ".github/migration-warden.yml"),
    `directories:\n  - path: ${dir}\n    dialect: ${dialect}\n`,
  );
  for (const f of files.slice(0, nMerged)) cpSync(join(src, f), join(repo, dir, f));
  git(W, "init", "-q", "-b", "main", name);
  commit(repo, "merged");
  git(repo, "checkout", "-qb", "feature");
  for (const f of files.slice(nMerged, nMerged + nAdded)) cpSync(join(src, f), join(repo, dir, f));
  const merged = files.slice(0, nMerged);
  appendFileSync(
    join(repo, dir, merged[nMerged - 1]),
    "\n-- edited\nALTER TABLE x ADD COLUMN y int NOT NULL;\n",
  );
  const down = merged.find((f) => f.includes(".down."));
  if (down) unlinkSync(join(repo, dir, down));
  commit(repo, "feature");
  // Working tree: an untracked file, an unstaged edit.
  cpSync(join(src, files[nMerged + nAdded]), join(repo, dir, files[nMerged + nAdded]));
  appendFileSync(join(repo, dir, files[nMerged]), "\nDROP TABLE IF EXISTS zz;\n");
  return repo;
}
const cases = [
  ["pg", join(C, "supabase__auth/migrations"), "postgres", "migrations", 40, 12],
  [
    "my",
    join(C, "authelia__authelia/internal/storage/migrations/mysql"),
    "mysql",
    "db/mysql",
    30,
    10,
  ],
  ["sq", join(C, "authelia__authelia/internal/storage/migrations/sqlite"), "sqlite", "m", 30, 8],
];
for (const [name, src, dialect, dir, m, a] of cases) {
  const repo = make(name, src, dialect, dir, m, a);
  for (const fmt of ["json", "text", "github"]) {
    cmp(name, repo, ["--no-replay", "--format", fmt, "--fail-on", "notice", "--base", "main"]);
    cmp(name, repo, ["--no-replay", "--format", fmt, "--base", "main", "--head", "feature"]);
  }
  cmp(name, repo, ["--no-replay", "--format", "json"]); // default base
  cmp(name, repo, ["--no-replay", "--format", "json", "--base", "feature", "--head", "main"]);
  cmp(name, repo, ["--no-replay", "--format", "json", "--base", "nope"]);
  cmp(name, repo, ["--no-replay", "--format", "json", "--base", "main", "--head", "-n"]);
  cmp(name, join(repo, dir), ["--no-replay", "--format", "json", "--base", "main"]);
  cmp(name, W, ["--no-replay", "--format", "json", "--cwd", repo, "--base", "main"]);
  cmp(name, W, ["--no-replay", "--format", "json"]); // not a repository
  // Run twice: the second with the schema cache warm.
  cmp(name, repo, ["--no-replay", "--format", "json", "--base", "main"]);
}
// Shapes: the directory replaced by a symlink on a branch; a missing directory; an orphan head.
const pg = join(W, "pg");
git(pg, "checkout", "-q", "-f", "feature");
git(pg, "checkout", "-qb", "linked");
rmSync(join(pg, "migrations"), { recursive: true });
mkdirSync(join(pg, "elsewhere"));
symlinkSync("elsewhere", join(pg, "migrations"));
commit(pg, "link");
cmp("pg-link", pg, ["--no-replay", "--format", "json", "--base", "main", "--head", "linked"]);
cmp("pg-link", pg, ["--no-replay", "--format", "json", "--base", "linked", "--head", "main"]);
cmp("pg-link", pg, ["--no-replay", "--format", "json", "--base", "linked"]);
git(pg, "checkout", "-q", "--orphan", "island");
writeFileSync(join(pg, "x.txt"), "x");
commit(pg, "island");
cmp("pg-orphan", pg, ["--no-replay", "--format", "json", "--base", "main"]);
cmp("pg-orphan", pg, ["--no-replay", "--format", "json", "--base", "main", "--head", "island"]);
// PATH mode inside a repository: the configuration from the given or default base.
const my = join(W, "my");
git(my, "checkout", "-q", "-f", "feature");
cmp("my-path", my, ["--no-replay", "--format", "json", "db/mysql"]);
cmp("my-path", my, ["--no-replay", "--format", "json", "--base", "main", "db/mysql"]);
cmp("my-path", my, ["--no-replay", "--format", "json", "--base", "nope", "db/mysql"]);
cmp("my-path", join(my, "db"), ["--no-replay", "--format", "text", "mysql"]);
console.log(`${n} git-mode runs compared, ${diff} differences`);
rmSync(W, { recursive: true, force: true });
process.exit(diff === 0 ? 0 : 1);
