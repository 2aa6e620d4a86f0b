/** Real temporary git repositories for CLI tests. */
import { execFileSync } from "node:child_process";
import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export class TempRepo {
  readonly dir: string;

  /**
   * A copy of `source`, its `.git` and working tree, in a directory of its own: for a file whose
   * tests all start from one committed base, made once in `beforeAll`. Copied files, not git
   * processes (each one forked from a large Jest worker costs tens of CPU-milliseconds); git
   * refreshes the copied index's file stamps on its next look.
   */
  static copyOf(source: TempRepo): TempRepo {
    const dir = mkdtempSync(join(tmpdir(), "mw-repo-"));
    cpSync(source.dir, dir, { recursive: true, verbatimSymlinks: true });
    return new TempRepo(dir);
  }

  constructor(copied?: string) {
    if (copied !== undefined) {
      this.dir = copied;
      return;
    }
    this.dir = mkdtempSync(join(tmpdir(), "mw-repo-"));
    this.git("init", "-q", "-b", "main");
    // What `git config user.email …`, `user.name …` and `commit.gpgsign false` write, without three
    // more processes forked from a large Jest worker (every test of the CLI makes a repository).
    // No `git maintenance run --auto` after each commit either: one more process per commit.
    appendFileSync(
      join(this.dir, ".git", "config"),
      "[user]\n\temail = dev@example.com\n\tname = Dev\n[commit]\n\tgpgsign = false\n" +
        "[maintenance]\n\tauto = false\n",
    );
  }

  git(...args: string[]): string {
    return execFileSync("git", args, {
      cwd: this.dir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  }

  write(files: Record<string, string | Uint8Array>): this {
    for (const [path, content] of Object.entries(files)) {
      const abs = join(this.dir, path);
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, content);
    }
    return this;
  }

  remove(...paths: string[]): this {
    for (const p of paths) unlinkSync(join(this.dir, p));
    return this;
  }

  symlink(target: string, path: string): this {
    const abs = join(this.dir, path);
    mkdirSync(dirname(abs), { recursive: true });
    symlinkSync(target, abs);
    return this;
  }

  /**
   * One process forked from the Jest worker, not three: a shell (small, so its own forks are
   * cheap) runs the three git commands. A fork copies the forking process's page tables, a few
   * milliseconds of kernel time for a worker of some hundred MB, tens late in a run.
   */
  commit(message: string): string {
    return execFileSync(
      "sh",
      [
        "-c",
        'git add -A && git commit -q --allow-empty -m "$1" && git rev-parse HEAD',
        "sh",
        message,
      ],
      { cwd: this.dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    ).trim();
  }

  branch(name: string): this {
    this.git("checkout", "-q", "-b", name);
    return this;
  }

  checkout(name: string): this {
    this.git("checkout", "-q", name);
    return this;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
