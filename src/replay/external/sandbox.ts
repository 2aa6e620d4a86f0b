/**
 * The rules for using a database server the user provides as the replay's sandbox. Everything in
 * its database is dropped before every replay, so migration-warden must never mistake a real
 * database for a throwaway one:
 *
 * - The database is used only when it is empty, or holds the marker table
 *   `migration_warden_sandbox` (created by the first replay, or by hand to opt a database in).
 * - The marker records whether a replay is running. After each replay everything is dropped again
 *   and the marker says "clean": if objects appear in a "clean" database, something else uses it
 *   now, and the replay refuses to touch it.
 * - The account must not be able to reach beyond that database (superuser, server files, other
 *   databases): SQL from a pull request runs with it.
 * - One replay at a time per database: a lock held on a separate connection that the migrations'
 *   SQL never runs on.
 */
import type { DatabaseUrl } from "./url.js";

export const MARKER_TABLE = "migration_warden_sandbox";

/** "replaying" from claim to release; "clean" once a replay has dropped everything again. */
export type MarkerState = "clean" | "replaying";

/** A server the replay may use: its parsed URL and how reports name it. */
export interface ServerTarget {
  url: DatabaseUrl;
  /** CLI: the URL without password; app: "the app's MySQL replay database" (no host names). */
  label: string;
}

export interface ServerLimits {
  statementTimeoutMs: number;
  connectTimeoutMs: number;
  /** How long to wait for another replay to finish with the database. */
  lockWaitMs: number;
}

/** The database must not be used (not a sandbox, an account that reaches too far): an error. */
export class SandboxRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SandboxRefused";
  }
}

/** The server cannot be used right now (unreachable, busy): a notice, nothing is proven. */
export class ServerUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ServerUnavailable";
  }
}

export interface Inventory {
  /** null: no marker table; "" when it has no recognisable state (created by hand). */
  marker: string | null;
  /** Objects in the database other than the marker ("table users", "view v"). */
  objects: string[];
}

/** What each server engine provides for the protocol below. */
export interface SandboxOps {
  /** Take the per-database lock on the guard connection; false when not granted in time. */
  lock(waitMs: number): Promise<boolean>;
  /** Reasons this account must not run pull requests' SQL ([] when it is fine). */
  accountProblems(): Promise<string[]>;
  inventory(): Promise<Inventory>;
  /** Drop every object in the database; the marker is then recreated with this state. */
  wipe(state: MarkerState): Promise<void>;
}

const MAX_LISTED = 5;

function listed(objects: readonly string[]): string {
  const shown = objects.slice(0, MAX_LISTED).join(", ");
  return objects.length > MAX_LISTED ? `${shown} and ${objects.length - MAX_LISTED} more` : shown;
}

/**
 * Make the database ready for a replay: lock, check the account and the marker, wipe. Throws
 * SandboxRefused or ServerUnavailable; on success the marker says "replaying".
 */
export async function claimSandbox(
  ops: SandboxOps,
  target: ServerTarget,
  limits: Pick<ServerLimits, "lockWaitMs">,
): Promise<void> {
  const where = target.label;
  if (!(await ops.lock(limits.lockWaitMs)))
    throw new ServerUnavailable(
      `another replay kept ${where} busy for ${Math.round(limits.lockWaitMs / 1000)} s (one replay runs at a time per database)`,
    );
  const problems = await ops.accountProblems();
  if (problems.length > 0)
    throw new SandboxRefused(
      `refusing to replay on ${where}: ${problems.join("; ")}. Migrations from pull requests run with this account, so it must reach nothing but its throwaway database (see docs/replay.md, "Replay on a database server")`,
    );
  const before = await ops.inventory();
  if (before.marker === null && before.objects.length > 0)
    throw new SandboxRefused(
      `refusing to replay on ${where}: the database is not empty (${listed(before.objects)}) and has no ${MARKER_TABLE} table. Every replay drops everything in its database, so migration-warden only uses an empty database or one it has used before. If this database really is a throwaway, create the table ${MARKER_TABLE} in it (or empty it) and run again`,
    );
  if (before.marker === "clean" && before.objects.length > 0)
    throw new SandboxRefused(
      `refusing to replay on ${where}: objects appeared since migration-warden's last replay left it empty (${listed(before.objects)}), so something else uses this database now. Give migration-warden a database of its own, or drop those objects if they are leftovers`,
    );
  await ops.wipe("replaying");
  const after = await ops.inventory();
  if (after.objects.length > 0)
    throw new SandboxRefused(
      `refusing to replay on ${where}: dropping everything left ${listed(after.objects)} (objects the replay account does not own or cannot drop). Drop them by hand`,
    );
}

/** After a replay: drop what it created and mark the database clean (the lock ends with the connection). */
export async function releaseSandbox(ops: SandboxOps): Promise<void> {
  await ops.wipe("clean");
}

/** How a server engine connects and gets ready; see openSandbox. */
export interface OpenSteps<T> {
  connect(): Promise<void>;
  /** Whether a connection error is the URL's fault (password, database name), not the server's. */
  isConfigError(err: unknown): boolean;
  /** Set the session up and claim the database (claimSandbox). */
  prepare(): Promise<T>;
  /** Drop the connections. */
  close(): Promise<void>;
}

/**
 * Connect and claim, closing the connections on any failure, which is reported as SandboxRefused
 * (the configuration is wrong) or ServerUnavailable (try again later).
 */
export async function openSandbox<T>(target: ServerTarget, steps: OpenSteps<T>): Promise<T> {
  try {
    await steps.connect();
  } catch (err) {
    await steps.close();
    // A session of ours ended once the server had accepted it: an error (session.ts), never
    // "unavailable", which would pass the change unreplayed.
    if (err instanceof SandboxRefused) throw err;
    const msg = `cannot connect to ${target.label}: ${(err as Error).message}`;
    throw steps.isConfigError(err) ? new SandboxRefused(msg) : new ServerUnavailable(msg);
  }
  try {
    return await steps.prepare();
  } catch (err) {
    await steps.close();
    if (err instanceof SandboxRefused || err instanceof ServerUnavailable) throw err;
    throw new ServerUnavailable(
      `${target.label} could not be prepared for the replay: ${(err as Error).message}`,
    );
  }
}
