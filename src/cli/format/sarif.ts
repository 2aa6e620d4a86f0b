/**
 * `--format sarif`: SARIF 2.1.0, as accepted by GitHub code scanning (validated against the
 * OASIS schema in the tests).
 */
import type * as Sarif from "sarif";
import { RULES_BY_ID } from "../../core/rules/registry.js";
import { ruleDocUrl } from "../../core/rules/types.js";
import type { Finding, Report, Severity } from "../../core/types.js";

const LEVEL: Record<Severity, Sarif.ReportingConfiguration.level> = {
  error: "error",
  warning: "warning",
  notice: "note",
};

export function formatSarif(report: Report): string {
  const ruleIds = [...new Set(report.findings.map((f) => f.ruleId))].sort();
  const index = new Map(ruleIds.map((id, i) => [id, i]));
  const rules: Sarif.ReportingDescriptor[] = ruleIds.map((id) => {
    const meta = RULES_BY_ID.get(id);
    const d: Sarif.ReportingDescriptor = { id, helpUri: ruleDocUrl(id) };
    if (meta) {
      d.shortDescription = { text: meta.description };
      d.help = {
        text: `Safer: ${meta.saferAlternative}`,
        markdown: `**Safer:** ${meta.saferAlternative}\n\n[Rule documentation](${ruleDocUrl(id)})`,
      };
      d.defaultConfiguration = { level: LEVEL[meta.defaultSeverity] };
      d.properties = { category: meta.category, tags: [meta.category] };
    }
    return d;
  });
  const log: Sarif.Log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: "https://github.com/migration-warden/migration-warden",
            rules,
          },
        },
        originalUriBaseIds: { "%SRCROOT%": { description: { text: "The repository root." } } },
        results: report.findings.map((f) => result(f, index.get(f.ruleId)!)),
        properties: {
          base: report.base,
          head: report.head,
          summary: report.summary,
          incomplete: report.incomplete,
        },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function result(f: Finding, ruleIndex: number): Sarif.Result {
  const region: Sarif.Region = { startLine: f.startLine, endLine: f.endLine };
  if (f.startColumn !== undefined && f.endColumn !== undefined) {
    region.startColumn = f.startColumn;
    // SARIF end columns are exclusive; ours are inclusive.
    region.endColumn = f.endColumn + 1;
  }
  const r: Sarif.Result = {
    ruleId: f.ruleId,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: `${f.message} Safer: ${f.suggestion}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeURI(f.path), uriBaseId: "%SRCROOT%" },
          region,
        },
      },
    ],
  };
  if (f.suppressed) r.suppressions = [{ kind: "inSource", justification: f.suppressed.reason }];
  return r;
}
