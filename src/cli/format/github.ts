/**
 * `--format github`: GitHub Actions workflow commands, one per finding, so a plain
 * `run: migration-warden lint --format github` step annotates the pull request. Suppressed
 * findings stay visible as notices that say why they do not count, as in the app's check run.
 */
import type { Finding, Report } from "../../core/types.js";

/** Workflow-command escaping (actions/toolkit `escapeData` / `escapeProperty`). */
export function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export function formatGithub(report: Report): string {
  const lines: string[] = [];
  for (const f of report.findings) lines.push(command(f));
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
  props.push(`title=${escapeProperty(f.suppressed ? `${f.ruleId} (suppressed)` : f.ruleId)}`);
  const text = `${f.message}\nSafer: ${f.suggestion}`;
  return f.suppressed
    ? `::notice ${props.join(",")}::${escapeData(`Suppressed by an ignore comment: ${f.suppressed.reason}\n${text}`)}`
    : `::${f.severity} ${props.join(",")}::${escapeData(text)}`;
}
