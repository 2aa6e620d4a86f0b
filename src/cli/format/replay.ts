/**
 * The sandbox replay's report section for a terminal, from its structured data (the result the
 * replay returns, src/replay/types.ts): steps, locks and schema changes as aligned tables.
 */
import type { ReportSection } from "../../core/types.js";
import { blocksWrites, lockBlocks, lockName } from "../../replay/locks.js";
import {
  describeChanges,
  describeObject,
  displayName,
  type SchemaChange,
} from "../../replay/schema.js";
import type { FileRun, ReplayResult } from "../../replay/types.js";
import { inlineText } from "./markdown-text.js";
import { oneLine, wrap, type Paint, type Style } from "./style.js";
import { renderTable, type Cell } from "./table.js";

/** What `reportReplay` puts in `section.data` (src/replay/report.ts). */
export type ReplaySectionData = Partial<Omit<ReplayResult, "snapshot" | "template">> & {
  directory: string;
  dialect: string;
  ms: number;
  abort?: { reason: string; message: string; phase?: string; path?: string; line?: number };
};

/** Long statements are cut here even on a wide terminal: the location says where the rest is. */
const SQL_MAX = 60;

export function isReplaySection(section: ReportSection): boolean {
  const d = section.data as Partial<ReplaySectionData> | null | undefined;
  return (
    section.id.startsWith("replay:") &&
    typeof d === "object" &&
    d !== null &&
    typeof d.directory === "string"
  );
}

function base(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function ms(n: number): string {
  return `${n} ms`;
}

export function replayText(section: ReportSection, s: Style, width: number): string[] {
  const d = section.data as ReplaySectionData;
  const out: string[] = [];
  const indent = "  ";
  const table = (...args: Parameters<typeof renderTable>) => out.push(...renderTable(...args));
  const prose = (text: string, paint?: Paint, hang = "") =>
    wrap(text, width, indent, hang).map((l) => (paint ? s.paint(paint, l) : l));

  if (d.engine && d.base && d.ups) {
    const b = d.base;
    const origin = b.failureCached
      ? "not run again (an earlier replay of the same files failed)"
      : b.restored === 0
        ? `applied in ${ms(b.ms)}`
        : b.restored === b.files
          ? "restored from cache"
          : `(${b.restored} restored from cache, ${b.files - b.restored} applied in ${ms(b.ms)})`;
    out.push(
      ...prose(
        `${oneLine(d.engine)}: ${plural(b.files, "merged migration")} ${origin}; ${plural(d.ups.length, "new version")} replayed.`,
      ),
    );
  }
  if (d.baseFailure) {
    const bf = d.baseFailure;
    out.push(
      ...prose(
        `Base history does not apply: ${oneLine(bf.path)} line ${bf.line}: ${oneLine(bf.error.message)}`,
        "red",
      ),
    );
  }

  const checks = new Set((d.downChecks ?? []).map((c) => c.path));
  const steps: Cell[][] = [];
  const step = (name: string, run: FileRun, extra?: { text: string; paint: Paint }) => {
    const left = run.leftApplied
      ? ` (the ${plural(run.leftApplied.statements, "statement")} before it stayed applied)`
      : "";
    const result: Cell = run.ok
      ? (extra ?? { text: "applied", paint: "green" })
      : { text: `failed at line ${run.error?.line ?? "?"}${left}`, paint: "red" };
    steps.push([name, base(run.path), result, ms(run.ms)]);
  };
  for (const r of d.ups ?? []) step("up", r);
  for (const r of d.downs ?? [])
    step(
      "down",
      r,
      checks.has(r.path)
        ? { text: "applied, schema differs", paint: "yellow" }
        : { text: "applied, schema restored", paint: "green" },
    );
  for (const r of d.reups ?? []) step("up again", r);
  if (steps.length > 0) {
    out.push("", `${indent}${s.paint("bold", "Steps")}`);
    table(
      [
        { header: "STEP" },
        { header: "FILE", shrink: true, min: 12, priority: 2 },
        { header: "RESULT", shrink: true, min: 10 },
        { header: "TIME", align: "right" },
      ],
      steps,
      s,
      { width, indent },
    );
  }

  const locks: Cell[][] = [];
  for (const run of d.ups ?? []) {
    for (const st of run.statements) {
      for (const l of st.locks ?? []) {
        if (l.mode === "AccessShareLock") continue;
        const paint: Paint | undefined =
          l.mode === "AccessExclusiveLock" ? "red" : blocksWrites(l.mode) ? "yellow" : undefined;
        locks.push([
          `${base(run.path)}:${st.line}`,
          st.sql,
          paint ? { text: lockName(l.mode), paint } : lockName(l.mode),
          `${l.relationKind} ${displayName(l.relation)}`,
          lockBlocks(l.mode),
          ms(st.ms),
        ]);
      }
    }
  }
  if (locks.length > 0) {
    out.push(
      "",
      `${indent}${s.paint("bold", "Locks on existing relations")}`,
      ...prose(
        "First taken by each statement and held until its transaction ends; times are from the sandbox's empty tables.",
        "dim",
      ),
    );
    table(
      [
        { header: "WHERE", shrink: true, min: 12, priority: 3 },
        { header: "STATEMENT", max: SQL_MAX, shrink: true, min: 24, priority: 2 },
        { header: "LOCK" },
        { header: "ON", shrink: true, min: 10, priority: 2 },
        { header: "BLOCKS", shrink: true, min: 20, priority: 0, optional: true },
        { header: "TIME", align: "right" },
      ],
      locks,
      s,
      { width, indent },
    );
  }

  const changes = (title: string[], list: readonly SchemaChange[] | null | undefined) => {
    if (!list) return;
    out.push("", ...title);
    if (list.length === 0) {
      out.push(`${indent}No schema change.`);
      return;
    }
    table(
      [
        { header: "" },
        { header: "KIND" },
        { header: "OBJECT", shrink: true, min: 12, priority: 2 },
        { header: "DETAIL", shrink: true, min: 16 },
      ],
      list.map((c) => [
        c.change === "added"
          ? { text: "+", paint: "green" }
          : c.change === "removed"
            ? { text: "−", paint: "red" }
            : { text: "~", paint: "yellow" },
        c.kind,
        displayName(c.name),
        inlineText(
          c.change === "changed"
            ? describeChanges(c.changes ?? [])
            : c.change === "added"
              ? describeObject(c.kind, c.attrs)
              : "",
        ),
      ]),
      s,
      { width, indent },
    );
  };
  changes(
    [
      `${indent}${s.paint("bold", "Schema changes")}`,
      ...prose("From the merged schema to the schema after the new up migrations.", "dim"),
    ],
    d.schemaDiff,
  );
  if (d.reupDifferences && d.reupDifferences.length > 0)
    changes(
      prose("After up → down → up the schema differs from after the first up:", "yellow"),
      d.reupDifferences,
    );
  for (const c of d.downChecks ?? [])
    changes(
      prose(
        `After ${oneLine(base(c.path))} the schema differs from before its up migration:`,
        "yellow",
      ),
      c.differences,
    );

  // Notes are prose: the section's Markdown already words them (file notes, how the directory
  // was replayed, roles the sandbox created), as its bullet list.
  const notes = section.markdown
    .split("\n")
    .filter((l) => l.startsWith("- "))
    .flatMap((l) => prose(`- ${oneLine(inlineText(l.slice(2)))}`, undefined, "  "));
  if (notes.length > 0) out.push("", ...notes);
  if (d.abort) out.push("", ...prose(`Replay stopped: ${oneLine(d.abort.message)}.`, "red"));
  return out;
}
