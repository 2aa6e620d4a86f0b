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

/**
 * Report text printed where a GitHub Actions runner reads it (a `run:` step's log), made inert:
 * the runner takes a line whose first non-blank characters are `::` as a workflow command, and
 * also the older `##[command]` form anywhere in a line (both on stdout and stderr). File names,
 * SQL, pull request titles and live database names reach these reports, so one of them could
 * otherwise add annotations, mask text (`##[add-mask]#57` hides "#57" in the rest of the log) or
 * stop command processing. Only those sequences change: JSON gets an escape its parsers decode
 * to the same string, text the visible `\u{..}` escapes it uses for control characters, Markdown
 * and CSV a zero-width space.
 */
export function inertForRunner(text: string, kind: "json" | "text" | "markdown"): string {
  if (kind === "json") return text.replace(/##\[/g, "#\\u0023[");
  const [colon, hash] = kind === "text" ? ["\\u{3a}:", "#\\u{23}["] : [":\u200b:", "#\u200b#["];
  // The runner reads lines as .NET does: "\r", "\n" and "\r\n" end one, and Trim() drops any
  // Unicode white space (U+0085 and no-break spaces too) before looking for "::".
  return text
    .replace(/##\[/g, hash)
    .replace(
      /(^|\r\n|\r|\n)([\s\u0085]*?)::/g,
      (_m, eol: string, blank: string) => `${eol}${blank}${colon}`,
    );
}
