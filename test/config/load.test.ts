import { ConfigError, defaultConfig, parseConfig, validateConfig } from "../../src/config/load.js";
import { configSchema } from "../../src/config/schema.js";

const src = { ref: "main" };

function problems(yaml: string): string[] {
  try {
    parseConfig(yaml, src);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain(".github/migration-warden.yml@main");
    return (err as ConfigError).problems;
  }
  throw new Error(`expected ${JSON.stringify(yaml)} to be rejected`);
}

describe("defaults", () => {
  test("an absent or empty file gives the documented defaults", () => {
    const expected = {
      directories: [{ path: "migrations", dialect: "postgres", multiStatement: false }],
      rules: {},
      approval: {
        required: "always",
        teams: [],
        users: [],
        count: 1,
        allowAuthor: false,
        allowContributors: false,
      },
      replay: { enabled: true, statementTimeoutMs: 10000, timeBudgetMs: 60000, functions: [] },
      drift: { ignore: [], statementTimeoutMs: 30000 },
      limits: { maxFileBytes: 1048576 },
      audit: { issue: false },
    };
    expect(defaultConfig()).toEqual(expected);
    expect(parseConfig(null, src)).toEqual(expected);
    expect(parseConfig("", src)).toEqual(expected);
    expect(parseConfig("# only a comment\n", src)).toEqual(expected);
  });

  test("the defaults written out are exactly the schema's for an empty mapping, fresh each time", () => {
    // defaultConfig builds no schema (a lint without a file never does): it must not drift.
    const fromSchema = configSchema().parse({});
    expect(JSON.stringify(defaultConfig())).toBe(JSON.stringify(fromSchema));
    expect(defaultConfig()).toStrictEqual(fromSchema);
    expect(validateConfig({}, src)).toStrictEqual(defaultConfig());
    expect(parseConfig("{}\n", src)).toStrictEqual(defaultConfig());
    // A caller that changes its copy changes no later one.
    const mine = defaultConfig();
    mine.directories.push({ path: "db", dialect: "mysql", multiStatement: true });
    mine.approval.teams.push("dba");
    mine.rules["drop-table"] = "off";
    mine.replay.functions.push("f");
    expect(defaultConfig()).toStrictEqual(fromSchema);
  });

  test("a full file is read with normalised paths", () => {
    const c = parseConfig(
      `directories:
  - path: ./db/migrations/
    dialect: postgres
    databaseVersion: "16"
    multiStatement: true
  - path: db/mysql
    dialect: mysql
    databaseVersion: 8.0
rules:
  missing-down-migration: error
  empty-migration: off
approval:
  required: risky
  teams: [dba]
  users: [alice]
  count: 2
  allowAuthor: false
  allowContributors: true
`,
      src,
    );
    expect(c.directories).toEqual([
      { path: "db/migrations", dialect: "postgres", databaseVersion: "16", multiStatement: true },
      // YAML reads 8.0 as the number 8; both spellings are accepted.
      { path: "db/mysql", dialect: "mysql", databaseVersion: "8", multiStatement: false },
    ]);
    expect(c.rules).toEqual({ "missing-down-migration": "error", "empty-migration": "off" });
    expect(c.approval).toEqual({
      required: "risky",
      teams: ["dba"],
      users: ["alice"],
      count: 2,
      allowAuthor: false,
      allowContributors: true,
    });
  });
});

describe("errors name the key path", () => {
  test.each([
    ["approval:\n  count: 0\n", "approval.count: expected a positive integer"],
    ["approval:\n  count: 1.5\n", "approval.count: expected a positive integer"],
    ['approval:\n  count: "2"\n', "approval.count: expected a positive integer"],
    [
      "approval:\n  required: sometimes\n",
      'approval.required: expected one of "always", "risky", "never"',
    ],
    [
      "approval:\n  allowAuthor: yes\n",
      "approval.allowAuthor: expected true or false (allowAuthor)",
    ],
    ["approval:\n  teams: dba\n", "approval.teams: expected a list of team slugs"],
    ["approval:\n  users: ['not a login!']\n", "approval.users.0: expected a GitHub login"],
    ["approval:\n  reviewers: [x]\n", "approval.reviewers: unknown key"],
    [
      'drift:\n  migrationsAccount: ""\n',
      "drift.migrationsAccount: expected an account as user@host",
    ],
    [
      "drift:\n  migrationsAccount: [app]\n",
      "drift.migrationsAccount: expected an account as user@host",
    ],
    [
      "rules:\n  drop-tabel: error\n",
      "rules.drop-tabel: unknown key (not a migration-warden rule id or category)",
    ],
    ["rules:\n  style: on\n", 'rules.style: expected one of "error", "warning", "notice", "off"'],
    [
      "rules:\n  styles: warning\n",
      "rules.styles: unknown key (not a migration-warden rule id or category)",
    ],
    [
      "rules:\n  missing-down-migration: fatal\n",
      'rules.missing-down-migration: expected one of "error", "warning", "notice", "off"',
    ],
    ["directories: []\n", "directories: expected at least one directory"],
    [
      "directories:\n  - path: migrations\n",
      'directories.0.dialect: expected one of "postgres", "mysql", "sqlite", "cockroachdb", "clickhouse"',
    ],
    [
      "directories:\n  - path: migrations\n    dialect: oracle\n",
      'directories.0.dialect: expected one of "postgres", "mysql", "sqlite", "cockroachdb", "clickhouse"',
    ],
    [
      "directories:\n  - path: ../outside\n    dialect: postgres\n",
      'directories.0.path: expected a path inside the repository without ".." segments',
    ],
    [
      "directories:\n  - path: db/../../x\n    dialect: postgres\n",
      'directories.0.path: expected a path inside the repository without ".." segments',
    ],
    // Each of these matched nothing at all before, so nothing was checked.
    [
      "directories:\n  - path: db/./migrations\n    dialect: postgres\n",
      'directories.0.path: expected a path without "." segments (write "db/migrations", not "db/./migrations")',
    ],
    [
      "directories:\n  - path: db/migrations/.\n    dialect: postgres\n",
      'directories.0.path: expected a path without "." segments (write "db/migrations", not "db/./migrations")',
    ],
    [
      "directories:\n  - path: db//migrations\n    dialect: postgres\n",
      'directories.0.path: expected a path without empty segments ("//" or an empty path; "." is the repository root)',
    ],
    [
      'directories:\n  - path: ""\n    dialect: postgres\n',
      'directories.0.path: expected a path without empty segments ("//" or an empty path; "." is the repository root)',
    ],
    [
      "directories:\n  - path: db\\\\migrations\n    dialect: postgres\n",
      'directories.0.path: expected "/" as the path separator',
    ],
    [
      "directories:\n  - path: /\n    dialect: postgres\n",
      "directories.0.path: expected a repository-relative path, not an absolute one",
    ],
    [
      "directories:\n  - path: /abs\n    dialect: postgres\n",
      "directories.0.path: expected a repository-relative path, not an absolute one",
    ],
    [
      "directories:\n  - path: a\n    dialect: postgres\n  - path: a/\n    dialect: mysql\n",
      'directories.1.path: duplicate directory "a"',
    ],
    [
      "directories:\n  - path: m\n    dialect: postgres\n    databaseVersion: latest\n",
      'directories.0.databaseVersion: expected a version such as "16" or "8.0" (quote it in YAML)',
    ],
    [
      // Pasted into SQL in the sandbox: an identifier, nothing else.
      'directories:\n  - path: m\n    dialect: postgres\n    migrationsTable: "x\\"; DROP TABLE users; --"\n',
      "directories.0.migrationsTable: expected an unqualified table name of letters, digits and _ (golang-migrate's x-migrations-table, such as schema_migrations)",
    ],
    [
      "directories:\n  - path: m\n    dialect: postgres\n    multistatement: true\n",
      "directories.0.multistatement: unknown key",
    ],
    ["replay:\n  timeBudgetMs: -1\n", "replay.timeBudgetMs: expected a positive integer"],
    [
      "replay:\n  databaseUrl: http://x\n",
      'replay.databaseUrl: expected "env" (the URL the environment provides) or a postgres:// or mysql:// URL of a throwaway database',
    ],
    ["limits:\n  maxFileBytes: 99999999999\n", "limits.maxFileBytes: expected at most 67108864"],
    ["unknown: 1\n", "unknown: unknown key"],
    [
      "audit:\n  branches: main\n",
      'audit.branches: expected a list of branch names or globs, such as ["main", "release/*"]',
    ],
    [
      "audit:\n  branches: [refs/heads/main]\n",
      'audit.branches.0: expected the branch name without "refs/heads/" (write "main", not "refs/heads/main")',
    ],
    [
      'audit:\n  branches: ["release /*"]\n',
      'audit.branches.0: expected a valid branch name or glob (no spaces, "~", "^", ":", "\\", "..", "@{", or a leading or trailing "/")',
    ],
    ['audit:\n  branches: [""]\n', "audit.branches.0: expected a non-empty branch name or glob"],
    ["audit:\n  issue: yes\n", "audit.issue: expected true or false (issue)"],
    ["audit:\n  issues: true\n", "audit.issues: unknown key"],
  ])("%j → %s", (yaml, expected) => {
    expect(problems(yaml)).toContain(expected);
  });

  test("audit: branch globs and the issue switch are read as written", () => {
    const c = parseConfig('audit:\n  branches: [main, "release/**"]\n  issue: true\n', src);
    expect(c.audit).toEqual({ branches: ["main", "release/**"], issue: true });
  });

  test("every problem is reported, not just the first", () => {
    expect(problems("approval:\n  count: 0\n  required: x\nfoo: 1\n")).toHaveLength(3);
  });
});

describe("malformed YAML", () => {
  test.each([
    ["approval: [unclosed\n", /^line \d+, column \d+: Flow sequence/],
    ["approval:\n  count: 1\n  count: 2\n", /unique|duplicate/i],
    ["- a list\n- at the top\n", /expected a mapping/],
    ["just a string\n", /expected a mapping/],
    ["approval:\n  ? [count]\n  : 1\n", /^line 2: mapping keys must be plain names/],
    ["!!binary cnVsZXM=: {}\n", /^line 1: mapping keys must be plain names/],
  ])("%j is rejected with a position or reason", (yaml, re) => {
    expect(problems(yaml).join("\n")).toMatch(re);
  });

  test("an alias bomb is refused quickly instead of expanding", () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
      "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]",
      "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]",
      "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]",
      "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]",
      "i: [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]",
    ].join("\n");
    expect(problems(bomb).join("\n")).toMatch(/alias/i);
  });

  test("an oversized file is refused", () => {
    expect(problems(`# ${"x".repeat(70 * 1024)}\n`)).toEqual(["file is larger than 65536 bytes"]);
  });
});

test("a category key sets every rule of the category; a rule's own key wins", async () => {
  const { configuredLevel, effectiveLevel } = await import("../../src/core/rules/types.js");
  const { RULES_BY_ID } = await import("../../src/core/rules/registry.js");
  const cfg = parseConfig("rules:\n  style: notice\n  prefer-text: off\n  locking: error\n", src);
  const m = (id: string) => RULES_BY_ID.get(id)!;
  expect(effectiveLevel(cfg.rules, m("prefer-bigint"))).toBe("notice");
  expect(effectiveLevel(cfg.rules, m("prefer-text"))).toBe("off");
  expect(effectiveLevel(cfg.rules, m("create-index-not-concurrently"))).toBe("error");
  expect(effectiveLevel(cfg.rules, m("drop-table"))).toBe("error"); // data-loss: its default
  // Opt-in rules stay off when neither their key nor their category is set.
  expect(effectiveLevel(defaultConfig().rules, m("prefer-bigint"))).toBe("off");
  expect(configuredLevel(defaultConfig().rules, m("prefer-bigint"))).toBeUndefined();
});

test("validateConfig accepts an already-parsed object with the same rules", () => {
  expect(validateConfig({ approval: { count: 3 } }, src).approval.count).toBe(3);
  expect(() =>
    validateConfig({ approval: { count: -1 } }, { ref: "abc123", path: "x.yml" }),
  ).toThrow("invalid configuration x.yml@abc123: approval.count: expected a positive integer");
});
