/**
 * Attacks on a cold event's speculative directories (src/github/first-read/base-directories.ts):
 * with nothing remembered, the first query asks for `migrations` and `db/migrations` (and
 * `.github`) at the base tip, and a config naming a subset of them, shown plain, spares the
 * gather of a change touching no migration. The base's word must never stand for the head's
 * (the change reshaping `db` or `db/migrations`), a directory not asked exactly as the config
 * spells it (case) is never assumed, a `.github` the part shows absent never hides the config
 * file that is there (the defaults are weaker), and a base that moves right after the first
 * answer is judged as a process without the part judges it. Each case also runs with the part
 * failed (the directories read as before): the same checks.
 */
import { describe, expect, test } from "@jest/globals";
import type { FakeRepo } from "../support/fake-github.mjs";
import {
  APPROVAL,
  harnessInTurn,
  helloWorld,
  LINT,
  mergedMigrations,
  newestChecks,
  pullRequestEvent,
  type Harness,
} from "../github/harness.js";

const harness = harnessInTurn({ cold: true });

type Files = Parameters<FakeRepo["commit"]>[0]["files"];
const CONFIG_PATH = ".github/migration-warden.yml";
const CONFIG = (dirs: string[]) =>
  `directories:\n${dirs.map((d) => `  - path: ${d}\n    dialect: postgres\n`).join("")}replay:\n  enabled: false\n`;
const FIRST = "MigrationWardenPullRequest";
const GATHER = /MigrationWardenGather\b/;

const queryOf = (body: unknown) => {
  const b = typeof body === "string" ? (JSON.parse(body) as Record<string, unknown>) : body;
  return b as { query?: string; variables?: Record<string, unknown> } | undefined;
};

/**
 * GitHub's first answer altered by `edit` (its base tip's target and the query's variables),
 * as a GitHub that answers the part inconsistently would.
 */
function tamperFirstAnswer(
  h: Harness,
  edit: (target: Record<string, unknown>, vars: Record<string, unknown>) => boolean,
): { edited: number } {
  const seen = { edited: 0 };
  const dispatch = h.fake.dispatch.bind(h.fake);
  h.fake.dispatch = (req) => {
    const r = dispatch(req);
    const q = queryOf(req.body);
    if (!new RegExp(`query ${FIRST}\\b`).test(q?.query ?? "") || typeof r.body !== "string")
      return r;
    const answer = JSON.parse(r.body) as {
      data?: { repository?: { pullRequest?: { baseRef?: { target?: Record<string, unknown> } } } };
    };
    const target = answer.data?.repository?.pullRequest?.baseRef?.target;
    if (target && edit(target, q?.variables ?? {})) seen.edited++;
    return { ...r, body: JSON.stringify(answer) };
  };
  return seen;
}

/** The alias the part asked `path` under. */
const aliasOf = (vars: Record<string, unknown>, path: string) =>
  Object.keys(vars).find((k) => /^dir\d+$/.test(k) && vars[k] === path);

interface Options {
  /** The part failed (GitHub's error inside it): its directories read as before. */
  failPart?: boolean;
  setup?: (h: Harness, repo: FakeRepo) => void;
}

/** A process's first event for the repository (nothing remembered, no git object cached). */
async function cold(base: Files, change: Files, options: Options = {}) {
  const h = await harness({ app: { replay: false, gitObjectCacheBytes: 0 } });
  const { repo, number } = helloWorld(h.fake, base as Record<string, string>, change);
  repo.setRole("dba", "admin");
  if (options.failPart)
    h.fake.graphqlFault({
      executed: true,
      operation: FIRST,
      times: 1,
      partial: "Invalid path for a file.",
      path: ["repository", "pullRequest", "baseRef", "target", "dir0"],
    });
  options.setup?.(h, repo);
  await h.receive("pull_request", pullRequestEvent("opened", repo, number));
  const gathers = h.fake.requests.filter((r) => GATHER.test(queryOf(r.body)?.query ?? ""));
  const run = (name: string) => h.runs(name).at(-1)!;
  return {
    h,
    checks: newestChecks(h),
    gathers: gathers.length,
    lint: run(LINT),
    approval: run(APPROVAL),
  };
}

/** Cold with the part, and with it failed: the same checks. Returns the first. */
async function asWithoutPart(base: Files, change: Files, setup?: Options["setup"]) {
  const withPart = await cold(base, change, setup ? { setup } : {});
  const without = await cold(base, change, { failPart: true, ...(setup ? { setup } : {}) });
  expect(withPart.checks).toEqual(without.checks);
  return withPart;
}

const BASE = { [CONFIG_PATH]: CONFIG(["db/migrations"]), ...mergedMigrations(2, "db/migrations") };
const removeAll = (dir: string) =>
  Object.fromEntries(Object.keys(mergedMigrations(2, dir)).map((p) => [p, null]));

describe("the head reshapes a directory the part showed plain on the base", () => {
  const reshaped: Array<[string, Files]> = [
    [
      "db a symlink to a copy of the same migrations",
      {
        ...removeAll("db/migrations"),
        db: { symlink: "real" },
        ...mergedMigrations(2, "real/migrations"),
      },
    ],
    [
      "db/migrations a submodule",
      { ...removeAll("db/migrations"), "db/migrations": { submodule: "a".repeat(40) } },
    ],
    [
      "db/migrations a file",
      { ...removeAll("db/migrations"), "db/migrations": "not a directory\n" },
    ],
    ["db a file", { ...removeAll("db/migrations"), db: "not a directory\n" }],
  ];
  test.each(reshaped)("%s: not-a-directory, approval fails closed", async (_, change) => {
    const o = await asWithoutPart(BASE, change);
    expect(o.lint.conclusion).toBe("failure");
    expect(o.lint.annotations.map((a) => a.title)).toContain("migration-directory-not-a-directory");
    expect(o.approval.conclusion).not.toBe("success");
  });
});

test("db/migrations missing on the base, added by the change as a submodule: reported", async () => {
  const base = { [CONFIG_PATH]: CONFIG(["db/migrations"]), "db/schema.sql": "-- schema\n" };
  const o = await asWithoutPart(base, { "db/migrations": { submodule: "a".repeat(40) } });
  expect(o.lint.annotations.map((a) => a.title)).toContain("migration-directory-not-a-directory");
  expect(o.approval.conclusion).not.toBe("success");
});

describe("a config spelling a directory otherwise than the part asked it", () => {
  for (const [config, present] of [
    ["Migrations", "migrations"],
    ["db/Migrations", "db/migrations"],
  ] as const)
    test(`${config} configured, only ${present} on the base: read as before (the gather)`, async () => {
      const base = { [CONFIG_PATH]: CONFIG([config]), ...mergedMigrations(2, present) };
      const o = await asWithoutPart(base, { "README.md": "# Hello again\n" });
      // The part showed `present` plain; `config` was never asked, so never assumed.
      expect(o.gathers).toBeGreaterThan(0);
      expect(JSON.stringify(o.checks)).toContain(config);
    });

  test("migrations configured, the change adds Migrations/: not passed silently", async () => {
    const base = { [CONFIG_PATH]: CONFIG(["migrations"]), ...mergedMigrations(2) };
    const o = await asWithoutPart(base, {
      "Migrations/0003_t3.up.sql": "DROP TABLE t1;\n",
      "Migrations/0003_t3.down.sql": "SELECT 1;\n",
    });
    expect(o.approval.conclusion).not.toBe("success");
  });
});

describe("the part shows .github absent while the base has a config file", () => {
  const CHANGE = {
    "db/migrations/0003_t3.up.sql": "DROP TABLE t1;\n",
    "db/migrations/0003_t3.down.sql": "CREATE TABLE t1 (id bigint PRIMARY KEY);\n",
  };
  let tampered = { edited: 0 };
  const dropGithub = (alsoConfig: boolean) => (h: Harness) => {
    tampered = tamperFirstAnswer(h, (target, vars) => {
      const alias = aliasOf(vars, ".github");
      // The part must have shown the (real) .github as a tree for the lie to matter.
      if (!alias || (target[alias] as { type?: string } | null)?.type !== "tree") return false;
      target[alias] = null;
      if (alsoConfig) target.file = null;
      return true;
    });
  };

  const changes: Array<[string, Files, boolean]> = [
    ["a migration added to db/migrations", CHANGE, false],
    ["nothing of it (the gather spared)", { "README.md": "# Hello again\n" }, true],
    [
      "the config's own directory list (the head's never judges)",
      { [CONFIG_PATH]: CONFIG(["elsewhere"]), ...CHANGE },
      false,
    ],
  ];
  test.each(changes)(
    "%s: judged under the base's config, as without the lie",
    async (_, change, passes) => {
      const honest = await cold(BASE, change);
      expect(honest.approval.conclusion === "success").toBe(passes);
      const o = await cold(BASE, change, { setup: dropGithub(false) });
      expect(tampered.edited).toBe(1);
      expect(o.checks).toEqual(honest.checks);
    },
  );

  test("the config file said absent too: the tree is read, never the defaults", async () => {
    const o = await cold(BASE, CHANGE, { setup: dropGithub(true) });
    expect(tampered.edited).toBe(1);
    expect(o.approval.conclusion).not.toBe("success");
    expect(o.lint.conclusion).not.toBe("success");
  });
});

describe("the base moves right after the first answer", () => {
  const moves: Array<[string, Files]> = [
    [
      "db becomes a symlink",
      {
        ...removeAll("db/migrations"),
        db: { symlink: "real" },
        ...mergedMigrations(2, "real/migrations"),
      },
    ],
    ["the config names another directory", { [CONFIG_PATH]: CONFIG(["db/migrations", "sql"]) }],
    ["db/migrations removed", removeAll("db/migrations")],
  ];
  test.each(moves)("%s: judged as without the part", async (_, files) => {
    await asWithoutPart(BASE, { "README.md": "# Hello again\n" }, (h, repo) =>
      h.fake.graphqlFault({
        executed: true,
        operation: FIRST,
        times: 1,
        afterAnswer: () => void repo.commit({ branch: "master", files }),
      }),
    );
  });
});
