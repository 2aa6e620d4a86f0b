/**
 * What a SQL rule sees: one migration file's parsed statements plus what the change created
 * before each statement, and golang-migrate's execution model for the directory.
 */
import type { SchemaCursor } from "../../schema/build.js";
import type { MergedSchema, SchemaColumn } from "../../schema/merged.js";
import type { SourceFile } from "../../source.js";
import type { ChangeLedger, Creation, ObjectKind, Origin, RoutineDef } from "../../sql/ledger.js";
import {
  sameObject,
  type AlterAction,
  type ColumnDef,
  type ObjectName,
  type Span,
  type StatementModel,
} from "../../sql/model.js";
import type { ParsedStatement, ServerVersion } from "../../sql/parse/index.js";
import type { Dialect } from "../../types.js";
import type { ReportFn, RuleMeta } from "../types.js";

/**
 * Dialects whose statements are read in full (a parser package, with a DDL token reader for MySQL
 * and SQLite). ClickHouse has only a token reader for what the generic rules look at
 * (parse/clickhouse.ts): a rule that runs there lists "clickhouse" explicitly.
 */
export const PARSED_DIALECTS = ["postgres", "mysql", "sqlite", "cockroachdb"] as const;
export const PG = ["postgres"] as const;

export interface SqlRule<Id extends string = string> {
  meta: RuleMeta<Id>;
  check(ctx: SqlRuleContext, report: ReportFn): void;
}

/** Declares a SQL rule, keeping its literal id in the type (see RuleId in ../registry.ts). */
export function sqlRule<const Id extends string>(rule: SqlRule<Id>): SqlRule<Id> {
  return rule;
}

/** A statement that parsed, with its position in the file. */
export interface Analyzed {
  /**
   * Position in the file's execution order: the top-level statement's index, or for a statement
   * that runs as part of statement i, a fraction between i and i + 1 (so what an earlier part of
   * a DO block creates is "earlier" for a later part).
   */
  index: number;
  stmt: ParsedStatement;
  model: StatementModel;
  /**
   * For a statement that runs as part of another one (a data-modifying CTE, a DO block's body, a
   * called routine's body), or that another reading of the file has: where it is written and a
   * sentence saying how it runs, which every finding about it carries.
   */
  nested?: { span: Span; note: string };
}

export interface Lines {
  startLine: number;
  endLine: number;
  /** Added to the finding's message (how a nested statement runs). */
  context?: string;
}

/** Something that runs whose effect the analysis cannot see (rule unanalyzable-statement). */
export interface OpaquePart {
  span: Span;
  what: string;
  note: string;
}

/** Another way the server may read the file (rules string-syntax-change, unanalyzable-statement). */
export interface OtherReading {
  kind: "string-syntax" | "server-version";
  label: string;
  /** Where the readings first differ. */
  span: Span;
  /** How many statements this reading has that the primary one does not. */
  statements: number;
}

/** What the analysis adds to a file's own statements. */
export interface FileExtras {
  /** Statements that run as part of others, or that another reading has. */
  nested: Analyzed[];
  opaque: OpaquePart[];
  readings: OtherReading[];
}

export class SqlRuleContext {
  readonly dialect: Dialect;
  readonly multiStatement: boolean;
  readonly direction: "up" | "down";
  /**
   * Statements that parsed (rules never see the others; they are reported as parse errors), in
   * execution order, followed at each position by what runs as part of them.
   */
  readonly parsed: readonly Analyzed[];
  /** What runs without its effect being visible (dynamic SQL, calls of unknown routines…). */
  readonly opaque: readonly OpaquePart[];
  /** Other readings of the file that split it into different statements. */
  readonly readings: readonly OtherReading[];
  /**
   * golang-migrate runs the whole file as one transaction: Postgres sends it as one simple query
   * (an implicit transaction) unless x-multi-statement is on; the SQLite drivers wrap each file.
   */
  readonly fileTransaction: boolean;
  private readonly explicitTx: boolean[];

  constructor(
    readonly source: SourceFile,
    /** Every statement of the file in order, parsed or not. */
    readonly statements: readonly ParsedStatement[],
    readonly version: ServerVersion | null,
    private readonly ledger: ChangeLedger,
    readonly file: number,
    extras: FileExtras = { nested: [], opaque: [], readings: [] },
    /** The merged schema, followed through this file (a new up file with merged history read). */
    private readonly schemaCursor?: SchemaCursor,
  ) {
    const dir = source.directory;
    this.dialect = dir.dialect;
    this.multiStatement = dir.multiStatement;
    this.direction = source.file.parsed?.direction ?? "up";
    const own: Analyzed[] = statements.flatMap((stmt, index) =>
      stmt.model ? [{ index, stmt, model: stmt.model }] : [],
    );
    // Stable: each statement first, then what runs as part of it.
    this.parsed = [...own, ...extras.nested].sort((a, b) =>
      a.index !== b.index ? a.index - b.index : (a.nested ? 1 : 0) - (b.nested ? 1 : 0),
    );
    this.opaque = extras.opaque;
    this.readings = extras.readings;
    const pgLike = this.dialect === "postgres" || this.dialect === "cockroachdb";
    this.fileTransaction = (pgLike && !this.multiStatement) || this.dialect === "sqlite";
    this.explicitTx = [];
    let open = false;
    for (const s of statements) {
      const m = s.model;
      if (m?.kind === "transaction" && (m.action === "commit" || m.action === "rollback"))
        open = false;
      this.explicitTx.push(open);
      if (m?.kind === "transaction" && m.action === "begin") open = true;
    }
  }

  get path(): string {
    return this.source.path;
  }

  /**
   * The schema just before statement `index`: the merged up migrations, then the change's earlier
   * new up files and statements. Undefined when the merged history was not read (GitHub and PATH
   * modes, down files, merged files the change edits): judge the text alone then.
   */
  schema(index: number): MergedSchema | undefined {
    return this.schemaCursor?.at(index);
  }

  /** Statement `index` runs between an explicit BEGIN and its COMMIT/ROLLBACK in this file. */
  inExplicitTransaction(index: number): boolean {
    return this.explicitTx[Math.floor(index)] ?? false;
  }

  /** Where an object was created before statement `index` (null: it already existed). */
  origin(kind: ObjectKind, name: ObjectName, index: number, table?: ObjectName): Origin | null {
    return this.ledger.origin(kind, name, { file: this.file, statement: index }, table);
  }

  /**
   * Where an object was certainly created before statement `index`: creations with IF NOT
   * EXISTS do not count (the object and its rows may have existed). For destructive rules.
   */
  certainOrigin(
    kind: ObjectKind,
    name: ObjectName,
    index: number,
    table?: ObjectName,
  ): Origin | null {
    return this.ledger.origin(kind, name, { file: this.file, statement: index }, table, true);
  }

  /**
   * For destructive rules: where a table was created before statement `index` such that its
   * rows are not deployed data. A creation with IF NOT EXISTS counts only when the table's rows
   * were copied into another table after it and before `index` (a backup that is restored, then
   * dropped): otherwise the table, and its rows, may have existed all along.
   */
  lossOrigin(kind: ObjectKind, name: ObjectName, index: number, table?: ObjectName): Origin | null {
    const certain = this.certainOrigin(kind, name, index, table);
    if (certain || kind !== "table") return certain;
    const created = this.find("table", name, index);
    const loose = this.origin(kind, name, index, table);
    if (!created || !loose) return null;
    const copied = this.parsed.some(
      (a) =>
        this.before({ file: created.file, statement: created.statement }, a.index) &&
        a.index < index &&
        (a.model.reads ?? []).some((r) => sameObject(r, name)) &&
        (a.model.writes ?? []).some((w) => !sameObject(w, name)),
    );
    return copied ? loose : null;
  }

  /** Created earlier in this file or this change: exempt from lock and rewrite rules. */
  isNew(kind: ObjectKind, name: ObjectName, index: number, table?: ObjectName): boolean {
    const o = this.origin(kind, name, index, table);
    return o === "file" || o === "change";
  }

  /** Created earlier in this file or this change so that it holds no deployed rows (lossOrigin). */
  isCertainlyNew(kind: ObjectKind, name: ObjectName, index: number, table?: ObjectName): boolean {
    const o = this.lossOrigin(kind, name, index, table);
    return o === "file" || o === "change";
  }

  find(
    kind: ObjectKind,
    name: ObjectName,
    index: number,
    table?: ObjectName,
  ): Creation | undefined {
    return this.ledger.find(kind, name, { file: this.file, statement: index }, table);
  }

  /**
   * The routine of that name the change created before statement `index`, if any (`inFile`:
   * only one this file created).
   */
  routine(name: ObjectName, index: number, inFile = false): RoutineDef | undefined {
    const d = this.ledger.routine(name, { file: this.file, statement: index });
    return d && (!inFile || d.file === this.file) ? d.value : undefined;
  }

  /** Does a statement between creation `from` and statement `index` write rows of `table`? */
  writtenBetween(table: ObjectName, from: Creation, index: number): boolean {
    return this.ledger.writtenBetween(table, from, { file: this.file, statement: index });
  }

  /** Was a constraint of `table` renamed to `name` earlier in the change? */
  constraintRenamedTo(name: string, table: ObjectName, index: number): boolean {
    return this.ledger.constraintRenamedTo(name, table, { file: this.file, statement: index });
  }

  visible(kind: ObjectKind, index: number): Creation[] {
    return this.ledger.visible(kind, { file: this.file, statement: index });
  }

  /** Is `at` (a ledger position) before statement `index` of this file? */
  before(at: { file: number; statement: number }, index: number): boolean {
    return at.file < this.file || (at.file === this.file && at.statement < index);
  }

  /** Lines of a span of this file, part of statement `a` (whose note a nested one carries). */
  lines(span: Span, a?: Analyzed): Lines {
    const li = this.source.split.lines;
    const out: Lines = {
      startLine: li.position(span.start).line,
      endLine: li.position(Math.max(span.start, span.end - 1)).line,
    };
    if (a?.nested) out.context = a.nested.note;
    return out;
  }

  /** Lines of a whole statement (of the nested statement, with its note). */
  at(a: Analyzed | ParsedStatement): Lines {
    if ("stmt" in a && a.nested) return { ...this.lines(a.nested.span), context: a.nested.note };
    const s = "stmt" in a ? a.stmt : a;
    return { startLine: s.startLine, endLine: s.endLine };
  }

  /** The source text of a statement as written (a nested one's own text). */
  textOf(a: Analyzed): string {
    return a.nested
      ? this.source.text.slice(a.nested.span.start, a.nested.span.end)
      : a.stmt.split.text;
  }
}

/**
 * Severity and wording for dropping something that may have been created in this change:
 * nothing deployed is lost when the object is new, and a down file undoing its own up is the
 * expected case. Both become notices instead of errors.
 */
export function dropContext(origin: Origin | null): {
  severity?: "notice";
  note: string;
} {
  switch (origin) {
    case "file":
      return {
        severity: "notice",
        note: " It was created earlier in this file, so no deployed data is lost.",
      };
    case "change":
      return {
        severity: "notice",
        note: " It was created by an earlier migration of this change, so no deployed data is lost.",
      };
    case "own-up":
      return {
        severity: "notice",
        note: " This down migration undoes what its up migration created, which is expected; make sure the rollback's data loss is acceptable.",
      };
    default:
      return { note: "" };
  }
}

/**
 * What a column the change added holds in the rows that existed before, as seen from statement
 * `index` (null: the column existed before the change). `new-table`: its table is new too;
 * `not-null`: declared NOT NULL; `tentative`: ADD COLUMN IF NOT EXISTS (it may be an existing
 * column); `default`: added with a non-NULL default or a stored expression, filling every row;
 * `backfilled`: a statement since wrote the table's rows; `empty`: NULL in every existing row.
 */
export function addedColumnFill(
  ctx: SqlRuleContext,
  table: ObjectName,
  column: string,
  index: number,
): {
  state: "new-table" | "not-null" | "tentative" | "default" | "backfilled" | "empty";
  when: string;
} | null {
  if (!ctx.isNew("column", { name: column }, index, table)) return null;
  const c = ctx.find("column", { name: column }, index, table);
  if (ctx.isNew("table", table, index) || !c) return { state: "new-table", when: "" };
  const when =
    c.file === ctx.file ? "earlier in this file" : "by an earlier migration of this change";
  const state = c.tentative
    ? "tentative"
    : c.notNull
      ? "not-null"
      : c.filled
        ? "default"
        : ctx.writtenBetween(table, c, index)
          ? "backfilled"
          : "empty";
  return { state, when };
}

/** Every ALTER TABLE action of the file, with its statement and table. */
export function* alterActions(
  ctx: SqlRuleContext,
): Generator<{ a: Analyzed; table: ObjectName; action: AlterAction }> {
  for (const a of ctx.parsed) {
    if (a.model.kind !== "alter-table") continue;
    for (const action of a.model.actions) yield { a, table: a.model.table, action };
  }
}

/**
 * Every MODIFY/CHANGE (a column's whole definition given again) of a column the merged schema
 * knows, with that merged column and the schema it was read from.
 */
export function* redefinedColumns(ctx: SqlRuleContext): Generator<{
  a: Analyzed;
  table: ObjectName;
  action: Extract<AlterAction, { type: "alter-column-type" }> & { definition: ColumnDef };
  merged: SchemaColumn;
  schema: MergedSchema;
}> {
  for (const { a, table, action } of alterActions(ctx)) {
    if (action.type !== "alter-column-type" || !action.definition) continue;
    const schema = ctx.schema(a.index);
    const merged = schema?.column(table, action.column)?.column;
    // The check above is what the cast states: a MODIFY/CHANGE with its definition.
    if (schema && merged)
      yield {
        a,
        table,
        action: action as typeof action & { definition: ColumnDef },
        merged,
        schema,
      };
  }
}

/**
 * What statement `a` does to a timeout setting of this session: true when it sets a non-zero
 * value that applies to the rest of the file, false when it resets or disables it (RESET,
 * RESET ALL, 0, SET GLOBAL, SET LOCAL outside a transaction), undefined when it is not about it.
 */
export function timeoutSetting(
  ctx: SqlRuleContext,
  a: Analyzed,
  setting: string,
): boolean | undefined {
  const m = a.model;
  if (m.kind !== "set" || (m.name !== setting && m.name !== "all")) return undefined;
  if (m.value === null || /^0+\s*(ms|s|min)?$/i.test(m.value.trim())) return false;
  if (m.scope === "global") return false; // new sessions only, not this one
  // SET LOCAL only lasts for a transaction: with x-multi-statement and no BEGIN there is none.
  if (m.scope === "local") return ctx.fileTransaction || ctx.inExplicitTransaction(a.index);
  return true;
}
