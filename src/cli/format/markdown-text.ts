/**
 * Report-section Markdown for a terminal, for sections without a renderer of their own: pipe
 * tables become aligned tables, emphasis and code spans lose their markers, HTML entities and
 * `<br>` are decoded, fenced code is indented. Sections with structured data (the replay's) are
 * rendered from the data.
 */
import { sanitize, type Style } from "./style.js";
import { renderTable, type Column } from "./table.js";

export function inlineText(md: string): string {
  return md
    .replace(/<br\s*\/?>/gi, " ")
    .replace(/\*\*(.+?)\*\*/g, "$1")
    .replace(/(`+) ?(.+?) ?\1/g, "$2")
    .replace(/\[([^\]]*)\]\(([^)\s]*)\)/g, "$1 ($2)")
    .replace(/\\\|/g, "|")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** Cells of a pipe-table row; `\|` inside a cell is not a separator. */
function cells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, "").replace(/\|$/, "");
  return inner.split(/(?<!\\)\|/).map((c) => inlineText(c.trim()));
}

const DELIMITER = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

export function markdownToText(md: string, s: Style, width: number, indent = "  "): string[] {
  const lines = md.split(/\r?\n/);
  const out: string[] = [];
  let fence: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== null) {
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length)
        fence = null;
      else out.push(`${indent}    ${s.paint("cyan", sanitize(line))}`);
      continue;
    }
    if (marker !== undefined) {
      fence = marker;
      continue;
    }
    if (line.trimStart().startsWith("|") && DELIMITER.test(lines[i + 1] ?? "")) {
      const header = cells(line);
      const rows: string[][] = [];
      i += 2;
      while (i < lines.length && lines[i]!.trimStart().startsWith("|"))
        rows.push(cells(lines[i++]!));
      i--;
      const columns: Column[] = header.map((h) => ({ header: h, shrink: true, min: 6 }));
      out.push(...renderTable(columns, rows, s, { width, indent }));
      continue;
    }
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) {
      out.push(indent + s.paint("bold", sanitize(inlineText(heading[1]!))));
      continue;
    }
    out.push(line === "" ? "" : indent + sanitize(inlineText(line)));
  }
  return out;
}
