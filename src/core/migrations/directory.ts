/**
 * The view of one configured migration directory that structural rules check: what the base
 * branch has, what the directory looks like once the change is merged, and what the change touched.
 */
import type { DirectoryConfig, LimitsConfig } from "../../config/types.js";
import type { SourceFile } from "../source.js";
import type { ChangeSet, ChangedFile, EntryKind, TreeEntry } from "../types.js";
import { classifyName, type NameVerdict, type ParsedMigrationName } from "./filename.js";
import { foldPath, isUnder, shapeVerdict, type ShapeVerdict } from "./shape.js";

export interface MigrationFile {
  /** Repo-relative path. */
  path: string;
  name: string;
  kind: EntryKind;
  oid?: string;
  size?: number;
  verdict: NameVerdict;
  /** Non-null when golang-migrate loads the file. */
  parsed: ParsedMigrationName | null;
  /** The base entry with the same name, if the base branch has one. */
  onBase?: TreeEntry;
  /** The change that produced this head entry, if the change touched it. */
  change?: ChangedFile;
}

export interface RemovedFile {
  path: string;
  base: TreeEntry;
  parsed: ParsedMigrationName | null;
  change: ChangedFile;
}

export interface DirectoryModel {
  config: DirectoryConfig;
  mode: ChangeSet["mode"];
  /** Files at the base tip (empty in PATH mode). */
  base: MigrationFile[];
  /** PATH mode: lower-versioned files beside the given ones, the replay's history (ChangeSet.history). */
  history?: MigrationFile[];
  /** The directory once the change is merged into the base tip, sorted by name. */
  head: MigrationFile[];
  /** Base files the change removes, or renames away. */
  removed: RemovedFile[];
  /**
   * Changed files golang-migrate does not read from this directory but that are migration content
   * all the same: files in subdirectories, and files under another spelling of the directory's
   * path (case, Unicode normalisation) that a case-insensitive checkout would merge into it.
   */
  nested: ChangedFile[];
  /** The directory's own path at the base and after the change (absent: not checked). */
  shape?: ShapeVerdict;
  /** Highest version golang-migrate loads from the base tip. */
  maxBaseVersion: bigint | null;
  contents: ReadonlyMap<string, Uint8Array>;
  limits: LimitsConfig;
  /** Decoded and split change files, filled by the analysis before structural rules run. */
  sources: Map<string, SourceFile>;
  /** Versions golang-migrate loads from the base tip. */
  baseVersions: ReadonlySet<bigint>;
  /** Head files golang-migrate loads, by version: "up"/"down" → files. */
  byVersion: ReadonlyMap<bigint, { up: MigrationFile[]; down: MigrationFile[] }>;
}

export function joinPath(dir: string, name: string): string {
  return dir === "" ? name : `${dir}/${name}`;
}

/** The configured directory a path sits in directly, or null. Longest match wins. */
export function directoryOf(
  path: string,
  dirs: readonly DirectoryConfig[],
): DirectoryConfig | null {
  const parent = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
  return dirs.find((d) => d.path === parent) ?? null;
}

export { isUnder };

function fileOf(
  path: string,
  name: string,
  entry: { kind?: EntryKind; oid?: string; size?: number },
): MigrationFile {
  const verdict = classifyName(name);
  const f: MigrationFile = {
    path,
    name,
    kind: entry.kind ?? "file",
    verdict,
    parsed: verdict.kind === "migration" || verdict.kind === "suspicious" ? verdict.parsed : null,
  };
  if (entry.oid !== undefined) f.oid = entry.oid;
  if (entry.size !== undefined) f.size = entry.size;
  return f;
}

export function buildDirectoryModel(
  config: DirectoryConfig,
  changeSet: ChangeSet,
  allDirs: readonly DirectoryConfig[],
  limits: LimitsConfig,
): DirectoryModel {
  const dir = config.path;
  const baseEntries = changeSet.baseTrees.get(dir) ?? [];
  const baseByName = new Map(baseEntries.map((e) => [e.name, e]));
  const headByName = new Map<string, MigrationFile>();
  for (const e of baseEntries) {
    const f = fileOf(joinPath(dir, e.name), e.name, e);
    f.onBase = e;
    headByName.set(e.name, f);
  }

  const removed: RemovedFile[] = [];
  const nested: ChangedFile[] = [];
  const inDir = (p: string) => directoryOf(p, allDirs)?.path === dir;
  const nameOf = (p: string) => p.slice(p.lastIndexOf("/") + 1);

  for (const c of changeSet.changes) {
    // Leaving the directory: removal or rename away of a file the base has.
    const from =
      c.status === "renamed" ? c.previousPath : c.status === "removed" ? c.path : undefined;
    if (from !== undefined && inDir(from)) {
      const name = nameOf(from);
      headByName.delete(name);
      const base = baseByName.get(name);
      if (base) removed.push({ path: from, base, parsed: classifyParsed(name), change: c });
    }
    if (c.status === "removed") continue;
    if (inDir(c.path)) {
      const name = nameOf(c.path);
      const f = fileOf(c.path, name, c);
      const base = baseByName.get(name);
      if (base) f.onBase = base;
      f.change = c;
      headByName.set(name, f);
    } else if (
      isUnder(c.path, dir) &&
      !allDirs.some((d) => d.path !== dir && isUnder(c.path, d.path) && d.path.length > dir.length)
    ) {
      nested.push(c);
    } else if (
      dir !== "" &&
      isUnder(foldPath(c.path), foldPath(dir)) &&
      !allDirs.some((d) => isUnder(c.path, d.path))
    ) {
      nested.push(c);
    }
  }

  const base = baseEntries
    .map((e) => {
      const f = fileOf(joinPath(dir, e.name), e.name, e);
      f.onBase = e;
      return f;
    })
    .sort(byName);
  let maxBaseVersion: bigint | null = null;
  for (const f of base) {
    if (f.parsed && (maxBaseVersion === null || f.parsed.version > maxBaseVersion))
      maxBaseVersion = f.parsed.version;
  }

  const head = [...headByName.values()].sort(byName);
  const history = (changeSet.history?.get(dir) ?? [])
    .map((e) => fileOf(joinPath(dir, e.name), e.name, e))
    .sort(byName);
  const shapes = changeSet.directoryShapes?.get(dir);
  return {
    ...(shapes ? { shape: shapeVerdict(dir, shapes, changeSet.changes) } : {}),
    config,
    mode: changeSet.mode,
    base,
    ...(history.length > 0 ? { history } : {}),
    head,
    removed,
    nested,
    maxBaseVersion,
    contents: changeSet.contents,
    limits,
    sources: new Map(),
    baseVersions: new Set(base.flatMap((b) => (b.parsed ? [b.parsed.version] : []))),
    byVersion: indexByVersion(head),
  };
}

function indexByVersion(files: readonly MigrationFile[]): DirectoryModel["byVersion"] {
  const index = new Map<bigint, { up: MigrationFile[]; down: MigrationFile[] }>();
  for (const f of files) {
    if (!f.parsed) continue;
    let entry = index.get(f.parsed.version);
    if (!entry) index.set(f.parsed.version, (entry = { up: [], down: [] }));
    entry[f.parsed.direction].push(f);
  }
  return index;
}

function classifyParsed(name: string): ParsedMigrationName | null {
  const v = classifyName(name);
  return v.kind === "migration" || v.kind === "suspicious" ? v.parsed : null;
}

function byName(a: MigrationFile, b: MigrationFile): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Head files the change added or modified (in PATH mode: every file given). */
export function touchedFiles(model: DirectoryModel): MigrationFile[] {
  return model.mode === "paths" ? model.head : model.head.filter((f) => f.change !== undefined);
}

/** Versions the change introduces: no file with that version exists on the base. */
export function isNewVersion(model: DirectoryModel, version: bigint): boolean {
  return !model.baseVersions.has(version);
}
