/**
 * What a SQL rule sees: one migration file's parsed statements plus what the change created
 * before each statement, and golang-migrate's execution model for the directory.
 */
import type { SourceFile } from "../../source.js";
import type { ChangeLedger, Creation, ObjectKind, Origin } from "../../sql/ledger.js";
import type { AlterAction, ObjectName, Span, StatementModel } from "../../sql/model.js";
import type { ParsedStatement, ServerVersion } from "../../sql/parse/index.js";
import type { Dialect } from "../../types.js";
import type { ReportFn, RuleMeta } from "../types.js";

/** Dialects with a SQL parser (ClickHouse gets structural checks only). */
export const PARSED_DIALECTS = ["postgres", "mysql", "sqlite", "cockroachdb"] as const;
export const PG = ["postgres"] as const;

export interface SqlRule {
  meta: RuleMeta;
  check(ctx: SqlRuleContext, report: ReportFn): void;
}

/** A statement that parsed, with its position in the file. */
export interface Analyzed {
  index: number;
  stmt: ParsedStatement;
  model: StatementModel;
}

export interface Lines {
  startLine: number;
  endLine: number;
}

export class SqlRuleContext {
  readonly dialect: Dialect;
  readonly multiStatement: boolean;
  readonly direction: "up" | "down";
  /** Statements that parsed (rules never see the others; they are reported as parse errors). */
  readonly parsed: readonly Analyzed[];
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
  ) {
    const dir = source.directory;
    this.dialect = dir.dialect;
    this.multiStatement = dir.multiStatement;
    this.direction = source.file.parsed?.direction ?? "up";
    this.parsed = statements.flatMap((stmt, index) =>
      stmt.model ? [{ index, stmt, model: stmt.model }] : [],
    );
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

  /** Statement `index` runs between an explicit BEGIN and its COMMIT/ROLLBACK in this file. */
  inExplicitTransaction(index: number): boolean {
    return this.explicitTx[index] ?? false;
  }

  /** Where an object was created before statement `index` (null: it already existed). */
  origin(kind: ObjectKind, name: ObjectName, index: number, table?: ObjectName): Origin | null {
    return this.ledger.origin(kind, name, { file: this.file, statement: index }, table);
  }

  /** Created earlier in this file or this change: exempt from lock and rewrite rules. */
  isNew(kind: ObjectKind, name: ObjectName, index: number, table?: ObjectName): boolean {
    const o = this.origin(kind, name, index, table);
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

  visible(kind: ObjectKind, index: number): Creation[] {
    return this.ledger.visible(kind, { file: this.file, statement: index });
  }

  /** Is `at` (a ledger position) before statement `index` of this file? */
  before(at: { file: number; statement: number }, index: number): boolean {
    return at.file < this.file || (at.file === this.file && at.statement < index);
  }

  /** Lines of a span of this file. */
  lines(span: Span): Lines {
    const li = this.source.split.lines;
    return {
      startLine: li.position(span.start).line,
      endLine: li.position(Math.max(span.start, span.end - 1)).line,
    };
  }

  /** Lines of a whole statement. */
  at(a: Analyzed | ParsedStatement): Lines {
    const s = "stmt" in a ? a.stmt : a;
    return { startLine: s.startLine, endLine: s.endLine };
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

/** Every ALTER TABLE action of the file, with its statement and table. */
export function* alterActions(
  ctx: SqlRuleContext,
): Generator<{ a: Analyzed; table: ObjectName; action: AlterAction }> {
  for (const a of ctx.parsed) {
    if (a.model.kind !== "alter-table") continue;
    for (const action of a.model.actions) yield { a, table: a.model.table, action };
  }
}
