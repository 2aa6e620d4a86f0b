#!/usr/bin/env node
/**
 * Entry point of the GitHub Action (action.yml runs it with the runner's environment). It runs
 * the Action from the CLI's bundle (lib/cli/bundle/cli.cjs, which `npm run build` makes beside
 * this file), as the bin runs the CLI: one file to load instead of ~250 modules. Without V8's code
 * cache: a runner is fresh for every job, so an entry would be written every time and never read.
 */
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { loadBundle } from "../code-cache.js";

// WebAssembly with V8's baseline compiler alone, as the CLI's bin runs it (src/cli/bin.ts says
// why: libpg-query's and PGlite's TurboFan recompilation costs more CPU than a run wins back).
// Set before the bundle is loaded, so no WASM is compiled without it; an unknown flag is ignored
// by setFlagsFromString, never an error, on any Node the Action runs on.
setFlagsFromString("--liftoff-only");

const bundle = loadBundle(
  fileURLToPath(new URL("../bundle/cli.cjs", import.meta.url)),
  null,
  // The bundle's own `import()` calls, as the bin resolves them (src/cli/bin.ts).
  (specifier, bundleUrl) =>
    import(
      specifier.startsWith(".")
        ? new URL(specifier, bundleUrl).href
        : import.meta.resolve(specifier)
    ),
);
process.exitCode = await (bundle.exports as { runActionCli(): Promise<number> }).runActionCli();
