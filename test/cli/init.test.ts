/**
 * `migration-warden init`: finds golang-migrate directories by the names golang-migrate reads,
 * guesses each dialect with a stated confidence, writes a configuration that validates, prints it
 * with --dry-run, never overwrites without --force, and prints the settings that require both
 * checks.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { guessDialect } from "../../src/cli/init/dialect.js";
import { repoFromRemote, rulesetBody } from "../../src/cli/init/protection.js";
import { parseConfig } from "../../src/config/load.js";
import { CONFIG_PATH } from "../../src/config/types.js";
import { runCli } from "../support/cli.js";
import { TempRepo } from "../support/git-repo.js";

const PG = {
  "db/migrations/000001_users.up.sql":
    "CREATE TABLE users (id bigserial PRIMARY KEY, profile jsonb, created_at timestamptz NOT NULL DEFAULT now());\n",
  "db/migrations/000001_users.down.sql": "DROP TABLE users;\n",
  "db/migrations/000002_idx.up.sql":
    "CREATE INDEX CONCURRENTLY users_profile ON users USING gin (profile);\n",
  "db/migrations/000002_idx.down.sql": "DROP INDEX CONCURRENTLY users_profile;\n",
};
const MYSQL = {
  "services/billing/migrations/20240101120000_invoices.up.sql":
    "CREATE TABLE `invoices` (`id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT, PRIMARY KEY (`id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n",
  "services/billing/migrations/20240101120000_invoices.down.sql": "DROP TABLE `invoices`;\n",
};
const SQLITE = {
  "mobile/schema/1_notes.up.sql":
    "PRAGMA foreign_keys = ON;\nCREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT);\n",
  "mobile/schema/1_notes.down.sql": "DROP TABLE notes;\n",
};

let repo: TempRepo;
beforeEach(() => {
  repo = new TempRepo();
});
afterEach(() => repo.cleanup());

function written(): string {
  return readFileSync(join(repo.dir, CONFIG_PATH), "utf8");
}

test("finds every directory, guesses each dialect, writes a configuration that validates", async () => {
  repo.write({
    ...PG,
    ...MYSQL,
    ...SQLITE,
    // Not golang-migrate names, vendored code and test data: not proposed.
    "docs/schema.sql": "CREATE TABLE x (id int);\n",
    "vendor/github.com/golang-migrate/migrate/v4/testdata/1_x.up.sql": "SELECT 1;\n",
    "internal/db/testdata/migrations/1_t.up.sql": "SELECT 1;\n",
    "README.md": "# app\n",
  });
  repo.commit("init");
  const r = await runCli(["init"], repo.dir);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const config = parseConfig(written(), { path: CONFIG_PATH, ref: "test" });
  expect(config.directories.map((d) => [d.path, d.dialect])).toEqual([
    ["db/migrations", "postgres"],
    ["mobile/schema", "sqlite"],
    ["services/billing/migrations", "mysql"],
  ]);
  expect(config.approval.required).toBe("always");
  const text = written();
  // The commented-out keys are valid as written once uncommented.
  const uncommented = parseConfig(
    text.replace(/^( {4})# (databaseVersion|multiStatement): ([^#]+?) #.*$/gm, "$1$2: $3"),
    { ref: "t" },
  );
  expect(uncommented.directories.map((d) => [d.databaseVersion, d.multiStatement])).toEqual([
    ["16", true],
    ["3.45", true],
    ["8.0", true],
  ]);
  expect(text).toMatch(/# 2 up and 2 down migrations, versions 000001 to 000002\./);
  expect(text).toMatch(
    /# Dialect guessed from the SQL: postgres \(high confidence, 100% of the evidence: /,
  );
  expect(text).toMatch(/mysql \(high confidence, 100% of the evidence: [^\n]*AUTO_INCREMENT/);
  expect(text).toContain("# 1 up and 1 down migrations, version 1.");
  expect(r.stdout).toContain(
    'Skipped "vendor/github.com/golang-migrate/migrate/v4/testdata" (1 migration files): under vendor/ (vendored code).',
  );
  expect(r.stdout).toContain(
    'Skipped "internal/db/testdata/migrations" (1 migration files): under testdata/ (test data).',
  );
  expect(r.stdout).toContain(`Wrote ${CONFIG_PATH}.`);
  // The settings that make both checks required, pinned to the app.
  expect(r.stdout).toContain("migration-warden/lint");
  expect(r.stdout).toContain("migration-warden/approval");
  expect(r.stdout).toContain("gh api --method POST repos/OWNER/REPO/rulesets --input -");
  expect(r.stdout).toContain("Do not allow bypassing the above settings");
});

test("--dry-run prints the file on stdout alone and writes nothing", async () => {
  repo.write(PG);
  repo.commit("init");
  const r = await runCli(["init", "--dry-run"], repo.dir);
  expect(r.code).toBe(0);
  expect(existsSync(join(repo.dir, ".github"))).toBe(false);
  // stdout is exactly a valid configuration (so `init --dry-run > file` works).
  expect(parseConfig(r.stdout, { ref: "stdout" }).directories[0]!.path).toBe("db/migrations");
  expect(r.stderr).toContain('Found "db/migrations": 2 up, 2 down');
  // The guess is printed with how sure it is, not only written into the file.
  expect(r.stderr).toMatch(
    /Found "db\/migrations": [^\n]*; dialect postgres \(high confidence, 100% of the evidence: /,
  );
  expect(r.stderr).toContain("Make both checks required");
});

test("never overwrites without --force; --force replaces; --dry-run says what it would do", async () => {
  repo.write({ ...PG, [CONFIG_PATH]: "approval:\n  teams: [dba]\n" });
  repo.commit("init");
  const before = written();
  const refused = await runCli(["init"], repo.dir);
  expect(refused.code).toBe(2);
  expect(refused.stdout).toBe("");
  expect(refused.stderr).toContain(`${CONFIG_PATH} already exists`);
  expect(refused.stderr).toContain("--force");
  expect(written()).toBe(before);

  const dry = await runCli(["init", "--dry-run"], repo.dir);
  expect(dry.code).toBe(0);
  expect(dry.stderr).toContain("init --force would replace it");
  expect(written()).toBe(before);

  const forced = await runCli(["init", "--force"], repo.dir);
  expect(forced.code).toBe(0);
  expect(written()).not.toBe(before);
  expect(parseConfig(written(), { ref: "t" }).directories[0]!.path).toBe("db/migrations");
});

test("a symlinked configuration or .github is never written through", async () => {
  const outside = mkdtempSync(join(tmpdir(), "mw-outside-"));
  try {
    const victim = join(outside, "victim.txt");
    writeFileSync(victim, "precious\n");
    repo.write(PG);
    mkdirSync(join(repo.dir, ".github"));
    symlinkSync(victim, join(repo.dir, CONFIG_PATH));
    repo.commit("init");
    expect((await runCli(["init"], repo.dir)).code).toBe(2);
    const forced = await runCli(["init", "--force"], repo.dir);
    expect(forced.code).toBe(0);
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
    expect(lstatSync(join(repo.dir, CONFIG_PATH)).isSymbolicLink()).toBe(false);

    // .github itself a link to somewhere else: refused, even with --force.
    rmSync(join(repo.dir, ".github"), { recursive: true });
    symlinkSync(outside, join(repo.dir, ".github"));
    const viaLink = await runCli(["init", "--force"], repo.dir);
    expect(viaLink.code).toBe(2);
    expect(viaLink.stderr).toContain("not a directory");
    expect(existsSync(join(outside, "migration-warden.yml"))).toBe(false);
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
});

test("directory names YAML would misread, or that try to add keys, round-trip exactly", async () => {
  const names = [
    "db/my migrations",
    "db/#comment",
    "db/key: value",
    "db/yes",
    "db/0123",
    "db/ünïcödé",
    "db/x\nrules: {drop-table: off}",
    "db/- item",
  ];
  for (const n of names) repo.write({ [`${n}/1_a.up.sql`]: "DROP TABLE t;\n" });
  repo.commit("odd names");
  const r = await runCli(["init"], repo.dir);
  expect(r.code).toBe(0);
  const config = parseConfig(written(), { ref: "t" });
  expect(config.directories.map((d) => d.path).sort()).toEqual([...names].sort());
  expect(config.rules).toEqual({});
  // Control characters in names reach the terminal escaped.
  expect(r.stdout).not.toMatch(/db\/x\nrules/);
});

test("a repository without migrations: exit 1, nothing written; names golang-migrate skips are pointed out", async () => {
  repo.write({
    "db/V0001.Initial.up.sql": "CREATE TABLE a (id int);\n",
    "db/V0002.More.up.sql": "CREATE TABLE b (id int);\n",
    "src/app.go": "package main\n",
  });
  repo.commit("no golang-migrate names");
  const r = await runCli(["init"], repo.dir);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("no golang-migrate migrations found");
  expect(r.stdout).toContain(
    'Not proposed: "db" has 2 SQL files named like migrations that golang-migrate does not read',
  );
  expect(existsSync(join(repo.dir, ".github"))).toBe(false);
});

test("outside git: walks the tree (untracked files count too); usage errors are exit 2", async () => {
  const dir = mkdtempSync(join(tmpdir(), "mw-nogit-"));
  try {
    mkdirSync(join(dir, "migrations"));
    writeFileSync(
      join(dir, "migrations/1_a.up.sql"),
      "CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT);\n",
    );
    writeFileSync(join(dir, "migrations/1_a.down.sql"), "DROP TABLE a;\n");
    const r = await runCli(["init", "--dry-run", "--app-id", "4242"], dir);
    expect(r.code).toBe(0);
    expect(parseConfig(r.stdout, { ref: "t" }).directories).toEqual([
      { path: "migrations", dialect: "sqlite", multiStatement: false },
    ]);
    expect(r.stderr).toContain('"integration_id": 4242');
    expect(r.stderr).not.toContain("<APP_ID>");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  expect((await runCli(["init", "--app-id", "x"], repo.dir)).code).toBe(2);
  expect((await runCli(["init", "--bogus"], repo.dir)).code).toBe(2);
  expect((await runCli(["init", "--help"], repo.dir)).stdout).toContain(
    "Usage: migration-warden init",
  );
});

test("the repository and default branch come from the origin remote", async () => {
  repo.write(PG);
  repo.commit("init");
  repo.git("remote", "add", "origin", "git@github.com:acme/payments.git");
  repo.git("update-ref", "refs/remotes/origin/trunk", "HEAD");
  repo.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk");
  const r = await runCli(["init", "--dry-run"], repo.dir);
  expect(r.stderr).toContain("Make both checks required on trunk of acme/payments");
  expect(r.stderr).toContain("gh api --method POST repos/acme/payments/rulesets");
});

describe("pieces", () => {
  test("remote URLs", () => {
    expect(repoFromRemote("https://github.com/acme/app.git")).toBe("acme/app");
    expect(repoFromRemote("https://token@github.example.com/acme/app")).toBe("acme/app");
    expect(repoFromRemote("ssh://git@github.com/acme/app.git")).toBe("acme/app");
    expect(repoFromRemote("git@github.com:acme/app.git")).toBe("acme/app");
    expect(repoFromRemote("/srv/git/app.git")).toBeNull();
  });

  test("the ruleset requires both checks from the app", () => {
    expect(rulesetBody({ repo: null, branch: "main", appId: 7 })).toMatchObject({
      target: "branch",
      enforcement: "active",
      bypass_actors: [],
      conditions: { ref_name: { include: ["~DEFAULT_BRANCH"] } },
      rules: [
        {
          type: "required_status_checks",
          parameters: {
            required_status_checks: [
              { context: "migration-warden/lint", integration_id: 7 },
              { context: "migration-warden/approval", integration_id: 7 },
            ],
          },
        },
      ],
    });
  });

  test("dialect guesses say how sure they are", () => {
    const g = (...texts: string[]) => guessDialect(texts.map((text) => ({ title: "x", text })));
    expect(g("CREATE TABLE a (id int);")).toMatchObject({
      dialect: "postgres",
      confidence: "none",
    });
    expect(
      g(
        "CREATE TABLE t (id UInt64, d Date) ENGINE = MergeTree ORDER BY id PARTITION BY toYYYYMM(d);",
        "ALTER TABLE t ON CLUSTER main ADD COLUMN x LowCardinality(String);",
      ),
    ).toMatchObject({ dialect: "clickhouse", confidence: "high" });
    expect(
      g("CREATE TABLE t (id INT8 DEFAULT unique_rowid() PRIMARY KEY, s STRING);"),
    ).toMatchObject({
      dialect: "cockroachdb",
    });
    // Words in comments and strings are no evidence.
    expect(
      g(
        "-- ported from mysql: AUTO_INCREMENT, ENGINE=InnoDB\nINSERT INTO t VALUES ('`x` AUTO_INCREMENT');",
      ),
    ).toMatchObject({ confidence: "none" });
    // Conflicting evidence lowers the confidence and names the other dialect.
    const mixed = g(
      "CREATE TABLE a (id serial, p jsonb);",
      "CREATE TABLE `b` (id int AUTO_INCREMENT);",
    );
    expect(mixed.confidence).not.toBe("high");
    expect(mixed.others.map((o) => o.dialect)).toHaveLength(1);
    // File names that name several dialects: not a golang-migrate directory, low confidence.
    const named = guessDialect([
      { title: "x.mysql", text: "CREATE TABLE `a` (id int AUTO_INCREMENT);" },
      { title: "x.postgres", text: "CREATE TABLE a (id serial);" },
    ]);
    expect(named.confidence).toBe("low");
    expect(named.namedDialects.sort()).toEqual(["mysql", "postgres"]);
  });
});
