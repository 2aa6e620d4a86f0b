#!/usr/bin/env node
/** Entry point of the GitHub Action (action.yml runs it with the runner's environment). */
import { setFlagsFromString } from "node:v8";

// WebAssembly with V8's baseline compiler alone, as the CLI's bin runs it (src/cli/bin.ts says
// why: libpg-query's and PGlite's TurboFan recompilation costs more CPU than a run wins back).
// Set before the Action's modules are even loaded, so no WASM is compiled without it; an unknown
// flag is ignored by setFlagsFromString, never an error, on any Node the Action runs on.
setFlagsFromString("--liftoff-only");
const { runAction } = await import("./index.js");

process.exitCode = await runAction({
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTTY: false,
  cwd: process.cwd(),
  env: process.env,
});
