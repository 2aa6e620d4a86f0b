#!/usr/bin/env node
/** Entry point of the GitHub Action (action.yml runs it with the runner's environment). */
import { runAction } from "./index.js";

process.exitCode = await runAction({
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTTY: false,
  cwd: process.cwd(),
  env: process.env,
});
