/**
 * SQLite: each statement is read once by the token reader (token-reader/sqlite.ts: its few ALTER
 * TABLE forms and the common DDL node-sql-parser rejects, DROP INDEX, BEGIN, PRAGMA…); what it does
 * not read exactly goes to node-sql-parser's sqlite mode, with the SQLite syntax it lacks (FILTER,
 * a CTE before DML, NOT GLOB, upsert) masked and checked part by part (sqlite-syntax.ts). Trigger
 * bodies are read statement by statement.
 */
import { tokenize } from "../lexer.js";
import { noEffects, type ObjectName, type RoutineCall } from "../model.js";
import { withBodies } from "./mysql.js";
import {
  parseWithNodeSqlParser,
  readsAndCalls,
  selfCopyRewrite,
  treeOf,
} from "./node-sql-parser/adapter.js";
import type { Json } from "./node-sql-parser/tree.js";
import { PLACEHOLDER, readSqliteSyntax, type SqliteReading } from "./sqlite-syntax.js";
import { readSqliteTokens } from "./token-reader/sqlite.js";
import {
  versionAtLeast,
  type ParseOutcome,
  type ServerVersion,
  type StatementInput,
} from "./types.js";

/** Syntax later SQLite releases added: older servers reject it with "near …: syntax error". */
const ADDED = {
  "drop-column": { what: "ALTER TABLE … DROP COLUMN", since: [3, 35, 0] },
  "rename-column": { what: "ALTER TABLE … RENAME COLUMN", since: [3, 25, 0] },
  upsert: { what: "upsert (INSERT … ON CONFLICT … DO)", since: [3, 24, 0] },
  filter: { what: "an aggregate's FILTER (WHERE …) clause", since: [3, 30, 0] },
} as const;

/**
 * `version` is `databaseVersion`: without it the server is taken to be recent (the SQLite the
 * Go drivers bundle today has all of the above), and nothing is reported.
 */
export function parseSqlite(
  input: StatementInput,
  version: ServerVersion | null = null,
): ParseOutcome {
  const outcome = readSqlite(input, version);
  if (!outcome.ok || !version) return outcome;
  const used: Array<{ feature: keyof typeof ADDED; at: number }> = [];
  const m = outcome.model;
  if (m.kind === "alter-table")
    for (const a of m.actions)
      if (a.type === "drop-column" || a.type === "rename-column")
        used.push({ feature: a.type, at: a.span.start - input.base });
  used.push(...(sqliteFeatures.get(outcome) ?? []));
  for (const u of used) {
    const { what, since } = ADDED[u.feature];
    if (versionAtLeast(version, since[0], since[1], since[2])) continue;
    const v = `${version.major}.${version.minor}.${version.patch}`;
    return {
      ok: false,
      message: `SQLite ${v} (databaseVersion) does not have ${what}, added in ${since.join(".")}: it rejects the statement with a syntax error`,
      index: Math.max(0, u.at),
      tooOld: true,
    };
  }
  return outcome;
}

/** Features readSqliteSyntax found in a successful outcome. */
const sqliteFeatures = new WeakMap<ParseOutcome, SqliteReading["features"]>();

function readSqlite(input: StatementInput, version: ServerVersion | null): ParseOutcome {
  const toks = tokenize(input.text, "sqlite");
  const read = readSqliteTokens(input, toks);
  if (read?.exact) {
    const model = read.model;
    // A trigger body the server cannot read fails the CREATE TRIGGER itself.
    let tooOld: ParseOutcome | null = null;
    withBodies(
      model,
      input,
      toks,
      (i) => {
        const r = parseSqlite(i, version);
        if (!r.ok && r.tooOld) tooOld ??= { ...r, index: i.base - input.base + r.index };
        return r;
      },
      "sqlite",
    );
    return tooOld ?? { ok: true, model, ast: undefined };
  }
  const direct = parseWithNodeSqlParser(input, "sqlite", () => read?.model ?? null);
  if (direct.ok) return direct;
  const reading = readSqliteSyntax(input.text);
  if (!reading) return direct;
  const reads: ObjectName[] = [];
  const calls: RoutineCall[] = [];
  for (const c of reading.checks) {
    const r = treeOf(c.text, "sqlite");
    if (!r.ok) return { ok: false, message: r.message, index: c.at(r.index) };
    const more = readsAndCalls(r.ast, input);
    reads.push(...more.reads);
    calls.push(...more.calls);
  }
  const maskedInput = { ...input, text: reading.text };
  const masked = parseWithNodeSqlParser(
    maskedInput,
    "sqlite",
    () => readSqliteTokens(maskedInput, tokenize(maskedInput.text, "sqlite"))?.model ?? null,
  );
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
  // The upsert clause was masked: an INSERT … SELECT from the table itself whose ON CONFLICT
  // does UPDATE rewrites every row (SQLite needs `WHERE true` there to parse, hence matchesAll).
  const doUpdate = tokenize(input.text, "sqlite").some(
    (t, i, all) => t.text === "DO" && all[i + 1]?.text === "UPDATE",
  );
  if (doUpdate && reading.features.some((f) => f.feature === "upsert") && masked.ast)
    selfCopyRewrite(m, masked.ast as Json, "upsert", "sqlite", input.span);
  sqliteFeatures.set(masked, reading.features);
  return masked;
}

const key = (c: RoutineCall) => `${c.procedure ? "p" : "f"}:${c.name.schema ?? ""}.${c.name.name}`;
