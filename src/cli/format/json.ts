/**
 * `--format json`: exactly the contract's document. Versions are written as JSON numbers with
 * every digit (golang-migrate versions reach 19 digits, beyond JavaScript's safe integers).
 */
import type { Report } from "../../core/types.js";

export function formatJson(report: Report): string {
  const doc: Record<string, unknown> = {
    tool: report.tool,
    base: report.base,
    head: report.head,
    changed: report.changed.map((c) => ({
      path: c.path,
      version: c.version === null ? null : `\u0000${c.version}\u0000`,
      direction: c.direction,
      status: c.status,
    })),
    findings: report.findings,
    summary: report.summary,
    approvalRequired: report.approvalRequired,
  };
  if (report.incomplete.length > 0) doc.incomplete = report.incomplete;
  if (report.sections.length > 0) {
    doc.sections = report.sections.map((s) => ({ id: s.id, title: s.title, data: s.data ?? null }));
  }
  // NUL cannot occur in JSON.stringify output except from our markers (it is escaped as \u0000).
  return `${JSON.stringify(doc, null, 2).replace(/"\\u0000(\d+)\\u0000"/g, "$1")}\n`;
}
