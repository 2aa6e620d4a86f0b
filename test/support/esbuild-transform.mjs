// Jest transform for the TypeScript sources and tests: esbuild strips the types, one file at a
// time, into ESM (Jest runs natively in ESM mode, see jest.config.js). It type-checks nothing, like
// ts-jest under `isolatedModules` did before it: `npm run typecheck` (tsc over src, test and
// scripts) catches type errors. esbuild does in milliseconds what ts-jest took seconds for (ts-jest
// loads the TypeScript compiler in every Jest worker and transpiles each file with it), which
// counts on a fresh clone, where Jest's transform cache is empty.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { transformSync, version } from "esbuild";

const tsconfig = readFileSync(new URL("../../tsconfig.json", import.meta.url), "utf8");
const { compilerOptions } = JSON.parse(tsconfig);
/** What esbuild reads from tsconfig.json when it strips types (class-field semantics among them). */
const tsconfigRaw = {
  compilerOptions: {
    target: compilerOptions.target,
    useDefineForClassFields: compilerOptions.useDefineForClassFields,
    verbatimModuleSyntax: compilerOptions.verbatimModuleSyntax,
    preserveValueImports: compilerOptions.preserveValueImports,
  },
};
const salt = createHash("sha256")
  .update(`${version}\0${JSON.stringify(tsconfigRaw)}\0${readFileSync(new URL(import.meta.url))}`)
  .digest("hex");

export default {
  getCacheKey(source, path, options) {
    return createHash("sha256")
      .update(`${salt}\0${path}\0${options.supportsStaticESM ? "esm" : "cjs"}\0${source}`)
      .digest("hex");
  },
  process(source, path, options) {
    const { code, map } = transformSync(source, {
      loader: "ts",
      format: options.supportsStaticESM ? "esm" : "cjs",
      // Only strip types; lower nothing (ES2022 as a target would drop `with { type: "json" }`).
      target: "esnext",
      platform: "node",
      sourcefile: path,
      sourcemap: "external",
      sourcesContent: false,
      tsconfigRaw,
    });
    return { code, map };
  },
};
