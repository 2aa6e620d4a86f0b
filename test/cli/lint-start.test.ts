/**
 * A lint's git work started before its modules initialise (src/cli/lint-start.ts), and the merged
 * up files read as soon as the base listings are in (LocalRevisions.prefetchBase): the same
 * reports and the same errors as the steps run in place, used only for the options they were
 * started for, and never a mix of two bases when a branch moves in between.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalRevisions, resolveRevisions } from "../../src/cli/changeset.js";
import { Git, GitError } from "../../src/cli/git.js";
import { lint, parseLintArgs, type LintOptions } from "../../src/cli/lint.js";
import { sameStart, startLint } from "../../src/cli/lint-start.js";
import { TempRepo } from "../support/git-repo.js";

const CONFIG = ".github/migration-warden.yml";
const config = (level: string) =>
  `directories:\n  - path: migrations\n    dialect: postgres\nrules:\n  drop-table: ${level}\n`;

let repo: TempRepo;
let base: string;

beforeAll(() => {
  repo = new TempRepo();
  repo.write({
    [CONFIG]: config("error"),
    "migrations/000001_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
    "migrations/000001_users.down.sql": "DROP TABLE users;\n",
    "migrations/000002_orders.up.sql": "CREATE TABLE orders (id bigint);\n",
    "migrations/000002_orders.down.sql": "DROP TABLE orders;\n",
  });
  base = repo.commit("base");
  repo.branch("feature");
  repo.write({
    "migrations/000003_drop.up.sql": "DROP TABLE orders;\nALTER TABLE users DROP COLUMN email;\n",
    "migrations/000003_drop.down.sql": "CREATE TABLE orders (id bigint);\n",
  });
  repo.commit("drop");
});
afterAll(() => repo.cleanup());

const opts = (args: string[], cwd = repo.dir): LintOptions =>
  parseLintArgs(["--no-replay", ...args], cwd) as LintOptions;
const started = (args: string[], cwd = repo.dir) => startLint(["--no-replay", ...args], cwd);
/** The report without what differs from run to run. */
const shown = (r: Awaited<ReturnType<typeof lint>>) => JSON.stringify(r.findings);

describe("started ahead", () => {
  test.each([
    [["--base", "main"]],
    [["--base", "main", "--head", "feature"]],
    [[]], // the default base: the merge base with main
    [["migrations/000003_drop.up.sql"]], // PATH mode: the configuration from the default base
  ])("%j: the report of the steps run in place", async (args) => {
    const inPlace = await lint(opts(args));
    const ahead = await lint(opts(args), undefined, undefined, started(args));
    expect(shown(ahead)).toBe(shown(inPlace));
    expect(ahead.base).toEqual(inPlace.base);
    expect(inPlace.findings.length).toBeGreaterThan(0);
  });

  test("errors come out as they did, at the step that failed", async () => {
    const cases: string[][] = [["--base", "nope"], ["--head", "nope"], ["--base=-n"]];
    for (const args of cases) {
      const inPlace = lint(opts(args)).then(
        () => "no error",
        (e: Error) => `${e.name}: ${e.message}`,
      );
      const ahead = lint(opts(args), undefined, undefined, started(args)).then(
        () => "no error",
        (e: Error) => `${e.name}: ${e.message}`,
      );
      expect(await ahead).toBe(await inPlace);
      expect(await ahead).toMatch(/^GitError: unknown revision/);
    }
    const outside = mkdtempSync(join(tmpdir(), "mw-not-a-repo-"));
    try {
      const inPlace = await lint(opts([], outside)).catch((e: Error) => e.message);
      const ahead = await lint(opts([], outside), undefined, undefined, started([], outside)).catch(
        (e: Error) => e.message,
      );
      expect(ahead).toBe(inPlace);
      expect(ahead).toMatch(/is not inside a git repository/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  test("an invalid configuration at the base is the same configuration error", async () => {
    const broken = TempRepo.copyOf(repo);
    try {
      broken.checkout("main");
      broken.write({ [CONFIG]: "directories: [\n" }).commit("break the configuration");
      broken.checkout("feature");
      const args = ["--base", "main"];
      const inPlace = await lint(opts(args, broken.dir)).catch((e: Error) => e.message);
      const ahead = await lint(
        opts(args, broken.dir),
        undefined,
        undefined,
        started(args, broken.dir),
      ).catch((e: Error) => e.message);
      expect(ahead).toBe(inPlace);
      expect(ahead).toMatch(/^invalid configuration \.github\/migration-warden\.yml@main/);
    } finally {
      broken.cleanup();
    }
  });

  test("started for other options, it is not used", async () => {
    const other = TempRepo.copyOf(repo);
    try {
      // The other repository's base turns drop-table off.
      other.checkout("main");
      other.write({ [CONFIG]: config("off") }).commit("drop-table off");
      other.checkout("feature");
      other.git("rebase", "-q", "main");
      const drops = (r: Awaited<ReturnType<typeof lint>>) =>
        r.findings.filter((f) => f.ruleId === "drop-table").length;
      const wanted = opts(["--base", "main"], other.dir);
      // Started in another repository, for another base, another head, another configuration.
      const elsewhere = [
        started(["--base", "main"]),
        started(["--base", "feature"], other.dir),
        started(["--base", "main", "--head", "feature"], other.dir),
        started(["--base", "main", "--config", join(repo.dir, CONFIG)], other.dir),
        started(["--base", "main", "migrations"], other.dir),
      ];
      for (const s of elsewhere) {
        expect(sameStart(s, wanted)).toBe(false);
        const r = await lint(wanted, undefined, undefined, s);
        expect(drops(r)).toBe(0);
        expect(r.base).toContain(other.git("rev-parse", "main").trim());
      }
      expect(drops(await lint(opts(["--base", "main"])))).toBeGreaterThan(0);
      // Help and wrong arguments start nothing.
      expect(startLint(["--help"], other.dir)).toBeUndefined();
      expect(startLint(["--format", "yaml"], other.dir)).toBeUndefined();
      expect(startLint(["--head", "x", "migrations"], other.dir)).toBeUndefined();
    } finally {
      other.cleanup();
    }
  });

  test("attacker: the base moves after the start — one base, never its configuration from another", async () => {
    const moving = TempRepo.copyOf(repo);
    try {
      const args = ["--base", "main"];
      const s = started(args, moving.dir)!;
      // Resolved and read ahead: the configuration that turns drop-table off lands afterwards.
      await s.revisions;
      await s.baseConfig?.bytes;
      moving.checkout("main");
      moving.write({ [CONFIG]: config("off") }).commit("drop-table off");
      moving.checkout("feature");
      const r = await lint(opts(args, moving.dir), undefined, undefined, s);
      expect(r.base).toContain(base);
      expect(r.findings.filter((f) => f.ruleId === "drop-table")).not.toHaveLength(0);
      // A lint started now sees the new base, with its configuration.
      const now = await lint(
        opts(args, moving.dir),
        undefined,
        undefined,
        started(args, moving.dir),
      );
      expect(now.base).not.toContain(base);
      expect(now.findings.filter((f) => f.ruleId === "drop-table")).toHaveLength(0);
    } finally {
      moving.cleanup();
    }
  });
});

describe("merged up files read ahead", () => {
  test("the prefetched read answers exactly its own list, once; any other list is read anew", async () => {
    const git = (await Git.open(repo.dir))!;
    const revs = await resolveRevisions(git, "main", "feature");
    const ahead = new LocalRevisions(git, revs);
    ahead.prefetchBase(["migrations", "migrations"]);
    const plain = new LocalRevisions(git, revs);
    const listing = (await plain.listBase("migrations")).entries!;
    const ups = listing
      .filter((e) => e.name.endsWith(".up.sql"))
      .map((e) => ({ path: `migrations/${e.name}`, oid: e.oid }));
    const decode = (bs: Uint8Array[]) => bs.map((b) => Buffer.from(b).toString("utf8"));
    const expected = decode(await plain.readBase(ups));
    expect(expected[0]).toMatch(/CREATE TABLE users/);
    // A subset, another order, another blob for the same path: each read as asked.
    expect(decode(await ahead.readBase(ups.slice(1)))).toEqual(expected.slice(1));
    expect(decode(await ahead.readBase([...ups].reverse()))).toEqual([...expected].reverse());
    const down = listing.find((e) => e.name === "000002_orders.down.sql")!;
    const swapped = [ups[0]!, { path: ups[1]!.path, oid: down.oid }];
    expect(decode(await ahead.readBase(swapped))).toEqual([expected[0], "DROP TABLE orders;\n"]);
    // The list itself, twice.
    expect(decode(await ahead.readBase(ups))).toEqual(expected);
    expect(decode(await ahead.readBase(ups))).toEqual(expected);
  });

  test("a base that cannot be listed: the read ahead stays quiet and the listing fails when asked", async () => {
    const git = (await Git.open(repo.dir))!;
    const revs = await resolveRevisions(git, "main", "feature");
    const broken = new LocalRevisions(git, { ...revs, base: { ref: "gone", sha: "0".repeat(40) } });
    broken.prefetchBase(["migrations"]);
    await new Promise((r) => setTimeout(r, 200));
    await expect(broken.listBase("migrations")).rejects.toThrow(GitError);
    await expect(
      broken.readBase([{ path: "migrations/x.up.sql", oid: "0".repeat(40) }]),
    ).rejects.toThrow(GitError);
  });
});

describe("listings started for the defaults (no configuration file at the base)", () => {
  let plain: TempRepo;
  beforeAll(() => {
    plain = new TempRepo();
    plain.write({
      "migrations/000001_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
      "migrations/000001_users.down.sql": "DROP TABLE users;\n",
      "db/000001_x.up.sql": "CREATE TABLE x (id bigint);\n",
    });
    plain.commit("base");
    plain.branch("feature");
    plain.write({
      "migrations/000002_drop.up.sql": "ALTER TABLE users DROP COLUMN email;\n",
      "migrations/000002_drop.down.sql": "ALTER TABLE users ADD COLUMN email text;\n",
      "db/000002_y.up.sql": "DROP TABLE x;\n",
    });
    plain.commit("drop");
    // The working tree: one more file, untracked.
    plain.write({ "migrations/000003_t.up.sql": "DROP TABLE users;\n" });
  });
  afterAll(() => plain.cleanup());

  test.each([
    [["--base", "main"]],
    [["--base", "main", "--head", "feature"]],
    [[]], // the default base
  ])("%j: started, used, and the report of the steps run in place", async (args) => {
    const s = started(args, plain.dir)!;
    const listing = await s.listing;
    expect(listing).not.toBeNull();
    const inPlace = await lint(opts(args, plain.dir));
    const ahead = await lint(opts(args, plain.dir), undefined, undefined, s);
    expect(shown(ahead)).toBe(shown(inPlace));
    expect(ahead.base).toEqual(inPlace.base);
    expect(inPlace.findings.length).toBeGreaterThan(0);
    // Each listing served once.
    expect(listing!.diff).toBeNull();
    expect(listing!.trees.size).toBe(0);
  });

  test("a configuration file at the base, or --config: nothing is started", async () => {
    expect(await started(["--base", "main"])!.listing).toBeNull();
    const other = started(["--base", "main", "--config", join(repo.dir, CONFIG)], plain.dir)!;
    expect(other.listing).toBeUndefined();
    expect(started(["--base", "main", "migrations"], plain.dir)!.listing).toBeUndefined();
  });

  test("attacker: a configuration naming another directory lands after the start — the base resolved, with its defaults", async () => {
    const moving = TempRepo.copyOf(plain);
    try {
      const args = ["--base", "main"];
      const s = started(args, moving.dir)!;
      const oldBase = (await s.revisions)!.base.sha;
      expect(await s.listing).not.toBeNull();
      moving.git("stash", "-u", "-q");
      moving.checkout("main");
      moving
        .write({ [CONFIG]: "directories:\n  - path: db\n    dialect: postgres\n" })
        .commit("check db instead");
      moving.checkout("feature");
      moving.git("stash", "pop", "-q");
      const r = await lint(opts(args, moving.dir), undefined, undefined, s);
      expect(r.base).toContain(oldBase);
      expect(r.findings.some((f) => f.path.startsWith("migrations/"))).toBe(true);
      // Started now: the new base and its directory.
      const now = await lint(
        opts(args, moving.dir),
        undefined,
        undefined,
        started(args, moving.dir),
      );
      expect(now.base).not.toContain(oldBase);
      expect(now.findings.some((f) => f.path.startsWith("migrations/"))).toBe(false);
    } finally {
      moving.cleanup();
    }
  });

  test("listings started for another base, start or list of paths are never served", async () => {
    const git = (await Git.open(plain.dir))!;
    const revs = await resolveRevisions(git, "main", "feature");
    const bogus = Promise.resolve({ shape: { kind: "missing" as const }, entries: null });
    const nothing = Promise.resolve([]);
    const variants = [
      {
        base: "0".repeat(40),
        dirs: ["migrations", ".github"],
        from: revs.from,
        head: revs.head!.sha,
      },
      { base: revs.base.sha, dirs: ["migrations"], from: revs.from, head: revs.head!.sha },
      {
        base: revs.base.sha,
        dirs: [".github", "migrations"],
        from: revs.from,
        head: revs.head!.sha,
      },
      { base: revs.base.sha, dirs: ["migrations", ".github"], from: revs.base.sha, head: null },
      {
        base: revs.base.sha,
        dirs: ["migrations", ".github"],
        from: "0".repeat(40),
        head: revs.head!.sha,
      },
    ];
    const inPlace = new LocalRevisions(git, revs);
    const want = {
      changes: await inPlace.listChanges(["migrations", ".github"]),
      tree: await inPlace.listBase("db"),
    };
    expect(want.changes.changes.length).toBeGreaterThan(0);
    for (const v of variants) {
      const source = new LocalRevisions(git, revs, {
        base: v.base,
        trees: new Map([["db", bogus]]),
        diff: { from: v.from, head: v.head, dirs: v.dirs, changes: nothing },
      });
      const sameBase = v.base === revs.base.sha;
      expect(await source.listChanges(["migrations", ".github"])).toEqual(
        v.dirs.length === 2 &&
          v.dirs[0] === "migrations" &&
          v.from === revs.from &&
          v.head === revs.head!.sha
          ? { changes: [], incomplete: [] } // exactly what it was started for: served
          : want.changes,
      );
      expect(await source.listBase("db")).toEqual(
        sameBase ? { shape: { kind: "missing" }, entries: null, truncated: null } : want.tree,
      );
      // Once: asked again, git answers.
      expect(await source.listBase("db")).toEqual(want.tree);
      expect(await source.listChanges(["migrations", ".github"])).toEqual(want.changes);
    }
  });
});
