import { ruleMeta, type ProducedFinding } from "../types.js";

export interface ObservedLock {
  path: string;
  startLine: number;
  endLine: number;
  /** The statement as run. */
  sql: string;
  /** The locked relations, described (kind and name). */
  relations: string;
  multiStatement: boolean;
  /** How many statements follow it in its file (they run in the same transaction). */
  later: number;
}

/** Reported by the sandbox replay from pg_locks: a statement takes ACCESS EXCLUSIVE on a table in use. */
export const lockAccessExclusive = {
  meta: ruleMeta({
    id: "lock-access-exclusive",
    defaultSeverity: "warning",
    dialects: ["postgres"],
    category: "locking",
    description:
      "A statement takes an ACCESS EXCLUSIVE lock on an existing table or index: every query on it, reads included, waits until the migration's transaction ends.",
    saferAlternative:
      "Use a form that takes a weaker lock (CREATE INDEX CONCURRENTLY, NOT VALID then VALIDATE, a nullable column first), keep the statement alone in its file, and set lock_timeout.",
    suppressible: true,
  }),
  report(l: ObservedLock): ProducedFinding<"lock-access-exclusive"> {
    const held =
      l.multiStatement || l.later === 0
        ? "until the statement ends"
        : `until the file's transaction commits, which also covers the ${l.later} statement${l.later === 1 ? "" : "s"} after it in this file`;
    return {
      ruleId: "lock-access-exclusive",
      path: l.path,
      startLine: l.startLine,
      endLine: l.endLine,
      message: `\`${l.sql}\` takes an ACCESS EXCLUSIVE lock on ${l.relations} (observed in the sandbox): every query on it, SELECT included, waits ${held}. While it waits for the lock behind a long transaction, every query queued after it waits too.`,
      suggestion:
        "Prefer a form that takes a weaker lock (CREATE INDEX CONCURRENTLY, ADD CONSTRAINT … NOT VALID then VALIDATE, a nullable column without a volatile default), keep such statements alone in their file, and start the file with SET lock_timeout = '5s' so a blocked migration fails fast instead of stalling traffic.",
    };
  },
};
