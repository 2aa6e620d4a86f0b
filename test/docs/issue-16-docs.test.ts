/**
 * Where users already are (issue 16), documented: the README's first screen names the GitHub
 * Action and `init`; docs/cli.md's CI example is the Action (with the history it needs);
 * CHANGELOG.md records the Action, `init`, `explain`, `--format markdown` and `report approvals`.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const read = (p: string) => readFileSync(join(ROOT, p), "utf8");

test("the README's first screen mentions the Action and init", () => {
  // A first screen: the lines before the first second-level heading, at most about 50.
  const readme = read("README.md");
  const first = readme.slice(0, readme.indexOf("\n## "));
  expect(first.split("\n").length).toBeLessThanOrEqual(50);
  expect(first).toMatch(/^- uses: migration-warden\/migration-warden@v\d+$/m);
  expect(first).toContain("fetch-depth: 0");
  expect(first).toContain("migration-warden init");
});

test("docs/cli.md's CI example uses the Action, with full history", () => {
  const cli = read("docs/cli.md");
  const section = cli.slice(cli.indexOf("\n## GitHub Action"), cli.indexOf("\n### Without"));
  const example = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  expect(example).toMatch(/- uses: actions\/checkout@v\d+\n\s+with: \{ fetch-depth: 0 \}/);
  expect(example).toMatch(/- uses: migration-warden\/migration-warden@v\d+/);
  expect(example).toMatch(/on: pull_request/);
  // Every input of action.yml is in the table below the example.
  const action = read("action.yml");
  const block = action.slice(action.indexOf("\ninputs:"), action.indexOf("\noutputs:"));
  const inputs = [...block.matchAll(/^ {2}([a-z-]+):\n {4}description:/gm)].map((m) => m[1]!);
  expect(inputs).toEqual(
    expect.arrayContaining(["config", "fail-on", "replay", "database-url", "format", "sarif-file"]),
  );
  for (const input of inputs) expect(section).toContain(`| \`${input}\``);
});

test("CHANGELOG.md records each part", () => {
  const log = read("CHANGELOG.md");
  for (const part of [
    "GitHub Action: `action.yml`",
    "`migration-warden init [--dry-run] [--force]`",
    "`migration-warden explain <rule-id>`",
    "`migration-warden report approvals --repo OWNER/REPO --since DATE",
    "`lint --format markdown`",
  ])
    expect(log).toContain(part);
});
