/** What every statement handler of this folder reads: the statement, its offsets, the server. */
import type { Node } from "libpg-query";
import type { StatementModel } from "../../model.js";
import type { Locator, ServerVersion, StatementInput } from "../types.js";

export interface PgContext {
  input: StatementInput;
  /** Parser byte offsets → statement indexes and file offsets. */
  loc: Locator;
  version: ServerVersion | null;
}

type KeysOf<T> = T extends unknown ? keyof T : never;

/** A statement type as libpg-query names it: `AlterTableStmt`, `CreateStmt`… */
export type StatementType = KeysOf<Node> & string;

/** The node under a statement type's key. */
export type BodyOf<K extends StatementType> = Extract<Node, Record<K, unknown>>[K];

export type Handler<K extends StatementType> = (stmt: BodyOf<K>, ctx: PgContext) => StatementModel;

/** One handler per statement type the analysis understands; the rest become `other`. */
export type HandlerTable = { [K in StatementType]?: Handler<K> };
