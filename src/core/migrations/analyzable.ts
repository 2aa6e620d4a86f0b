/**
 * Whether the core can analyse a migration file's content at all. A file it cannot read is
 * reported (fail closed) instead of being parsed: symlinks (golang-migrate follows them to content
 * outside the reviewed directory), binary files, files over the size limit.
 */
import type { MigrationFile } from "./directory.js";

export type NotAnalyzable =
  | { reason: "symlink"; severity: "error" }
  | { reason: "submodule"; severity: "warning" }
  | { reason: "too-large"; severity: "error"; size: number; limit: number }
  | { reason: "binary"; severity: "error" };

export function whyNotAnalyzable(
  f: Pick<MigrationFile, "kind" | "size">,
  bytes: Uint8Array | undefined,
  maxFileBytes: number,
): NotAnalyzable | null {
  if (f.kind === "symlink") return { reason: "symlink", severity: "error" };
  if (f.kind === "submodule" || f.kind === "directory")
    return { reason: "submodule", severity: "warning" };
  const size = bytes?.length ?? f.size;
  if (size !== undefined && size > maxFileBytes) {
    return { reason: "too-large", severity: "error", size, limit: maxFileBytes };
  }
  if (bytes !== undefined && bytes.includes(0)) return { reason: "binary", severity: "error" };
  return null;
}
