#!/usr/bin/env node
// Second step of `npm run build` (after tsc): bundles the CLI into lib/cli/bundle/ with esbuild
// and points the bin, lib/cli/main.js, at it. Loading ~250 small ES modules (zod alone is 95)
// was a third of a lint's start-up; one bundle, split per command so a lint loads no code of
// `report` or `drift`, loads in a fraction of that. Everything else in lib/ stays as tsc wrote
// it (the app, the replay worker, tests): the bundle is only the bin's way in.
//
// Kept outside the bundle: packages that find files next to their own code (libpg-query's and
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

/** `import.meta.url` of src/a/b.ts, seen from a chunk in lib/cli/bundle/: that of lib/a/b.js. */
const ownUrl = {
  name: "own-import-meta-url",
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, "utf8");
      if (!args.path.startsWith(src + sep) || !text.includes("import.meta.url"))
        return { contents: text, loader: "ts" };
      const lib = join(repo, "lib", relative(src, args.path)).replace(/\.ts$/, ".js");
      const rel = relative(outdir, lib).split(sep).join("/");
      return {
        contents: text.replaceAll(
          "import.meta.url",
          `new URL(${JSON.stringify(rel)}, import.meta.url).href`,
        ),
        loader: "ts",
      };
    });
  },
};

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
await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: { main: join(src, "cli/main.ts") },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: EXTERNAL,
  plugins: [ownUrl, zodEnglishOnly],
  define: { __MIGRATION_WARDEN_BUILD__: JSON.stringify(BUILD_ID) },
  sourcemap: "linked",
  minifyWhitespace: true,
  minifySyntax: true,
  // Bundled CommonJS packages (simple-git's helpers) call require() for Node's built-ins.
  banner: {
    js: 'import { createRequire as __mwCreateRequire } from "node:module"; const require = __mwCreateRequire(import.meta.url);',
  },
  logLevel: "warning",
});
// The bin (tsc's lib/cli/main.js) becomes a one-line entry into the bundle.
await writeFile(
  join(repo, "lib/cli/main.js"),
  '#!/usr/bin/env node\n// Built by scripts/build-cli.mjs: the CLI runs from its bundle.\nimport "./bundle/main.js";\n',
);
await chmod(join(repo, "lib/cli/main.js"), 0o755);
