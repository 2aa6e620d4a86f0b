/**
 * `migration-warden explain <rule-id>`: a rule's page (what it detects, why, the bad and the good
 * example, how to suppress it), read from the docs/rules pages shipped in the package.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { ALL_RULES, RULES_BY_ID } from "../core/rules/registry.js";
import { DOCS_BASE, type RuleMeta } from "../core/rules/types.js";
import { parseOptions, usageFailure } from "./args.js";
import { markdownToText } from "./format/markdown-text.js";
import { style, useColor } from "./format/style.js";
import { renderTable } from "./format/table.js";
import { terminalWidth, type Io } from "./lint.js";

export const EXPLAIN_USAGE = `Usage: migration-warden explain <rule-id>
       migration-warden explain --list

Prints a rule's page: what it detects, why it matters, a bad and a good
example, and how to suppress it.

Options:
  --list          list every rule with its default severity
  --markdown      print the page's Markdown source
  -h, --help      show this help

Exit status: 0 = printed, 2 = unknown rule id or usage error.
`;

/**
 * The docs/rules directory of this installation. src/cli and lib/cli sit at the same depth, so
 * the same relative path works from the sources (tests) and from the built package, whose
 * package.json `files` ships docs/.
 */
export const RULE_DOCS_DIR = fileURLToPath(new URL("../../docs/rules/", import.meta.url));

export function ruleDocPath(id: string): string {
  return `${RULE_DOCS_DIR}${id}.md`;
}

export async function runExplain(argv: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseOptions({
      args: argv,
      allowPositionals: true,
      options: {
        list: { type: "boolean", default: false },
        markdown: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (err) {
    return usageFailure(io, (err as Error).message, EXPLAIN_USAGE);
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    io.stdout(EXPLAIN_USAGE);
    return 0;
  }
  const st = style(useColor(io));
  const width = terminalWidth(io);
  if (v.list) {
    const rows = [...ALL_RULES]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((m) => [m.id, defaultLabel(m), m.category, m.description]);
    const columns = [
      { header: "RULE" },
      { header: "DEFAULT" },
      { header: "CATEGORY" },
      { header: "DETECTS", shrink: true, min: 20 },
    ];
    io.stdout(`${renderTable(columns, rows, st, { width }).join("\n")}\n`);
    return 0;
  }
  if (positionals.length !== 1)
    return usageFailure(
      io,
      positionals.length === 0 ? "name a rule id" : "name one rule id",
      EXPLAIN_USAGE,
    );
  const id = positionals[0]!;
  // Only registered ids are looked up: the argument never becomes a path on its own.
  const meta = RULES_BY_ID.get(id);
  if (!meta) {
    const near = nearest(id);
    io.stderr(
      `migration-warden: unknown rule id "${id}"${near.length > 0 ? ` (did you mean ${near.map((n) => `"${n}"`).join(" or ")}?)` : ""}; "migration-warden explain --list" lists them\n`,
    );
    return 2;
  }
  let page: string;
  try {
    page = await readFile(ruleDocPath(meta.id), "utf8");
  } catch (err) {
    io.stderr(
      `migration-warden: the page of ${meta.id} is missing from this installation (${ruleDocPath(meta.id)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}); it is online at ${DOCS_BASE}/${meta.id}.md\n`,
    );
    return 2;
  }
  // Links between pages point at the published docs: relative paths mean nothing in a terminal.
  const linked = page.replace(/\]\((?!https?:|#)([^)\s]+)\)/g, (_m, rel: string) => {
    const url = new URL(rel, `${DOCS_BASE}/`).href;
    return `](${url})`;
  });
  if (v.markdown) {
    io.stdout(linked.endsWith("\n") ? linked : `${linked}\n`);
    return 0;
  }
  const lines = markdownToText(linked.trimEnd(), st, width, "");
  lines.push("", st.paint("dim", `${DOCS_BASE}/${meta.id}.md`));
  io.stdout(`${lines.join("\n")}\n`);
  return 0;
}

/** "warning", "off (notice)" for an opt-in policy, "off by default (style)" for a style rule. */
export function defaultLabel(m: RuleMeta): string {
  if (!m.optIn) return m.defaultSeverity;
  return m.category === "style" ? "off by default (style)" : `off (${m.defaultSeverity})`;
}

/** Rule ids close to a mistyped one: containing it, or within a small edit distance. */
function nearest(id: string): string[] {
  const q = id.toLowerCase();
  const scored = ALL_RULES.map((m) => ({ id: m.id, d: distance(q, m.id) })).filter(
    (x) => x.id.includes(q) || x.d <= Math.max(2, Math.floor(x.id.length / 5)),
  );
  return scored
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((x) => x.id);
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
