/**
 * Terminal text: colours (only when asked for: a TTY without NO_COLOR), display widths, cutting to
 * a width with an ellipsis, and making untrusted text safe to print.
 *
 * Migration files are written by the people the tool reviews. Their SQL, comments and file names
 * reach the reviewer's terminal through messages and tables, so control characters (an ESC that
 * starts a cursor movement or clears a line, a carriage return that overwrites a finding) are
 * shown as visible escapes, never sent raw.
 */

import { escapeControls } from "../../core/report/text.js";

const SGR = { red: 31, green: 32, yellow: 33, cyan: 36, bold: 1, dim: 2 } as const;
export type Paint = keyof typeof SGR;

export interface Style {
  color: boolean;
  paint(code: Paint, s: string): string;
}

export function style(color: boolean): Style {
  return {
    color,
    paint: (code, s) => (color && s !== "" ? `\u001b[${SGR[code]}m${s}\u001b[0m` : s),
  };
}

/** Whether to colour stdout: a terminal, and NO_COLOR unset or empty (https://no-color.org). */
export function useColor(io: { isTTY: boolean; env: Record<string, string | undefined> }): boolean {
  return io.isTTY && !io.env.NO_COLOR;
}

/** Untrusted text for a terminal: control characters as visible `\u{..}` escapes. */
export const sanitize = escapeControls;

/** A name (a path) on one line: sanitized, and line breaks and tabs shown escaped too. */
export function sanitizeName(s: string): string {
  return sanitize(s).replace(
    /[\t\n]/g,
    (c) => `\\u{${c.codePointAt(0)!.toString(16).padStart(2, "0")}}`,
  );
}

/** One line for a table cell: sanitized, with tabs and line breaks as single spaces. */
export function oneLine(s: string): string {
  return sanitize(s.replace(/[\t\r\n]+/g, " "));
}

/** Columns a code point takes in a terminal: 0 for combining marks, 2 for wide characters. */
function charWidth(ch: string): number {
  const cp = ch.codePointAt(0)!;
  if (/\p{Mn}|\p{Me}|\u200b|\u200d|\ufe0f/u.test(ch)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  )
    return 2;
  return 1;
}

export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch);
  return w;
}

/** The longest prefix that fits `width` columns, with "…" when something was cut. */
export function cut(s: string, width: number): string {
  if (displayWidth(s) <= width) return s;
  if (width <= 0) return "";
  let out = "";
  let w = 0;
  for (const ch of s) {
    const cw = charWidth(ch);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
  }
  return `${out}…`;
}

export function pad(s: string, width: number, align: "left" | "right" = "left"): string {
  const fill = " ".repeat(Math.max(0, width - displayWidth(s)));
  return align === "left" ? s + fill : fill + s;
}

/**
 * Words wrapped to `width` columns, each line starting with `indent` (continuation lines with
 * `hang` more). A word longer than a line is cut, not lost: it keeps a line of its own.
 */
export function wrap(text: string, width: number, indent = "", hang = ""): string[] {
  const lines: string[] = [];
  let line = indent;
  let empty = true;
  for (const word of text.split(/ +/)) {
    if (word === "") continue;
    const sep = empty ? "" : " ";
    if (!empty && displayWidth(line) + 1 + displayWidth(word) > width) {
      lines.push(line);
      line = indent + hang;
      empty = true;
    }
    line += (empty ? "" : sep) + word;
    empty = false;
  }
  lines.push(line);
  return lines;
}
