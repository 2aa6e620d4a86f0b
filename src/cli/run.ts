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
