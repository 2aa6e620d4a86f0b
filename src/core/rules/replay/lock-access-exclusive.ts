import type { RuleMeta } from "../types.js";

/** Reported by the sandbox replay from pg_locks: a statement takes ACCESS EXCLUSIVE on a table in use. */
export const lockAccessExclusive: RuleMeta = {
  id: "lock-access-exclusive",
  defaultSeverity: "warning",
  dialects: ["postgres"],
  category: "locking",
  description:
    "A statement takes an ACCESS EXCLUSIVE lock on an existing table or index: every query on it, reads included, waits until the migration's transaction ends.",
  saferAlternative:
    "Use a form that takes a weaker lock (CREATE INDEX CONCURRENTLY, NOT VALID then VALIDATE, a nullable column first), keep the statement alone in its file, and set lock_timeout.",
  suppressible: true,
};
