/**
 * `migration-warden lint`'s options: usage, parsing, and the revisions a lint resolves first.
 * Apart from the analysis (lint.ts), so that a lint can start its git processes before the
 * analysis's modules initialise (lint-start.ts).
 */
import { resolve } from "node:path";
import { CONFIG_PATH } from "../config/types.js";
import { parseOptions } from "./args.js";
import { revisionsToResolve, UsageError } from "./revisions.js";

export const LINT_USAGE = `Usage: migration-warden lint [options] [PATH...]

Checks golang-migrate migrations: file names, pairing, ordering, edits to merged
migrations, and risky SQL.

Git mode (no PATH): compares --base with --head.
  --base REF        base revision (default: merge base with origin/HEAD, else main)
  --head REF        head revision (default: the working tree, uncommitted and
                    untracked files included)
PATH mode: lints the given files and directories alone (no merged-migration checks).

Options:
  --config FILE     configuration file (default: ${CONFIG_PATH} at the base)
  --format FORMAT   text | json | sarif | github | markdown (default: text)
  --fail-on LEVEL   error | warning | notice | never (default: error)
  --cwd DIR         run as if started in DIR
  --no-replay       do not run migrations in the sandbox database
  -h, --help        show this help

Exit status: 0 = nothing at or above --fail-on, 1 = findings at or above it,
2 = usage, configuration or git error.
`;

export const FORMATS = ["text", "json", "sarif", "github", "markdown"] as const;
export type Format = (typeof FORMATS)[number];
export const FAIL_ON = ["error", "warning", "notice", "never"] as const;
export type FailOn = (typeof FAIL_ON)[number];

export interface LintOptions {
  base?: string;
  head?: string;
  config?: string;
  /**
   * The text of `config` as the caller read it, and where from (the Action: the file at the pull
   * request's base commit, never the checkout the pull request can change); `config` then only
   * names it in messages.
   */
  configText?: { text: string; ref: string };
  format: Format;
  failOn: FailOn;
  cwd: string;
  replay: boolean;
  paths: string[];
}

export function parseLintArgs(argv: string[], cwd: string): LintOptions | "help" {
  const parsed = parseOptions({
    args: argv,
    allowPositionals: true,
    options: {
      base: { type: "string" },
      head: { type: "string" },
      config: { type: "string" },
      format: { type: "string", default: "text" },
      "fail-on": { type: "string", default: "error" },
      cwd: { type: "string" },
      "no-replay": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const v = parsed.values;
  if (v.help) return "help";
  const format = v.format as Format;
  if (!FORMATS.includes(format))
    throw new UsageError(`--format must be one of ${FORMATS.join(", ")} (got "${v.format}")`);
  const failOn = v["fail-on"] as FailOn;
  if (!FAIL_ON.includes(failOn))
    throw new UsageError(`--fail-on must be one of ${FAIL_ON.join(", ")} (got "${v["fail-on"]}")`);
  const paths = parsed.positionals;
  if (paths.length > 0 && v.head !== undefined) {
    throw new UsageError(
      "--head cannot be combined with PATH arguments (PATH mode lints files as they are on disk)",
    );
  }
  const opts: LintOptions = {
    format,
    failOn,
    cwd: v.cwd !== undefined ? resolve(cwd, v.cwd) : cwd,
    replay: !v["no-replay"],
    paths,
  };
  if (v.base !== undefined) opts.base = v.base;
  if (v.head !== undefined) opts.head = v.head;
  if (v.config !== undefined) opts.config = resolve(cwd, v.config);
  return opts;
}

/**
 * The revisions a lint resolves first thing, so Git.open can ask them beside its own process: git
 * mode's (resolveRevisions); PATH mode's when the configuration comes from the base (the given
 * one, or HEAD and the default base's candidates).
 */
export function revisionsFirst(opts: LintOptions): string[] {
  if (opts.paths.length === 0) return revisionsToResolve(opts.base, opts.head);
  if (opts.config !== undefined) return [];
  return opts.base !== undefined ? [opts.base] : ["HEAD", "origin/HEAD", "main"];
}
