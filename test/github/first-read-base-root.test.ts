/**
 * The first query's base root part (src/github/first-read/base-root.ts): the base tip's root tree
 * and config directory, verified, confirm a missing config file without REST tree reads. Tried as
 * an attacker would: a config file the answer claims has no text, a root listing that hides
 * `.github` (entries not hashing to the tree id), `.github` a symlink, submodule or file, the base
 * moving between the first query and the evaluation, GitHub's errors inside the part alone and
 * beside the speculative directories' part (one rule, parts.ts), and the two parts together. Each decides as a process whose part failed (the
 * trees read by REST, as before) decides the same state.
 */
import { describe, expect, test } from "@jest/globals";
import { schemaErrors } from "../support/github-schema.js";
import { baseRootOf } from "../../src/github/first-read/base-root.js";
import { answerWithoutFailedParts } from "../../src/github/first-read/parts.js";
import { PULL_REQUEST_QUERY } from "../../src/github/pull-request-query.js";
import { blobSha, gitObjectId, type FakeGitHub, type FakeRepo } from "../support/fake-github.mjs";
import {
  harnessInTurn,
  describeCall,
  helloWorld,
  LINT,
  mergedMigrations,
  newestChecks,
  pullRequestEvent,
} from "./harness.js";

const harness = harnessInTurn({ cold: true });

const CONFIG_PATH = ".github/migration-warden.yml";
const CONFIG = "directories:\n  - path: db/migrations\n    dialect: postgres\n";
const TREES = /^GET \/repos\/[^/]+\/[^/]+\/git\/trees\//;
const CONTENTS = /^GET \/repos\/[^/]+\/[^/]+\/contents\//;
const GATHER = /^POST \/graphql MigrationWardenGather\b/;
const PULL = /^GET \/repos\/[^/]+\/[^/]+\/pulls\/\d+(?:\?|$)/;
const AT = ["repository", "pullRequest", "baseRef", "target"];

type Files = Parameters<FakeRepo["commit"]>[0]["files"];

interface Outcome {
  calls: string[];
  checks: Array<Record<string, unknown>>;
  lintSummary: string;
}

/**
 * A process's first event (nothing remembered, no git object cached) for a pull request touching
 * no migration; `fault` runs on the fake before it, `freshApp`: branch protection never cached
 * (the branch is read after the first answer).
 */
async function coldEvent(
  base: Files,
  fault?: (fake: FakeGitHub, repo: FakeRepo) => void,
  freshApp = false,
): Promise<Outcome> {
  const h = await harness({
    app: { replay: false, gitObjectCacheBytes: 0, ...(freshApp ? { enforcementCacheMs: 0 } : {}) },
  });
  const { repo, number } = helloWorld(h.fake, base as Record<string, string>, {
    "src/app.ts": "export {};\n",
  });
  fault?.(h.fake, repo);
  await h.receive("pull_request", pullRequestEvent("opened", repo, number));
  const calls = h.fake.requests.map((r) => {
    const op = /^\s*query (\w+)/.exec(String((r.body as { query?: string } | null)?.query ?? ""));
    return `${describeCall(r)}${op ? ` ${op[1]}` : ""}`;
  });
  const lint = h.fake.checkRuns.filter((r) => r.name === LINT).at(-1);
  return { calls, checks: newestChecks(h), lintSummary: String(lint?.output?.summary ?? "") };
}

const sent = (o: Outcome, what: RegExp) => o.calls.filter((c) => what.test(c));

/** GitHub's error inside the part: its trees are read by REST, the rest of the answer stands. */
const failRoot =
  (alias = "rootTree") =>
  (fake: FakeGitHub) =>
    fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenPullRequest",
      partial: "Invalid path for a file.",
      path: [...AT, alias],
    });

/** With the part and with it failed: the same checks; returns the first. */
async function asBefore(
  base: Files,
  fault?: (fake: FakeGitHub, repo: FakeRepo) => void,
): Promise<Outcome> {
  const now = await coldEvent(base, fault);
  const before = await coldEvent(base, (fake, repo) => {
    fault?.(fake, repo);
    failRoot()(fake);
  });
  expect(sent(before, PULL)).toEqual([]);
  expect(now.checks).toEqual(before.checks);
  return now;
}

describe("a repository without a config file, cold", () => {
  for (const [what, extra] of [
    ["no .github directory", {}],
    [".github holding workflows", { ".github/workflows/ci.yml": "on: push\n" }],
  ] as const)
    test(`${what}: the defaults, confirmed without a tree read`, async () => {
      const o = await asBefore({ ...mergedMigrations(2), ...extra });
      expect(sent(o, TREES)).toEqual([]);
      expect(sent(o, CONTENTS)).toEqual([]);
      // Together with the speculative directories' part (`migrations` plain): no gather either.
      expect(sent(o, GATHER)).toEqual([]);
      expect(sent(o, /MigrationWardenPullRequest$/)).toHaveLength(1);
      expect(o.checks[0]!.conclusion).toBe("success");
    });

  test("the part failed: the two trees read by REST as before, the same decision", async () => {
    const o = await coldEvent(
      { ...mergedMigrations(2), ".github/workflows/ci.yml": "on: push\n" },
      failRoot(),
    );
    expect(sent(o, TREES)).toHaveLength(2);
    // Listed without `recursive` (GitHub recurses for any value of it).
    expect(sent(o, TREES).every((t) => !t.includes("recursive"))).toBe(true);
    expect(sent(o, PULL)).toEqual([]);
    expect(o.checks[0]!.conclusion).toBe("success");
  });

  for (const [what, gh] of [
    ["a symlink to a directory holding a config", { symlink: "conf" }],
    ["a submodule", { submodule: "a".repeat(40) }],
    ["a file", "not a directory\n"],
  ] as const)
    test(`.github ${what}: decided as before, from the verified root alone`, async () => {
      const o = await asBefore({
        ...mergedMigrations(2),
        "conf/migration-warden.yml": "directories: 42\n",
        ".github": gh,
      } as Files);
      expect(sent(o, TREES)).toEqual([]);
    });
});

describe("what the part must not pass", () => {
  const withConfig = { [CONFIG_PATH]: CONFIG, ...mergedMigrations(2, "db/migrations") };

  test("a config file the answer claims has no text: the check fails, never the defaults", async () => {
    const o = await coldEvent(withConfig, (fake) =>
      fake.graphqlFault({
        executed: true,
        operation: "MigrationWardenPullRequest",
        entry: /^migration-warden\.yml$/,
        drop: true,
      }),
    );
    // The root verified; `.github`'s listing without the file did not: read by REST.
    expect(sent(o, TREES)).toHaveLength(1);
    expect(o.checks.map((c) => c.conclusion)).toEqual(["failure", "failure"]);
    expect(o.lintSummary).toContain("the commit's tree lists the file");
  });

  test("a forged root listing hiding .github: not used, the trees read by REST, fails closed", async () => {
    const o = await coldEvent(withConfig, (fake) =>
      fake.graphqlFault({
        executed: true,
        operation: "MigrationWardenPullRequest",
        entry: /^(\.github|migration-warden\.yml)$/,
        drop: true,
      }),
    );
    expect(sent(o, TREES)).toHaveLength(2);
    expect(o.checks.map((c) => c.conclusion)).toEqual(["failure", "failure"]);
    expect(o.lintSummary).toContain("the commit's tree lists the file");
  });

  test("a root listing naming .github by another tree's id (one without the file): not used", async () => {
    const o = await coldEvent(withConfig, (fake) => {
      fake.graphqlFault({
        executed: true,
        operation: "MigrationWardenPullRequest",
        entry: /^\.github$/,
        oid: "f".repeat(40),
      });
      fake.graphqlFault({
        executed: true,
        operation: "MigrationWardenPullRequest",
        entry: /^migration-warden\.yml$/,
        drop: true,
      });
    });
    expect(sent(o, TREES)).toHaveLength(2);
    expect(o.checks.map((c) => c.conclusion)).toEqual(["failure", "failure"]);
    expect(o.lintSummary).toContain("the commit's tree lists the file");
  });

  test("the base gains a config right after the first answer: judged by it, not the old root", async () => {
    const o = await coldEvent(
      { ...mergedMigrations(2) },
      (fake, repo) =>
        fake.graphqlFault({
          executed: true,
          operation: "MigrationWardenPullRequest",
          afterAnswer: () =>
            repo.commit({ branch: "master", files: { [CONFIG_PATH]: "directories: 42\n" } }),
        }),
      true,
    );
    expect(sent(o, /^GET \/repos\/[^/]+\/[^/]+\/branches\//)).toHaveLength(1);
    expect(sent(o, CONTENTS)).toHaveLength(1);
    expect(o.checks.map((c) => c.conclusion)).toEqual(["failure", "failure"]);
    expect(o.lintSummary).toContain("directories");
  });

  test("the base loses .github's other files right after: the old tip's trees confirm nothing new", async () => {
    // No config at either tip; the new tip's trees are not the ones the answer showed.
    const o = await coldEvent(
      { ...mergedMigrations(2), ".github/workflows/ci.yml": "on: push\n" },
      (fake, repo) =>
        fake.graphqlFault({
          executed: true,
          operation: "MigrationWardenPullRequest",
          afterAnswer: () =>
            repo.commit({ branch: "master", files: { ".github/workflows/ci.yml": null } }),
        }),
      true,
    );
    expect(sent(o, CONTENTS)).toHaveLength(1);
    expect(sent(o, TREES).length).toBeGreaterThan(0);
    expect(o.checks[0]!.conclusion).toBe("success");
  });
});

/** A git tree's id and its entries as GraphQL lists them. */
function tree(entries: Array<{ name: string; mode: number; oid: string }>) {
  const sorted = [...entries].sort((a, b) =>
    Buffer.compare(
      Buffer.from(a.mode === 0o40000 ? `${a.name}/` : a.name),
      Buffer.from(b.mode === 0o40000 ? `${b.name}/` : b.name),
    ),
  );
  const body = Buffer.concat(
    sorted.map((e) =>
      Buffer.concat([Buffer.from(`${e.mode.toString(8)} ${e.name}\0`), Buffer.from(e.oid, "hex")]),
    ),
  );
  const oid = gitObjectId("tree", body) as string;
  const listed = entries.map((e) => ({
    ...e,
    type: e.mode === 0o40000 ? "tree" : e.mode === 0o160000 ? "commit" : "blob",
    size: 0,
  }));
  return { oid, entries: listed };
}

describe("the part's answer, alone", () => {
  const workflows = tree([{ name: "ci.yml", mode: 0o100644, oid: blobSha("on: push\n") }]);
  const root = (gh: { name: string; mode: number; oid: string } | null) =>
    tree([{ name: "README.md", mode: 0o100644, oid: blobSha("# Hello\n") }, ...(gh ? [gh] : [])]);
  const ghTree = { name: ".github", mode: 0o40000, oid: workflows.oid };

  test("asked within GitHub's schema", () => {
    expect(schemaErrors(PULL_REQUEST_QUERY)).toEqual([]);
    expect(PULL_REQUEST_QUERY).toContain("rootTree: tree {");
    expect(PULL_REQUEST_QUERY).toContain('configTree: file(path: ".github")');
  });

  test("both trees when each hashes to the id it is named by", () => {
    const r = root(ghTree);
    const known = baseRootOf({ rootTree: r, configTree: { object: workflows } }, r.oid)!;
    expect(known.map((t) => t.oid)).toEqual([r.oid, workflows.oid]);
    expect(known[0]!.tree.entries.map((e) => e.path).sort()).toEqual([".github", "README.md"]);
  });

  test("a root that does not hash to the tip's tree id: nothing", () => {
    const r = root(ghTree);
    const hidden = { ...r, entries: r.entries.filter((e) => e.name !== ".github") };
    expect(baseRootOf({ rootTree: hidden, configTree: null }, r.oid)).toBeUndefined();
    // A consistent listing of another tree, offered under the tip's id.
    const other = root(null);
    expect(baseRootOf({ rootTree: { ...other, oid: r.oid } }, r.oid)).toBeUndefined();
    expect(baseRootOf({ rootTree: other }, r.oid)).toBeUndefined();
    expect(baseRootOf({ rootTree: null }, r.oid)).toBeUndefined();
    expect(baseRootOf({}, r.oid)).toBeUndefined();
    expect(baseRootOf({ rootTree: { oid: r.oid, entries: "x" } }, r.oid)).toBeUndefined();
  });

  test(".github's listing only under the id the verified root names", () => {
    const r = root(ghTree);
    const forged = tree([]);
    for (const configTree of [
      null,
      { object: null },
      { object: forged },
      { object: { ...forged, oid: workflows.oid } },
      { object: { ...workflows, entries: [] } },
    ])
      expect(baseRootOf({ rootTree: r, configTree }, r.oid)?.map((t) => t.oid)).toEqual([r.oid]);
  });

  test(".github not a tree in the root: the root alone, whatever the directory's answer", () => {
    for (const mode of [0o120000, 0o160000, 0o100644]) {
      const r = root({ name: ".github", mode, oid: workflows.oid });
      expect(
        baseRootOf({ rootTree: r, configTree: { object: workflows } }, r.oid)?.map((t) => t.oid),
      ).toEqual([r.oid]);
    }
  });

  test("one error rule: errors in this part and the directories' part keep the rest", () => {
    const err = (paths: unknown[][]) => ({
      name: "GraphqlResponseError",
      data: {
        repository: {
          pullRequest: {
            number: 2,
            baseRef: { target: { oid: "x", rootTree: null, dir0: null, dir1: { type: "tree" } } },
          },
        },
      },
      errors: paths.map((path) => ({ path })),
    });
    const parts = [
      { under: ["baseRef", "target"], aliases: ["rootTree", "configTree"] },
      { under: ["baseRef", "target"], aliases: ["dir0", "dir1"] },
    ];
    // Removed, not nulled: below the tip a null `file(path:)` says "no such path".
    expect(
      answerWithoutFailedParts(
        err([
          [...AT, "rootTree", "entries"],
          [...AT, "dir0"],
        ]),
        parts,
      ),
    ).toEqual({ repository: { pullRequest: { number: 2, baseRef: { target: { oid: "x" } } } } });
    expect(answerWithoutFailedParts(err([[...AT, "file"]]), parts)).toBeNull();
    expect(answerWithoutFailedParts(err([[...AT, "rootTreeX"]]), parts)).toBeNull();
    expect(
      answerWithoutFailedParts(err([["repository", "pullRequest", "rootTree"]]), parts),
    ).toBeNull();
    // The tip nulled by GitHub (a failed non-null field inside): the rest still stands.
    const nulled = err([[...AT, "rootTree"]]);
    nulled.data.repository.pullRequest.baseRef = { target: null } as never;
    expect(answerWithoutFailedParts(nulled, parts)).toEqual({
      repository: { pullRequest: { number: 2, baseRef: { target: null } } },
    });
  });
});
