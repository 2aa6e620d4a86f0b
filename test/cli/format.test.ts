import { readFileSync } from "node:fs";
import { formatGithub } from "../../src/cli/format/github.js";
import { formatJson } from "../../src/cli/format/json.js";
import { formatSarif } from "../../src/cli/format/sarif.js";
import { formatText } from "../../src/cli/format/text.js";
import type { Report } from "../../src/core/types.js";
import AjvDraft04 from "ajv-draft-04";

// ajv-draft-04 is CommonJS: its class is the `default` property of module.exports.
const Ajv04 = AjvDraft04.default;

const report: Report = {
  tool: { name: "migration-warden", version: "1.2.3" },
  base: "a".repeat(40),
  head: "WORKTREE",
  changed: [
    {
      path: "migrations/9223372036854775807_big.up.sql",
      version: "9223372036854775807",
      direction: "up",
      status: "added",
    },
    { path: "migrations/x_up.sql", version: null, direction: null, status: "added" },
  ],
  findings: [
    {
      ruleId: "out-of-order-migration",
      severity: "error",
      path: "migrations/9223372036854775807_big.up.sql",
      startLine: 1,
      endLine: 1,
      message: "Version 1, not above 2: skipped, silently\non databases at 2 (100% sure).",
      suggestion: "Renumber it.",
    },
    {
      ruleId: "missing-down-migration",
      severity: "warning",
      path: "migrations/9223372036854775807_big.up.sql",
      startLine: 3,
      endLine: 3,
      startColumn: 5,
      endColumn: 9,
      message: "No down.",
      suggestion: "Add one.",
    },
    {
      ruleId: "empty-migration",
      severity: "notice",
      path: "migrations/x_up.sql",
      startLine: 2,
      endLine: 4,
      message: "Empty.",
      suggestion: "Fill it.",
      suppressed: { reason: "placeholder, filled in the next PR" },
    },
  ],
  summary: { error: 1, warning: 1, notice: 0, suppressed: 1 },
  approvalRequired: true,
  incomplete: [],
  sections: [],
};

test("json: the contract's keys, versions as exact JSON numbers", () => {
  const text = formatJson(report);
  expect(text).toContain('"version": 9223372036854775807,');
  expect(text).toContain('"version": null,');
  const doc = JSON.parse(text);
  expect(Object.keys(doc)).toEqual([
    "tool",
    "base",
    "head",
    "changed",
    "findings",
    "summary",
    "approvalRequired",
  ]);
  expect(doc.findings[2].suppressed).toEqual({ reason: "placeholder, filled in the next PR" });
  // A finding's text containing the marker characters cannot be turned into a number.
  const tricky = formatJson({
    ...report,
    findings: [{ ...report.findings[0]!, message: '"\u00001\u0000"' }],
  });
  expect(JSON.parse(tricky).findings[0].message).toBe('"\u00001\u0000"');
});

test("sarif: valid SARIF 2.1.0 with rules, levels, regions and suppressions", () => {
  const sarif = JSON.parse(formatSarif(report));
  const schema = JSON.parse(
    readFileSync(new URL("../fixtures/sarif/sarif-2.1.0-rtm.5.json", import.meta.url), "utf8"),
  );
  const ajv = new Ajv04({
    allErrors: true,
    strict: false,
    validateFormats: false,
    unicodeRegExp: false,
  });
  const validate = ajv.compile(schema);
  expect(validate.errors ?? null).toBeNull();
  expect(validate(sarif)).toBe(true);

  const run = sarif.runs[0];
  expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual([
    "empty-migration",
    "missing-down-migration",
    "out-of-order-migration",
  ]);
  expect(run.results.map((r: { level: string }) => r.level)).toEqual(["error", "warning", "note"]);
  expect(run.results[1].locations[0].physicalLocation.region).toEqual({
    startLine: 3,
    endLine: 3,
    startColumn: 5,
    endColumn: 10,
  });
  expect(run.results[2].suppressions).toEqual([
    { kind: "inSource", justification: "placeholder, filled in the next PR" },
  ]);
  expect(run.results[0].ruleIndex).toBe(2);

  // The validator is live: a broken document is rejected.
  expect(validate({ ...sarif, version: "2.0.0" })).toBe(false);
});

test("github: one escaped workflow command per finding, suppressed ones as notices saying why", () => {
  expect(formatGithub(report)).toBe(
    [
      "::error file=migrations/9223372036854775807_big.up.sql,line=1,endLine=1,title=out-of-order-migration::Version 1, not above 2: skipped, silently%0Aon databases at 2 (100%25 sure).%0ASafer: Renumber it.",
      "::warning file=migrations/9223372036854775807_big.up.sql,line=3,endLine=3,col=5,endColumn=9,title=missing-down-migration::No down.%0ASafer: Add one.",
      "::notice file=migrations/x_up.sql,line=2,endLine=4,title=empty-migration (suppressed)::Suppressed by an ignore comment: placeholder, filled in the next PR%0AEmpty.%0ASafer: Fill it.",
      "",
    ].join("\n"),
  );
  expect(
    formatGithub({ ...report, findings: [], incomplete: ["PR has more than 3000 files"] }),
  ).toBe("::error title=migration-warden::Analysis incomplete: PR has more than 3000 files\n");
  expect(formatGithub({ ...report, findings: [] })).toBe("");
});

test("text: grouped per file with lines, severity, rule, message and the safer way; colour only on request", () => {
  const plain = formatText(report, { color: false });
  expect(plain.includes("\u001b[")).toBe(false);
  expect(plain).toContain(
    "migration-warden 1.2.3: 2 migration files changed (aaaaaaaaaa..WORKTREE)",
  );
  expect(plain).toContain("\nmigrations/9223372036854775807_big.up.sql\n");
  expect(plain).toContain(
    "  1    error      out-of-order-migration  Version 1, not above 2: skipped, silently\n       on databases",
  );
  expect(plain).toContain("  3:5  warning    missing-down-migration  No down.");
  expect(plain).toContain("safer: Add one.");
  expect(plain).toContain("  2-4  suppressed empty-migration  Empty.");
  expect(plain).toContain("reason: placeholder, filled in the next PR");
  expect(plain).toContain("2 problems (1 error, 1 warning, 0 notices), 1 suppressed.");
  expect(plain).toContain("DBA approval required before merge.");
  expect(formatText(report, { color: true })).toContain("\u001b[31merror");
  expect(
    formatText(
      { ...report, findings: [], summary: { error: 0, warning: 0, notice: 0, suppressed: 0 } },
      { color: false },
    ),
  ).toContain("No problems.");
});
