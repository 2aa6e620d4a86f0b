/**
 * PostgreSQL table-level lock modes (docs: "Explicit Locking", table 13.2) and what each one
 * makes other sessions wait for, in the words a reviewer needs.
 */

export const LOCK_MODES = [
  "AccessShareLock",
  "RowShareLock",
  "RowExclusiveLock",
  "ShareUpdateExclusiveLock",
  "ShareLock",
  "ShareRowExclusiveLock",
  "ExclusiveLock",
  "AccessExclusiveLock",
] as const;
export type LockMode = (typeof LOCK_MODES)[number];

export function isLockMode(s: string): s is LockMode {
  return (LOCK_MODES as readonly string[]).includes(s);
}

/** "AccessExclusiveLock" → "ACCESS EXCLUSIVE", as the SQL LOCK command spells it. */
export function lockName(mode: LockMode): string {
  return mode
    .replace(/Lock$/, "")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toUpperCase();
}

const BLOCKS: Record<LockMode, string> = {
  AccessShareLock: "only ACCESS EXCLUSIVE (DDL that rewrites or drops the table)",
  RowShareLock: "EXCLUSIVE and ACCESS EXCLUSIVE locks",
  RowExclusiveLock: "SHARE and stronger locks (CREATE INDEX, most ALTER TABLE)",
  ShareUpdateExclusiveLock:
    "VACUUM, ANALYZE, CREATE INDEX CONCURRENTLY and other DDL; reads and writes continue",
  ShareLock: "INSERT, UPDATE and DELETE (reads continue)",
  ShareRowExclusiveLock: "INSERT, UPDATE and DELETE (reads continue)",
  ExclusiveLock: "INSERT, UPDATE, DELETE and SELECT … FOR UPDATE (plain reads continue)",
  AccessExclusiveLock: "every query on it, SELECT included",
};

export function lockBlocks(mode: LockMode): string {
  return BLOCKS[mode];
}

/** Modes that stop application writes: worth a line in the lock report. */
export function blocksWrites(mode: LockMode): boolean {
  return LOCK_MODES.indexOf(mode) >= LOCK_MODES.indexOf("ShareLock");
}

/** Strongest first. */
export function compareModes(a: LockMode, b: LockMode): number {
  return LOCK_MODES.indexOf(b) - LOCK_MODES.indexOf(a);
}
