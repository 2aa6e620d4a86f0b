/**
 * The first query's remembered directories (src/github/first-read/base-directories.ts), through
 * the app against the fake GitHub, as an attacker would try them: the base's config naming
 * another directory, the base directory replaced by a symlink, a submodule or a file, deleted, or
 * reached through a symlinked parent between two events; the part answered for a tip the base
 * has left; GitHub's error inside the part. Each second event decides exactly as a process whose
 * part failed decides the same state (which sends the gather as before), both when it remembers
 * the directories and when it remembers nothing (the speculative layouts, `db/migrations` here).
 */
import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { schemaErrors } from "../support/github-schema.js";
import {
  directoriesToAsk,
  forgetDirectories,
  plainDirectoriesOf,
  rememberDirectories,
  directoriesPartKeys,
} from "../../src/github/first-read/base-directories.js";
import { answerWithoutFailedParts } from "../../src/github/first-read/parts.js";
import { pullRequestQuery } from "../../src/github/pull-request-query.js";
import type { FakeGitHub, FakeRepo } from "../support/fake-github.mjs";
import {
  createHarness,
  finish,
  helloWorld,
  mergedMigrations,
  pullRequestEvent,
  newestChecks,
  type Harness,
} from "./harness.js";

let current: Harness | undefined;
beforeEach(() => forgetDirectories());
afterEach(() => {
  finish(current);
  current = undefined;
  forgetDirectories();
});

const CONFIG_PATH = ".github/migration-warden.yml";
const CONFIG = (dirs: string[]) =>
  `directories:\n${dirs.map((d) => `  - path: ${d}\n    dialect: postgres\n`).join("")}replay:\n  enabled: false\n`;
const GATHER = /^POST \/graphql MigrationWardenGather\b/;
const FIRST = /^POST \/graphql MigrationWardenPullRequest\b/;

type Files = Parameters<FakeRepo["commit"]>[0]["files"];

interface Outcome {
  calls: string[];
  checks: Array<Record<string, unknown>>;
}

/**
 * A pull request touching no migration, evaluated once (the process remembers the directories),
 * then `between` changes the base and the same event comes again; `forget` makes the second
 * event's process one that remembers nothing. `during` runs on the fake before the second event.
 */
async function secondEvent(
  base: Files,
  between: Files,
  options: {
    forget?: boolean;
    /** GitHub's error inside the part at the second event: its directories read as before. */
    failPart?: boolean;
    during?: (fake: FakeGitHub, repo: FakeRepo) => void;
    /** Branch protection never cached: the branch is read after the first answer, every event. */
    freshApp?: boolean;
  } = {},
): Promise<Outcome> {
  finish(current);
  forgetDirectories();
  const build = async () => {
    finish(current);
    const h = await createHarness({
      app: {
        replay: false,
        ...(options.freshApp ? { enforcementCacheMs: 0 } : {}),
        // A process that remembers nothing: no git object either (git-object-cache.ts).
        ...(options.forget ? { gitObjectCacheBytes: 0 } : {}),
      },
    });
    current = h;
    const pr = helloWorld(h.fake, base as Record<string, string>, {
      "README.md": "# Hello again\n",
    });
    return { h, ...pr };
  };
  const { h, repo, number } = await build();
  await h.receive("pull_request", pullRequestEvent("opened", repo, number));
  if (Object.keys(between ?? {}).length > 0) repo.commit({ branch: "master", files: between });
  if (options.forget) forgetDirectories();
  if (options.failPart)
    h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenPullRequest",
      times: 1,
      partial: "Invalid path for a file.",
      path: ["repository", "pullRequest", "baseRef", "target", "dir0"],
    });
  options.during?.(h.fake, repo);
  const before = h.fake.requests.length;
  await h.receive("pull_request", pullRequestEvent("synchronize", repo, number));
  // Each request as "METHOD path", a GraphQL one with its operation's name.
  const calls = h.fake.requests.slice(before).map((r) => {
    const op = /^\s*query (\w+)/.exec(String((r.body as { query?: string } | null)?.query ?? ""));
    return `${r.method} ${r.path}${op ? ` ${op[1]}` : ""}`;
  });
  return { calls, checks: newestChecks(h) };
}

const sent = (o: Outcome, what: RegExp) => o.calls.filter((c) => what.test(c));

/**
 * With the memory, without it (the speculative layouts: a cold event) and with the part failed
 * (the gather, as before): the same checks. Returns the first two.
 */
async function sameAsForgotten(
  base: Files,
  between: Files,
  during?: (fake: FakeGitHub, repo: FakeRepo) => void,
  freshApp = false,
): Promise<Outcome & { cold: Outcome }> {
  const remembered = await secondEvent(base, between, { freshApp, ...(during ? { during } : {}) });
  const cold = await secondEvent(base, between, {
    forget: true,
    freshApp,
    ...(during ? { during } : {}),
  });
  const failed = await secondEvent(base, between, {
    forget: true,
    failPart: true,
    freshApp,
    ...(during ? { during } : {}),
  });
  expect(sent(failed, GATHER).length).toBeGreaterThan(0);
  expect(remembered.checks).toEqual(failed.checks);
  expect(cold.checks).toEqual(failed.checks);
  return { ...remembered, cold };
}

const BASE = { [CONFIG_PATH]: CONFIG(["db/migrations"]), ...mergedMigrations(2, "db/migrations") };

describe("a warm event of a change touching no migration", () => {
  test("the base unchanged: no gather, and the same checks as a process that remembers nothing", async () => {
    const o = await sameAsForgotten(BASE, {});
    expect(sent(o, GATHER)).toEqual([]);
    expect(sent(o.cold, GATHER)).toEqual([]);
    expect(sent(o, FIRST)).toHaveLength(1);
    expect(o.checks[0]!.conclusion).toBe("success");
  });

  test("branch protection not cached (the branch read after the first answer): no gather", async () => {
    const o = await sameAsForgotten(BASE, {}, undefined, true);
    expect(sent(o, /^GET \/repos\/[^/]+\/[^/]+\/branches\//)).toHaveLength(1);
    expect(sent(o, GATHER)).toEqual([]);
    expect(sent(o.cold, GATHER)).toEqual([]);
    expect(o.checks[0]!.conclusion).toBe("success");
  });

  test("an unrelated push to the base: the part is read at the new tip, still no gather", async () => {
    const o = await sameAsForgotten(BASE, { "docs/x.md": "x\n" });
    expect(sent(o, GATHER)).toEqual([]);
    expect(sent(o.cold, GATHER)).toEqual([]);
    expect(o.checks[0]!.conclusion).toBe("success");
  });
});

describe("what the part must not pass", () => {
  test("the base's config names another directory: the gather, as before", async () => {
    const o = await sameAsForgotten(BASE, {
      [CONFIG_PATH]: CONFIG(["db/other"]),
    });
    expect(sent(o, GATHER).length).toBeGreaterThan(0);
    expect(sent(o.cold, GATHER).length).toBeGreaterThan(0);
    expect(o.checks[0]!.conclusion).not.toBe("success");
  });

  test("the config adds a directory (same first path, one more): the gather", async () => {
    const o = await sameAsForgotten(BASE, {
      [CONFIG_PATH]: CONFIG(["db/migrations", "db/missing"]),
    });
    expect(sent(o, GATHER).length).toBeGreaterThan(0);
    expect(sent(o.cold, GATHER).length).toBeGreaterThan(0);
    expect(o.checks[0]!.conclusion).not.toBe("success");
  });

  const replaced: Array<[string, Files]> = [
    ["a symlink", { "db/migrations": { symlink: "../elsewhere" } }],
    ["a submodule", { "db/migrations": { submodule: "a".repeat(40) } }],
    ["a file", { "db/migrations": "not a directory\n" }],
    ["deleted", {}],
  ];
  for (const [what, files] of replaced)
    test(`the base directory replaced by ${what}: reported, never passed`, async () => {
      const between: Files = {
        ...Object.fromEntries(
          Object.keys(mergedMigrations(2, "db/migrations")).map((p) => [p, null]),
        ),
        ...files,
      };
      const o = await sameAsForgotten(BASE, between);
      expect(sent(o, GATHER).length).toBeGreaterThan(0);
      expect(sent(o.cold, GATHER).length).toBeGreaterThan(0);
      expect(o.checks[0]!.conclusion).not.toBe("success");
    });

  test("a parent of the directory replaced by a symlink to a real one: reported", async () => {
    const between: Files = {
      ...Object.fromEntries(
        Object.keys(mergedMigrations(2, "db/migrations")).map((p) => [p, null]),
      ),
      ...mergedMigrations(2, "real/migrations"),
      db: { symlink: "real" },
    };
    const o = await sameAsForgotten(BASE, between);
    expect(sent(o, GATHER).length).toBeGreaterThan(0);
    expect(sent(o.cold, GATHER).length).toBeGreaterThan(0);
    expect(o.checks[0]!.conclusion).not.toBe("success");
  });

  test("the part answered for a tip the base left right after (the branch read shows the new one): the gather", async () => {
    const symlinked: Files = {
      ...Object.fromEntries(
        Object.keys(mergedMigrations(2, "db/migrations")).map((p) => [p, null]),
      ),
      "db/migrations": { symlink: "../elsewhere" },
    };
    const during = (fake: FakeGitHub, repo: FakeRepo) =>
      fake.graphqlFault({
        executed: true,
        operation: "MigrationWardenPullRequest",
        times: 1,
        afterAnswer: () => repo.commit({ branch: "master", files: symlinked }),
      });
    // Branch protection not cached: the branch is read after the first answer.
    const o = await sameAsForgotten(BASE, {}, during, true);
    expect(sent(o, /^GET \/repos\/[^/]+\/[^/]+\/branches\//)).toHaveLength(1);
    expect(sent(o, GATHER).length).toBeGreaterThan(0);
    expect(sent(o.cold, GATHER).length).toBeGreaterThan(0);
    expect(o.checks[0]!.conclusion).not.toBe("success");
  });

  test("GitHub's error inside the part: the rest of the answer stands, the gather as before", async () => {
    const during = (fake: FakeGitHub) =>
      fake.graphqlFault({
        executed: true,
        operation: "MigrationWardenPullRequest",
        times: 1,
        partial: "Invalid path for a file.",
        path: ["repository", "pullRequest", "baseRef", "target", "dir1"],
      });
    const o = await sameAsForgotten(BASE, {}, during);
    // Without the part, the directories are walked down the base's trees: gathered, since the
    // first event (the speculative part showed them plain) read no tree a process could keep
    // (git-object-cache.ts).
    expect(sent(o, GATHER).length).toBeGreaterThan(0);
    expect(sent(o.cold, GATHER).length).toBeGreaterThan(0);
    expect(o.calls.filter((c) => /^GET \/repos\/[^/]+\/[^/]+\/pulls\/\d+$/.test(c))).toEqual([]);
    expect(o.checks[0]!.conclusion).toBe("success");
  });
});

describe("the part's answer, alone", () => {
  const repo = { owner: "o", repo: "r" };
  const tree = { type: "tree", mode: 0o40000, oid: "a".repeat(40) };

  test("asked for every prefix of every directory and the config's directory, valid for GitHub", () => {
    rememberDirectories(repo, 7, ["db/migrations", "db/seeds"]);
    const asked = directoriesToAsk({ owner: "O", repo: "R" })!;
    expect(asked.prefixes).toEqual(["db", "db/migrations", "db/seeds", ".github"]);
    expect(schemaErrors(pullRequestQuery(asked))).toEqual([]);
  });

  test("only tree entries with a tree's mode, for the repository remembered", () => {
    rememberDirectories(repo, 7, ["m"]);
    const asked = directoriesToAsk(repo)!;
    expect(plainDirectoriesOf({ dir0: tree, dir1: tree }, asked, 7)).toEqual({
      paths: ["m"],
      configDirectory: "tree",
      oids: { m: tree.oid },
    });
    expect(plainDirectoriesOf({ dir0: tree, dir1: tree }, asked, 8)).toBeUndefined();
    const odds = [
      null,
      undefined,
      { ...tree, type: "blob" },
      { ...tree, mode: 0o120000 },
      { ...tree, type: "commit", mode: 0o160000 },
      { ...tree, mode: "040000" },
      { ...tree, oid: "x" },
    ];
    for (const odd of odds)
      expect(plainDirectoriesOf({ dir0: odd, dir1: tree }, asked, 7)).toEqual({
        paths: [],
        configDirectory: "tree",
        oids: {},
      });
    // The config's directory: a tree, or (an explicit null) absent from the root; nothing else.
    expect(plainDirectoriesOf({ dir0: tree, dir1: null }, asked, 7)).toEqual({
      paths: ["m"],
      configDirectory: "absent",
      oids: { m: tree.oid },
    });
    for (const odd of odds.slice(1))
      expect(plainDirectoriesOf({ dir0: tree, dir1: odd }, asked, 7)).toBeUndefined();
  });

  test("nothing remembered: golang-migrate's documented layouts, each used on its own", () => {
    const asked = directoriesToAsk(repo)!;
    expect(asked).toEqual({
      repoId: null,
      paths: ["migrations", "db/migrations"],
      prefixes: ["migrations", "db", "db/migrations", ".github"],
    });
    expect(schemaErrors(pullRequestQuery(asked))).toEqual([]);
    const link = { ...tree, type: "blob", mode: 0o120000 };
    const answer = (m: unknown, db: unknown, dbm: unknown, gh: unknown = tree) => ({
      dir0: m,
      dir1: db,
      dir2: dbm,
      dir3: gh,
    });
    expect(plainDirectoriesOf(answer(tree, tree, tree), asked, 9)?.paths).toEqual([
      "migrations",
      "db/migrations",
    ]);
    expect(plainDirectoriesOf(answer(null, tree, tree), asked, 9)?.paths).toEqual([
      "db/migrations",
    ]);
    // A plain-looking directory below a symlinked parent is never plain.
    expect(plainDirectoriesOf(answer(tree, link, tree), asked, 9)?.paths).toEqual(["migrations"]);
    expect(plainDirectoriesOf(answer(link, null, null), asked, 9)?.paths).toEqual([]);
    expect(plainDirectoriesOf(answer(tree, tree, tree, link), asked, 9)).toBeUndefined();
  });

  test("errors outside the part are not dropped", () => {
    const err = (path: unknown[]) => ({
      name: "GraphqlResponseError",
      data: { repository: { pullRequest: { baseRef: { target: { dir0: null, oid: "x" } } } } },
      errors: [{ path }],
    });
    // The first query's error rule (parts.ts) with the part's keys, as pull-request-query.ts uses it.
    const keys = [directoriesPartKeys(directoriesToAsk(null))];
    const kept = (path: unknown[]) => answerWithoutFailedParts(err(path), keys);
    expect(kept(["repository", "pullRequest", "baseRef", "target", "file"])).toBeNull();
    expect(kept(["repository", "pullRequest"])).toBeNull();
    expect(kept(["repository", "pullRequest", "baseRef", "target", "dir0"])).toEqual({
      repository: { pullRequest: { baseRef: { target: { oid: "x" } } } },
    });
  });
});

/** A process's first event for the repository (nothing remembered, no git object cached). */
async function coldEvent(base: Files, failPart = false): Promise<Outcome> {
  finish(current);
  forgetDirectories();
  const h = await createHarness({ app: { replay: false, gitObjectCacheBytes: 0 } });
  current = h;
  const { repo, number } = helloWorld(h.fake, base as Record<string, string>, {
    "README.md": "# Hello again\n",
  });
  if (failPart)
    h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenPullRequest",
      times: 1,
      partial: "Invalid path for a file.",
      path: ["repository", "pullRequest", "baseRef", "target", "dir0"],
    });
  await h.receive("pull_request", pullRequestEvent("opened", repo, number));
  const calls = h.fake.requests.map((r) => {
    const op = /^\s*query (\w+)/.exec(String((r.body as { query?: string } | null)?.query ?? ""));
    return `${r.method} ${r.path}${op ? ` ${op[1]}` : ""}`;
  });
  return { calls, checks: newestChecks(h) };
}

/** Cold, and cold with the part failed (directories read as before): the same checks. */
async function coldAsBefore(base: Files, gathersBefore = true): Promise<Outcome> {
  const cold = await coldEvent(base);
  const before = await coldEvent(base, true);
  if (gathersBefore) expect(sent(before, GATHER).length).toBeGreaterThan(0);
  expect(cold.checks).toEqual(before.checks);
  return cold;
}

/** A config file without `directories`: the default, `migrations`. */
const DEFAULT_DIRS = "replay:\n  enabled: false\n";

describe("a cold event of a change touching no migration (nothing remembered)", () => {
  test("the config names db/migrations: no gather", async () => {
    const o = await coldAsBefore(BASE);
    expect(sent(o, GATHER)).toEqual([]);
    expect(o.checks[0]!.conclusion).toBe("success");
  });

  test("a config without directories (the default migrations): no gather", async () => {
    const o = await coldAsBefore({ [CONFIG_PATH]: DEFAULT_DIRS, ...mergedMigrations(2) });
    expect(sent(o, GATHER)).toEqual([]);
    expect(o.checks[0]!.conclusion).toBe("success");
  });

  // Without a config file its absence is confirmed from the base's trees (config.ts), which
  // then show the directory too: no gather, with the part or without it.
  for (const [what, extra] of [
    ["no .github directory at all", {}],
    ["a .github directory of workflows", { ".github/workflows/ci.yml": "on: push\n" }],
  ] as const)
    test(`no config file, ${what}: no gather`, async () => {
      const o = await coldAsBefore({ ...mergedMigrations(2), ...extra }, false);
      expect(sent(o, GATHER)).toEqual([]);
      expect(o.checks[0]!.conclusion).toBe("success");
    });

  test("a config naming another directory: the gather", async () => {
    const o = await coldAsBefore({
      [CONFIG_PATH]: CONFIG(["sql/schema"]),
      ...mergedMigrations(2, "sql/schema"),
      ...mergedMigrations(1, "db/migrations"),
    });
    expect(sent(o, GATHER).length).toBeGreaterThan(0);
    expect(o.checks[0]!.conclusion).toBe("success");
  });

  const odd = (dir: string): Array<[string, Files]> => [
    ["a symlink", { [dir]: { symlink: "elsewhere" }, ...mergedMigrations(2, "elsewhere") }],
    ["a submodule", { [dir]: { submodule: "a".repeat(40) } }],
    ["a file", { [dir]: "not a directory\n" }],
    ["missing", {}],
    [
      "below a symlinked parent",
      { ...mergedMigrations(2, `real/${dir}`), [dir.split("/")[0]!]: { symlink: "real" } },
    ],
  ];
  for (const [config, dir] of [
    [CONFIG(["db/migrations"]), "db/migrations"],
    [DEFAULT_DIRS, "migrations"],
  ] as const)
    for (const [what, files] of odd(dir))
      test(`${dir} ${what}: the gather, reported as before`, async () => {
        const o = await coldAsBefore({ [CONFIG_PATH]: config, ...files });
        expect(sent(o, GATHER).length).toBeGreaterThan(0);
        expect(o.checks[0]!.conclusion).not.toBe("success");
      });

  for (const [what, gh] of [
    ["a symlink", { symlink: "docs" }],
    ["a file", "not a directory\n"],
  ] as const)
    test(`no config file, its directory ${what}: decided as before`, async () => {
      await coldAsBefore({ ...mergedMigrations(2), ".github": gh } as Files, false);
    });
});
