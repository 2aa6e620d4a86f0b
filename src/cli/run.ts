/** The CLI run with this process's arguments, streams and environment: what the bin executes. */
import { main } from "./index.js";

export function runCli(): Promise<number> {
  return main(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    isTTY: process.stdout.isTTY === true,
    ...(process.stdout.isTTY ? { columns: process.stdout.columns } : {}),
    cwd: process.cwd(),
    env: process.env,
  });
}

/**
 * The GitHub Action with this process's streams and environment: what src/cli/action/main.ts
 * executes, from this bundle, so the Action loads one file instead of ~250 modules. Its modules
 * are initialised only here: a lint of the bin evaluates none of them.
 */
export async function runActionCli(): Promise<number> {
  const { runAction } = await import("./action/index.js");
  return runAction({
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    isTTY: false,
    cwd: process.cwd(),
    env: process.env,
  });
}
