/** Option parsing shared by the commands: strict node:util parseArgs, errors as usage errors. */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./revisions.js";
import type { Io } from "./lint.js";

/** Unknown options, missing values and stray arguments become a UsageError (exit status 2). */
export function parseOptions<T extends ParseArgsConfig>(
  config: T,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** The message and the command's usage on stderr; exit status 2. */
export function usageFailure(io: Pick<Io, "stderr">, message: string, usage: string): number {
  io.stderr(`migration-warden: ${message}\n\n${usage}`);
  return 2;
}
