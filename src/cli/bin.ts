#!/usr/bin/env node
/**
 * The bin as `npm run build` ships it (scripts/build-cli.mjs bundles this file into
 * lib/cli/main.js): runs the CLI's bundle, lib/cli/bundle/cli.cjs, through V8's code cache
 * (code-cache.ts). It imports nothing of the tool but the cache directory's rule.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultCacheDir } from "../replay/cache-dir.js";
import { loadBundle } from "./code-cache.js";

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
