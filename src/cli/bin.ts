#!/usr/bin/env node
/**
 * The bin as `npm run build` ships it (scripts/build-cli.mjs bundles this file into
 * lib/cli/main.js): runs the CLI's bundle, lib/cli/bundle/cli.cjs, through V8's code cache
 * (code-cache.ts). It imports nothing of the tool but the cache directory's rule.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { defaultCacheDir } from "../replay/cache-dir.js";
import { loadBundle } from "./code-cache.js";

// WebAssembly without V8's optimising tier. V8 starts each WASM function in its baseline compiler
// (Liftoff) and recompiles the hot ones with TurboFan on background threads; for libpg-query's
// 1.7 MB module (and PGlite's, in the replay) that recompilation costs more CPU than any run of the
// CLI wins back: measured, Liftoff alone halves a typical pull request's CPU time and lowers even
// the 1 MB lint's and a cold replay's (docs/performance.md). Set before any WASM is compiled, and
// before the bundle, so the code cache below is always made and read under the same flags.
setFlagsFromString("--liftoff-only");

const cacheDir = defaultCacheDir(process.env);
const command = process.argv[2] ?? "";
const bundle = loadBundle(
  fileURLToPath(new URL("./bundle/cli.cjs", import.meta.url)),
  cacheDir === null ? null : join(cacheDir, "code"),
  // The bundle's own `import()` calls: its ES module parts (the report command) next to it, and
  // packages as they would resolve from the bundle's directory (the same node_modules as here).
  (specifier, bundleUrl) =>
    import(
      specifier.startsWith(".")
        ? new URL(specifier, bundleUrl).href
        : import.meta.resolve(specifier)
    ),
  // One entry per command (each holds the code its command ran); anything else shares one.
  /^[a-z]{1,16}$/.test(command) ? command : "",
);
process.exitCode = await (bundle.exports as { runCli(): Promise<number> }).runCli();
bundle.save();
// A lint is over once its report is out: nothing it leaves behind is worth waiting for (its git
// object reader is closed, and a git process or parser warm-up started ahead and not used has
// nothing to say), and Node's own teardown of the heap and of libpg-query's 128 MB WASM memory
// after a natural exit is time spent after the report (from its output to the process's end:
// 33 → 23 ms median, docs/performance.md). So it exits as soon as stdout and stderr have taken
// everything written to them: `process.exit()` does not wait for an asynchronous pipe (macOS),
// and a report cut short would be read as a different report.
// Other commands end the usual way (their connections and files close themselves).
if (command === "lint") exitOnceFlushed();

function exitOnceFlushed(): void {
  let open = 2;
  // Called when each stream has written all that was written before it (or failed: a reader
  // that went away gets nothing more either way).
  const flushed = () => {
    if (--open === 0) process.exit();
  };
  process.stdout.write("", flushed);
  process.stderr.write("", flushed);
}
