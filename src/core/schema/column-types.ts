/**
 * Column type changes judged from the old and new types: which Postgres changes need no table
 * rewrite (binary coercible with a compatible type modifier, per the ALTER TABLE docs and the
 * 9.2 release notes), and which MySQL changes narrow what a column can hold.
 */

interface TypeText {
  /** Base name, lower case, aliases resolved (character varying → varchar). */
  base: string;
  /** Type modifiers (length, precision, scale); empty when none. */
  mods: number[];
  /** MySQL UNSIGNED. */
  unsigned: boolean;
  /** Anything after the type the comparison does not understand (arrays, COLLATE…). */
  rest: string;
}

const PG_ALIASES: Record<string, string> = {
  "character varying": "varchar",
  "char varying": "varchar",
  decimal: "numeric",
  "timestamp without time zone": "timestamp",
  "timestamp with time zone": "timestamptz",
  "bit varying": "varbit",
  "pg_catalog.varchar": "varchar",
  "pg_catalog.numeric": "numeric",
  "pg_catalog.timestamp": "timestamp",
  "pg_catalog.timestamptz": "timestamptz",
  "pg_catalog.text": "text",
};

function parseType(text: string, aliases: Record<string, string>): TypeText | null {
  const t = text
    .trim()
    .toLowerCase()
    .replace(/\s+/g, " ")
    // The catalog's spelling (format_type): timestamp(3) with time zone.
    .replace(/^timestamp(\(\d+\)) with(out)? time zone$/, (_, p: string, out?: string) =>
      out ? `timestamp${p}` : `timestamptz${p}`,
    );
  const m =
    /^([a-z_][\w.]*(?: [a-z_][\w.]*)*)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?((?: unsigned| zerofill)*)(.*)$/.exec(
      t,
    );
  if (!m) return null;
  let name = m[1]!;
  let unsigned = /unsigned/.test(m[4]!);
  // `int unsigned` without a length: the words belong to the attributes, not the name.
  for (const w of [" zerofill", " unsigned", " zerofill"])
    if (name.endsWith(w)) {
      name = name.slice(0, -w.length);
      if (w === " unsigned") unsigned = true;
    }
  const mods = [m[2], m[3]].filter((x): x is string => x !== undefined).map(Number);
  return { base: aliases[name] ?? name, mods, unsigned, rest: m[5]!.trim() };
}

/**
 * Does changing a Postgres column from `from` to `to` (without USING) keep every stored value as
 * it is, so no rewrite and no index rebuild is needed? Only the documented cases count:
 * varchar(n) → varchar(m ≥ n), varchar or text; text ↔ unbounded varchar; numeric(p, s) →
 * numeric(p2 ≥ p, s) or unconstrained numeric; varbit likewise; timestamp(tz)(p) → a higher or
 * no precision. Anything else (arrays, domains, other schemas' types) is a rewrite.
 */
export function pgBinaryCompatible(from: string, to: string): boolean {
  const a = parseType(from, PG_ALIASES);
  const b = parseType(to, PG_ALIASES);
  if (!a || !b || a.rest !== "" || b.rest !== "" || a.unsigned || b.unsigned) return false;
  const textLike = (x: TypeText) => x.base === "text" || (x.base === "varchar" && x.mods.length === 0);
  if (a.base === "varchar" && (b.base === "varchar" || b.base === "text")) {
    if (textLike(b)) return true;
    return a.mods.length === 1 && b.mods[0]! >= a.mods[0]!;
  }
  if (textLike(a) && textLike(b)) return true;
  if (a.base === "varbit" && b.base === "varbit")
    return b.mods.length === 0 || (a.mods.length === 1 && b.mods[0]! >= a.mods[0]!);
  if (a.base === "numeric" && b.base === "numeric") {
    if (b.mods.length === 0) return true;
    if (a.mods.length === 0) return false;
    const [p, s = 0] = a.mods;
    const [p2, s2 = 0] = b.mods;
    return s2 === s && p2! >= p!;
  }
  if ((a.base === "timestamp" || a.base === "timestamptz") && b.base === a.base) {
    if (b.mods.length === 0) return true;
    return a.mods.length === 1 && b.mods[0]! >= a.mods[0]!;
  }
  return false;
}

const MYSQL_INT_BYTES: Record<string, number> = {
  tinyint: 1,
  smallint: 2,
  mediumint: 3,
  int: 4,
  integer: 4,
  bigint: 8,
};
const MYSQL_STRINGS = new Set(["char", "varchar", "binary", "varbinary"]);
const MYSQL_TEXTS: Record<string, number> = {
  tinytext: 1,
  text: 2,
  mediumtext: 3,
  longtext: 4,
  tinyblob: 1,
  blob: 2,
  mediumblob: 3,
  longblob: 4,
};

function mysqlType(text: string): TypeText | null {
  // The character set and collation are compared separately.
  const t = parseType(text.replace(/\b(character\s+set|charset)\s+\S+/gi, ""), {
    integer: "int",
    "character varying": "varchar",
    numeric: "decimal",
    bool: "tinyint",
    boolean: "tinyint",
  });
  return t;
}

/** Do two MySQL column types (as written) hold exactly the same values? */
export function mysqlSameType(from: string, to: string): boolean {
  const a = mysqlType(from);
  const b = mysqlType(to);
  if (!a || !b || a.rest !== b.rest) return false;
  // Display widths of integers (int(11)) change nothing stored.
  const mods = (x: TypeText) => (x.base in MYSQL_INT_BYTES ? [] : x.mods);
  return (
    a.base === b.base &&
    a.unsigned === b.unsigned &&
    JSON.stringify(mods(a)) === JSON.stringify(mods(b))
  );
}

/**
 * How a MySQL type change narrows what the column holds (`varchar(100)` → `varchar(50)`, `int` →
 * `tinyint`, a signed/unsigned switch, fewer decimal digits…), or null when it does not, or when
 * the types are not comparable here.
 */
export function mysqlNarrowing(from: string, to: string): string | null {
  const a = mysqlType(from);
  const b = mysqlType(to);
  if (!a || !b) return null;
  if (a.base in MYSQL_INT_BYTES && b.base in MYSQL_INT_BYTES) {
    const ab = MYSQL_INT_BYTES[a.base]!;
    const bb = MYSQL_INT_BYTES[b.base]!;
    if (bb < ab) return `${a.base} to the smaller ${b.base}`;
    if (a.unsigned !== b.unsigned && !(a.unsigned && bb > ab))
      return b.unsigned
        ? "a signed integer to UNSIGNED (negative values do not fit)"
        : "an UNSIGNED integer to signed (the largest values do not fit)";
    return null;
  }
  if (MYSQL_STRINGS.has(a.base) && MYSQL_STRINGS.has(b.base)) {
    if (a.mods.length === 1 && b.mods.length === 1 && b.mods[0]! < a.mods[0]!)
      return `${a.base}(${a.mods[0]}) to ${b.base}(${b.mods[0]})`;
    return null;
  }
  if (a.base in MYSQL_TEXTS && b.base in MYSQL_TEXTS)
    return MYSQL_TEXTS[b.base]! < MYSQL_TEXTS[a.base]! ? `${a.base} to ${b.base}` : null;
  if (a.base in MYSQL_TEXTS && MYSQL_STRINGS.has(b.base)) return `${a.base} to ${to.trim()}`;
  if (a.base === "decimal" && b.base === "decimal" && a.mods.length > 0 && b.mods.length > 0) {
    const [p, s = 0] = a.mods;
    const [p2, s2 = 0] = b.mods;
    if (s2 < s || p2! - s2 < p! - s) return `decimal(${p},${s}) to decimal(${p2},${s2})`;
  }
  return null;
}
