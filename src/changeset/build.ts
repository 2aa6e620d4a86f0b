/**
 * The one change-set builder: the base tip's listing and shape of each migration directory, the
 * head's shape where the change can reshape it (issue 11: a directory replaced by a symlink, a
 * submodule or a file is migration content too), the changes that matter to the directories, and
 * the head contents of the files the change adds or modifies directly in them. Everything is asked
 * of a RevisionSource (source.ts); nothing here knows git or GitHub.
 */
import { parseConfig } from "../config/load.js";
import { CONFIG_PATH, type Config, type DirectoryConfig } from "../config/types.js";
import { directoryOf, joinPath } from "../core/migrations/directory.js";
import { parseMigrationName } from "../core/migrations/filename.js";
import { migrationPathRole, reshapesDirectory } from "../core/migrations/shape.js";
import type { ChangeSet, ChangedFile, DirectoryShape, TreeEntry } from "../core/types.js";
import type { ListedChanges, RevisionSource } from "./source.js";

/**
 * Changes golang-migrate or the structural rules care about: anything under a migration directory,
 * the directory's own path or an ancestor's (replaced by a symlink, a submodule or a file), and
 * other spellings of those that a case-insensitive checkout would merge with them.
 */
export function migrationChanges(
  changes: readonly ChangedFile[],
  dirs: readonly Pick<DirectoryConfig, "path">[],
): ChangedFile[] {
  const matters = (p: string | undefined) => p !== undefined && migrationPathRole(p, dirs) !== null;
  return changes.filter((c) => matters(c.path) || matters(c.previousPath));
}

/**
 * The source's changes that matter to the configured directories (see migrationChanges), and
 * whether the change also adds migration files to a directory its own configuration adds.
 */
export async function listMigrationChanges(
  source: RevisionSource,
  dirs: readonly DirectoryConfig[],
): Promise<ListedChanges> {
  const configDir = CONFIG_PATH.slice(0, CONFIG_PATH.lastIndexOf("/"));
  const listed = await source.listChanges([...dirs.map((d) => d.path), configDir]);
  const incomplete = [...listed.incomplete];
  const config = listed.changes.find((c) => c.path === CONFIG_PATH && c.status !== "removed");
  if (config) incomplete.push(...(await inDirectoriesItAdds(source, dirs, config)));
  return { changes: migrationChanges(listed.changes, dirs), incomplete };
}

/**
 * Files in a directory that the change's own `.github/migration-warden.yml` adds: once merged
 * they are migrations, but the configuration that judges this change (the base's) does not know
 * them, so nothing here reviewed them. Fail closed until the directory is on the base branch.
 * The head's configuration is read only to widen what is refused, never to judge anything.
 */
async function inDirectoriesItAdds(
  source: RevisionSource,
  dirs: readonly DirectoryConfig[],
  config: ChangedFile,
): Promise<string[]> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = (await source.readHead([config])).get(CONFIG_PATH);
  } catch (err) {
    return [
      `the change's ${CONFIG_PATH} could not be read (${(err as Error).message}), so whether it adds migration directories is unknown`,
    ];
  }
  if (bytes === undefined) return [];
  let head: Config;
  try {
    head = parseConfig(Buffer.from(bytes).toString("utf8"), { ref: "the change's head" });
  } catch {
    return []; // Invalid there: once merged it fails every check of the base (fail closed).
  }
  const known = new Set(dirs.map((d) => d.path));
  const added = head.directories.filter((d) => !known.has(d.path));
  if (added.length === 0) return [];
  const listed = await source.listChanges(added.map((d) => d.path));
  const files = migrationChanges(listed.changes, added).filter((c) => c.status !== "removed");
  if (files.length === 0) return [...listed.incomplete];
  const names = files.slice(0, 5).map((c) => c.path);
  return [
    `${names.join(", ")}${files.length > names.length ? ` and ${files.length - names.length} more` : ""} ${files.length === 1 ? "is" : "are"} in ${added.map((d) => d.path || ".").join(", ")}, which this change adds to ${CONFIG_PATH}: the base branch's configuration does not check ${files.length === 1 ? "it" : "them"} yet, so ${files.length === 1 ? "it is" : "they are"} not reviewed here. Add the directory to the configuration in a change of its own first.`,
    ...listed.incomplete,
  ];
}

/**
 * The ChangeSet of `listed` (output of listMigrationChanges, or another listing of the same
 * source already filtered by migrationChanges). Whatever the source could not see is recorded in
 * `incomplete`, which keeps both checks from passing.
 */
export async function buildChangeSet(
  source: RevisionSource,
  config: Config,
  listed: ListedChanges,
): Promise<ChangeSet> {
  const dirs = config.directories;
  const incomplete = [...listed.incomplete];
  // Copies: kind, size and oid are filled in from the head below.
  let changes = listed.changes.map((c) => ({ ...c }));

  const baseTrees = new Map<string, TreeEntry[]>();
  const shapes = new Map<string, { base: DirectoryShape; head: DirectoryShape }>();
  const baseListings = await Promise.all(dirs.map((d) => source.listBase(d.path)));
  dirs.forEach((d, i) => {
    const listing = baseListings[i]!;
    if (listing.truncated) incomplete.push(listing.truncated);
    baseTrees.set(d.path, listing.entries ?? []);
    shapes.set(d.path, { base: listing.shape, head: listing.shape });
  });
  // The head's shape matters where the change touches a directory (its path, an ancestor's, or a
  // file in it); the others keep the base's once merged.
  const reshaped = source.shapesEveryHead
    ? dirs
    : dirs.filter((d) => reshapesDirectory(changes, d.path));
  const headShapes = await Promise.all(reshaped.map((d) => source.headShape(d.path)));
  reshaped.forEach((d, i) => {
    const reading = headShapes[i]!;
    if (reading.truncated) incomplete.push(reading.truncated);
    shapes.set(d.path, { base: shapes.get(d.path)!.base, head: reading.shape });
  });

  // Files directly in a migration directory: their kind, size and contents come from the head
  // itself, so a symlink or submodule is never read as SQL and the contents belong to exactly
  // the head the check reports on.
  const contents = new Map<string, Uint8Array>();
  const direct = changes.filter(
    (c) => c.status !== "removed" && directoryOf(c.path, dirs) !== null,
  );
  if (direct.length > 0) {
    const head = await source.describeHead(direct);
    incomplete.push(...head.incomplete);
    const gone = new Set<ChangedFile>();
    for (const c of direct) {
      const f = head.files.get(c.path);
      if (f === null) gone.add(c);
      if (!f) continue;
      c.kind = f.kind;
      if (f.oid !== undefined) c.oid = f.oid;
      if (f.size !== undefined) c.size = f.size;
    }
    changes = changes.filter((c) => !gone.has(c));
    // Without a kind (a head listing cut short) the file is read too: better checked than skipped.
    // Files over the size limit are not read: the core reports them from their size.
    const toRead = direct.filter(
      (c) =>
        !gone.has(c) &&
        (c.kind === undefined || c.kind === "file") &&
        !(c.size !== undefined && c.size > config.limits.maxFileBytes),
    );
    if (toRead.length > 0)
      for (const [path, bytes] of await source.readHead(toRead)) contents.set(path, bytes);
  }
  const baseContents = await readEditedMerged(source, changes, baseTrees, contents, dirs);

  const changeSet: ChangeSet = {
    mode: "git",
    base: { ref: source.base.ref, sha: source.base.sha },
    head: source.head,
    baseTrees,
    directoryShapes: shapes,
    changes,
    contents,
  };
  if (baseContents.size > 0) changeSet.baseContents = baseContents;
  // A local repository reads the merged history cheaply; GitHub would cost a request per file.
  const merged = source.owner === null ? await readMergedUps(source, baseTrees) : null;
  if (merged) changeSet.mergedUps = merged;

  const pairedUps = await readPairedUps(source, changes, baseTrees, contents, dirs, merged);
  if (pairedUps.size > 0) changeSet.pairedUps = pairedUps;
  if (incomplete.length > 0) changeSet.incomplete = incomplete;
  return changeSet;
}

/**
 * The base bytes of merged files the change edits in place, to tell its lines from the merged
 * ones. Best effort: a file that cannot be read keeps all its findings (nothing is hidden).
 */
async function readEditedMerged(
  source: RevisionSource,
  changes: readonly ChangedFile[],
  baseTrees: ReadonlyMap<string, readonly TreeEntry[]>,
  contents: ReadonlyMap<string, Uint8Array>,
  dirs: readonly DirectoryConfig[],
): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  const wanted: { path: string; oid: string }[] = [];
  for (const c of changes) {
    const dir = c.status === "modified" && contents.has(c.path) ? directoryOf(c.path, dirs) : null;
    if (!dir) continue;
    const name = c.path.slice(c.path.lastIndexOf("/") + 1);
    const entry = baseTrees.get(dir.path)?.find((e) => e.name === name && e.kind === "file");
    if (entry) wanted.push({ path: c.path, oid: entry.oid });
  }
  // Unreadable: every finding of those files stays.
  return readBaseBestEffort(source, wanted, out);
}

/** Base bytes of `wanted` into `out`, by path; nothing when the source cannot read them. */
async function readBaseBestEffort(
  source: RevisionSource,
  wanted: readonly { path: string; oid: string }[],
  out: Map<string, Uint8Array>,
): Promise<Map<string, Uint8Array>> {
  if (wanted.length === 0) return out;
  try {
    const bytes = await source.readBase(wanted);
    wanted.forEach((w, i) => out.set(w.path, bytes[i]!));
  } catch {
    // Best effort: the caller's judgement without them is the stricter one.
  }
  return out;
}

/**
 * Every merged up migration of the configured directories (for the merged schema), or null when
 * they cannot be read: rules then judge the text alone, as in GitHub mode.
 */
async function readMergedUps(
  source: RevisionSource,
  baseTrees: ReadonlyMap<string, readonly TreeEntry[]>,
): Promise<Map<string, Uint8Array> | null> {
  const wanted = mergedUpFiles(baseTrees);
  const read = await readBaseBestEffort(source, wanted, new Map());
  // All or nothing: a partial history would make the merged schema wrong, not just less known.
  return read.size > 0 && read.size === wanted.length ? read : null;
}

/**
 * The merged up migrations of the base listings (by directory, in the configuration's order):
 * what buildChangeSet reads for the merged schema, in the order it asks for them (a source may
 * start reading them as soon as it has the listings: src/cli/changeset.ts).
 */
export function mergedUpFiles(
  baseTrees: ReadonlyMap<string, readonly TreeEntry[]>,
): { path: string; oid: string }[] {
  const wanted: { path: string; oid: string }[] = [];
  for (const [dir, entries] of baseTrees)
    for (const e of entries)
      if (e.kind === "file" && parseMigrationName(e.name)?.direction === "up")
        wanted.push({ path: joinPath(dir, e.name), oid: e.oid });
  return wanted;
}

/**
 * The merged up file of each down file the change adds or edits, when the change leaves that up
 * alone: the down's drops are judged against what its own up created. Best effort: without it
 * the down is judged alone (its drops stay errors, never hidden).
 */
async function readPairedUps(
  source: RevisionSource,
  changes: readonly ChangedFile[],
  baseTrees: ReadonlyMap<string, readonly TreeEntry[]>,
  contents: ReadonlyMap<string, Uint8Array>,
  dirs: readonly DirectoryConfig[],
  /** Every merged up file, when already read (local repositories): nothing is read twice. */
  mergedUps: ReadonlyMap<string, Uint8Array> | null,
): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  const wanted: { path: string; oid: string }[] = [];
  const touched = new Set(changes.map((c) => c.path));
  for (const c of changes) {
    const dir = c.status !== "removed" && contents.has(c.path) ? directoryOf(c.path, dirs) : null;
    const down = dir ? parseMigrationName(c.path.slice(c.path.lastIndexOf("/") + 1)) : null;
    if (!dir || !down || down.direction !== "down") continue;
    for (const e of baseTrees.get(dir.path) ?? []) {
      const up = e.kind === "file" ? parseMigrationName(e.name) : null;
      const path = joinPath(dir.path, e.name);
      if (!up || up.direction !== "up" || up.version !== down.version || touched.has(path))
        continue;
      const known = mergedUps?.get(path);
      if (known) out.set(path, known);
      else if (!wanted.some((w) => w.path === path)) wanted.push({ path, oid: e.oid });
    }
  }
  // Unreadable: the downs are judged alone.
  return readBaseBestEffort(source, wanted, out);
}
