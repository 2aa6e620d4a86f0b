/**
 * `--format github`: GitHub Actions workflow commands, one per unsuppressed finding, so a plain
 * `run: migration-warden lint --format github` step annotates the pull request.
 */
import type { Finding, Report } from "../../core/types.js";

/** Workflow-command escaping (actions/toolkit `escapeData` / `escapeProperty`). */
function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export function formatGithub(report: Report): string {
  const lines: string[] = [];
  for (const f of report.findings) {
    if (f.suppressed) continue;
    lines.push(command(f));
  }
  for (const reason of report.incomplete) {
    lines.push(`::error title=migration-warden::${escapeData(`Analysis incomplete: ${reason}`)}`);
  }
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}

function command(f: Finding): string {
  const props = [`file=${escapeProperty(f.path)}`, `line=${f.startLine}`, `endLine=${f.endLine}`];
  if (f.startColumn !== undefined && f.endColumn !== undefined) {
    props.push(`col=${f.startColumn}`, `endColumn=${f.endColumn}`);
  }
  props.push(`title=${escapeProperty(f.ruleId)}`);
  return `::${f.severity} ${props.join(",")}::${escapeData(`${f.message}\nSafer: ${f.suggestion}`)}`;
}
