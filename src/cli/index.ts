/** The `migration-warden` command (testable: no process globals). */
import { TOOL } from "../version.js";
import { DRIFT_USAGE, runDrift } from "./drift.js";
import { EXPLAIN_USAGE, runExplain } from "./explain.js";
import { INIT_USAGE, runInit } from "./init/index.js";
import { LINT_USAGE, runLint, type Io } from "./lint.js";
import { REPORT_USAGE, runReport } from "./report/index.js";
import { cliReplay } from "./replay.js";

interface Command {
  summary: string;
  usage: string;
  run: (argv: string[], io: Io) => Promise<number>;
}

/** One entry per command (keep it a table: other commands are added here). */
const COMMANDS: Record<string, Command> = {
  lint: {
    summary: "check golang-migrate migrations",
    usage: LINT_USAGE,
    run: (argv, io) => runLint(argv, io, cliReplay(io)),
  },
  init: {
    summary: "find migration directories and write .github/migration-warden.yml",
    usage: INIT_USAGE,
    run: runInit,
  },
  explain: {
    summary: "print a rule's page (why, bad and good example, how to suppress)",
    usage: EXPLAIN_USAGE,
    run: runExplain,
  },
  report: {
    summary: "reports for auditors (report approvals: who approved which migrations)",
    usage: REPORT_USAGE,
    run: runReport,
  },
  drift: {
    summary: "compare a live database with the migrations (read-only)",
    usage: DRIFT_USAGE,
    run: runDrift,
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

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  const cmd = command !== undefined && Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : null;
  if (cmd) return cmd.run(rest, io);
  switch (command) {
    case "-v":
    case "--version":
      io.stdout(`${TOOL.version}\n`);
      return 0;
    case "-h":
    case "--help":
    case "help": {
      const topic = rest[0] !== undefined && Object.hasOwn(COMMANDS, rest[0]) ? rest[0] : null;
      io.stdout(topic ? COMMANDS[topic]!.usage : USAGE);
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
