/** Build ChangeSets for core tests without git: base listings, the change, head contents. */
import { createHash } from "node:crypto";
import type { ChangeSet, ChangedFile, TreeEntry } from "../../src/core/types.js";

/** The git blob id of some content, so oids look and behave like real ones. */
export function blobId(content: string | Uint8Array): string {
  const bytes = typeof content === "string" ? Buffer.from(content) : Buffer.from(content);
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

export interface ChangeSpec {
  /** Files at the base tip, per directory: name → content. */
  base?: Record<string, Record<string, string>>;
  add?: Record<string, string | Uint8Array>;
  modify?: Record<string, string>;
  remove?: string[];
  /** [from, to, new content (defaults to the base content)] */
  rename?: Array<[string, string, string?]>;
  incomplete?: string[];
}

export function changeSet(spec: ChangeSpec): ChangeSet {
  const baseTrees = new Map<string, TreeEntry[]>();
  const baseContent = new Map<string, string>();
  for (const [dir, files] of Object.entries(spec.base ?? {})) {
    baseTrees.set(
      dir,
      Object.entries(files).map(([name, content]) => {
        baseContent.set(dir === "" ? name : `${dir}/${name}`, content);
        return {
          name,
          kind: "file" as const,
          oid: blobId(content),
          size: Buffer.byteLength(content),
        };
      }),
    );
  }
  const changes: ChangedFile[] = [];
  const contents = new Map<string, Uint8Array>();
  const put = (path: string, content: string | Uint8Array) =>
    contents.set(path, typeof content === "string" ? Buffer.from(content) : content);
  for (const [path, content] of Object.entries(spec.add ?? {})) {
    changes.push({ path, status: "added", oid: blobId(content) });
    put(path, content);
  }
  // As the builder does: the base bytes of a merged file edited in place.
  const baseContents = new Map<string, Uint8Array>();
  for (const [path, content] of Object.entries(spec.modify ?? {})) {
    changes.push({ path, status: "modified", oid: blobId(content) });
    put(path, content);
    const before = baseContent.get(path);
    if (before !== undefined) baseContents.set(path, Buffer.from(before));
  }
  for (const path of spec.remove ?? []) changes.push({ path, status: "removed" });
  for (const [from, to, content] of spec.rename ?? []) {
    const c = content ?? baseContent.get(from) ?? "";
    changes.push({ path: to, previousPath: from, status: "renamed", oid: blobId(c) });
    put(to, c);
  }
  const cs: ChangeSet = {
    mode: "git",
    base: { ref: "main", sha: "b".repeat(40) },
    head: { ref: "feature", sha: "h".repeat(40) },
    baseTrees,
    changes,
    contents,
  };
  if (baseContents.size > 0) cs.baseContents = baseContents;
  if (spec.incomplete) cs.incomplete = spec.incomplete;
  return cs;
}
