/** The tool's name and version, from package.json (one source of truth). */
import { createRequire } from "node:module";

const pkg = createRequire(import.meta.url)("../package.json") as { name: string; version: string };

export const TOOL = { name: pkg.name, version: pkg.version } as const;
