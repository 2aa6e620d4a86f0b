/**
 * Postgres (and CockroachDB, which speaks the same grammar for the statements that matter here)
 * through libpg-query: the real Postgres parser compiled to WASM. Each split statement is parsed
 * on its own so one bad statement cannot hide the others, then normalised into the statement
 * model by the handler of its statement type (postgres/handlers.ts, one module per statement
 * family under postgres/).
 */
import { loadModule, parsePlPgSQLSync, parseSync, scanSync, type Node } from "libpg-query";
import { codePointToIndex } from "../positions.js";
import { hasEffects, noFacts, type StatementModel } from "../model.js";
import { collectEffects } from "./pg-effects.js";
import { triggerRowEffect } from "./postgres/trigger-body.js";
import { routineBody } from "./postgres/routine-body.js";
import { pgLongNames } from "./pg-names.js";
import type { BodyOf, Handler, PgContext, StatementType } from "./postgres/context.js";
import { HANDLERS } from "./postgres/handlers.js";
import { Locator, type ParseOutcome, type ServerVersion, type StatementInput } from "./types.js";

let loading: Promise<void> | null = null;

/** The Postgres major version whose grammar libpg-query (pinned in package.json) implements. */
export const PG_PARSER_MAJOR = 18;

/** Loads the WASM module once per process; parsing is synchronous afterwards. */
export function loadPostgresParser(): Promise<void> {
  loading ??= loadModule();
  return loading;
}

/**
 * Throwaway calls of the parser's entry points, for a caller with idle time before its first
 * real parse (the CLI while its git processes run). V8 compiles each WASM function lazily, on
 * its first call: a process's first parse costs 20–60 ms, the next ones under a millisecond (its
 * first PL/pgSQL body and token scan 5–15 ms each). The statements reach the grammar, the
 * scanner, PL/pgSQL's compiler and the trees' JSON for the common DDL; their results are never
 * read, and a call keeps nothing that a later one sees. Call after loadPostgresParser() resolved.
 */
export function warmPostgresParser(): void {
  const sql =
    "CREATE TABLE w (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, a text NOT NULL DEFAULT '{}'::jsonb REFERENCES t (a)); ALTER TABLE w ADD COLUMN b int, ALTER COLUMN a SET NOT NULL; CREATE INDEX wi ON w (a); UPDATE w SET a = 'y' WHERE id < 1; DROP TABLE w";
  try {
    parseSync(sql);
    scanSync(sql);
    parsePlPgSQLSync(
      "CREATE FUNCTION w() RETURNS trigger AS $$ BEGIN NEW.a := now(); IF NEW.b IS NULL THEN UPDATE w SET b = 1; END IF; RETURN NEW; END; $$ LANGUAGE plpgsql",
    );
  } catch {
    // Nothing depends on it.
  }
}

export function parsePostgres(input: StatementInput, version: ServerVersion | null): ParseOutcome {
  let stmts: Node[];
  try {
    stmts = (parseSync(input.text).stmts ?? []).flatMap((s) => (s.stmt ? [s.stmt] : []));
  } catch (e) {
    const details = (e as { sqlDetails?: { message?: string; cursorPosition?: number } })
      .sqlDetails;
    const message = details?.message ?? (e instanceof Error ? e.message : String(e));
    // libpg-query's cursorPosition counts code points from 0 (unlike AST locations: bytes).
    const pos = details?.cursorPosition ?? 0;
    return { ok: false, message, index: codePointToIndex(input.text, pos) };
  }
  if (stmts.length !== 1) {
    // The splitter and the parser disagree about statement boundaries: do not guess.
    return {
      ok: false,
      message: `the parser read ${stmts.length} statements where the splitter saw one`,
      index: 0,
      ours: true,
    };
  }
  const node = stmts[0]!;
  return { ok: true, model: normalisePostgres(node, input, version, 0), ast: node };
}

/**
 * The model of one parsed statement, with what running it does beyond that (embedded statements,
 * routine calls, dynamic SQL: pg-effects.ts). `depth` counts how deep inside DO blocks and
 * EXECUTEd strings the statement is.
 */
export function normalisePostgres(
  node: Node,
  input: StatementInput,
  version: ServerVersion | null,
  depth: number,
): StatementModel {
  const model = (sub: Node, subInput: StatementInput) =>
    statementModel(sub, {
      input: subInput,
      loc: new Locator(subInput.text, subInput.base),
      version,
    });
  const nested = (sub: Node, subInput: StatementInput) =>
    normalisePostgres(sub, subInput, version, depth + 1);
  const m = model(node, input);
  const collected = collectEffects(node, { input, version, depth, model, nested });
  if (hasEffects(collected)) m.effects = collected;
  if (m.kind === "create-routine") {
    m.body = routineBody(node, input, version, depth, nested, model);
    const rowEffect = triggerRowEffect(node, input.text);
    if (rowEffect) m.rowEffect = rowEffect;
  }
  return m;
}

/** Statements that are not DDL: data changes, session settings, transaction control. */
const NOT_DDL = new Set([
  "SelectStmt",
  "InsertStmt",
  "UpdateStmt",
  "DeleteStmt",
  "MergeStmt",
  "TransactionStmt",
  "VariableSetStmt",
  "VariableShowStmt",
  "CallStmt",
  "DoStmt",
  "PrepareStmt",
  "ExecuteStmt",
  "DeallocateStmt",
  "LockStmt",
  "ExplainStmt",
  "CopyStmt",
]);

/** The model of one statement node (without what it runs: that is collectEffects'). */
function statementModel(node: Node, ctx: PgContext): StatementModel {
  const key = (Object.keys(node)[0] ?? "Unknown") as StatementType;
  const handler = HANDLERS[key] as Handler<StatementType> | undefined;
  const m = handler
    ? handler((node as Record<string, unknown>)[key] as BodyOf<StatementType>, ctx)
    : { kind: "other" as const, tag: key, ...noFacts() };
  if (!NOT_DDL.has(key)) m.ddl = true;
  const long = pgLongNames(node, ctx.input);
  if (long.length > 0) m.longNames = long;
  return m;
}
