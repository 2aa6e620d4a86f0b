/**
 * Report → Markdown, for the GitHub check-run summary (and any front end that wants Markdown).
 * Pure. Output stays within a UTF-8 byte budget: when findings do not fit, rows are left out and
 * the text says how many, instead of cutting the Markdown at an arbitrary byte.
 */
import { ruleDocUrl } from "../rules/types.js";
import type { Finding, Report, Summary } from "../types.js";
import { truncateUtf8, utf8Length } from "./truncate.js";

/** GitHub's limit for check-run `output.summary` and `output.text`. */
export const GITHUB_OUTPUT_MAX_BYTES = 65_535;

export interface MarkdownOptions {
  /** Byte budget for the whole document (default: GitHub's check-run limit). */
  maxBytes?: number;
  /** Appended to the "left out" note, e.g. where the omitted findings can still be seen. */
  omittedHint?: string;
  /** Extra lines for the footer (config source, run details). */
  footer?: string[];
}

export interface RenderedMarkdown {
  markdown: string;
  /** Findings (suppressed included) that did not fit in the budget. */
  omittedFindings: number;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** "2 errors, 1 warning, 0 notices (1 suppressed)": the counts line shared by titles. */
export function countsText(s: Summary): string {
  const base = `${plural(s.error, "error")}, ${plural(s.warning, "warning")}, ${plural(s.notice, "notice")}`;
  return s.suppressed > 0 ? `${base} (${s.suppressed} suppressed)` : base;
}

export function renderReportMarkdown(report: Report, opts: MarkdownOptions = {}): RenderedMarkdown {
  const maxBytes = opts.maxBytes ?? GITHUB_OUTPUT_MAX_BYTES;
  const active = report.findings.filter((f) => !f.suppressed);
  const suppressed = report.findings.filter((f) => f.suppressed);
  const total = report.findings.length;

  const footer = [
    "",
    "---",
    `<sub>${[
      `${report.tool.name} ${report.tool.version}`,
      report.base ? `base ${code(shortSha(report.base))}` : null,
      `head ${code(shortSha(report.head))}`,
      ...(opts.footer ?? []),
    ]
      .filter((x) => x !== null)
      .join(" · ")}</sub>`,
    "",
  ].join("\n");
  // Room for the footer and the longest possible "left out" note is set aside up front.
  const note = (n: number) =>
    `\n> **${n} of ${plural(total, "finding")} ${n === 1 ? "is" : "are"} left out of this summary** to stay within GitHub's size limit.${opts.omittedHint ? ` ${opts.omittedHint}` : ""}\n`;
  const out = new Budget(maxBytes - utf8Length(footer) - utf8Length(note(total)));

  const head = [
    `${bold(report.summary.error, "error")} · ${bold(report.summary.warning, "warning")} · ${bold(report.summary.notice, "notice")}` +
      (report.summary.suppressed > 0 ? ` · ${report.summary.suppressed} suppressed` : "") +
      ` — ${plural(report.changed.length, "changed migration file")}`,
    "",
  ];
  if (report.incomplete.length > 0) {
    head.push(
      "> [!WARNING]",
      "> **Incomplete analysis.** migration-warden could not see everything this change touches, so it cannot pass:",
      ...report.incomplete.map((r) => `> - ${escapeInline(r)}`),
      "",
    );
  }
  out.force(head.join("\n") + "\n");

  let shown = 0;
  if (active.length > 0) {
    out.tryAdd("### Findings\n\n");
    for (const [path, group] of groupByPath(active)) {
      const header = `**${code(path)}**\n\n| Lines | Severity | Rule | Finding |\n| --- | --- | --- | --- |\n`;
      let first = true;
      for (const f of group) {
        const row = `| ${lines(f)} | ${f.severity} | ${ruleLink(f.ruleId)} | ${escapeInline(f.message)}<br>**Safer:** ${escapeInline(f.suggestion)} |\n`;
        if (!(first ? out.tryAdd(header + row) : out.tryAdd(row))) continue;
        first = false;
        shown++;
      }
      if (!first) out.tryAdd("\n");
    }
  }

  if (suppressed.length > 0) {
    const header =
      "### Suppressed findings\n\nIgnore comments in the migrations silence these; they do not count towards the result.\n\n| File | Lines | Rule | Finding | Reason |\n| --- | --- | --- | --- | --- |\n";
    let first = true;
    for (const f of suppressed) {
      const row = `| ${code(f.path)} | ${lines(f)} | ${ruleLink(f.ruleId)} | ${escapeInline(f.message)} | ${escapeInline(f.suppressed!.reason)} |\n`;
      if (!(first ? out.tryAdd(header + row) : out.tryAdd(row))) continue;
      first = false;
      shown++;
    }
    if (!first) out.tryAdd("\n");
  }

  if (report.changed.length > 0) {
    const rows = report.changed.map(
      (c) => `| ${code(c.path)} | ${c.version ?? "—"} | ${c.direction ?? "—"} | ${c.status} |\n`,
    );
    const table = `### Changed migration files\n\n| File | Version | Direction | Status |\n| --- | --- | --- | --- |\n${rows.join("")}\n`;
    if (!out.tryAdd(table)) {
      out.tryAdd(
        `### Changed migration files\n\n${plural(report.changed.length, "file")} (list left out to stay within the size limit).\n\n`,
      );
    }
  }

  for (const s of report.sections) {
    const title = `### ${escapeInline(s.title)}\n\n`;
    const body = `${s.markdown.trimEnd()}\n\n`;
    if (out.tryAdd(title + body)) continue;
    const cut = `${title}${truncateUtf8(s.markdown, Math.max(0, out.remaining() - utf8Length(title) - 80), "")}\n\n*(section cut to stay within the size limit)*\n\n`;
    out.tryAdd(cut);
  }

  const omitted = total - shown;
  return {
    markdown: out.text() + (omitted > 0 ? note(omitted) : "") + footer,
    omittedFindings: omitted,
  };
}

class Budget {
  #parts: string[] = [];
  #used = 0;
  constructor(readonly max: number) {}
  remaining(): number {
    return this.max - this.#used;
  }
  tryAdd(s: string): boolean {
    const n = utf8Length(s);
    if (this.#used + n > this.max) return false;
    this.#parts.push(s);
    this.#used += n;
    return true;
  }
  /** Always kept; cut to the budget if it alone is too large. */
  force(s: string): void {
    const t = truncateUtf8(s, Math.max(0, this.remaining()));
    this.#parts.push(t);
    this.#used += utf8Length(t);
  }
  text(): string {
    return this.#parts.join("");
  }
}

function groupByPath(findings: readonly Finding[]): Map<string, Finding[]> {
  const m = new Map<string, Finding[]>();
  for (const f of findings) {
    const g = m.get(f.path);
    if (g) g.push(f);
    else m.set(f.path, [f]);
  }
  return m;
}

function bold(n: number, word: string): string {
  return n > 0 ? `**${plural(n, word)}**` : plural(n, word);
}

function lines(f: Finding): string {
  return f.startLine === f.endLine ? `${f.startLine}` : `${f.startLine}–${f.endLine}`;
}

function ruleLink(id: string): string {
  return `[${code(id)}](${ruleDocUrl(id)})`;
}

function shortSha(s: string): string {
  return /^[0-9a-f]{40,64}$/.test(s) ? s.slice(0, 7) : s;
}

/**
 * Inline code that survives any text: a fence one backtick longer than the longest run of
 * backticks inside (so SQL, file or table names from a pull request cannot end the code span and
 * inject Markdown), pipes escaped for tables, newlines as spaces.
 */
export function inlineCode(s: string): string {
  return codeSpan(s.replace(/\|/g, "\\|"));
}

/** inlineCode for text outside tables (a `\\|` would show literally there). */
export function codeSpan(s: string): string {
  const text = s.replace(/\r?\n/g, " ");
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

const code = inlineCode;

/**
 * Plain text for inline Markdown (table cells, list items): pipes escaped, newlines as <br>, and
 * `&`, `<`, `>` outside code spans escaped so placeholders such as <version> are not swallowed as
 * HTML.
 */
export function escapeInline(s: string): string {
  return s
    .split(/(`[^`\n]*`)/)
    .map((part, i) =>
      i % 2 === 1 ? part : part.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"),
    )
    .join("")
    .replace(/\|/g, "\\|")
    .replace(/\r?\n/g, "<br>");
}
