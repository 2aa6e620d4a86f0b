/**
 * SQLite: its few ALTER TABLE forms (RENAME TO, RENAME COLUMN, ADD COLUMN, DROP COLUMN) and the
 * common DDL node-sql-parser rejects (DROP INDEX, BEGIN, PRAGMA…) through the token reader;
 * everything else through node-sql-parser's sqlite mode, with the SQLite syntax it lacks (FILTER,
 * a CTE before DML, NOT GLOB, upsert) masked and checked part by part (sqlite-syntax.ts). Trigger
 * bodies are read statement by statement.
 */
import { noEffects, type ObjectName, type RoutineCall } from "../model.js";
import { classify } from "./classify.js";
import { withBodies } from "./mysql.js";
import { nspAst, nspReadsAndCalls, parseWithNodeSqlParser } from "./nsp.js";
import { PLACEHOLDER, readSqliteSyntax } from "./sqlite-syntax.js";
import type { ParseOutcome, StatementInput } from "./types.js";

export function parseSqlite(input: StatementInput): ParseOutcome {
  const model = classify(input, "sqlite");
  if (model) {
    withBodies(model, input, parseSqlite, "sqlite");
    return { ok: true, model, ast: undefined };
  }
  const direct = parseWithNodeSqlParser(input, "sqlite");
  if (direct.ok) return direct;
  const reading = readSqliteSyntax(input.text);
  if (!reading) return direct;
  const reads: ObjectName[] = [];
  const calls: RoutineCall[] = [];
  for (const c of reading.checks) {
    const r = nspAst(c.text, "sqlite");
    if (!r.ok) return { ok: false, message: r.message, index: c.at(r.index) };
    const more = nspReadsAndCalls(r.ast, input);
    reads.push(...more.reads);
    calls.push(...more.calls);
  }
  const masked = parseWithNodeSqlParser({ ...input, text: reading.text }, "sqlite");
  if (!masked.ok) return masked;
  const m = masked.model;
  // The placeholder table of the re-read parts and the CTEs are not tables read.
  const notTables = new Set([PLACEHOLDER, ...reading.cteNames]);
  const seenReads = new Set<string>();
  const allReads = [...(m.reads ?? []), ...reads].filter((n) => {
    const k = `${n.schema ?? ""}.${n.name}`;
    if ((!n.schema && notTables.has(n.name)) || seenReads.has(k)) return false;
    seenReads.add(k);
    return true;
  });
  if (allReads.length > 0) m.reads = allReads;
  else delete m.reads;
  if (calls.length > 0) {
    const effects = m.effects ?? noEffects();
    const seen = new Set(effects.calls.map(key));
    for (const c of calls) {
      if (seen.has(key(c))) continue;
      seen.add(key(c));
      effects.calls.push(c);
    }
    m.effects = effects;
  }
  return masked;
}

const key = (c: RoutineCall) => `${c.procedure ? "p" : "f"}:${c.name.schema ?? ""}.${c.name.name}`;
