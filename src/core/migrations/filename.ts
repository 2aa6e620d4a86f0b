/**
 * golang-migrate's file-name rules (source/parse.go), reproduced exactly.
 *
 * golang-migrate matches `^([0-9]+)_(.*)\.(down|up)\.(.*)$` against the base name, reads the
 * version with strconv.ParseUint(…, 10, 64) and silently skips every name that fails either step.
 */
import type { MigrationDirection } from "../types.js";

// Go's `.` is any character but "\n"; JavaScript's also refuses "\r", U+2028 and U+2029, so a
// name holding one of those would be a migration to golang-migrate and none to us.
export const MIGRATION_NAME_REGEX = /^([0-9]+)_([^\n]*)\.(down|up)\.([^\n]*)$/;

const UINT64_MAX = (1n << 64n) - 1n;
/** Trackers store `version bigint`, and migrate converts versions to Go `int`. */
export const INT64_MAX = (1n << 63n) - 1n;

export interface ParsedMigrationName {
  version: bigint;
  /** The digits as written (leading zeros kept), for suggesting names in the same style. */
  versionText: string;
  title: string;
  direction: MigrationDirection;
  extension: string;
}

export type NameVerdict =
  /** golang-migrate loads it and nothing about the name is suspicious. */
  | { kind: "migration"; parsed: ParsedMigrationName }
  /** golang-migrate loads it, but the name is probably a mistake (backup copy, huge version…). */
  | { kind: "suspicious"; parsed: ParsedMigrationName; problem: string; fix: string }
  /** Looks like a migration, but golang-migrate silently ignores it. */
  | { kind: "ignored"; problem: string; fix: string }
  /** Not a migration and does not look like one (README.md, .gitkeep…). */
  | { kind: "unrelated" };

/** Parse exactly like golang-migrate; null when golang-migrate would skip the file. */
export function parseMigrationName(name: string): ParsedMigrationName | null {
  const m = MIGRATION_NAME_REGEX.exec(name);
  if (!m) return null;
  const version = BigInt(m[1]!);
  if (version > UINT64_MAX) return null;
  return {
    version,
    versionText: m[1]!,
    title: m[2]!,
    direction: m[3] as MigrationDirection,
    extension: m[4]!,
  };
}

/** Files whose name suggests someone meant them as a migration. */
export function looksLikeMigration(name: string): boolean {
  if (name.startsWith(".")) return false;
  if (MIGRATION_NAME_REGEX.test(name)) return true;
  if (/\.sql$/i.test(name)) return true;
  return /[._-](up|down)([._-]|$)/i.test(name);
}

/** Classify a base name the way a reviewer needs it: loaded, loaded-but-suspicious, ignored, unrelated. */
export function classifyName(name: string): NameVerdict {
  const parsed = parseMigrationName(name);
  if (parsed) {
    if (parsed.version > INT64_MAX) {
      return {
        kind: "suspicious",
        parsed,
        problem: `version ${parsed.version} does not fit a signed 64-bit integer: schema_migrations stores versions as bigint, so migrate fails when it records this version`,
        fix: "use a version of at most 19 digits, e.g. a 14-digit UTC timestamp (20060102150405)",
      };
    }
    const ext = parsed.extension.replace(/^\.+/, "").toLowerCase();
    if (ext !== "sql") {
      return {
        kind: "suspicious",
        parsed,
        problem: `golang-migrate does not check extensions, so this ${parsed.direction} file (extension "${parsed.extension}") is loaded as version ${parsed.version}; backup or editor copies collide with the real file`,
        fix: `delete the copy, or name it ${canonicalName(parsed)}`,
      };
    }
    if (/\.(up|down)\./.test(`.${parsed.title}.`)) {
      return {
        kind: "suspicious",
        parsed,
        problem: `the title "${parsed.title}" itself contains a direction; golang-migrate reads the last one, so this is a ${parsed.direction} migration`,
        fix: `name it ${canonicalName({ ...parsed, title: parsed.title.replace(/\.(up|down)(\.|$)/g, "_") })}`,
      };
    }
    return { kind: "migration", parsed };
  }
  if (!looksLikeMigration(name)) return { kind: "unrelated" };
  return { kind: "ignored", ...diagnoseIgnored(name) };
}

export function canonicalName(
  p: Pick<ParsedMigrationName, "versionText" | "title" | "direction">,
): string {
  return `${p.versionText}_${p.title || "name"}.${p.direction}.sql`;
}

const IGNORED = "golang-migrate silently ignores this file, so it never runs";

/** Explain why a migration-looking name does not match, with the nearest valid name. */
function diagnoseIgnored(name: string): { problem: string; fix: string } {
  const digits = /^([0-9]+)/.exec(name)?.[1];
  if (digits !== undefined && BigInt(digits) > UINT64_MAX) {
    return {
      problem: `${IGNORED}: version ${digits} has ${digits.length} digits and overflows golang-migrate's unsigned 64-bit version`,
      fix: "use a version of at most 19 digits, e.g. a 14-digit UTC timestamp (20060102150405)",
    };
  }
  const upper = /^([0-9]+)_(.*)\.(UP|DOWN|Up|Down|uP|dOWN|DoWn)\.(.*)$/i.exec(name);
  if (digits !== undefined && upper && !/^(up|down)$/.test(upper[3]!)) {
    return {
      problem: `${IGNORED}: the direction must be lowercase "up" or "down"`,
      fix: `rename it to ${upper[1]}_${upper[2]}.${upper[3]!.toLowerCase()}.${upper[4]}`,
    };
  }
  const underscored = /^([0-9]+)_(.*)([_-])(up|down)\.([^.]+)$/i.exec(name);
  if (underscored) {
    const [, version, title, sep, dir, ext] = underscored as unknown as string[];
    return {
      problem: `${IGNORED}: the direction must be written ".${dir!.toLowerCase()}.", not "${sep}${dir}."`,
      fix: `rename it to ${version}_${title}.${dir!.toLowerCase()}.${ext}`,
    };
  }
  if (digits !== undefined && name[digits.length] !== "_") {
    const rest = name.slice(digits.length).replace(/^[._-]+/, "");
    return {
      problem: `${IGNORED}: the version must be followed directly by "_" and a title`,
      fix: `rename it to ${digits}_${/^(up|down)\./i.test(rest) ? `name.${rest}` : rest}`,
    };
  }
  if (digits === undefined) {
    return {
      problem: `${IGNORED}: the name must start with the numeric version (golang-migrate reads \`^([0-9]+)_(.*)\\.(down|up)\\.(.*)$\`)`,
      fix: "rename it to <version>_<title>.up.sql / .down.sql, e.g. 000042_add_orders.up.sql",
    };
  }
  return {
    problem: `${IGNORED}: the name has no ".up." or ".down." direction`,
    fix: `rename it to ${name.replace(/\.sql$/i, "")}.up.sql (and add the matching .down.sql)`,
  };
}
