/**
 * How MySQL and MariaDB run each ALTER TABLE operation on an InnoDB table: which algorithms the
 * server accepts for it (INSTANT, INPLACE, COPY is always accepted), whether INPLACE rebuilds the
 * table, and whether writes may continue (LOCK=NONE). The table is data, one row per operation
 * with the manual page it comes from; `support()` picks the row's entry for a server version.
 *
 * MySQL: "Online DDL Operations" of the reference manual for 5.6, 5.7 and 8.0
 * (https://dev.mysql.com/doc/refman/8.0/en/innodb-online-ddl-operations.html, and the 5.7 and
 * 5.6 versions of that page). MariaDB: the knowledge base's "InnoDB Online DDL Operations with
 * the INSTANT / NOCOPY / INPLACE Alter Algorithm" pages
 * (https://mariadb.com/kb/en/innodb-online-ddl-operations-with-the-instant-alter-algorithm/).
 */
import { versionAtLeast, type ServerVersion } from "./parse/types.js";

export type OnlineOp =
  | "add-column"
  | "add-column-positioned"
  | "add-column-auto-increment"
  | "add-column-stored"
  | "add-column-virtual"
  | "drop-column"
  | "rename-column"
  | "change-column-type"
  | "add-index"
  | "add-fulltext-index"
  | "add-spatial-index"
  | "drop-index"
  | "rename-index"
  | "add-primary-key"
  | "drop-primary-key"
  | "replace-primary-key"
  | "add-foreign-key"
  | "add-foreign-key-checks-off"
  | "convert-charset"
  | "table-charset"
  | "null-rebuild"
  | "change-engine"
  | "row-format"
  | "order-by"
  | "set-default";

/** What the server does for one operation. COPY is always accepted. */
export interface Support {
  instant: boolean;
  inplace: boolean;
  /** INPLACE rebuilds the table (reads and rewrites every row). */
  rebuild: boolean;
  /** Writes continue while it runs (LOCK=NONE accepted). */
  dml: boolean;
}

interface Since {
  /** First version with this behaviour ("" for every version the rule knows). */
  since: string;
  s: Support;
}

interface Row {
  /** How a finding names it. */
  label: string;
  /** Ascending by `since`; the last one at or below the server's version applies. */
  mysql: Since[];
  mariadb: Since[];
  /** The online way when the server has none, or a better one. */
  alternative: string;
}

const s = (instant: boolean, inplace: boolean, rebuild: boolean, dml: boolean): Support => ({
  instant,
  inplace,
  rebuild,
  dml,
});
const COPY = s(false, false, true, false);
const METADATA = s(false, true, false, true);
const INSTANT = s(true, true, false, true);
const REBUILD = s(false, true, true, true);
const TOOL =
  "use an online schema-change tool (gh-ost or pt-online-schema-change), which copies the table in the background while writes continue";

/** One behaviour on every version. */
const always = (x: Support): Since[] => [{ since: "", s: x }];
/** `before` until a version, `after` from it on. */
const from = (before: Support, since: string, after: Support): Since[] => [
  { since: "", s: before },
  { since, s: after },
];
/** The same behaviour on every version of both servers (most operations). */
const both = (label: string, x: Support, alternative: string): Row => ({
  label,
  mysql: always(x),
  mariadb: always(x),
  alternative,
});

export const ONLINE_DDL: Record<OnlineOp, Row> = {
  // 8.0 manual, Column Operations "Adding a column" (INSTANT from 8.0.12, last position only
  // before 8.0.29); 5.6/5.7: in place with a rebuild. MariaDB KB: instant from 10.3.2 (last
  // position), any position from 10.4.
  "add-column": {
    label: "ADD COLUMN",
    mysql: from(REBUILD, "8.0.12", INSTANT),
    mariadb: from(REBUILD, "10.3.2", INSTANT),
    alternative: "add the column as the last one (MySQL 8.0.12+ adds it with ALGORITHM=INSTANT)",
  },
  // 8.0 manual, "Adding a column": FIRST/AFTER is instant only from 8.0.29; "Reordering
  // columns" rebuilds in place. MariaDB KB: instant reorder from 10.4.
  "add-column-positioned": {
    label: "ADD COLUMN … FIRST/AFTER",
    mysql: from(REBUILD, "8.0.29", INSTANT),
    mariadb: from(REBUILD, "10.4", INSTANT),
    alternative:
      "add the column last (instant from MySQL 8.0.12 / MariaDB 10.3) instead of with FIRST/AFTER",
  },
  // 8.0 manual, "Adding an auto-increment column": not in place, no concurrent DML; same in 5.6
  // and 5.7. MariaDB KB (INPLACE page): an AUTO_INCREMENT column needs COPY.
  "add-column-auto-increment": both(
    "ADD COLUMN … AUTO_INCREMENT",
    COPY,
    `create a new table with the column and copy the rows in batches, or ${TOOL}`,
  ),
  // 8.0 manual, Generated Column Operations "Adding a STORED column": COPY only (5.7 too).
  // MariaDB KB: a STORED generated column needs COPY.
  "add-column-stored": both(
    "ADD COLUMN … STORED (generated)",
    COPY,
    `add it as a VIRTUAL generated column (in place, no copy), or ${TOOL}`,
  ),
  // 8.0 manual, "Adding a VIRTUAL column": instant (8.0), in place without a rebuild (5.7).
  // MariaDB KB: in place, no rebuild.
  "add-column-virtual": {
    label: "ADD COLUMN … VIRTUAL (generated)",
    mysql: from(METADATA, "8.0.12", INSTANT),
    mariadb: always(METADATA),
    alternative: "",
  },
  // 8.0 manual, "Dropping a column": INSTANT from 8.0.29, otherwise in place with a rebuild.
  // MariaDB KB: instant from 10.4.
  "drop-column": {
    label: "DROP COLUMN",
    mysql: from(REBUILD, "8.0.29", INSTANT),
    mariadb: from(REBUILD, "10.4", INSTANT),
    alternative: `for a large table, ${TOOL}`,
  },
  // 8.0 manual, "Renaming a column": INSTANT from 8.0.28, otherwise in place without a rebuild
  // (5.6, 5.7: CHANGE keeping the type). MariaDB KB: instant from 10.3.
  "rename-column": {
    label: "RENAME COLUMN",
    mysql: from(METADATA, "8.0.28", INSTANT),
    mariadb: from(METADATA, "10.3", INSTANT),
    alternative: "",
  },
  // 8.0 manual, "Changing the column data type": COPY only, no concurrent DML (5.6, 5.7 too;
  // extending a VARCHAR within the same length-byte size is the in-place exception, 5.7+).
  // MariaDB KB: COPY except for some widenings.
  "change-column-type": both(
    "MODIFY/CHANGE COLUMN (data type)",
    COPY,
    `add a new column, backfill it in batches and switch the application to it, or ${TOOL}`,
  ),
  // 8.0 manual, Secondary Index Operations "Creating or adding a secondary index": in place,
  // no rebuild, concurrent DML (5.6+). MariaDB KB: NOCOPY.
  "add-index": both("ADD INDEX", METADATA, ""),
  // 8.0 manual, "Adding a FULLTEXT index": in place (a rebuild for the first one when the
  // table has no FTS_DOC_ID), no concurrent DML. MariaDB KB: same.
  "add-fulltext-index": both(
    "ADD FULLTEXT INDEX",
    s(false, true, true, false),
    `add it off-peak, or ${TOOL}`,
  ),
  // 8.0 manual, "Adding a SPATIAL index": in place from 5.7.5, no concurrent DML (LOCK=SHARED);
  // 5.6: COPY. MariaDB KB: in place, LOCK=SHARED.
  "add-spatial-index": {
    label: "ADD SPATIAL INDEX",
    mysql: from(COPY, "5.7.5", s(false, true, false, false)),
    mariadb: always(s(false, true, false, false)),
    alternative: `add it off-peak, or ${TOOL}`,
  },
  // 8.0 manual, "Dropping an index": in place, metadata only (5.6+).
  "drop-index": both("DROP INDEX", METADATA, ""),
  // 8.0 manual, "Renaming an index": in place, metadata only (5.7+; 5.6 has no RENAME INDEX).
  "rename-index": both("RENAME INDEX", METADATA, ""),
  // 8.0 manual, Primary Key Operations "Adding a primary key": in place with a rebuild and
  // concurrent DML; not in place when columns must become NOT NULL (the rule then uses COPY).
  // MariaDB KB (INPLACE page): same.
  "add-primary-key": both("ADD PRIMARY KEY", REBUILD, `for a large table, ${TOOL}`),
  // 8.0 manual, "Dropping a primary key": COPY only, unless a new one is added in the same
  // statement. MariaDB KB: same.
  "drop-primary-key": both(
    "DROP PRIMARY KEY (without adding one)",
    COPY,
    "drop and add the primary key in the same ALTER TABLE (DROP PRIMARY KEY, ADD PRIMARY KEY (…) runs in place with LOCK=NONE)",
  ),
  // 8.0 manual, "Dropping a primary key and adding another": in place, rebuild, concurrent DML.
  "replace-primary-key": both(
    "DROP PRIMARY KEY, ADD PRIMARY KEY",
    REBUILD,
    `for a large table, ${TOOL}`,
  ),
  // 8.0 manual, Foreign Key Operations "Adding a foreign key constraint": INPLACE only with
  // foreign_key_checks disabled, otherwise COPY (rule add-foreign-key-validated reports it).
  "add-foreign-key": both(
    "ADD FOREIGN KEY",
    COPY,
    "SET foreign_key_checks = 0 before it (in place, no copy) once the data is known to be valid",
  ),
  "add-foreign-key-checks-off": both("ADD FOREIGN KEY (foreign_key_checks off)", METADATA, ""),
  // 8.0 manual, Table Operations "Converting a character set": COPY only (5.6+). MariaDB KB:
  // COPY (except for instant cases of 10.6 that depend on the columns' current collation).
  "convert-charset": both(
    "CONVERT TO CHARACTER SET",
    COPY,
    `${TOOL}; or convert the columns one by one off-peak`,
  ),
  // 8.0 manual, "Specifying a character set": in place, a rebuild when the encoding differs,
  // no concurrent DML. 5.6: COPY.
  "table-charset": {
    label: "table CHARACTER SET",
    mysql: from(COPY, "5.7", s(false, true, true, false)),
    mariadb: always(s(false, true, true, false)),
    alternative: `${TOOL}, or off-peak`,
  },
  // 8.0 manual, "Rebuilding a table with the FORCE option" / "Performing a null rebuild"
  // (ENGINE=InnoDB on an InnoDB table) / OPTIMIZE TABLE: in place from 5.6.17, concurrent DML.
  "null-rebuild": {
    label: "table rebuild (FORCE / ENGINE=InnoDB)",
    mysql: from(COPY, "5.6.17", REBUILD),
    mariadb: always(REBUILD),
    alternative: `for a large table, ${TOOL}`,
  },
  // 8.0 manual, ALTER TABLE "Storage engine": changing the engine always copies.
  "change-engine": both("ENGINE change", COPY, TOOL),
  // 8.0 manual, "Changing the ROW_FORMAT" / "Changing the KEY_BLOCK_SIZE": in place, rebuild,
  // concurrent DML.
  "row-format": both("ROW_FORMAT / KEY_BLOCK_SIZE", REBUILD, `for a large table, ${TOOL}`),
  // ALTER TABLE … ORDER BY is a copy (8.0 manual, ALTER TABLE "ORDER BY"; ignored by InnoDB
  // when there is a primary key, but still rebuilt with COPY).
  "order-by": both(
    "ORDER BY",
    COPY,
    "drop ORDER BY: InnoDB keeps rows in primary key order anyway",
  ),
  // 8.0 manual, "Setting a column default value" / "Dropping a column default value": instant
  // (8.0), metadata only (5.6+).
  "set-default": {
    label: "SET/DROP DEFAULT",
    mysql: from(METADATA, "8.0.12", INSTANT),
    mariadb: from(METADATA, "10.3", INSTANT),
    alternative: "",
  },
};

export type Engine = "mysql" | "mariadb";

/** The server a directory's `databaseVersion` names; the oldest one judged when it is absent. */
export interface Server {
  engine: Engine;
  version: ServerVersion;
  /** How messages name it ("MySQL 8.0.29", "MariaDB 10.6"). */
  label: string;
  /** No databaseVersion: judged for the oldest supported server (MySQL 5.6). */
  assumed: boolean;
}

/** MySQL never had a 10.x or later release; MariaDB did (as in parse/mysql.ts). */
export function mysqlServer(version: ServerVersion | null, written?: string): Server {
  if (!version)
    return {
      engine: "mysql",
      version: { major: 5, minor: 6, patch: 0 },
      label: "MySQL 5.6",
      assumed: true,
    };
  const engine: Engine = version.major >= 10 ? "mariadb" : "mysql";
  const name = engine === "mariadb" ? "MariaDB" : "MySQL";
  return {
    engine,
    version,
    label: `${name} ${written ?? `${version.major}.${version.minor}.${version.patch}`}`,
    assumed: false,
  };
}

function parse(v: string): ServerVersion {
  const [a = 0, b = 0, c = 0] = v.split(".").map(Number);
  return { major: a, minor: b, patch: c };
}

/** What the server does for `op`. */
export function support(op: OnlineOp, server: Server): Support {
  const rows = ONLINE_DDL[op][server.engine];
  let out = rows[0]!.s;
  for (const r of rows)
    if (r.since === "" || versionAtLeast(server.version, ...triple(r.since))) out = r.s;
  return out;
}

function triple(v: string): [number, number, number] {
  const p = parse(v);
  return [p.major, p.minor, p.patch];
}

/** The algorithm MySQL picks by default: the fastest the operation supports. */
export function defaultAlgorithm(x: Support): "INSTANT" | "INPLACE" | "COPY" {
  return x.instant ? "INSTANT" : x.inplace ? "INPLACE" : "COPY";
}

/**
 * Why the server rejects an explicit `ALGORITHM=`/`LOCK=` for an operation (null: accepted).
 * INSTANT exists from MySQL 8.0.12 and MariaDB 10.3.2, NOCOPY in MariaDB 10.3.2+ only.
 */
export function rejects(
  op: OnlineOp,
  server: Server,
  algorithm: string | undefined,
  lock: string | undefined,
): string | null {
  const x = support(op, server);
  const label = ONLINE_DDL[op].label;
  const hasInstant =
    server.engine === "mysql"
      ? versionAtLeast(server.version, 8, 0, 12)
      : versionAtLeast(server.version, 10, 3, 2);
  switch (algorithm) {
    case "INSTANT":
      if (!hasInstant) return `${server.label} has no ALGORITHM=INSTANT`;
      if (!x.instant) return `${label} cannot run with ALGORITHM=INSTANT on ${server.label}`;
      break;
    case "NOCOPY":
      if (server.engine === "mysql" || !hasInstant)
        return `${server.label} has no ALGORITHM=NOCOPY`;
      if (!x.instant && !(x.inplace && !x.rebuild))
        return `${label} cannot run with ALGORITHM=NOCOPY on ${server.label} (it rebuilds the table)`;
      break;
    case "INPLACE":
      if (!x.inplace && !x.instant)
        return `${label} cannot run with ALGORITHM=INPLACE on ${server.label} (only COPY)`;
      break;
    default:
  }
  // LOCK=NONE needs concurrent DML; with ALGORITHM=COPY no operation allows it.
  if (lock === "NONE" && (!x.dml || algorithm === "COPY" || (!x.inplace && !x.instant)))
    return `${label} cannot run with LOCK=NONE on ${server.label}${
      algorithm === "COPY" || (!x.inplace && !x.instant)
        ? " (a table copy blocks writes)"
        : " (it blocks writes)"
    }`;
  return null;
}
