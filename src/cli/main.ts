#!/usr/bin/env node
/** Executable entry point for the `migration-warden` bin. */
import { main } from "./index.js";

process.exitCode = await main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTTY: process.stdout.isTTY === true,
  ...(process.stdout.isTTY ? { columns: process.stdout.columns } : {}),
  cwd: process.cwd(),
  env: process.env,
});
