/**
 * The lines of a merged migration that a change edits in place. Its other lines already ran on
 * every existing database: their SQL findings would repeat, on every edit, what was accepted when
 * the file was merged (an edit of one line brought back 150 findings on a real history). The
 * immutability error itself is always reported; this only narrows the SQL findings.
 *
 * One region: the lines between the longest common prefix and suffix. Two edits far apart make
 * everything between them count as edited, so nothing edited is ever left out.
 */
import { decodeSql } from "./sql/decode.js";
import type { Finding } from "./types.js";

export interface EditedRegion {
  /** First and last edited line of the new text, 1-based; from > to: lines were only removed. */
  from: number;
  to: number;
}

export function editedRegion(base: string, head: string): EditedRegion | null {
  if (base === head) return null;
  const a = base.split("\n");
  const b = head.split("\n");
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < a.length - prefix &&
    suffix < b.length - prefix &&
    a[a.length - 1 - suffix] === b[b.length - 1 - suffix]
  )
    suffix++;
  return { from: prefix + 1, to: b.length - suffix };
}

/** Whether a finding's statement touches the region (or borders lines that were removed). */
export function touchesEdit(f: Pick<Finding, "startLine" | "endLine">, r: EditedRegion): boolean {
  // Only removals: the statements on either side of the gap are what the edit changed.
  const [from, to] = r.from > r.to ? [r.to, r.from] : [r.from, r.to];
  return f.startLine <= to && f.endLine >= from;
}

/** SQL findings of edited merged files on the lines the change edits; others' as they are. */
export function onEditedLines(
  findings: readonly Finding[],
  baseContents: ReadonlyMap<string, Uint8Array> | undefined,
  headText: (path: string) => string | undefined,
): Finding[] {
  if (!baseContents || baseContents.size === 0) return [...findings];
  const regions = new Map<string, EditedRegion | null>();
  for (const [path, bytes] of baseContents) {
    const head = headText(path);
    if (head !== undefined) regions.set(path, editedRegion(decodeSql(bytes).text, head));
  }
  return findings.filter((f) => {
    if (!regions.has(f.path)) return true;
    const r = regions.get(f.path)!;
    return r !== null && touchesEdit(f, r);
  });
}
