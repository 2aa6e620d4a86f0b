/**
 * Where a Postgres statement gives something a type, for the style rules (prefer-bigint,
 * prefer-identity, prefer-text, prefer-timestamptz, ban-char-type): CREATE TABLE columns,
 * ALTER TABLE … ADD COLUMN, ALTER COLUMN … TYPE and CREATE DOMAIN … AS.
 */
import { displayName, type ColumnDef, type ObjectName, type PgType } from "../../sql/model.js";
import type { ReportFn } from "../types.js";
import type { Lines, SqlRuleContext } from "./types.js";

export interface TypedPlace {
  type: PgType;
  /** `column id of orders`, `domain email`: for messages. */
  what: string;
  /** The type as written, for messages. */
  written: string;
  where: "create-table" | "add-column" | "alter-type" | "domain";
  /** The column's definition (CREATE TABLE, ADD COLUMN). */
  column?: ColumnDef;
  /** A primary key column (inline or in the table's PRIMARY KEY constraint). */
  primaryKey: boolean;
  /** A foreign key column (inline REFERENCES or in the table's FOREIGN KEY constraint). */
  foreignKey: boolean;
  lines: Lines;
}

/** A built-in type name: unqualified (pg_catalog leads the search_path) or pg_catalog's. */
export function builtin(t: PgType, ...names: string[]): boolean {
  return (t.schema === undefined || t.schema === "pg_catalog") && names.includes(t.name);
}

/**
 * The typed places of an up file's statements. Down files are left alone: a down restores the
 * design the up replaced, which is not a new choice. Temporary tables do not outlive the session.
 */
export function* typedPlaces(ctx: SqlRuleContext): Generator<TypedPlace> {
  if (ctx.direction === "down") return;
  for (const a of ctx.parsed) {
    const m = a.model;
    const where = (t: PgType, fallback: Lines): Lines =>
      t.at !== undefined ? ctx.lines({ start: t.at, end: t.at + 1 }, a) : fallback;
    if (m.kind === "create-table" && !m.temporary) {
      const pk = new Set(
        m.constraints.filter((c) => c.kind === "primary-key").flatMap((c) => c.columns),
      );
      const fk = new Set(
        m.constraints.filter((c) => c.kind === "foreign-key").flatMap((c) => c.columns),
      );
      for (const c of m.columns) {
        if (!c.pgType) continue;
        const place = columnPlace(c, c.pgType, m.table, "create-table", where(c.pgType, ctx.at(a)));
        if (pk.has(c.name)) place.primaryKey = true;
        if (fk.has(c.name)) place.foreignKey = true;
        yield place;
      }
    } else if (m.kind === "alter-table") {
      for (const act of m.actions) {
        const fallback = ctx.lines(act.span, a);
        const t = act.type === "add-column" ? act.column.pgType : undefined;
        if (act.type === "add-column" && t) {
          yield columnPlace(act.column, t, m.table, "add-column", where(t, fallback));
        } else if (act.type === "alter-column-type" && act.pgType) {
          yield {
            type: act.pgType,
            what: `column ${act.column} of ${displayName(m.table)}`,
            written: act.dataType,
            where: "alter-type",
            primaryKey: false,
            foreignKey: false,
            lines: where(act.pgType, fallback),
          };
        }
      }
    } else if (m.kind === "create-other" && m.domainType && m.name) {
      yield {
        type: m.domainType,
        what: `domain ${displayName(m.name)}`,
        written: typeLabel(m.domainType),
        where: "domain",
        primaryKey: false,
        foreignKey: false,
        lines: where(m.domainType, ctx.at(a)),
      };
    }
  }
}

function columnPlace(
  c: ColumnDef,
  type: PgType,
  table: ObjectName,
  where: TypedPlace["where"],
  lines: Lines,
): TypedPlace {
  return {
    type,
    what: `column ${c.name} of ${displayName(table)}`,
    written: c.dataType,
    where,
    column: c,
    primaryKey: c.primaryKey,
    foreignKey: c.references !== undefined,
    lines,
  };
}

function typeLabel(t: PgType): string {
  return `${t.name}${t.mods.length > 0 ? `(${t.mods.join(",")})` : ""}${t.array ? "[]" : ""}`;
}

/** Runs `judge` on every typed place of the file and reports what it returns. */
export function checkTypes(
  ctx: SqlRuleContext,
  report: ReportFn,
  judge: (p: TypedPlace) => { message: string; suggestion?: string } | null,
): void {
  for (const p of typedPlaces(ctx)) {
    const r = judge(p);
    if (r) report({ ...p.lines, ...r });
  }
}
