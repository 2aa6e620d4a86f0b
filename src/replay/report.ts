/**
 * Replay outcome → findings (worded by the rule modules under src/core/rules/replay/) and a
 * Markdown report section with its structured data.
 */
import type { DynamicCheckResult } from "../core/analyze.js";
import { downDoesNotRestoreSchema } from "../core/rules/replay/down-does-not-restore-schema.js";
import { lockAccessExclusive } from "../core/rules/replay/lock-access-exclusive.js";
import { replayDownFailed } from "../core/rules/replay/replay-down-failed.js";
import { replaySkipped } from "../core/rules/replay/replay-skipped.js";
import { replayUpFailed } from "../core/rules/replay/replay-up-failed.js";
import { upNotReapplicable } from "../core/rules/replay/up-not-reapplicable.js";
import { inlineCode } from "../core/report/markdown.js";
import type { ReportSection } from "../core/types.js";
import type { SandboxOutcome } from "./supervise.js";
import { lockBlocks, lockName } from "./locks.js";
import { changesTable, describeChange, displayName, type SchemaChange } from "./schema.js";
import type { DbError, FileRun, MigrationText, RelationLock, ReplayResult } from "./types.js";

export type ReplayFinding = DynamicCheckResult["findings"][number];

/** What was replayed for one directory (enough to word findings without the job's contents). */
export interface ReplayPlan {
  directory: string;
  dialect: string;
  multiStatement: boolean;
  ups: Array<Omit<MigrationText, "text">>;
  downs: Array<Omit<MigrationText, "text"> | null>;
  baseFiles: number;
  /** How the directory was replayed, when that needs saying (e.g. why not on a server). */
  notes: string[];
}

const MAX_DIFFS_IN_MESSAGE = 8;

function errorText(e: DbError): string {
  let s = e.message;
  if (e.detail) s += ` (${e.detail})`;
  if (e.hint) s += ` Hint: ${e.hint}`;
  if (e.code) s += ` [SQLSTATE ${e.code}]`;
  return s;
}

function base(path: string) {
  return path.slice(path.lastIndexOf("/") + 1);
}

function listDifferences(changes: readonly SchemaChange[]): string {
  const shown = changes.slice(0, MAX_DIFFS_IN_MESSAGE).map(describeChange).join("; ");
  const more = changes.length - MAX_DIFFS_IN_MESSAGE;
  return more > 0 ? `${shown}; and ${more} more (see the replay section)` : shown;
}

export function skipped(path: string, message: string): ReplayFinding {
  return replaySkipped.report(path, message);
}

/** MySQL: what a failed file left behind (DDL commits at once, and there is no transaction). */
function leftAppliedText(run: FileRun): string {
  const left = run.leftApplied;
  if (!left) return "";
  const n = left.statements;
  return ` The ${n} statement${n === 1 ? "" : "s"} before it (through line ${left.lastLine}) stayed applied: each DDL statement commits at once and golang-migrate runs the file without a transaction, so the database is left half-migrated and must be repaired by hand.`;
}

function findingsFor(plan: ReplayPlan, r: ReplayResult): ReplayFinding[] {
  const out: ReplayFinding[] = [];
  const upByVersion = new Map(plan.ups.map((u) => [u.version, u]));

  for (const run of r.ups) {
    if (!run.ok && !isLimitation(r, run)) {
      const e = run.error!;
      out.push(
        replayUpFailed.report({
          kind: "failed",
          path: run.path,
          startLine: e.line,
          endLine: e.endLine,
          baseFiles: plan.baseFiles,
          error: errorText(e),
          code: e.code,
          leftApplied: leftAppliedText(run),
          multiStatement: plan.multiStatement,
        }),
      );
    }
    out.push(...lockFindings(plan, run));
  }

  for (const run of r.downs) {
    if (run.ok || isLimitation(r, run)) continue;
    const e = run.error!;
    const up = upByVersion.get(run.version);
    out.push(
      replayDownFailed.report({
        path: run.path,
        startLine: e.line,
        endLine: e.endLine,
        upName: up ? base(up.path) : undefined,
        error: errorText(e),
        leftApplied: leftAppliedText(run),
      }),
    );
  }

  for (const check of r.downChecks) {
    const up = upByVersion.get(check.version);
    out.push(
      downDoesNotRestoreSchema.report(
        check.path,
        up ? base(up.path) : undefined,
        listDifferences(check.differences),
      ),
    );
  }

  const reupFailure = r.reups.find((x) => !x.ok);
  if (reupFailure) {
    const e = reupFailure.error!;
    out.push(
      upNotReapplicable.report({
        kind: "fails",
        path: reupFailure.path,
        startLine: e.line,
        endLine: e.endLine,
        error: errorText(e),
      }),
    );
  } else if (r.reupDifferences && r.reupDifferences.length > 0) {
    const first = plan.ups[0]!;
    out.push(
      upNotReapplicable.report({
        kind: "differs",
        path: first.path,
        differences: listDifferences(r.reupDifferences),
      }),
    );
  }

  const limitation = r.limitation;
  if (limitation) out.push(stoppedInChange(plan, limitation));
  return out;
}

function changePaths(plan: ReplayPlan): Set<string> {
  return new Set([...plan.ups, ...plan.downs].flatMap((f) => (f ? [f.path] : [])));
}

/**
 * The replay stopped inside the change's own files (an extension the sandbox lacks, a server
 * file): what the statements from there on do was never observed, and the change chose them
 * (`CREATE EXTENSION IF NOT EXISTS postgis;` as a first line would otherwise blind the replay
 * for free). A warning at the statement, naming what went unverified, so `required: risky`
 * asks a DBA.
 */
function stoppedInChange(
  plan: ReplayPlan,
  limitation: NonNullable<ReplayResult["limitation"]>,
): ReplayFinding {
  const order = [...plan.ups, ...plan.downs.filter((d) => d !== null).reverse()];
  const at = order.findIndex((f) => f.path === limitation.path);
  const later = at < 0 ? [] : order.slice(at + 1).map((f) => base(f.path));
  const rest =
    later.length === 0
      ? ""
      : ` and the later file${later.length === 1 ? "" : "s"} ${later.map((f) => inlineCode(f)).join(", ")}`;
  return {
    ...skipped(limitation.path, ""),
    severity: "warning",
    startLine: limitation.line,
    endLine: limitation.line,
    message: `Replay stopped here: ${limitation.reason}. The statements from line ${limitation.line} of this file${rest} were not run in the sandbox, so what they do (locks, failures, whether the down file restores the schema) is unverified.`,
    suggestion:
      "Have a DBA review the unverified statements; or make the sandbox able to run them (an available extension, replay.databaseUrl pointing at a server that has it).",
  };
}

function isLimitation(r: ReplayResult, run: FileRun): boolean {
  return r.limitation?.path === run.path && r.limitation.line === run.error?.line;
}

function lockFindings(plan: ReplayPlan, run: FileRun): ReplayFinding[] {
  const out: ReplayFinding[] = [];
  run.statements.forEach((st, i) => {
    const ae = (st.locks ?? []).filter((l) => l.mode === "AccessExclusiveLock");
    if (ae.length === 0) return;
    out.push(
      lockAccessExclusive.report({
        path: run.path,
        startLine: st.line,
        endLine: st.endLine,
        sql: st.sql,
        relations: describeRelations(ae),
        multiStatement: plan.multiStatement,
        later: run.statements.length - i - 1,
      }),
    );
  });
  return out;
}

function describeRelations(locks: readonly RelationLock[]): string {
  return locks.map((l) => `${l.relationKind} ${inlineCode(displayName(l.relation))}`).join(", ");
}

const STEP = { up: "up", down: "down", reup: "up again" } as const;

function fileRow(step: keyof typeof STEP, run: FileRun, extra = ""): string {
  const left = run.leftApplied
    ? ` (the ${run.leftApplied.statements} statement${run.leftApplied.statements === 1 ? "" : "s"} before it stayed applied)`
    : "";
  const result = run.ok ? `applied${extra}` : `**failed** at line ${run.error!.line}${left}`;
  return `| ${STEP[step]} | ${inlineCode(base(run.path))} | ${result} | ${run.ms} ms |`;
}

function baseOrigin(b: ReplayResult["base"]): string {
  if (b.failureCached) return "not run again (an earlier replay of the same files failed)";
  if (b.restored === 0) return `applied in ${b.ms} ms`;
  if (b.restored === b.files) return "restored from cache";
  return `(${b.restored} restored from cache, the ${b.files - b.restored} after them applied in ${b.ms} ms)`;
}

function howFilesRan(plan: ReplayPlan): string {
  if (plan.dialect === "mysql")
    return " (each file in one multi-statement query without a transaction, like golang-migrate)";
  return plan.multiStatement
    ? " (x-multi-statement: one transaction per statement)"
    : " (one transaction per file, like golang-migrate)";
}

export interface DirectoryReport {
  findings: ReplayFinding[];
  section: ReportSection;
}

/** Findings and the report section for one replayed directory. */
export function reportReplay(plan: ReplayPlan, outcome: SandboxOutcome): DirectoryReport {
  const r = outcome.result;
  const findings: ReplayFinding[] = r ? findingsFor(plan, r) : [];
  const md: string[] = [];
  const first = plan.ups[0]!;

  if (r?.baseFailure) {
    const bf = r.baseFailure;
    findings.push(
      skipped(
        first.path,
        `Replay skipped: the merged migration ${bf.path} does not apply in the sandbox (line ${bf.line}: ${errorText(bf.error)}). The base history must apply before the change can be checked; this says nothing against this change.`,
      ),
    );
  }
  if (outcome.abort) {
    const a = outcome.abort;
    const at = a.path ? ` at ${a.path}${a.line ? `:${a.line}` : ""}` : "";
    if (a.reason === "refused") {
      // The configured server must not be used: loud, it is a configuration mistake to fix.
      findings.push({
        ...skipped(
          first.path,
          `${a.message.charAt(0).toUpperCase()}${a.message.slice(1)}${a.path ? ` (stopped${at} during the ${a.phase} step)` : ""}.`,
        ),
        severity: "error",
        suggestion:
          'Fix the replay database or its account (docs/replay.md, "Replay on a database server"), or remove replay.databaseUrl.',
      });
    } else if (a.reason === "unavailable") {
      findings.push(skipped(first.path, `Replay skipped: ${a.message}.`));
    } else if (
      a.reason === "statement-timeout" &&
      (a.phase === "up" || a.phase === "reup") &&
      a.path
    ) {
      findings.push(
        replayUpFailed.report({
          kind: "timeout",
          path: a.path,
          line: a.line ?? 1,
          what: a.message.replace(/^the statement /, ""),
        }),
      );
    } else if (a.reason === "crashed" && a.phase !== "base" && (r?.ups.length ?? 0) > 0) {
      // The change's SQL had run when the sandbox failed (PGlite answers an endless SQL-function
      // recursion as a success and fails at the next catalog read): the change may have caused
      // it, and a notice would pass a change that was never verified.
      findings.push({
        ...skipped(
          a.path && changePaths(plan).has(a.path) ? a.path : first.path,
          `Replay stopped${at} during the ${a.phase} step: ${a.message}. The sandbox failed after this change's SQL had started running, so the change may have caused it; nothing after that point was verified, and an unverified change is not passed.`,
        ),
        ...(a.path && changePaths(plan).has(a.path) && a.line
          ? { startLine: a.line, endLine: a.line }
          : {}),
        severity: "error",
        suggestion:
          "Run the migrations locally (migrate up, then down and up again) on a database built from the merged ones; if they work, report the sandbox failure.",
      });
    } else {
      const inChange = a.path !== undefined && a.phase !== "base" && changePaths(plan).has(a.path);
      findings.push({
        ...skipped(
          first.path,
          `Replay stopped${at} during the ${a.phase} step: ${a.message}${a.reason === "time-budget" ? " (replay.timeBudgetMs)" : ""}. Steps after that were not checked.`,
        ),
        // Inside the change's own files the change may have chosen to stop it (slow statements
        // under the statement timeout): what follows is unverified, so not a mere notice.
        ...(inChange ? { severity: "warning" as const } : {}),
      });
    }
  }

  if (r) {
    md.push(
      `**${r.engine}**: ${plan.baseFiles} merged migration${plan.baseFiles === 1 ? "" : "s"} ${baseOrigin(r.base)}; ${r.ups.length} new version${r.ups.length === 1 ? "" : "s"} replayed${howFilesRan(plan)}.`,
    );
    if (r.baseFailure) {
      md.push(
        "",
        `Base history does not apply: ${inlineCode(r.baseFailure.path)} line ${r.baseFailure.line}: ${errorText(r.baseFailure.error)}`,
      );
    }
    const rows: string[] = [];
    r.ups.forEach((u) => rows.push(fileRow("up", u)));
    const checks = new Map(r.downChecks.map((c) => [c.path, c]));
    r.downs.forEach((d) =>
      rows.push(
        fileRow("down", d, checks.has(d.path) ? ", **schema differs**" : ", schema restored"),
      ),
    );
    r.reups.forEach((u) => rows.push(fileRow("reup", u)));
    if (rows.length > 0)
      md.push("", "| step | file | result | time |", "|---|---|---|---|", ...rows);

    const lockRows: string[] = [];
    for (const run of r.ups) {
      for (const st of run.statements) {
        for (const l of st.locks ?? []) {
          if (l.mode === "AccessShareLock") continue;
          lockRows.push(
            `| ${inlineCode(`${base(run.path)}:${st.line}`)} | ${inlineCode(st.sql)} | ${lockName(l.mode)} on ${l.relationKind} ${inlineCode(displayName(l.relation))} | ${lockBlocks(l.mode)} | ${st.ms} ms |`,
          );
        }
      }
    }
    if (lockRows.length > 0) {
      md.push(
        "",
        "**Locks on existing relations** (first taken by each statement; held until its transaction ends; times are from the sandbox's empty tables)",
        "",
        "| where | statement | lock | blocks | time |",
        "|---|---|---|---|---|",
        ...lockRows,
      );
    }
    if (r.schemaDiff) {
      const table = changesTable(r.schemaDiff);
      md.push(
        "",
        "**Schema changes** (merged schema → after the new up migrations)",
        "",
        table || "No schema change.",
      );
    }
    if (r.reupDifferences && r.reupDifferences.length > 0) {
      md.push(
        "",
        "**After up → down → up** the schema differs from after the first up:",
        "",
        changesTable(r.reupDifferences),
      );
    }
    for (const c of r.downChecks) {
      md.push(
        "",
        `**After ${inlineCode(base(c.path))}** the schema differs from before its up migration:`,
        "",
        changesTable(c.differences),
      );
    }
    const notes = [...r.ups, ...r.downs, ...r.reups].flatMap((f) =>
      f.notes.map((n) => `${base(f.path)}: ${n}`),
    );
    notes.push(...plan.notes, ...r.notes);
    if (r.rolesCreated.length > 0)
      notes.push(
        `Roles the migrations refer to were created in the sandbox (they usually exist outside migrations): ${r.rolesCreated.join(", ")}.`,
      );
    if (notes.length > 0) md.push("", ...notes.map((n) => `- ${n}`));
  }
  if (outcome.abort) md.push("", `Replay stopped: ${outcome.abort.message}.`);

  // baseSchema: the SQL rules' catalog (catalog-schema.ts), not part of the report.
  const {
    snapshot: _s,
    template: _t,
    baseSchema: _b,
    ...data
  } = r ?? ({} as Partial<ReplayResult>);
  return {
    findings,
    section: {
      id: `replay:${plan.directory}`,
      title: `Sandbox replay: ${plan.directory || "."} (${plan.dialect})`,
      markdown: md.join("\n"),
      data: {
        directory: plan.directory,
        dialect: plan.dialect,
        // Whether any of the base state came from the cache (data.base says how much).
        fromCache: (r?.base.restored ?? 0) > 0,
        ms: outcome.ms,
        ...(r ? data : {}),
        ...(outcome.abort ? { abort: outcome.abort } : {}),
      },
    },
  };
}
