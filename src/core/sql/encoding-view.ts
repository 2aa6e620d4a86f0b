/**
 * Text as the server sees it in a multibyte client encoding (SJIS, BIG5, GBK, GB18030, UHC,
 * JOHAB): an ASCII byte that is the second byte of a character is no quote or backslash at all.
 */
import type { UnsafeEncoding } from "./session.js";

/** A byte range check. */
const inR = (b: number, lo: number, hi: number) => b >= lo && b <= hi;

/** Second bytes each encoding accepts after a lead byte (conversion fails otherwise). */
const TRAIL: Record<UnsafeEncoding, (b: number) => boolean> = {
  sjis: (b) => inR(b, 0x40, 0x7e) || inR(b, 0x80, 0xfc),
  big5: (b) => inR(b, 0x40, 0x7e) || inR(b, 0xa1, 0xfe),
  gbk: (b) => inR(b, 0x40, 0x7e) || inR(b, 0x80, 0xfe),
  gb18030: (b) => inR(b, 0x40, 0x7e) || inR(b, 0x80, 0xfe),
  uhc: (b) => inR(b, 0x41, 0x5a) || inR(b, 0x61, 0x7a) || inR(b, 0x81, 0xfe),
  johab: (b) => inR(b, 0x31, 0x7e) || inR(b, 0x91, 0xfe),
};
const LEAD: Record<UnsafeEncoding, (b: number) => boolean> = {
  sjis: (b) => inR(b, 0x81, 0x9f) || inR(b, 0xe0, 0xfc),
  big5: (b) => inR(b, 0x81, 0xfe),
  gbk: (b) => inR(b, 0x81, 0xfe),
  gb18030: (b) => inR(b, 0x81, 0xfe),
  uhc: (b) => inR(b, 0x81, 0xfe),
  johab: (b) => inR(b, 0x84, 0xd3) || inR(b, 0xd8, 0xf9),
};

/** Replaces an ASCII character the server reads as part of a multibyte one (same length). */
export const SWALLOWED = "\u00b7";

/**
 * `text` as the server sees it after converting from `encoding`: from `from` on, every ASCII
 * character whose byte is the second (or, for GB18030, second or fourth) byte of a multibyte
 * character is replaced by SWALLOWED. Same length, so every offset stays valid. The file's bytes
 * are its UTF-8 encoding.
 */
export function encodingView(text: string, from: number, encoding: UnsafeEncoding): string {
  const lead = LEAD[encoding];
  const trail = TRAIL[encoding];
  const utf8 = new TextEncoder();
  const out: string[] = [text.slice(0, from)];
  let last = from;
  // 0: between characters; 1: after a lead byte; 2, 3: third and fourth bytes (GB18030).
  let state = 0;
  for (let i = from; i < text.length; i++) {
    const code = text.codePointAt(i)!;
    const units = code > 0xffff ? 2 : 1;
    const bytes = code < 0x80 ? [code] : utf8.encode(text.slice(i, i + units));
    let swallowed = false;
    for (const b of bytes) {
      if (state === 1) {
        state = 0;
        if (encoding === "gb18030" && inR(b, 0x30, 0x39)) {
          state = 2;
          swallowed ||= b < 0x80;
          continue;
        }
        if (trail(b)) {
          swallowed ||= b < 0x80;
          continue;
        }
        // Not a valid second byte: Postgres rejects the text, MySQL reads the byte on its own.
      } else if (state === 2) {
        state = inR(b, 0x81, 0xfe) ? 3 : 0;
        if (state === 3) continue;
      } else if (state === 3) {
        state = 0;
        if (inR(b, 0x30, 0x39)) {
          swallowed ||= b < 0x80;
          continue;
        }
      }
      if (b >= 0x80 && lead(b)) state = 1;
    }
    if (swallowed && code < 0x80) {
      out.push(text.slice(last, i), SWALLOWED);
      last = i + 1;
    }
    i += units - 1;
  }
  if (out.length === 1) return text;
  out.push(text.slice(last));
  return out.join("");
}
