/** The `migration-warden` command (testable: no process globals). */
import { TOOL } from "../version.js";
import { inertForRunner } from "./format/github.js";
import type { Io } from "./lint.js";

interface Command {
  summary: string;
  /**
   * The command's module, loaded only when it runs: a lint must not pay for the GitHub client
   * of `report` or the database drivers of `drift` (start-up is most of a typical lint).
   */
  load: (
    /** The arguments and streams it will run with; absent when only its usage is wanted. */
    argv?: string[],
    io?: Io,
  ) => Promise<{ usage: string; run: (argv: string[], io: Io) => Promise<number> }>;
}

/**
 * What `lint` initialises before it runs, in parts (see its loader): each is imported once its
 * predecessors are, so a part initialises only the modules the ones before it did not.
 */
const LINT_MODULES: ReadonlyArray<() => Promise<unknown>> = [
  () => import("zod"),
  () => import("../core/sql/parse/index.js"),
  () => import("../core/rules/registry.js"),
  () => import("../config/load.js"),
  () => import("../core/analyze.js"),
];

/** One entry per command (keep it a table: other commands are added here). */
const COMMANDS: Record<string, Command> = {
  lint: {
    summary: "check golang-migrate migrations",
    load: async (argv, io) => {
      // Its git processes first (lint-start.ts): they run while the modules below initialise.
      const started =
        argv && io ? (await import("./lint-start.js")).startLint(argv, io.cwd) : undefined;
      // Initialised in parts, with a turn of the event loop between them: a git process that
      // ended meanwhile hands over to the next one (resolving → merge base and the base's
      // configuration) instead of waiting for every module. One after the other: they share
      // modules, and jest's ESM loader fails two concurrent first imports of a shared module
      // ("request for 'yaml' is not in cache").
      // The parts are small enough for each git round to hand over soon after it ends: the
      // configuration's modules (zod, the SQL parsers with libpg-query's JavaScript, every rule,
      // then the schemas) take tens of milliseconds, the rounds a few each.
      if (started) {
        for (const part of LINT_MODULES) {
          await part();
          await ioTurn();
        }
      }
      const { LINT_USAGE, runLint } = await import("./lint.js");
      // The sandbox's modules only for a lint that may replay (--no-replay never asks for them).
      const replay = started?.opts.replay === false ? undefined : await import("./replay.js");
      return {
        usage: LINT_USAGE,
        run: (a, i) =>
          runLint(
            a,
            i,
            replay && ((env) => replay.cliReplay({ env })),
            a === argv && i === io ? started : undefined,
          ),
      };
    },
  },
  init: {
    summary: "find migration directories and write .github/migration-warden.yml",
    load: async () => {
      const { INIT_USAGE, runInit } = await import("./init/index.js");
      return { usage: INIT_USAGE, run: runInit };
    },
  },
  explain: {
    summary: "print a rule's page (why, bad and good example, how to suppress)",
    load: async () => {
      const { EXPLAIN_USAGE, runExplain } = await import("./explain.js");
      return { usage: EXPLAIN_USAGE, run: runExplain };
    },
  },
  report: {
    summary: "reports for auditors (report approvals: who approved which migrations)",
    load: async () => {
      const { REPORT_USAGE, runReport } = await import("./report/index.js");
      return { usage: REPORT_USAGE, run: runReport };
    },
  },
  drift: {
    summary: "compare a live database with the migrations (read-only)",
    load: async () => {
      const { DRIFT_USAGE, runDrift } = await import("./drift.js");
      return { usage: DRIFT_USAGE, run: runDrift };
    },
  },
};
const USAGE = `Usage: migration-warden <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`)
  .join("\n")}

Run "migration-warden <command> --help" for a command's options.

Options:
  -h, --help     show this help
  -v, --version  print the version
`;

/**
 * A turn of the event loop: I/O that completed meanwhile (a git process's exit and output) is
 * handled before this resolves. Three immediates: the first may run before the loop polls again,
 * and a process's pipes that the next poll found closed are closed in the phase after the second
 * (its 'close', which hands over to the next git process, comes only then).
 */
function ioTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(() => setImmediate(resolve))));
}

export async function main(argv: string[], out: Io): Promise<number> {
  // Messages quote file names, SQL, git's and databases' errors: none may be a workflow command
  // to a runner reading stderr (stdout is each format's own: github's commands are the point).
  const io: Io = { ...out, stderr: (s) => out.stderr(inertForRunner(s, "text")) };
  const [command, ...rest] = argv;
  const cmd = command !== undefined && Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : null;
  if (cmd) return (await cmd.load(rest, io)).run(rest, io);
  switch (command) {
    case "-v":
    case "--version":
      io.stdout(`${TOOL.version}\n`);
      return 0;
    case "-h":
    case "--help":
    case "help": {
      const topic = rest[0] !== undefined && Object.hasOwn(COMMANDS, rest[0]) ? rest[0] : null;
      io.stdout(topic ? (await COMMANDS[topic]!.load()).usage : USAGE);
      return 0;
    }
    default:
      io.stderr(
        command === undefined
          ? USAGE
          : `migration-warden: unknown command "${command}"\n\n${USAGE}`,
      );
      return 2;
  }
}
