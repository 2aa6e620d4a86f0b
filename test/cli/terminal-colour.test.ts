/**
 * `lint --format text` end to end: colour only when stdout is a terminal, none with NO_COLOR
 * (https://no-color.org: an empty one does not count). terminal.test.ts tests `useColor` and the
 * formatter with colour on or off; this tests that `lint` asks the terminal, so a piped run (a CI
 * log, a file) never gets escape sequences.
 */
import { main } from "../../src/cli/index.js";
import "../../src/cli/lint.js";
import { TempRepo } from "../support/git-repo.js";

let repo: TempRepo;
beforeAll(() => {
  repo = new TempRepo();
  repo.write({
    "migrations/000001_init.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",
    "migrations/000001_init.down.sql": "DROP TABLE users;\n",
  });
  repo.commit("init");
  repo.branch("feat");
  repo.write({
    "migrations/000002_drop.up.sql": "DROP TABLE users;\n",
    "migrations/000002_drop.down.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",
  });
  repo.commit("drop");
});
afterAll(() => repo.cleanup());

async function lintText(isTTY: boolean, env: Record<string, string>): Promise<string> {
  let stdout = "";
  const code = await main(["lint", "--base", "main", "--no-replay"], {
    stdout: (s) => (stdout += s),
    stderr: () => {},
    isTTY,
    cwd: repo.dir,
    env,
  });
  expect(code).toBe(1);
  expect(stdout).toContain("drop-table");
  return stdout;
}

const ESC = "\u001b[";

test("a terminal gets colour; a pipe, or NO_COLOR, none", async () => {
  expect(await lintText(true, {})).toContain(ESC);
  expect(await lintText(true, { NO_COLOR: "" })).toContain(ESC);
  expect(await lintText(false, {})).not.toContain(ESC);
  expect(await lintText(true, { NO_COLOR: "1" })).not.toContain(ESC);
});
