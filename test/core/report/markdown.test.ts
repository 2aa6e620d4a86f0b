import { describe, expect, test } from "@jest/globals";
import { countsText, inlineCode, renderReportMarkdown } from "../../../src/core/report/markdown.js";
import { utf8Length } from "../../../src/core/report/truncate.js";
import type { Finding, Report } from "../../../src/core/types.js";

function finding(i: number, over: Partial<Finding> = {}): Finding {
  return {
    ruleId: "drop-table",
    severity: "error",
    path: `db/migrations/${String(i).padStart(4, "0")}_x.up.sql`,
    startLine: 3,
    endLine: 3,
    message: "DROP TABLE <users> deletes every row | irreversibly",
    suggestion: "Rename it first and drop it in a later release: `ALTER TABLE a RENAME TO b`.",
    ...over,
  };
}

function report(findings: Finding[], over: Partial<Report> = {}): Report {
  const summary = { error: 0, warning: 0, notice: 0, suppressed: 0 };
  for (const f of findings) {
    if (f.suppressed) summary.suppressed++;
    else summary[f.severity]++;
  }
  return {
    tool: { name: "migration-warden", version: "1.2.3" },
    base: "a".repeat(40),
    head: "b".repeat(40),
    changed: [
      { path: "db/migrations/0001_x.up.sql", version: "1", direction: "up", status: "added" },
    ],
    findings,
    summary,
    approvalRequired: true,
    incomplete: [],
    sections: [],
    ...over,
  };
}

describe("renderReportMarkdown", () => {
  test("groups findings by file, links rule docs, and escapes table cells outside code", () => {
    const md = renderReportMarkdown(
      report([
        finding(1, { startLine: 2, endLine: 5 }),
        finding(1, { ruleId: "truncate-table", severity: "warning", startLine: 7, endLine: 7 }),
        finding(2, { suppressed: { reason: "table is <empty> | unused" } }),
      ]),
    ).markdown;
    expect(md).toContain(
      "**1 error** · **1 warning** · 0 notices · 1 suppressed — 1 changed migration file",
    );
    expect(md).toContain(
      "**`db/migrations/0001_x.up.sql`**\n\n| Lines | Severity | Rule | Finding |\n| --- | --- | --- | --- |\n" +
        "| 2–5 | error | [`drop-table`](https://github.com/migration-warden/migration-warden/blob/main/docs/rules/drop-table.md) | DROP TABLE &lt;users&gt; deletes every row \\| irreversibly<br>**Safer:** Rename it first and drop it in a later release: `ALTER TABLE a RENAME TO b`. |\n" +
        "| 7 | warning | [`truncate-table`]",
    );
    expect(md).toContain("### Suppressed findings");
    expect(md).toContain("| table is &lt;empty&gt; \\| unused |");
    expect(md).toContain("| `db/migrations/0001_x.up.sql` | 1 | up | added |");
    expect(md).toContain("<sub>migration-warden 1.2.3 · base `aaaaaaa` · head `bbbbbbb`</sub>");
  });

  test("says why an incomplete analysis cannot pass", () => {
    const md = renderReportMarkdown(
      report([], { incomplete: ["GitHub truncated the listing"] }),
    ).markdown;
    expect(md).toContain("> **Incomplete analysis.**");
    expect(md).toContain("> - GitHub truncated the listing");
  });

  test("stays within the byte budget and says how many findings were left out", () => {
    // Multi-byte text: a character budget would overshoot GitHub's byte-like limit.
    const many = Array.from({ length: 2000 }, (_, i) =>
      finding(i, { message: `Ä ${"ü".repeat(40)} ${i}` }),
    );
    const { markdown, omittedFindings } = renderReportMarkdown(report(many), {
      omittedHint: "Every finding is still annotated on its file.",
    });
    expect(utf8Length(markdown)).toBeLessThanOrEqual(65_535);
    expect(omittedFindings).toBeGreaterThan(0);
    const shown = (markdown.match(/^\| 3 \| error \|/gm) ?? []).length;
    expect(shown + omittedFindings).toBe(2000);
    expect(markdown).toContain(
      `> **${omittedFindings} of 2000 findings are left out of this summary** to stay within GitHub's size limit. Every finding is still annotated on its file.`,
    );
    expect(markdown.trimEnd().endsWith("</sub>")).toBe(true);
  });

  test("a small budget still keeps the header, the note and the footer", () => {
    const { markdown, omittedFindings } = renderReportMarkdown(report([finding(1), finding(2)]), {
      maxBytes: 700,
    });
    expect(utf8Length(markdown)).toBeLessThanOrEqual(700);
    expect(markdown.startsWith("**2 errors**")).toBe(true);
    expect(omittedFindings).toBe(1);
    expect(markdown).toContain("`db/migrations/0001_x.up.sql`");
    expect(markdown).not.toContain("`db/migrations/0002_x.up.sql`");
    expect(markdown).toContain("1 of 2 findings is left out");
    expect(markdown.trimEnd().endsWith("</sub>")).toBe(true);
  });

  test("cuts an oversized extra section instead of dropping the findings", () => {
    const { markdown, omittedFindings } = renderReportMarkdown(
      report([finding(1)], {
        sections: [{ id: "replay", title: "Replay", markdown: "x".repeat(100_000) }],
      }),
    );
    expect(omittedFindings).toBe(0);
    expect(utf8Length(markdown)).toBeLessThanOrEqual(65_535);
    expect(markdown).toContain("*(section cut to stay within the size limit)*");
  });
});

test("countsText", () => {
  expect(countsText({ error: 1, warning: 2, notice: 0, suppressed: 0 })).toBe(
    "1 error, 2 warnings, 0 notices",
  );
  expect(countsText({ error: 0, warning: 0, notice: 1, suppressed: 3 })).toBe(
    "0 errors, 0 warnings, 1 notice (3 suppressed)",
  );
});

describe("inlineCode", () => {
  test("text from a pull request cannot end the code span, whatever backticks it holds", () => {
    expect(inlineCode("users")).toBe("`users`");
    expect(inlineCode("a`b")).toBe("``a`b``");
    expect(inlineCode("x``y`")).toBe("``` x``y` ```");
    // A table cell: pipes escaped, newlines folded.
    expect(inlineCode("a|b\nc")).toBe("`a\\|b c`");
    // The SQL of a lock row that tried to break out and inject an image.
    const sql = "SELECT '`![x](https://evil.example/p.png)`'";
    const out = inlineCode(sql);
    const fence = /^`+/.exec(out)![0];
    expect(fence.length).toBeGreaterThan(Math.max(...sql.match(/`+/g)!.map((r) => r.length)));
    expect(out.endsWith(fence)).toBe(true);
  });
});
