/** Findings as check-run annotations: one per finding, on its file and lines. */
import { truncateCodePoints, truncateUtf8 } from "../../core/report/truncate.js";
import { ruleDocUrl } from "../../core/rules/types.js";
import type { Finding, Severity } from "../../core/types.js";
import type { Annotation } from "./types.js";

const LEVEL: Record<Severity, Annotation["annotation_level"]> = {
  error: "failure",
  warning: "warning",
  notice: "notice",
};

/** GitHub: message and raw_details up to 64 KB, title up to 255 characters. */
const MAX_MESSAGE_BYTES = 64 * 1024 - 1;
const MAX_TITLE_CHARS = 255;

export function findingAnnotation(f: Finding): Annotation {
  const parts = [f.message, `Safer: ${f.suggestion}`];
  // Suppressed findings stay visible, as notices that say why they do not count.
  if (f.suppressed) parts.unshift(`Suppressed by an ignore comment: ${f.suppressed.reason}`);
  parts.push(`Rule: ${ruleDocUrl(f.ruleId)}`);
  const a: Annotation = {
    path: f.path,
    start_line: f.startLine,
    end_line: f.endLine,
    annotation_level: f.suppressed ? "notice" : LEVEL[f.severity],
    title: truncateCodePoints(`${f.ruleId}${f.suppressed ? " (suppressed)" : ""}`, MAX_TITLE_CHARS),
    message: truncateUtf8(parts.join("\n\n"), MAX_MESSAGE_BYTES),
  };
  // GitHub only accepts columns on single-line annotations.
  if (f.startLine === f.endLine && f.startColumn !== undefined && f.endColumn !== undefined) {
    a.start_column = f.startColumn;
    a.end_column = f.endColumn;
  }
  return a;
}
