/**
 * The whole analysis: ChangeSet + Config → Report. Pure (no git, no network, no clock), shared by
 * the CLI and the GitHub App.
 */
import type { Config, DirectoryConfig } from "../config/types.js";
import { approvalNeeded, waivedFindings } from "./approval/need.js";
import { whyNotAnalyzable } from "./migrations/analyzable.js";
import { looksLikeMigration } from "./migrations/filename.js";
import { buildDirectoryModel, touchedFiles, type DirectoryModel } from "./migrations/directory.js";
import { unreviewableReason } from "./migrations/shape.js";
import { RULES_BY_ID, RULE_IDS, STRUCTURE_RULES } from "./rules/registry.js";
import { toFinding } from "./rules/types.js";
import { onEditedLines } from "./edited-lines.js";
import type { MergedFile, MergedSchemaBuilder } from "./schema/build.js";
import type { MergedSchema } from "./schema/merged.js";
import { analyzeSql, type SqlAnalysisInput } from "./sql/analyze.js";
import { loadSource, type SourceFile } from "./source.js";
import { applyDirectives, parseDirectives, type Directive } from "./suppress.js";
import {
  SEVERITY_RANK,
  type ChangeSet,
  type ChangedMigration,
  type Finding,
  type Report,
  type ReportSection,
  type Summary,
} from "./types.js";

export interface AnalyzeOptions {
  tool: { name: string; version: string };
  /** Directories to analyse; defaults to config.directories (the CLI's PATH mode passes its own). */
  directories?: DirectoryConfig[];
  /**
   * Dynamic checks the adapter injects (the sandbox replay). The core stays pure: it only hands
   * over the directory models and sources and merges what comes back, so replay findings get the
   * same severity overrides, suppression comments and summary counts as every other finding.
   */
  dynamic?: DynamicCheck[];
  /** How the schema after a merged history is built (default: from its texts, every time). */
  buildMerged?: MergedSchemaBuilder;
}

export interface DynamicCheck {
  name: string;
  run(input: DynamicCheckInput): Promise<DynamicCheckResult>;
}

export interface DynamicCheckInput {
  config: Config;
  changeSet: ChangeSet;
  models: readonly DirectoryModel[];
  /** Decoded change files by path. */
  sources: ReadonlyMap<string, SourceFile>;
  /** Findings of the static analysis so far (e.g. to skip replay of unparseable files). */
  findings: readonly Finding[];
}

export interface DynamicCheckResult {
  /** Findings without severity: the engine applies rule defaults and config overrides. */
  findings: Array<Omit<Finding, "severity"> & { severity?: Finding["severity"] }>;
  sections: ReportSection[];
  /**
   * What the check learnt of a directory's base (per directory path): the base state as the
   * database built it (the replay's catalog), or else the merged up files it read anyway. The
   * directory's SQL rules are judged again with it; the catalog wins over the static model.
   */
  bases?: DynamicBase[];
}

export interface DynamicBase {
  directory: string;
  catalog?: MergedSchema;
  /** Merged files read, by path (used when all the directory's merged up files are among them). */
  mergedUps?: ReadonlyMap<string, Uint8Array>;
}

export interface Analysis {
  report: Report;
  /** Per-directory models, for adapters that need more (replay, approval digests). */
  models: DirectoryModel[];
  /** The change's decoded files, by path. */
  sources: ReadonlyMap<string, SourceFile>;
}

export async function analyze(
  config: Config,
  changeSet: ChangeSet,
  opts: AnalyzeOptions,
): Promise<Analysis> {
  const directories = opts.directories ?? config.directories;
  const knownIds = new Set(RULE_IDS);
  const findings: Finding[] = [];
  const directives = new Map<string, Directive[]>();
  const sources = new Map<string, SourceFile>();
  const models: DirectoryModel[] = [];
  const changed: ChangedMigration[] = [];
  /** Each directory's SQL analysis and its findings, to judge again with a replayed catalog. */
  const sqlRuns = new Map<string, { input: SqlAnalysisInput; findings: Finding[] }>();

  for (const dir of directories) {
    const model = buildDirectoryModel(dir, changeSet, directories, config.limits);
    models.push(model);

    const dirSources: SourceFile[] = [];
    for (const f of touchedFiles(model)) {
      if (f.verdict.kind !== "unrelated") {
        changed.push({
          path: f.path,
          version: f.parsed ? f.parsed.version.toString() : null,
          direction: f.parsed ? f.parsed.direction : null,
          status: f.change?.status ?? "added",
        });
      }
      const bytes = changeSet.contents.get(f.path);
      if (bytes === undefined || f.verdict.kind === "unrelated") continue;
      // Reported by unanalyzable-migration-file instead of parsed.
      if (whyNotAnalyzable(f, bytes, config.limits.maxFileBytes)) continue;
      const src = loadSource(f, dir, bytes);
      sources.set(f.path, src);
      model.sources.set(f.path, src);
      directives.set(f.path, parseDirectives(src.split, knownIds));
      // Names golang-migrate ignores are still analysed: the author means them to run.
      dirSources.push(src);
    }
    // Migration-looking files in subdirectories never run, but they are migration content the
    // change touches: listing them keeps the approval gate closed for them (fail closed).
    for (const c of model.nested) {
      const name = c.path.slice(c.path.lastIndexOf("/") + 1);
      if (!looksLikeMigration(name)) continue;
      changed.push({ path: c.path, version: null, direction: null, status: c.status });
    }
    for (const r of model.removed) {
      // A rename inside a migration directory is listed under its new path.
      if (
        r.change.status === "renamed" &&
        directories.some((d) => d.path === parentOf(r.change.path))
      )
        continue;
      changed.push({
        path: r.path,
        version: r.parsed ? r.parsed.version.toString() : null,
        direction: r.parsed ? r.parsed.direction : null,
        status: "removed",
      });
    }

    // Structural rules run once the files are decoded and split, so none of them splits again.
    for (const rule of STRUCTURE_RULES) {
      if (!appliesTo(rule.meta.dialects, dir.dialect)) continue;
      rule.checkDirectory(model, (path, r) => {
        const f = toFinding(rule.meta, r, path, config.rules);
        if (f) findings.push(f);
      });
    }

    dirSources.sort(golangMigrateOrder);
    const input: SqlAnalysisInput = {
      config,
      model,
      sources: dirSources,
      merged: mergedHistory(model, changeSet.mergedUps),
      pairedUps: pairedUps(model, dir, dirSources, changeSet),
      ...(opts.buildMerged ? { buildMerged: opts.buildMerged } : {}),
    };
    const sql = await sqlFindings(input, changeSet, sources);
    sqlRuns.set(dir.path, { input, findings: sql });
    findings.push(...sql);
  }

  const sections: ReportSection[] = [];
  for (const check of opts.dynamic ?? []) {
    const result = await check.run({ config, changeSet, models, sources, findings: [...findings] });
    for (const r of result.findings) {
      const meta = RULES_BY_ID.get(r.ruleId);
      if (!meta) throw new Error(`${check.name} reported unregistered rule id "${r.ruleId}"`);
      const f = toFinding(meta, r, r.path, config.rules);
      if (f) findings.push(f);
    }
    sections.push(...result.sections);
    for (const b of result.bases ?? []) {
      const run = sqlRuns.get(b.directory);
      if (!run) continue;
      // The catalog is what the database did: where it and the static model disagree, it wins.
      let input: SqlAnalysisInput | undefined;
      if (b.catalog) input = { ...run.input, catalog: b.catalog };
      else if (!run.input.merged && b.mergedUps) {
        const merged = mergedHistory(run.input.model, b.mergedUps);
        if (merged) input = { ...run.input, merged };
      }
      if (!input) continue;
      const old = new Set(run.findings);
      run.input = input;
      run.findings = await sqlFindings(input, changeSet, sources);
      findings.splice(0, findings.length, ...findings.filter((f) => !old.has(f)), ...run.findings);
    }
  }

  const extra = applyDirectives(findings, directives, {
    suppressible: (id) => RULES_BY_ID.get(id)?.suppressible ?? true,
  });
  for (const e of extra) {
    const meta = RULES_BY_ID.get(e.ruleId)!;
    const f = toFinding(meta, e, e.path, config.rules);
    if (f) findings.push(f);
  }

  findings.sort(compareFindings);
  const summary = summarize(findings);
  const incomplete = [...(changeSet.incomplete ?? [])];
  // A directory golang-migrate would read through a symlink, a submodule or a file: what runs is
  // not what was analysed, whatever the findings say (fail closed).
  for (const m of models) {
    const reason = m.shape ? unreviewableReason(m.config.path, m.shape) : null;
    if (reason) incomplete.push(reason);
  }
  changed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  return {
    report: {
      tool: opts.tool,
      base: changeSet.base ? (changeSet.base.sha ?? changeSet.base.ref) : null,
      head: changeSet.head.sha ?? changeSet.head.ref,
      changed,
      findings,
      summary,
      // An incomplete analysis always requires one (fail closed).
      approvalRequired:
        incomplete.length > 0 ||
        approvalNeeded(config.approval, {
          migrationsChanged: changed.length > 0,
          errors: summary.error,
          warnings: summary.warning,
          waived: waivedFindings(findings),
        }),
      incomplete,
      sections,
    },
    models,
    sources,
  };
}

/** One directory's SQL findings, kept to the lines the change edits. */
async function sqlFindings(
  input: SqlAnalysisInput,
  changeSet: ChangeSet,
  sources: ReadonlyMap<string, SourceFile>,
): Promise<Finding[]> {
  const sql = await analyzeSql(input);
  return onEditedLines(sql, changeSet.baseContents, (p) => sources.get(p)?.text);
}

/**
 * The merged up migrations of a directory in golang-migrate order, when the adapter read them all
 * (undefined otherwise, or when two merged files share a version: no order to follow).
 */
function mergedHistory(
  model: DirectoryModel,
  texts: ReadonlyMap<string, Uint8Array> | undefined,
): MergedFile[] | undefined {
  if (!texts || model.mode !== "git") return undefined;
  const ups = model.base.filter((f) => f.parsed?.direction === "up");
  const versions = new Set(ups.map((f) => f.parsed!.version));
  if (versions.size !== ups.length) return undefined;
  ups.sort((a, b) => (a.parsed!.version < b.parsed!.version ? -1 : 1));
  const out: MergedFile[] = [];
  for (const f of ups) {
    const bytes = texts.get(f.path);
    if (!bytes) return undefined;
    out.push({ path: f.path, bytes });
  }
  return out;
}

function parentOf(path: string): string {
  return path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
}

function appliesTo(dialects: readonly string[] | "all", dialect: string): boolean {
  return dialects === "all" || dialects.includes(dialect);
}

/** Version ascending, up before down; names golang-migrate does not read last, by path. */
function golangMigrateOrder(a: SourceFile, b: SourceFile): number {
  const pa = a.file.parsed;
  const pb = b.file.parsed;
  if (pa && pb) {
    if (pa.version !== pb.version) return pa.version < pb.version ? -1 : 1;
    if (pa.direction !== pb.direction) return pa.direction === "up" ? -1 : 1;
  } else if (pa || pb) {
    return pa ? -1 : 1;
  }
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

export function compareFindings(a: Finding, b: Finding): number {
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  if (a.startLine !== b.startLine) return a.startLine - b.startLine;
  if (a.severity !== b.severity) return SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity];
  return a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0;
}

export function summarize(findings: readonly Finding[]): Summary {
  const s: Summary = { error: 0, warning: 0, notice: 0, suppressed: 0 };
  for (const f of findings) {
    if (f.suppressed) s.suppressed++;
    else s[f.severity]++;
  }
  return s;
}

/** The merged, untouched up files of the change's down files (ChangeSet.pairedUps), decoded. */
function pairedUps(
  model: DirectoryModel,
  dir: DirectoryConfig,
  changed: readonly SourceFile[],
  changeSet: ChangeSet,
): SourceFile[] {
  const out: SourceFile[] = [];
  for (const src of changed) {
    const p = src.file.parsed;
    if (p?.direction !== "down") continue;
    for (const up of model.byVersion.get(p.version)?.up ?? []) {
      const bytes = changeSet.pairedUps?.get(up.path);
      if (bytes && !changed.some((c) => c.path === up.path) && !out.some((o) => o.path === up.path))
        out.push(loadSource(up, dir, bytes));
    }
  }
  return out;
}
