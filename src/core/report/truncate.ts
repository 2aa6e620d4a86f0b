/**
 * Byte-safe truncation. GitHub counts check-run output limits like bytes (non-ASCII text fits
 * fewer characters than the documented "65535 characters"), so budgets here are UTF-8 bytes and
 * cuts never split a code point.
 */

const encoder = new TextEncoder();

export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/**
 * The longest prefix of `text` that, followed by `marker`, fits in `maxBytes` UTF-8 bytes.
 * Returns `text` unchanged when it already fits.
 */
export function truncateUtf8(text: string, maxBytes: number, marker = "…"): string {
  if (utf8Length(text) <= maxBytes) return text;
  const budget = maxBytes - utf8Length(marker);
  if (budget <= 0) return "";
  let bytes = 0;
  let end = 0;
  // for…of walks code points, so a surrogate pair is kept or dropped whole.
  for (const ch of text) {
    const n = utf8Length(ch);
    if (bytes + n > budget) break;
    bytes += n;
    end += ch.length;
  }
  return text.slice(0, end) + marker;
}

/** At most `max` code points (for limits GitHub states in characters, e.g. annotation titles). */
export function truncateCodePoints(text: string, max: number, marker = "…"): string {
  const points = [...text];
  if (points.length <= max) return text;
  return points.slice(0, Math.max(0, max - [...marker].length)).join("") + marker;
}
