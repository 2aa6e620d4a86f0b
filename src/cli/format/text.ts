/**
 * `--format text` (default): findings grouped per file with line numbers, severity, rule id,
 * message and the safer way. Colours only when writing to a terminal.
 */
import { ruleDocUrl } from "../../core/rules/types.js";
import type { Finding, Report, Severity } from "../../core/types.js";

export interface TextOptions {
  color: boolean;
}

const SGR = { red: 31, yellow: 33, cyan: 36, dim: 2, bold: 1, green: 32 } as const;

export function formatText(report: Report, opts: TextOptions): string {
  const paint = (code: keyof typeof SGR, s: string) =>
    opts.color ? `\u001b[${SGR[code]}m${s}\u001b[0m` : s;
  const sevColor: Record<Severity, keyof typeof SGR> = {
    error: "red",
    warning: "yellow",
    notice: "cyan",
  };
  const out: string[] = [];

  const range = report.base ? `${short(report.base)}..${short(report.head)}` : report.head;
  out.push(
    `migration-warden ${report.tool.version}: ${report.changed.length} migration file${report.changed.length === 1 ? "" : "s"} changed (${range})`,
  );
  for (const reason of report.incomplete) out.push(paint("red", `incomplete: ${reason}`));

  const byPath = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const list = byPath.get(f.path) ?? [];
    list.push(f);
    byPath.set(f.path, list);
  }
  const width = Math.max(0, ...report.findings.map((f) => loc(f).length));
  const pad = " ".repeat(width + 4);
  // Continuation lines of a message line up under its first line.
  const indent = (s: string) => s.replace(/\r?\n/g, `\n${pad}`);
  for (const [path, list] of byPath) {
    out.push("", paint("bold", path));
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
  for (const s of report.sections) out.push("", paint("bold", s.title), s.markdown.trimEnd());

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
