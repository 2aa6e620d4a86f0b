/**
 * Which relations a Postgres statement locks, and how strongly, for the lock findings: the
 * relations that exist before the change's first statement (pg_class; a table the change creates
 * blocks nobody), then the session's granted relation locks (pg_locks) after each statement. Read
 * over the migrations' own connection, between the statements of one transaction; catalog reads
 * only, like the fingerprint.
 */
import { compareModes, isLockMode, type LockMode } from "../locks.js";
import type { RelationLock } from "../types.js";
import type { CatalogQuery } from "./catalog.js";
import { relationKindName, USER_NAMESPACES } from "./postgres.js";

interface ExistingRelation {
  name: string;
  kind: string;
  /** An index's table. */
  table?: string;
}

export class PostgresLockObserver {
  private existing = new Map<number, ExistingRelation>();

  constructor(private readonly query: CatalogQuery) {}

  /** Remember the relations that exist now: locks are reported only on these. */
  async markExisting(): Promise<void> {
    const { rows } = await this.query(
      `SELECT c.oid::int8, n.nspname || '.' || c.relname, c.relkind::text,
              (SELECT tn.nspname || '.' || tc.relname FROM pg_index i
                 JOIN pg_class tc ON tc.oid = i.indrelid JOIN pg_namespace tn ON tn.oid = tc.relnamespace
                 WHERE i.indexrelid = c.oid)
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE ${USER_NAMESPACES} AND c.relkind IN ('r','p','v','m','f','i','I','S')`,
    );
    this.existing = new Map();
    for (const [oid, name, kind, table] of rows as Array<
      [number | string, string, string, string | null]
    >) {
      const rel: ExistingRelation = { name, kind: relationKindName(kind) };
      if (table) rel.table = table;
      this.existing.set(Number(oid), rel);
    }
  }

  /** The relation locks this session holds now, as "oid:mode" keys. */
  async held(): Promise<Set<string>> {
    const { rows } = await this.query(
      // Read inside the migration's transaction, with its search_path: every name qualified
      // (a temporary or public view named pg_locks, an `=` of its own, would answer instead).
      `SELECT l.relation::pg_catalog.int8, l.mode FROM pg_catalog.pg_locks l
        WHERE l.locktype OPERATOR(pg_catalog.=) 'relation'
          AND l.pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid() AND l.granted
          AND l.database OPERATOR(pg_catalog.=) (SELECT d.oid FROM pg_catalog.pg_database d
                WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database())`,
    );
    return new Set(rows.map(([oid, mode]) => `${Number(oid)}:${String(mode)}`));
  }

  /** Strongest new lock per pre-existing relation, strongest first, tables before indexes. */
  describe(keys: readonly string[]): RelationLock[] {
    const best = new Map<number, LockMode>();
    for (const k of keys) {
      const [oidText, mode] = k.split(":") as [string, string];
      const oid = Number(oidText);
      if (!this.existing.has(oid) || !isLockMode(mode)) continue;
      const prev = best.get(oid);
      if (!prev || compareModes(mode, prev) < 0) best.set(oid, mode);
    }
    const out: RelationLock[] = [];
    for (const [oid, mode] of best) {
      const rel = this.existing.get(oid)!;
      const l: RelationLock = { relation: rel.name, relationKind: rel.kind, mode };
      if (rel.table) l.table = rel.table;
      out.push(l);
    }
    return out.sort(
      (a, b) =>
        compareModes(a.mode, b.mode) ||
        Number(a.relationKind === "index") - Number(b.relationKind === "index") ||
        (a.relation < b.relation ? -1 : 1),
    );
  }
}
