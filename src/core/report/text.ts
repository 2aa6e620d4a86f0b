/**
 * Text from the people a report is about (file names, SQL, pull request titles, logins) may carry
 * control characters: an ESC that moves the cursor or clears a line when the report is printed, a
 * carriage return that overwrites it, bidirectional overrides that reorder what a reader sees
 * ("Trojan Source"). Reports show them as visible escapes instead.
 */

// C0 controls except tab and newline, DEL, C1 controls, and the bidirectional overrides and
// isolates.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `\u{1b}` for ESC and so on; tab and newline are kept. */
export function escapeControls(s: string): string {
  return s.replace(UNSAFE, (c) => `\\u{${c.codePointAt(0)!.toString(16).padStart(2, "0")}}`);
}
