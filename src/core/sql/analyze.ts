/**
 * SQL analysis of the change's migration files: parse each statement with its dialect's parser,
 * record what the change creates, work out what runs beyond the top-level statements (embedded
 * statements, called routines' bodies, other readings of the text), and run the SQL rules with
 * that context. Called by core/analyze.ts once per configured directory; suppression comments are
 * applied by the caller.
 */
import type { Config } from "../../config/types.js";
import type { DirectoryModel } from "../migrations/directory.js";
import { SQL_RULES, type RuleId } from "../rules/registry.js";
import { sqlParseError } from "../rules/engine/sql-parse-error.js";
import { SqlRuleContext, type Analyzed, type FileExtras } from "../rules/sql/types.js";
import { effectiveLevel, toFinding, type RuleMeta, type RuleReport } from "../rules/types.js";
import type { SourceFile } from "../source.js";
import type { Finding } from "../types.js";
import {
  buildMergedSchema,
  once,
  SchemaCursor,
  type MergedFile,
  type MergedSchemaBuilder,
} from "../schema/build.js";
import type { MergedSchema } from "../schema/merged.js";
import { ChangeLedger } from "./ledger.js";
import {
  loadParsers,
  parseServerVersion,
  parseSource,
  parseSplit,
  type ParsedFile,
  type ParsedStatement,
} from "./parse/index.js";
import { reach, type ReachInput } from "./reach.js";
import { otherReadings } from "./readings.js";
import type { UnsafeEncoding } from "./session.js";

export interface SqlAnalysisInput {
  config: Config;
  model: DirectoryModel;
  /**
   * The change's migration-looking files in this directory, in golang-migrate order (version,
   * up before down), then files whose names golang-migrate ignores (`file.parsed === null`).
   */
  sources: SourceFile[];
  /**
   * The merged up migrations of the directory in golang-migrate order, when the adapter read them
   * (CLI git mode): rules then see the merged schema. Absent: rules judge the text alone.
   */
  merged?: readonly MergedFile[];
  /** Builds the schema after `merged` (default: buildMergedSchema; the CLI caches it on disk). */
  buildMerged?: MergedSchemaBuilder;
  /**
   * The base state as the replay's database built it (replay/catalog-schema.ts): used in place of
   * `merged` when present (it is what the database did, including code the model cannot read).
   */
  catalog?: MergedSchema;
  /**
   * Merged up files the change leaves alone whose down file is among `sources`: read only for
   * what they create, so a down undoing its own up is recognised (no rule runs on them).
   */
  pairedUps?: SourceFile[];
}

interface FileState {
  source: SourceFile;
  file: number;
  parsed: ParsedFile;
  /** Statements of other readings: [primary statement index they sit at, parsed, note]. */
  others: Array<{ index: number; stmt: ParsedStatement; note: string }>;
  extras: FileExtras;
}

export async function analyzeSql(input: SqlAnalysisInput): Promise<Finding[]> {
  const { config, model, sources } = input;
  const dialect = model.config.dialect;
  if (sources.length === 0) return [];
  await loadParsers(dialect);

  const findings: Finding[] = [];
  const seen = new Set<string>();
  const emit = (meta: RuleMeta<RuleId>, r: RuleReport, path: string) => {
    // Another reading of the same statement may repeat a finding: report it once.
    const key = `${meta.id}\0${path}\0${r.startLine}\0${r.endLine}\0${r.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    const f = toFinding(meta, r, path, config.rules);
    if (f) findings.push(f);
  };
  // A rule the configuration turns off (opt-in rules by default) is not run at all.
  const rules = SQL_RULES.filter(
    (r) =>
      (r.meta.dialects === "all" || r.meta.dialects.includes(dialect)) &&
      effectiveLevel(config.rules, r.meta) !== "off",
  );
  const version = parseServerVersion(model.config.databaseVersion);
  // Earlier files of the change count as "not deployed yet" only when comparing against a base.
  const ledger = new ChangeLedger(model.mode === "git");

  // 0. What the merged ups of the change's downs created (ledger only: "own-up" for the down).
  for (const source of input.pairedUps ?? []) {
    const file = ledger.addFile({
      path: source.path,
      version: source.file.parsed?.version ?? null,
      direction: "up",
      added: false,
    });
    parseSource(source).statements.forEach((s, i) => {
      if (s.model) ledger.record(file, i, s.model);
    });
  }

  // 1. Parse every file and record what it creates, in execution order.
  const files: FileState[] = [];
  let encoding: UnsafeEncoding | null = null;
  for (const source of sources) {
    const file = ledger.addFile({
      path: source.path,
      version: source.file.parsed?.version ?? null,
      direction: source.file.parsed?.direction ?? null,
      added: source.file.change?.status === "added" && !source.file.onBase,
    });
    const parsed = parseSource(source);
    sqlParseError.check(parsed, source, (r) => emit(sqlParseError.meta, r, source.path));
    parsed.statements.forEach((s, i) => {
      if (!s.model) return;
      ledger.record(file, i, s.model);
      const embedded = s.model.effects?.embedded ?? [];
      embedded.forEach((e, k) => ledger.record(file, within(i, k, embedded.length), e.model, true));
    });
    const others: FileState["others"] = [];
    const readings: FileExtras["readings"] = [];
    for (const reading of otherReadings(source, encoding)) {
      const note = `The server reads it this way when ${reading.label}.`;
      for (const split of [...reading.statements, ...reading.reparsed]) {
        const stmt = parseSplit(split, source.directory);
        others.push({ index: primaryIndex(parsed, split.start), stmt, note });
      }
      const first = reading.statements[0];
      if (first)
        readings.push({
          kind: reading.kind,
          label: reading.label,
          span: { start: first.start, end: first.end },
          statements: reading.statements.length,
        });
    }
    // A client encoding set for the session carries over to the next migrations of the run.
    encoding = source.split.sessionAfter.encoding ?? encoding;
    files.push({ source, file, parsed, others, extras: { nested: [], opaque: [], readings } });
  }

  // 2. What runs beyond the top-level statements.
  const reachInput: ReachInput = {
    ledger,
    files: files.map((f) => ({
      file: f.file,
      path: f.source.path,
      lines: f.source.split.lines,
      statements: [
        ...f.parsed.statements.flatMap((s, index) =>
          s.model
            ? [{ index, model: s.model, span: { start: s.split.start, end: s.split.end } }]
            : [],
        ),
        ...f.others.flatMap((o) =>
          o.stmt.model
            ? [
                {
                  index: o.index,
                  model: o.stmt.model,
                  span: { start: o.stmt.split.start, end: o.stmt.split.end },
                },
              ]
            : [],
        ),
      ],
    })),
  };
  const reached = reach(reachInput);
  const byFile = new Map(files.map((f) => [f.file, f]));
  for (const f of files) {
    const nested = f.extras.nested;
    f.parsed.statements.forEach((stmt, index) => nestedOf(stmt, index, "", nested));
    for (const o of f.others) {
      if (!o.stmt.model) continue;
      const span = { start: o.stmt.split.start, end: o.stmt.split.end };
      nested.push({
        index: o.index,
        stmt: o.stmt,
        model: o.stmt.model,
        nested: { span, note: o.note },
      });
      nestedOf(o.stmt, o.index, ` ${o.note}`, nested);
    }
  }
  for (const n of reached.nested) {
    const f = byFile.get(n.file)!;
    const stmt = f.parsed.statements[n.index]!;
    f.extras.nested.push({
      index: n.index,
      stmt,
      model: n.model,
      nested: { span: n.span, note: n.note },
    });
  }
  for (const o of reached.opaque) {
    byFile.get(o.file)!.extras.opaque.push({ span: o.span, what: o.what, note: o.note });
  }

  // 3. The rules, each new up file seeing the merged schema plus the change's earlier files.
  const { merged, catalog } = input;
  // The catalog also holds the functions with their stored volatility (catalog-schema.ts).
  let schema = catalog
    ? once(() => catalog.clone())
    : merged
      ? once(() => (input.buildMerged ?? buildMergedSchema)(model.config, merged))
      : undefined;
  for (const f of files) {
    const p = f.source.file;
    const follows =
      schema !== undefined && p.parsed?.direction === "up" && !p.onBase && p.change !== undefined;
    const cursor = follows
      ? new SchemaCursor(schema!, f.parsed.statements, f.source.path)
      : undefined;
    const ctx = new SqlRuleContext(
      f.source,
      f.parsed.statements,
      version,
      ledger,
      f.file,
      f.extras,
      cursor,
    );
    for (const rule of rules) rule.check(ctx, (r) => emit(rule.meta, r, f.source.path));
    if (cursor) schema = once(() => cursor.end());
  }
  return findings;
}

/** Position of the k-th of n statements that run as part of statement i. */
function within(i: number, k: number, n: number): number {
  return i + (k + 1) / (n + 2);
}

/** The statements that run as part of `stmt` (data-modifying CTEs, a DO block's body…). */
function nestedOf(stmt: ParsedStatement, index: number, suffix: string, out: Analyzed[]): void {
  const embedded = stmt.model?.effects?.embedded ?? [];
  embedded.forEach((e, k) => {
    const note = `This statement runs ${e.via}.${e.conditional ? " It runs only when a condition in the code holds, so a replay on empty tables may never run it." : ""}${suffix}`;
    out.push({
      index: within(index, k, embedded.length),
      stmt,
      model: e.model,
      nested: { span: e.span, note },
    });
  });
}

/** Index of the primary statement at or before `offset` (where another reading's statement sits). */
function primaryIndex(parsed: ParsedFile, offset: number): number {
  let index = 0;
  parsed.statements.forEach((s, i) => {
    if (s.split.start <= offset) index = i;
  });
  return index;
}
