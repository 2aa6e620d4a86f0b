/**
 * Guess a migration directory's SQL dialect from its files, and say how sure the guess is.
 *
 * Each dialect has telltale syntax (MySQL's AUTO_INCREMENT and backtick identifiers, SQLite's
 * AUTOINCREMENT and PRAGMA, ClickHouse's MergeTree engines, CockroachDB's unique_rowid() …). A
 * signal counts once per file it appears in, with diminishing weight for more files, so one
 * dialect-specific line does not outvote a directory that says the opposite everywhere else.
 * Comments and string literals are removed first: a comment mentioning "mysql" is no evidence.
 */
import type { Dialect } from "../../core/types.js";

interface Signal {
  dialect: Dialect;
  label: string;
  weight: number;
  re: RegExp;
}

const sig = (dialect: Dialect, weight: number, label: string, re: RegExp): Signal => ({
  dialect,
  weight,
  label,
  re,
});

const SIGNALS: readonly Signal[] = [
  // PostgreSQL
  sig("postgres", 3, "JSONB", /\bjsonb\b/i),
  sig("postgres", 2, "SERIAL", /\b(?:big|small)?serial\b/i),
  sig("postgres", 2, "TIMESTAMPTZ", /\btimestamptz\b|\btimestamp\s+with\s+time\s+zone\b/i),
  sig("postgres", 2, ":: casts", /::\s*[a-z_][a-z0-9_]*/i),
  sig("postgres", 3, "PL/pgSQL", /\blanguage\s+'?plpgsql\b/i),
  sig("postgres", 2, "$$ bodies", /\$[a-z_]*\$/i),
  sig("postgres", 3, "CREATE EXTENSION", /\bcreate\s+extension\b/i),
  sig("postgres", 2, "CONCURRENTLY", /\bconcurrently\b/i),
  sig("postgres", 2, "CREATE TYPE … AS ENUM", /\bcreate\s+type\s+\S+\s+as\s+enum\b/i),
  sig("postgres", 3, "GIN/GiST/BRIN indexes", /\busing\s+(?:gin|gist|brin|spgist)\b/i),
  sig("postgres", 2, "BYTEA", /\bbytea\b/i),
  sig("postgres", 2, "TSVECTOR/CITEXT", /\b(?:tsvector|citext|inet|cidr)\b/i),
  sig("postgres", 1, "ON CONFLICT", /\bon\s+conflict\b/i),
  sig("postgres", 1, "COMMENT ON", /\bcomment\s+on\s+(?:table|column|index)\b/i),
  sig("postgres", 1, "RETURNING", /\breturning\b/i),
  // MySQL / MariaDB
  sig("mysql", 4, "AUTO_INCREMENT", /\bauto_increment\b/i),
  sig("mysql", 4, "ENGINE=InnoDB", /\bengine\s*=\s*(?:innodb|myisam|aria)\b/i),
  sig("mysql", 3, "backtick identifiers", /`[^`\n]+`/),
  sig("mysql", 2, "CHARSET", /\b(?:default\s+)?(?:charset|character\s+set)\s*=?\s*utf8/i),
  sig("mysql", 2, "utf8mb4 collations", /\bcollate\s*=?\s*['"]?utf8mb4/i),
  sig("mysql", 2, "UNSIGNED", /\bunsigned\b/i),
  sig("mysql", 2, "TINYINT/MEDIUMTEXT/LONGTEXT", /\b(?:tiny|medium|long)(?:int|text|blob)\b/i),
  sig("mysql", 2, "MODIFY COLUMN", /\balter\s+table\s+\S+\s+modify\b/i),
  sig("mysql", 3, "ON UPDATE CURRENT_TIMESTAMP", /\bon\s+update\s+current_timestamp\b/i),
  sig("mysql", 3, "versioned comments /*!…*/", /\/\*!\d{5}/),
  // SQLite
  sig("sqlite", 4, "AUTOINCREMENT", /\bautoincrement\b/i),
  sig("sqlite", 3, "PRAGMA", /\bpragma\s+\w+/i),
  sig("sqlite", 4, "WITHOUT ROWID", /\bwithout\s+rowid\b/i),
  sig("sqlite", 3, "STRICT tables", /\)\s*strict\s*(?:,\s*without\s+rowid\s*)?;/i),
  sig("sqlite", 3, "sqlite_ names", /\bsqlite_\w+/i),
  sig("sqlite", 1, "INTEGER/TEXT PRIMARY KEY columns", /\b(?:integer|text)\s+primary\s+key\b/i),
  // CockroachDB
  sig("cockroachdb", 5, "unique_rowid()", /\bunique_rowid\s*\(/i),
  sig("cockroachdb", 5, "INTERLEAVE IN PARENT", /\binterleave\s+in\s+parent\b/i),
  sig("cockroachdb", 5, "crdb_internal", /\bcrdb_internal\b/i),
  sig("cockroachdb", 5, "hash-sharded indexes", /\busing\s+hash\s+with\b|\bbucket_count\b/i),
  sig("cockroachdb", 5, "CONFIGURE ZONE", /\bconfigure\s+zone\b/i),
  sig("cockroachdb", 4, "INVERTED INDEX", /\binverted\s+index\b/i),
  sig(
    "cockroachdb",
    3,
    "STRING columns",
    /\b\w+\s+(?:STRING|string)\s*(?:[,)]|not\b|null\b|default\b)/,
  ),
  sig("cockroachdb", 3, "column families", /\bfamily\s+\w*\s*\(/i),
  // ClickHouse
  sig("clickhouse", 5, "MergeTree engines", /\bengine\s*=\s*\w*mergetree\b/i),
  sig("clickhouse", 4, "ON CLUSTER", /\bon\s+cluster\b/i),
  sig(
    "clickhouse",
    3,
    "ClickHouse types",
    /\b(?:LowCardinality|Nullable|DateTime64|U?Int(?:8|16|32|64|128|256)|Float(?:32|64))\b/,
  ),
  sig(
    "clickhouse",
    4,
    "PARTITION BY toYYYYMM",
    /\bpartition\s+by\s+to(?:yyyymm|yyyymmdd|date|startof)/i,
  ),
  sig("clickhouse", 3, "Distributed/Kafka engines", /\bengine\s*=\s*(?:distributed|kafka)\s*\(/i),
];

/** A file name's own dialect hint (`1_x.mysql.up.sql`, used by tools that keep several). */
const NAME_HINT: ReadonlyArray<[RegExp, Dialect]> = [
  [/\.(?:postgres|postgresql|pg)$/i, "postgres"],
  [/\.(?:mysql|mariadb)$/i, "mysql"],
  [/\.(?:sqlite3?)$/i, "sqlite"],
  [/\.(?:cockroach|cockroachdb|crdb)$/i, "cockroachdb"],
  [/\.clickhouse$/i, "clickhouse"],
];

export type Confidence = "high" | "medium" | "low" | "none";

export interface DialectGuess {
  dialect: Dialect;
  confidence: Confidence;
  /** The winning dialect's share of all evidence, 0–1 (0 when there was none). */
  share: number;
  /** What pointed at the winner: "AUTO_INCREMENT (4 files)". */
  evidence: string[];
  /** Other dialects with evidence, strongest first. */
  others: Array<{ dialect: Dialect; share: number; evidence: string[] }>;
  /** Dialects the file names themselves name, when several (a multi-dialect directory). */
  namedDialects: Dialect[];
  files: number;
}

export interface SqlFile {
  /** Migration title (the part between the version and the direction), for name hints. */
  title: string;
  text: string;
}

/** SQL without comments and string literals (so their words are not evidence). */
export function stripForGuess(sql: string): string {
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "-" && next === "-") {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? sql.length : end;
    } else if (c === "#" && (i === 0 || sql[i - 1] === "\n")) {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? sql.length : end;
    } else if (c === "/" && next === "*") {
      // MySQL runs the body of a versioned comment: keep its marker and body.
      if (sql[i + 2] === "!") {
        out += "/*!";
        i += 3;
        continue;
      }
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? sql.length : end + 2;
      out += " ";
    } else if (c === "'") {
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === "\\" && j + 1 < sql.length) j += 2;
        else if (sql[j] === "'" && sql[j + 1] === "'") j += 2;
        else if (sql[j] === "'") break;
        else j++;
      }
      out += "''";
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

export function guessDialect(files: readonly SqlFile[]): DialectGuess {
  const hits = new Map<Signal, number>();
  const named = new Map<Dialect, number>();
  for (const f of files) {
    const text = stripForGuess(f.text);
    for (const s of SIGNALS) if (s.re.test(text)) hits.set(s, (hits.get(s) ?? 0) + 1);
    for (const [re, d] of NAME_HINT) if (re.test(f.title)) named.set(d, (named.get(d) ?? 0) + 1);
  }
  const score = new Map<Dialect, number>();
  const evidence = new Map<Dialect, Array<{ label: string; points: number; files: number }>>();
  const add = (d: Dialect, label: string, weight: number, n: number) => {
    // 1 file: the weight; every doubling of the files adds the weight again.
    const points = weight * (1 + Math.log2(n));
    score.set(d, (score.get(d) ?? 0) + points);
    const list = evidence.get(d) ?? [];
    list.push({ label, points, files: n });
    evidence.set(d, list);
  };
  for (const [s, n] of hits) add(s.dialect, s.label, s.weight, n);
  for (const [d, n] of named) add(d, "file names", 3, n);

  const total = [...score.values()].reduce((a, b) => a + b, 0);
  const ranked = [...score.entries()].sort((a, b) => b[1] - a[1]);
  const words = (d: Dialect) =>
    (evidence.get(d) ?? [])
      .sort((a, b) => b.points - a.points)
      .map((e) => `${e.label} (${e.files} file${e.files === 1 ? "" : "s"})`);
  const namedDialects = named.size > 1 ? [...named.keys()] : [];
  if (ranked.length === 0) {
    return {
      dialect: "postgres",
      confidence: "none",
      share: 0,
      evidence: [],
      others: [],
      namedDialects,
      files: files.length,
    };
  }
  const [winner, top] = ranked[0]!;
  const share = top / total;
  const signals = evidence.get(winner)!.length;
  const confidence: Confidence =
    namedDialects.length > 0
      ? "low"
      : share >= 0.85 && (signals >= 2 || top >= 8)
        ? "high"
        : share >= 0.6
          ? "medium"
          : "low";
  return {
    dialect: winner,
    confidence,
    share,
    evidence: words(winner),
    others: ranked.slice(1).map(([d, s]) => ({ dialect: d, share: s / total, evidence: words(d) })),
    namedDialects,
    files: files.length,
  };
}
