/** The `migration-warden` command (testable: no process globals). */
import { TOOL } from "../version.js";
import { DRIFT_USAGE, runDrift } from "./drift.js";
import { LINT_USAGE, runLint, type Io } from "./lint.js";
import { cliReplay } from "./replay.js";

const USAGE = `Usage: migration-warden <command> [options]

Commands:
  lint      check golang-migrate migrations (run "migration-warden lint --help")
  drift     compare a live database with the migrations (run "migration-warden drift --help")

Options:
  -h, --help     show this help
  -v, --version  print the version
`;

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "lint":
      return runLint(rest, io, cliReplay(io));
    case "drift":
      return runDrift(rest, io);
    case "-v":
    case "--version":
      io.stdout(`${TOOL.version}\n`);
      return 0;
    case "-h":
    case "--help":
    case "help":
      io.stdout(rest[0] === "lint" ? LINT_USAGE : rest[0] === "drift" ? DRIFT_USAGE : USAGE);
      return 0;
    default:
      io.stderr(
        command === undefined
          ? USAGE
          : `migration-warden: unknown command "${command}"\n\n${USAGE}`,
      );
      return 2;
  }
}
