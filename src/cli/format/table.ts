/**
 * Aligned plain-text tables for a terminal. Columns keep their natural width when the table fits;
 * otherwise the shrinkable columns give up width, lowest priority first (widest first among
 * equals), and their cells are cut with an ellipsis; when that is not enough, optional columns
 * are left out. A column can also have a hard maximum (long SQL is cut even when the terminal is
 * wide: the file and line say where the rest is).
 */
import { cut, displayWidth, oneLine, pad, type Paint, type Style } from "./style.js";

export interface Column {
  header: string;
  align?: "left" | "right";
  /** Most columns this one ever takes. */
  max?: number;
  /** May be narrowed (down to `min`, default 8) to fit the table into the width. */
  shrink?: boolean;
  min?: number;
  /** Columns with a lower priority shrink first (default 1). */
  priority?: number;
  /** May be left out when the table does not fit even with every column at its minimum. */
  optional?: boolean;
}

export type Cell = string | { text: string; paint?: Paint };

const GAP = "  ";

export interface TableOptions {
  /** Total width available (terminal columns). */
  width: number;
  /** Printed before every line. */
  indent?: string;
}

export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly Cell[])[],
  s: Style,
  opts: TableOptions,
): string[] {
  const indent = opts.indent ?? "";
  const text = rows.map((r) => columns.map((_, i) => oneLine(cellText(r[i]))));
  const natural = columns.map((c, i) =>
    Math.min(
      c.max ?? Infinity,
      Math.max(displayWidth(c.header), ...text.map((r) => displayWidth(r[i]!))),
    ),
  );
  let shown = columns.map((_, i) => i);
  let widths = [...natural];
  for (;;) {
    if (fit(columns, shown, widths, opts.width - displayWidth(indent))) break;
    const optional = shown.filter((i) => columns[i]!.optional);
    if (optional.length === 0) break;
    const drop = optional.reduce((a, b) => (prio(columns[b]!) < prio(columns[a]!) ? b : a));
    shown = shown.filter((i) => i !== drop);
    widths = [...natural];
  }
  const line = (cells: string[], paints: (Paint | undefined)[]) =>
    indent +
    shown
      .map((i, n) => {
        const cell = cells[i]!;
        const last = n === shown.length - 1 && columns[i]!.align !== "right";
        const fitted = cut(cell, widths[i]!);
        const padded = last ? fitted : pad(fitted, widths[i]!, columns[i]!.align);
        const p = paints[i];
        return p ? s.paint(p, padded) : padded;
      })
      .join(GAP)
      .trimEnd();
  const out = [
    line(
      columns.map((c) => c.header),
      columns.map(() => "bold" as const),
    ),
  ];
  rows.forEach((r, ri) =>
    out.push(
      line(
        text[ri]!,
        columns.map((_, i) => cellPaint(r[i])),
      ),
    ),
  );
  return out;
}

function prio(c: Column): number {
  return c.priority ?? 1;
}

/**
 * Narrows the shown columns in place, one step at a time, until they fit `width`; false when
 * they cannot.
 */
function fit(
  columns: readonly Column[],
  shown: readonly number[],
  widths: number[],
  width: number,
): boolean {
  const total = () => shown.reduce((a, i) => a + widths[i]!, 0) + GAP.length * (shown.length - 1);
  while (total() > width) {
    let pick = -1;
    for (const i of shown) {
      const c = columns[i]!;
      if (!c.shrink || widths[i]! <= (c.min ?? 8)) continue;
      if (
        pick < 0 ||
        prio(c) < prio(columns[pick]!) ||
        (prio(c) === prio(columns[pick]!) && widths[i]! > widths[pick]!)
      )
        pick = i;
    }
    if (pick < 0) return false;
    widths[pick]!--;
  }
  return true;
}

function cellText(c: Cell | undefined): string {
  return c === undefined ? "" : typeof c === "string" ? c : c.text;
}

function cellPaint(c: Cell | undefined): Paint | undefined {
  return c === undefined || typeof c === "string" ? undefined : c.paint;
}
