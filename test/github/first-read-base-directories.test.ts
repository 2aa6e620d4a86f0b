/**
 * The first query's remembered directories (src/github/first-read/base-directories.ts), through
 * the app against the fake GitHub, as an attacker would try them: the base's config naming
 * another directory, the base directory replaced by a symlink, a submodule or a file, deleted, or
 * reached through a symlinked parent between two events; the part answered for a tip the base
 * has left; GitHub's error inside the part. Each second event decides exactly as a process that
 * remembers nothing decides the same state (which sends the gather as before).
 */
import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { schema as githubSchema } from "@octokit/graphql-schema";
import { buildSchema, parse, validate } from "graphql";
import {
  directoriesToAsk,
  forgetDirectories,
  plainDirectoriesOf,
  rememberDirectories,
  withoutFailedDirectories,
} from "../../src/github/first-read/base-directories.js";
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

/** With the memory and without it: the same checks; returns the one with memory. */
async function sameAsForgotten(
  base: Files,
  between: Files,
  during?: (fake: FakeGitHub, repo: FakeRepo) => void,
  freshApp = false,
): Promise<Outcome> {
  const remembered = await secondEvent(base, between, { freshApp, ...(during ? { during } : {}) });
  const forgotten = await secondEvent(base, between, {
    forget: true,
    freshApp,
    ...(during ? { during } : {}),
  });
  expect(sent(forgotten, GATHER).length).toBeGreaterThan(0);
  expect(remembered.checks).toEqual(forgotten.checks);
  return remembered;
}

const BASE = { [CONFIG_PATH]: CONFIG(["db/migrations"]), ...mergedMigrations(2, "db/migrations") };

describe("a warm event of a change touching no migration", () => {
  test("the base unchanged: no gather, and the same checks as a process that remembers nothing", async () => {
    const o = await sameAsForgotten(BASE, {});
    expect(sent(o, GATHER)).toEqual([]);
    expect(sent(o, FIRST)).toHaveLength(1);
    expect(o.checks[0]!.conclusion).toBe("success");
  });

  test("branch protection not cached (the branch read after the first answer): no gather", async () => {
    const o = await sameAsForgotten(BASE, {}, undefined, true);
    expect(sent(o, /^GET \/repos\/[^/]+\/[^/]+\/branches\//)).toHaveLength(1);
    expect(sent(o, GATHER)).toEqual([]);
    expect(o.checks[0]!.conclusion).toBe("success");
  });

  test("an unrelated push to the base: the part is read at the new tip, still no gather", async () => {
    const o = await sameAsForgotten(BASE, { "docs/x.md": "x\n" });
    expect(sent(o, GATHER)).toEqual([]);
    expect(o.checks[0]!.conclusion).toBe("success");
  });
});

describe("what the part must not pass", () => {
  test("the base's config names another directory: the gather, as before", async () => {
    const o = await sameAsForgotten(BASE, {
      [CONFIG_PATH]: CONFIG(["db/other"]),
    });
    expect(sent(o, GATHER).length).toBeGreaterThan(0);
    expect(o.checks[0]!.conclusion).not.toBe("success");
  });

  test("the config adds a directory (same first path, one more): the gather", async () => {
    const o = await sameAsForgotten(BASE, {
      [CONFIG_PATH]: CONFIG(["db/migrations", "db/missing"]),
    });
    expect(sent(o, GATHER).length).toBeGreaterThan(0);
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
    // Without the part, the directories are walked down the base's trees: the process that
    // forgot gathers them (sameAsForgotten), this one knows them by id from the first event
    // (git-object-cache.ts) and sends no gather.
    expect(sent(o, GATHER)).toEqual([]);
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
    const schema = buildSchema(githubSchema.idl, { assumeValidSDL: true });
    expect(validate(schema, parse(pullRequestQuery(asked))).map((e) => e.message)).toEqual([]);
  });

  test("only tree entries with a tree's mode, for the repository remembered", () => {
    rememberDirectories(repo, 7, ["m"]);
    const asked = directoriesToAsk(repo)!;
    expect(plainDirectoriesOf({ dir0: tree, dir1: tree }, asked, 7)).toEqual(["m"]);
    expect(plainDirectoriesOf({ dir0: tree, dir1: tree }, asked, 8)).toBeUndefined();
    for (const odd of [
      null,
      undefined,
      { ...tree, type: "blob" },
      { ...tree, mode: 0o120000 },
      { ...tree, type: "commit", mode: 0o160000 },
      { ...tree, mode: "040000" },
      { ...tree, oid: "x" },
    ])
      expect(plainDirectoriesOf({ dir0: odd, dir1: tree }, asked, 7)).toBeUndefined();
  });

  test("errors outside the part are not dropped", () => {
    const err = (path: unknown[]) => ({
      name: "GraphqlResponseError",
      data: { repository: { pullRequest: { baseRef: { target: { dir0: null, oid: "x" } } } } },
      errors: [{ path }],
    });
    expect(
      withoutFailedDirectories(err(["repository", "pullRequest", "baseRef", "target", "file"])),
    ).toBeNull();
    expect(withoutFailedDirectories(err(["repository", "pullRequest"]))).toBeNull();
    expect(
      withoutFailedDirectories(err(["repository", "pullRequest", "baseRef", "target", "dir0"])),
    ).toEqual({ repository: { pullRequest: { baseRef: { target: { oid: "x" } } } } });
  });
});
