/** Run the CLI in-process and capture what it prints. */
import { main } from "../../src/cli/index.js";
// The CLI loads a command's modules when it runs (dynamic import). Under jest's ESM loader a
// large graph linked by a dynamic import can fail on a loaded machine ("request for 'yaml' is
// not in cache"): link lint's modules with the test file instead.
import "../../src/cli/lint.js";
import "../../src/cli/replay.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    isTTY: false,
    cwd,
    env,
  });
  return { code, stdout, stderr };
}

/** Run `lint --format json` and parse the one document it prints. */
export async function lintJson(
  args: string[],
  cwd: string,
): Promise<{ code: number; report: any; stderr: string }> {
  const r = await runCli(["lint", "--format", "json", "--no-replay", ...args], cwd);
  return { code: r.code, report: r.stdout === "" ? null : JSON.parse(r.stdout), stderr: r.stderr };
}
