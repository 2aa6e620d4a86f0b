#!/usr/bin/env node
/**
 * Executable entry point for the `migration-warden` bin, as tsc compiles it. `npm run build`
 * replaces lib/cli/main.js with the bundled bin (bin.ts, scripts/build-cli.mjs); this one is what
 * runs the CLI from tsc's output alone.
 */
import { runCli } from "./run.js";

process.exitCode = await runCli();
