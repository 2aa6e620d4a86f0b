#!/usr/bin/env node
// Second step of `npm run build` (after tsc): bundles the CLI with esbuild and makes the bin,
// lib/cli/main.js, run it. Loading ~250 small ES modules (zod alone is 95) was a third of a lint's
// start-up; one bundle loads in a fraction of that. Everything else in lib/ stays as tsc wrote it
// (the app, the replay worker, tests): the bundle is only the bin's way in.
//
// Three outputs:
// - lib/cli/bundle/cli.cjs: the CLI (src/cli/run.ts) as one CommonJS file. CommonJS because the
//   bin compiles it with V8's code cache (src/cli/code-cache.ts), which Node 20 offers for scripts
//   and not for ES modules. Commands are still loaded only when they run: esbuild turns each
//   `import()` of a command into a lazy initialisation of its modules, so a lint evaluates no code
//   of `drift` or `init`.
// - lib/cli/bundle/report.js: the `report` command as an ES module bundle, loaded by the CLI's
//   `import()`: its GitHub client packages are ES modules only, which CommonJS cannot require on
//   every Node 20 the tool supports.
// - lib/cli/main.js: the bin (src/cli/bin.ts), which loads cli.cjs through the code cache.
//
// Kept outside the bundles: packages that find files next to their own code (libpg-query's and
// sql.js' WASM, PGlite's data) or that only other commands and the app use. Each bundled module
// keeps its own `import.meta.url` (the URL of its lib/ file), so paths it resolves relative to
// itself (docs/rules, package.json, the replay worker) mean what they meant unbundled.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { chmod, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(repo, "src");
const outdir = join(repo, "lib/cli/bundle");

const EXTERNAL = [
  "libpg-query",
  "@electric-sql/pglite",
  "sql.js",
  "pg",
  "mysql2",
  "node-sql-parser",
  "probot",
  "@octokit/*",
  "bottleneck",
  "bullmq",
  "ioredis",
];

/**
 * Rewrites of src/ files for the bundles:
 * - `import.meta.url` of src/a/b.ts, seen from a bundle in lib/cli/bundle/: that of lib/a/b.js. In
 *   the CommonJS bundle, from its `__filename` (the bin passes the bundle's path), taken once in
 *   the banner: a module's own `require` may be renamed by esbuild (run-in-worker.ts defines one).
 * - In the CommonJS bundle, `import()` of a package left outside it, and of the `report` command
 *   (the ES module bundle beside it), calls the bin's `__mwImport` instead: Node 20 runs an
 *   `import()` inside a `vm.Script` only with an experimental flag (and not at all once the
 *   script came from the code cache), while the bin, an ES module, may import anything.
 */
const rewrite = (format) => ({
  name: "rewrite-src",
  setup(b) {
    const base = format === "cjs" ? "__mwBundleUrl" : "import.meta.url";
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      let text = await readFile(args.path, "utf8");
      if (!args.path.startsWith(src + sep)) return { contents: text, loader: "ts" };
      if (text.includes("import.meta.url")) {
        const lib = join(repo, "lib", relative(src, args.path)).replace(/\.ts$/, ".js");
        const rel = relative(outdir, lib).split(sep).join("/");
        text = text.replaceAll("import.meta.url", `new URL(${JSON.stringify(rel)}, ${base}).href`);
      }
      if (format === "cjs") {
        text = text.replace(/(?<!typeof )\bimport\((["'])([^"']+)\1\)/g, (call, _q, spec) => {
          if (spec === "./report/index.js" && args.path === join(src, "cli/index.ts"))
            return '__mwImport("./report.js")';
          return isExternal(spec) ? `__mwImport(${JSON.stringify(spec)})` : call;
        });
      }
      return { contents: text, loader: "ts" };
    });
  },
});

/** A package EXTERNAL leaves outside the bundles. */
function isExternal(spec) {
  return EXTERNAL.some((e) =>
    e.endsWith("/*") ? spec.startsWith(e.slice(0, -1)) : spec === e || spec.startsWith(`${e}/`),
  );
}

/**
 * zod's `z.locales` namespace (and its core's) re-exports every locale it ships (about 40: a quarter of the
 * bundle), and a bundler cannot drop the members of a namespace nobody reads. The CLI prints
 * zod's English messages only (zod registers English itself, from locales/en.js), so the
 * namespace gets English alone. Nothing in src/ reads z.locales.
 */
const zodEnglishOnly = {
  name: "zod-english-only",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)$/.test(args.resolveDir)
        ? { path: join(args.resolveDir, "../locales/en.js"), namespace: "zod-locales" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
      loader: "js",
    }));
  },
};

/**
 * A hash of what the bundle is built from (every file under src/, the locked dependency
 * versions): the CLI's disk caches key entries by it, so a rebuilt tool never reads what an
 * older build wrote (src/cli/schema-cache.ts).
 */
async function buildId() {
  const hash = createHash("sha256");
  const files = (await readdir(src, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .sort();
  for (const f of [...files, join(repo, "package-lock.json")]) {
    hash.update(`${relative(repo, f)}\0`);
    hash.update(await readFile(f));
    hash.update("\0");
  }
  return hash.digest("hex");
}

const BUILD_ID = await buildId();
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  external: EXTERNAL,
  define: { __MIGRATION_WARDEN_BUILD__: JSON.stringify(BUILD_ID) },
  sourcemap: "linked",
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: "warning",
};
await rm(outdir, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: [join(src, "cli/run.ts")],
  outfile: join(outdir, "cli.cjs"),
  format: "cjs",
  plugins: [rewrite("cjs"), zodEnglishOnly],
  // Strict as the ES modules it is built from (a directive after the banner would not count).
  banner: {
    js: '"use strict"; var __mwBundleUrl = require("node:url").pathToFileURL(__filename).href;',
  },
});
await build({
  ...common,
  entryPoints: [join(src, "cli/report/index.ts")],
  outfile: join(outdir, "report.js"),
  format: "esm",
  plugins: [rewrite("esm"), zodEnglishOnly],
  // Bundled CommonJS packages call require() for Node's built-ins.
  banner: {
    js: 'import { createRequire as __mwCreateRequire } from "node:module"; const require = __mwCreateRequire(import.meta.url);',
  },
});
// The bin (tsc's lib/cli/main.js) becomes the loader of cli.cjs. Its own `import.meta.url` is
// lib/cli/main.js's, which is where it looks for the bundle.
await build({
  ...common,
  entryPoints: [join(src, "cli/bin.ts")],
  outfile: join(repo, "lib/cli/main.js"),
  format: "esm",
  sourcemap: false,
});
await chmod(join(repo, "lib/cli/main.js"), 0o755);
// The bin's code cache key of an installation (src/cli/code-cache.ts installKey), made beside the
// bundle by its first run: a key published with the package would be everyone's, and an entry
// forged with it would run anywhere. npm honours an .npmignore in a directory that "files" lists.
await writeFile(join(outdir, ".npmignore"), "*.code-cache-key\n*.code-cache-key.*.tmp\n");
