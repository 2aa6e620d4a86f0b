/**
 * The expected schema (the repository's migrations replayed up to the live version) against the
 * live one, as drift differences: each object added outside migrations, missing, or changed, with
 * both definitions. What is not the application's is left out and counted:
 *
 * - extensions no migration creates (the operator's: pg_stat_statements on the server, or the
 *   sandbox's own), like the replay leaves out extensions of other roles;
 * - extension versions: the sandbox's build decides the expected one, not the migrations;
 * - objects matching `drift.ignore` (globs over the parts of object names, not their text; an
 *   ignored table takes its columns, indexes, constraints and triggers with it).
 */
import {
  describeObject,
  diffSchemas,
  namePart,
  nameParts,
  qualifiedName,
  type AttrValue,
  type ObjectKind,
  type Schema,
  type SchemaChange,
} from "../schema.js";
import { globMatcher as namePatterns } from "../../core/glob.js";
import { sameViewDefinition } from "./view-definition.js";

export type DifferenceKind = "added" | "missing" | "changed";

/** One difference, as the JSON output names it. */
export interface DriftDifference {
  kind: ObjectKind;
  /** Qualified name ("public.users.email"; MySQL and SQLite names are the database's own). */
  object: string;
  change: DifferenceKind;
  /** The definition the migrations give (null: they do not create it). */
  expected: string | null;
  /** The live definition (null: it is not there). */
  actual: string | null;
}

export interface CompareOptions {
  /** `drift.ignore` globs. */
  ignore: readonly string[];
  /** Extensions that some migration up to the live version creates. */
  migrationExtensions: ReadonlySet<string>;
  /** How names are built (schema-qualified on Postgres); default postgres. */
  dialect?: "postgres" | "mysql" | "sqlite";
}

export interface Comparison {
  differences: DriftDifference[];
  /** Left out: by drift.ignore, as the operator's extensions, as engine versions. */
  ignored: { byConfig: string[]; operator: string[]; engine: string[] };
}

/** `*` any run of characters but ".", `**` anything, `?` one character but ".". */
export function globMatcher(patterns: readonly string[]): (name: string) => boolean {
  const m = partsMatcher(patterns);
  return (name) => m(splitName(name));
}

/** A fingerprint's name as parts; a function's `(arguments)` stay with the last. */
function splitName(name: string): string[] {
  const { parts, rest } = nameParts(name);
  if (rest !== "") parts[parts.length - 1] += rest;
  return parts;
}

/**
 * Joins a name's parts: a character no Postgres, MySQL or SQLite identifier holds, so a glob's `*`
 * (which stops at it) cannot run from one part into the next however the parts are spelled.
 */
const PART = "\0";

/** A pattern's parts: split at dots outside double quotes; `""` in quotes is one `"`. */
function patternParts(pattern: string): string[] {
  const parts: string[] = [];
  let part = "";
  let quoted = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '"') {
      if (quoted && pattern[i + 1] === '"') {
        part += '"';
        i++;
      } else quoted = !quoted;
    } else if (ch === "." && !quoted) {
      parts.push(part);
      part = "";
    } else part += ch;
  }
  parts.push(part);
  return parts;
}

/**
 * `drift.ignore` over a name's parts (schema, table, column…): `*` any run of characters within a
 * part, `**` anything (across parts too), `?` one character of a part. A dot in a pattern separates
 * parts unless it is in double quotes (`public."audit.x"`), so `audit.*` (schema audit, any table)
 * never matches the table `public."audit.x"`, whose name merely reads like it.
 */
export function partsMatcher(patterns: readonly string[]): (parts: readonly string[]) => boolean {
  const m = namePatterns(
    patterns.map((p) => patternParts(p).join(PART)),
    PART,
  );
  return (parts) => m(parts.join(PART));
}

/** A `drift.ignore` pattern that names a grantee, as privilege objects are named ("… TO role"). */
const GRANTEE_PATTERN = / TO [^.]*$/;

/** Attributes a one-line description already shows. */
const DESCRIBED = new Set([
  "type",
  "notNull",
  "default",
  "identity",
  "generated",
  "definition",
  "values",
  "version",
  "valid",
  "indexValid",
]);

function show(v: AttrValue): string {
  return v === null ? "none" : String(v);
}

/** An object's definition as one line; `also` names attributes to spell out besides. */
export function definitionOf(
  kind: ObjectKind,
  attrs: Record<string, AttrValue>,
  also: readonly string[] = [],
): string {
  let text = describeObject(kind, attrs);
  if (!text && typeof attrs["~definition"] === "string") text = attrs["~definition"];
  const extra = (text ? also.filter((a) => !DESCRIBED.has(a)) : Object.keys(attrs))
    .filter((a) => !a.startsWith("~"))
    .map((a) => `${a}: ${show(attrs[a] ?? null)}`);
  if (!text) return extra.join(", ") || kind;
  return extra.length > 0 ? `${text} (${extra.join(", ")})` : text;
}

/** Table attributes that say nothing when they have these values. */
const PLAIN_TABLE: Record<string, AttrValue> = {
  persistence: "permanent",
  rowSecurity: "disabled",
  options: null,
  systemVersioned: false,
};

/** A whole table for an added or missing one: its columns, and what is unusual about it. */
function tableDefinition(schema: Schema, name: string, attrs: Record<string, AttrValue>): string {
  if (typeof attrs["~definition"] === "string") return attrs["~definition"]; // SQLite's CREATE text
  const columns = Object.values(schema)
    .filter((o) => o.kind === "column" && o.table === name)
    .map((o) => `${o.name.slice(name.length + 1)} ${describeObject("column", o.attrs)}`);
  const rest = Object.entries(attrs)
    .filter(([k, v]) => !k.startsWith("~") && (!(k in PLAIN_TABLE) || PLAIN_TABLE[k] !== v))
    .map(([k, v]) => `${k}: ${show(v)}`);
  return [`(${columns.join(", ")})`, ...rest].join(" ");
}

function toDifference(c: SchemaChange, expected: Schema, live: Schema): DriftDifference {
  const object = c.name;
  const whole = (side: Schema) =>
    c.kind === "table" ? tableDefinition(side, c.name, c.attrs) : definitionOf(c.kind, c.attrs);
  if (c.change === "added")
    return { kind: c.kind, object, change: "added", expected: null, actual: whole(live) };
  if (c.change === "removed")
    return { kind: c.kind, object, change: "missing", expected: whole(expected), actual: null };
  const before: Record<string, AttrValue> = { ...c.attrs };
  for (const x of c.changes!) before[x.attr] = x.before;
  const attrs = c.changes!.map((x) => x.attr);
  return {
    kind: c.kind,
    object,
    change: "changed",
    expected: definitionOf(c.kind, before, attrs),
    actual: definitionOf(c.kind, c.attrs, attrs),
  };
}

/**
 * A name as parts (schema, table, column…). Fingerprints quote a part that holds a dot or a quote
 * (schema.ts namePart), so `public."audit.x"` is the table "audit.x" of schema public and
 * `"public.audit".x` the table x of schema "public.audit": one reading each. Objects of a table
 * (columns, triggers…) are their table's parts and one more; a function's arguments stay with its
 * name's last part (`f(integer)`).
 */
function nameReadings(
  dialect: NonNullable<CompareOptions["dialect"]>,
): (kind: ObjectKind, name: string, table?: string) => string[][] {
  return (kind, name, table) => {
    if (table !== undefined && name.startsWith(`${table}.`)) {
      const local = name.slice(table.length + 1);
      // A part the fingerprint made (SQLite's `pkey(a,b)`) is kept whole, quoted or not.
      const { parts, rest } = nameParts(local);
      const last = parts.length === 1 && rest === "" ? parts[0]! : local;
      return [[...splitName(table), last]];
    }
    if (dialect === "postgres" && kind === "extension") return [[name]];
    return [splitName(name)];
  };
}

export function compareSchemas(expected: Schema, live: Schema, opts: CompareOptions): Comparison {
  const dialect = opts.dialect ?? "postgres";
  // A pattern naming a grantee (`** TO reporting`) is about privileges: it never leaves out a
  // table or column made by hand with " TO reporting" in its name.
  const grantPatterns = opts.ignore.filter((p) => GRANTEE_PATTERN.test(p));
  const allParts = partsMatcher(opts.ignore);
  const objectParts = partsMatcher(opts.ignore.filter((p) => !GRANTEE_PATTERN.test(p)));
  const readings = nameReadings(dialect);
  // Ignored only when every reading of the name matches: an ambiguous one is compared.
  const matches = (kind: ObjectKind, name: string | undefined, table?: string) => {
    if (opts.ignore.length === 0 || name === undefined) return false;
    const ignoredParts =
      kind === "privilege" || grantPatterns.length === 0 ? allParts : objectParts;
    return readings(kind, name, table).every(
      (p) =>
        ignoredParts(p) ||
        (dialect === "postgres" && p[0] === "public" && ignoredParts(p.slice(1))),
    );
  };
  const ignored: Comparison["ignored"] = { byConfig: [], operator: [], engine: [] };
  const differences: DriftDifference[] = [];
  for (const c of diffSchemas(expected, live)) {
    const label = `${c.kind} ${c.name}`;
    if (matches(c.kind, c.name, c.table) || matches("table", c.table)) {
      ignored.byConfig.push(label);
      continue;
    }
    if (c.kind === "extension") {
      if (c.change !== "changed" && !opts.migrationExtensions.has(c.name.toLowerCase())) {
        ignored.operator.push(label);
        continue;
      }
      if (c.change === "changed") {
        // Members are compared one by one below.
        const rest = c.changes!.filter((x) => x.attr !== "version" && x.attr !== "members");
        if (c.changes!.some((x) => x.attr === "version")) ignored.engine.push(label);
        if (rest.length === 0) continue;
        c.changes = rest;
      }
    }
    if (
      c.change === "changed" &&
      (c.kind === "view" || c.kind === "materialized-view") &&
      (opts.dialect ?? "postgres") === "postgres"
    ) {
      // A one-table view as PostgreSQL 15 and 16+ print it (view-definition.ts).
      const rest = c.changes!.filter(
        (x) =>
          !(
            x.attr === "definition" &&
            typeof x.before === "string" &&
            typeof x.after === "string" &&
            sameViewDefinition(x.before, x.after)
          ),
      );
      if (rest.length === 0) continue;
      c.changes = rest;
    }
    differences.push(toDifference(c, expected, live));
  }
  for (const d of memberDifferences(expected, live)) {
    if (matches(d.kind, d.object)) ignored.byConfig.push(`${d.kind} ${d.object}`);
    else differences.push(d);
  }
  return { differences, ignored };
}

/** pg_identify_object's object types → the fingerprint's kinds. */
const MEMBER_KINDS: Record<string, ObjectKind> = {
  table: "table",
  view: "view",
  "materialized view": "materialized-view",
  "foreign table": "foreign-table",
  sequence: "sequence",
  function: "function",
  procedure: "function",
  aggregate: "function",
  type: "type",
  schema: "schema",
};
/** Kinds an extension's new version may add members of: only relations are compared then. */
const RELATIONS = new Set(["table", "view", "materialized view", "foreign table", "sequence"]);
/** What holds rows, which an extension no migration creates rarely owns in the migrations' schemas. */
const HOLDS_ROWS = new Set(["table", "materialized view", "foreign table"]);

/** Dotted version `a` is `b` or older ("1.6" ≤ "1.8"); false when either is not numbers. */
function versionAtMost(a: AttrValue, b: AttrValue): boolean {
  if (a === b) return true;
  const parse = (v: AttrValue) =>
    typeof v === "string" && /^\d+(\.\d+)*$/.test(v) ? v.split(".").map(Number) : null;
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return false;
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0;
  }
  return true;
}

/** An extension's members as the fingerprint lists them: "type: identity". */
function membersOf(o: { attrs: Record<string, AttrValue> } | undefined): string[] {
  const m = o?.attrs.members;
  return typeof m === "string" && m !== "" ? m.split("\n") : [];
}

/** `public."a.b"` → ["public", "a.b"]: the parts of a qualified name as pg_identify_object quotes it. */
function identityParts(identity: string): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i <= identity.length) {
    let part = "";
    if (identity[i] === '"') {
      for (i++; i < identity.length; i++) {
        if (identity[i] !== '"') part += identity[i];
        else if (identity[i + 1] !== '"') break;
        else {
          part += '"';
          i++;
        }
      }
      i++;
    } else {
      const end = identity.indexOf(".", i);
      part = identity.slice(i, end < 0 ? identity.length : end);
      i = end < 0 ? identity.length : end;
    }
    parts.push(part);
    if (identity[i] !== ".") break;
    i++;
  }
  return parts;
}

/**
 * Objects that belong to an extension in the live database and not in the expected schema. The
 * fingerprint leaves an extension's members out of every other comparison (they are its script's,
 * not the migrations'), so `ALTER EXTENSION e ADD TABLE t` would hide a table made or changed by
 * hand: the membership itself is the difference.
 *
 * - An extension both sides have: every live member the replay's copy does not have; when the
 *   live version is newer than the sandbox's (its build decides the expected one, and a new
 *   version adds functions and types), the relations only.
 * - An extension no migration creates (the operator's, not compared): there is no copy to compare
 *   with, so only what holds rows (tables, materialized and foreign tables) in a schema the
 *   migrations have; its functions and views (pg_stat_statements' in public) stay left out.
 */
function memberDifferences(expected: Schema, live: Schema): DriftDifference[] {
  const schemas = new Set(
    Object.values(expected)
      .filter((o) => o.kind === "schema")
      .map((o) => o.name),
  );
  const out: DriftDifference[] = [];
  for (const ext of Object.values(live)) {
    if (ext.kind !== "extension") continue;
    const mine = expected[`extension ${ext.name}`];
    const theirs = new Set(membersOf(mine));
    // A newer version adds functions and types (seldom takes any away): a live extension at the
    // sandbox's version or an older one has no member the sandbox's lacks; a newer one may.
    const allKinds =
      mine !== undefined && versionAtMost(ext.attrs.version ?? null, mine.attrs.version ?? null);
    for (const member of membersOf(ext)) {
      if (theirs.has(member)) continue;
      const at = member.indexOf(": ");
      const type = at < 0 ? member : member.slice(0, at);
      const identity = at < 0 ? "" : member.slice(at + 2);
      const parts = identityParts(identity);
      if (
        mine === undefined
          ? !HOLDS_ROWS.has(type) || !schemas.has(namePart(parts[0]!))
          : !allKinds && !RELATIONS.has(type)
      )
        continue;
      const kind = MEMBER_KINDS[type];
      const object =
        kind === undefined
          ? `${ext.name}: ${member}`
          : RELATIONS.has(type)
            ? qualifiedName(...parts)
            : identity;
      const known = kind !== undefined && expected[`${kind} ${object}`] !== undefined;
      out.push({
        kind: kind ?? "extension",
        object,
        change: known ? "changed" : "added",
        expected: known ? "not part of an extension" : null,
        actual: `${type} ${identity}, made part of extension ${ext.name} (an extension's objects are left out of every other comparison)`,
      });
    }
  }
  return out;
}
