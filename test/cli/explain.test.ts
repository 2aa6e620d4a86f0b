/**
 * `migration-warden explain <rule-id>`: a rule's page from the docs shipped with the package,
 * exit 2 for an unknown id; and the page is found from an installed package (lib/, not src/).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { RULE_DOCS_DIR, ruleDocPath } from "../../src/cli/explain.js";
import { RULE_IDS } from "../../src/core/rules/registry.js";
import { runCli } from "../support/cli.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

test("prints the page: what, why, bad and good example, how to suppress; no Markdown markers", async () => {
  const r = await runCli(["explain", "drop-table"], ROOT);
  expect(r.code).toBe(0);
  expect(r.stderr).toBe("");
  const out = r.stdout;
  for (const heading of [
    "What it detects",
    "Why it is dangerous",
    "The safer way",
    "Bad",
    "Good",
    "Suppressing",
  ])
    expect(out).toMatch(new RegExp(`^${heading}$`, "m"));
  expect(out).toContain("    DROP TABLE legacy_events;");
  expect(out).toContain("-- migration-warden:ignore drop-table -- <why this is safe>");
  expect(out).not.toMatch(/^#/m);
  expect(out).not.toContain("```");
  expect(out).not.toContain("**");
  // Relative links become the published pages.
  expect(out).toContain(
    "suppression (https://github.com/migration-warden/migration-warden/blob/main/docs/suppression.md)",
  );
  expect(out).not.toContain("\u001b[");
});

test("colour on a terminal, none with NO_COLOR", async () => {
  const run = (env: Record<string, string>) => {
    let stdout = "";
    return import("../../src/cli/index.js").then(async ({ main }) => {
      await main(["explain", "truncate-table"], {
        stdout: (s) => (stdout += s),
        stderr: () => {},
        isTTY: true,
        columns: 100,
        cwd: ROOT,
        env,
      });
      return stdout;
    });
  };
  expect(await run({})).toContain("\u001b[1m");
  expect(await run({ NO_COLOR: "1" })).not.toContain("\u001b[");
});

test("--markdown prints the source page", async () => {
  const r = await runCli(["explain", "drop-column", "--markdown"], ROOT);
  expect(r.code).toBe(0);
  expect(r.stdout.startsWith("# drop-column\n")).toBe(true);
  expect(r.stdout).toContain("### Bad\n");
});

test("an unknown id is exit 2 with a suggestion, and never becomes a path", async () => {
  const typo = await runCli(["explain", "drop-tabel"], ROOT);
  expect(typo.code).toBe(2);
  expect(typo.stdout).toBe("");
  expect(typo.stderr).toContain('unknown rule id "drop-tabel" (did you mean "drop-table"?)');
  for (const id of [
    "../README",
    "../../package",
    "/etc/passwd",
    "drop-table.md",
    "",
    "DROP-TABLE",
  ]) {
    const r = await runCli(["explain", id], ROOT);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
  }
  expect((await runCli(["explain"], ROOT)).code).toBe(2);
  expect((await runCli(["explain", "drop-table", "drop-column"], ROOT)).code).toBe(2);
  expect((await runCli(["explain", "--bogus"], ROOT)).code).toBe(2);
});

test("--list names every rule", async () => {
  const r = await runCli(["explain", "--list"], ROOT);
  expect(r.code).toBe(0);
  for (const id of RULE_IDS) expect(r.stdout).toMatch(new RegExp(`^${id} `, "m"));
  // Style rules say how they are turned on; other opt-in policies show their level.
  expect(r.stdout).toMatch(/^prefer-text +off by default \(style\) +style /m);
  expect(r.stdout).toMatch(/^require-statement-timeout +off \(notice\) /m);
});

test("a style rule's page says it is off by default", async () => {
  const r = await runCli(["explain", "prefer-bigint"], ROOT);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/off by default \(style\)/);
});

test("every registered rule's page is where explain looks", () => {
  expect(RULE_DOCS_DIR).toBe(join(ROOT, "docs/rules/"));
  expect(RULE_IDS.filter((id) => !existsSync(ruleDocPath(id)))).toEqual([]);
});

describe("from an installed package", () => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(join(ROOT, "lib/cli/explain.js")))
      throw new Error("run `npm run build` first (npm test does)");
    dir = mkdtempSync(join(tmpdir(), "mw-pack-"));
    // What `npm install migration-warden` unpacks: the files package.json ships, nothing else.
    const tarball = execFileSync(
      "npm",
      ["pack", "--ignore-scripts", "--silent", "--pack-destination", dir],
      { cwd: ROOT, encoding: "utf8" },
    ).trim();
    execFileSync("tar", ["-xzf", join(dir, tarball), "-C", dir]);
    symlinkSync(join(ROOT, "node_modules"), join(dir, "package/node_modules"), "dir");
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("the package's bin finds the rule pages from lib/", () => {
    const out = execFileSync(
      process.execPath,
      [join(dir, "package/lib/cli/main.js"), "explain", "set-not-null"],
      { cwd: tmpdir(), encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } },
    );
    expect(out).toMatch(/^set-not-null$/m);
    expect(out).toMatch(/^Suppressing$/m);
    expect(existsSync(join(dir, "package/src"))).toBe(false);
  });
});
