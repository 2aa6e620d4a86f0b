/**
 * `--format text` (default): findings grouped per file with line numbers, severity, rule id,
 * message and the safer way, then the report's sections (the replay's steps, locks and schema
 * changes) as aligned tables. Colours only when writing to a terminal; text from the migrations
 * is sanitized (see style.ts).
 */
import { ruleDocUrl } from "../../core/rules/types.js";
import type { Finding, Report, ReportSection, Severity } from "../../core/types.js";
import { markdownToText } from "./markdown-text.js";
import { isReplaySection, replayText } from "./replay.js";
import { sanitize, sanitizeName, style, type Paint, type Style } from "./style.js";

export interface TextOptions {
  color: boolean;
  /** Terminal width for tables (default 120). */
  width?: number;
}

export const DEFAULT_WIDTH = 120;

export function formatText(report: Report, opts: TextOptions): string {
  const st = style(opts.color);
  const termWidth = opts.width ?? DEFAULT_WIDTH;
  const paint = (code: Paint, s: string) => st.paint(code, s);
  const sevColor: Record<Severity, Paint> = {
    error: "red",
    warning: "yellow",
    notice: "cyan",
  };
  const out: string[] = [];

  const range = report.base ? `${short(report.base)}..${short(report.head)}` : report.head;
  out.push(
    `migration-warden ${report.tool.version}: ${report.changed.length} migration file${report.changed.length === 1 ? "" : "s"} changed (${range})`,
  );
  for (const reason of report.incomplete) out.push(paint("red", `incomplete: ${sanitize(reason)}`));

  const byPath = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const list = byPath.get(f.path) ?? [];
    list.push(f);
    byPath.set(f.path, list);
  }
  const width = Math.max(0, ...report.findings.map((f) => loc(f).length));
  const pad = " ".repeat(width + 4);
  // Continuation lines of a message line up under its first line.
  const indent = (s: string) => sanitize(s.replace(/\r\n/g, "\n")).replace(/\n/g, `\n${pad}`);
  for (const [path, list] of byPath) {
    out.push("", paint("bold", sanitizeName(path)));
    for (const f of list) {
      const label = (f.suppressed ? "suppressed" : f.severity).padEnd(11);
      const sev = f.suppressed ? paint("dim", label) : paint(sevColor[f.severity], label);
      const head = `  ${loc(f).padEnd(width)}  ${sev}${paint("dim", f.ruleId)}  ${indent(f.message)}`;
      out.push(f.suppressed ? paint("dim", head) : head);
      if (f.suppressed) {
        out.push(paint("dim", `${pad}reason: ${indent(f.suppressed.reason)}`));
      } else {
        out.push(`${pad}${paint("green", "safer:")} ${indent(f.suggestion)}`);
        out.push(`${pad}${paint("dim", ruleDocUrl(f.ruleId))}`);
      }
    }
  }
  for (const s of report.sections) out.push("", ...sectionText(s, st, termWidth));

  const { error, warning, notice, suppressed } = report.summary;
  const total = error + warning + notice;
  out.push(
    "",
    total === 0
      ? paint("green", `No problems${suppressed ? ` (${suppressed} suppressed)` : ""}.`)
      : `${plural(total, "problem")} (${error} error${error === 1 ? "" : "s"}, ${plural(warning, "warning")}, ${plural(notice, "notice")})${suppressed ? `, ${suppressed} suppressed` : ""}.`,
  );
  if (report.approvalRequired) out.push("DBA approval required before merge.");
  return `${out.join("\n")}\n`;
}

function sectionText(section: ReportSection, st: Style, width: number): string[] {
  const title = st.paint("bold", sanitize(section.title));
  if (isReplaySection(section)) return [title, ...replayText(section, st, width)];
  return [title, ...markdownToText(section.markdown.trimEnd(), st, width)];
}

function loc(f: Finding): string {
  const col = f.startColumn !== undefined ? `:${f.startColumn}` : "";
  return f.endLine !== f.startLine ? `${f.startLine}${col}-${f.endLine}` : `${f.startLine}${col}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function short(rev: string): string {
  return /^[0-9a-f]{40}$/.test(rev) ? rev.slice(0, 10) : rev;
}
