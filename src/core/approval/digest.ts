/**
 * The migration digest of a commit: what a DBA approval is bound to. An approval given on commit C
 * counts at head H if and only if digest(C) == digest(H), so pushes that leave the migration
 * directories alone keep approvals and any change inside them voids them.
 *
 * Input: for every configured directory, its non-recursive listing at the commit (what git
 * ls-tree or GitHub's tree API returns without `recursive`). Every entry counts, whatever its
 * name: which names golang-migrate reads is subtle (it never checks the extension, so
 * `1_x.up.sql.bak` runs), and a file it skips today is still content the pull request changes.
 * Subdirectories count by their tree id, so an edit anywhere below a migration directory changes
 * the digest: golang-migrate never reads them, but another tool or a second `-path` may, and an
 * approval must not silently survive a change that could matter.
 *
 * A directory that is not a plain directory (the directory or an ancestor is a symlink, a
 * submodule or a file) has no listing, but its shape is hashed: the segment, its kind and its
 * object id, so that replacing a directory by a link, or retargeting the link or the submodule,
 * changes the digest. Plain and missing directories add nothing, so their digests are the same as
 * before shapes were hashed.
 *
 * The directory settings (dialect, multiStatement, databaseVersion) are not hashed: the config is
 * read from the base branch at evaluation time, so a review's digest and the head's digest are
 * always computed under the same settings and hashing them would change no comparison between
 * reviews; it would only void button approvals on a base config edit, making the two ways to
 * approve disagree. A config change is itself reviewed on the base branch.
 */
import { createHash } from "node:crypto";
import { joinPath } from "../migrations/directory.js";
import type { DirectoryShape, EntryKind, TreeEntry } from "../types.js";
import { GIT_OID } from "./types.js";

/** Domain separation: a future change of the encoding must not compare equal to this one. */
export const DIGEST_SCHEME = "migration-warden/migration-digest/v1";

const KINDS: readonly EntryKind[] = ["file", "symlink", "submodule", "directory"];

export class DigestInputError extends Error {
  override name = "DigestInputError";
}

/**
 * sha256 (hex) over the sorted (path, kind, object id) of every entry directly inside the given
 * directories. Throws DigestInputError, naming the directory and entry, on input an adapter should
 * never produce (a missing listing, a duplicate name, an invalid object id).
 */
export function migrationDigest(
  directories: readonly { path: string }[],
  listings: ReadonlyMap<string, readonly TreeEntry[]>,
  /** Each directory's shape at the commit; absent or plain: nothing added. */
  shapes?: ReadonlyMap<string, DirectoryShape>,
): string {
  const configured = new Set<string>();
  for (const d of directories) {
    if (configured.has(d.path)) throw new DigestInputError(`directory "${d.path}" listed twice`);
    configured.add(d.path);
  }
  for (const dir of listings.keys()) {
    if (!configured.has(dir))
      throw new DigestInputError(`listing for "${dir}", which is not a configured directory`);
  }

  const rows: [string, EntryKind, string][] = [];
  const shapeRows: string[][] = [];
  const seen = new Set<string>();
  for (const dir of configured) {
    const shape = shapes?.get(dir);
    if (shape?.kind === "not-a-directory") {
      const oid = (shape.oid ?? "").toLowerCase();
      if (oid !== "" && !GIT_OID.test(oid))
        throw new DigestInputError(`directory "${dir}": invalid object id "${shape.oid}"`);
      if ((listings.get(dir)?.length ?? 0) > 0)
        throw new DigestInputError(`directory "${dir}" is not a directory but has a listing`);
      shapeRows.push(["not-a-directory", dir, shape.at, shape.entry, oid]);
    }
    const entries = listings.get(dir);
    // A missing directory is an empty listing; a missing listing is an adapter bug that would
    // leave the directory out of the binding.
    if (entries === undefined) throw new DigestInputError(`no listing for directory "${dir}"`);
    for (const e of entries) {
      const where = `directory "${dir}", entry "${e.name}"`;
      if (e.name === "" || e.name === "." || e.name === ".." || /[/\0]/.test(e.name))
        throw new DigestInputError(`${where}: not a plain file name`);
      if (!KINDS.includes(e.kind)) throw new DigestInputError(`${where}: unknown kind "${e.kind}"`);
      const oid = e.oid.toLowerCase();
      if (!GIT_OID.test(oid)) throw new DigestInputError(`${where}: invalid object id "${e.oid}"`);
      const path = joinPath(dir, e.name);
      if (seen.has(path)) throw new DigestInputError(`${where}: listed twice`);
      seen.add(path);
      rows.push([path, e.kind, oid]);
    }
  }

  rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  // JSON of string arrays is injective (quotes, backslashes, control characters and lone
  // surrogates are escaped), so no two different listings encode to the same bytes.
  // Shape rows have five fields and entry rows three, so neither can encode as the other; without
  // shape rows the encoding is exactly the one before shapes existed.
  shapeRows.sort((a, b) => (a[1]! < b[1]! ? -1 : a[1]! > b[1]! ? 1 : 0));
  return createHash("sha256")
    .update(JSON.stringify([DIGEST_SCHEME, [...rows, ...shapeRows]]), "utf8")
    .digest("hex");
}
