/**
 * Where a change set's facts come from. The CLI reads a local repository (src/cli/changeset.ts),
 * the app reads GitHub (src/github/changeset.ts); both hand the same questions to one builder
 * (build.ts), as policy-bot asks its pull-request context, so a change is judged by the same
 * algorithm whichever side reads it.
 */
import type { DynamicCheck } from "../core/analyze.js";
import type { ChangedFile, DirectoryShape, EntryKind, Revision, TreeEntry } from "../core/types.js";

/** A directory's path at one revision: what it is, and whether the answer can be trusted. */
export interface ShapeReading {
  shape: DirectoryShape;
  /** Set when a listing on the way was cut short, so the answer may be wrong (fail closed). */
  truncated: string | null;
}

export interface DirectoryListing extends ShapeReading {
  /** Direct entries; null when the path is not a plain directory at that revision (see shape). */
  entries: TreeEntry[] | null;
}

/** Files a change touches, as a source lists them, with what it could not list. */
export interface ListedChanges {
  changes: ChangedFile[];
  /** Why the list may be incomplete (the change set is then incomplete: fail closed). */
  incomplete: string[];
}

/** What a changed file is at the head: kind, object id and size when the source knows them. */
export interface HeadFile {
  kind: EntryKind;
  oid?: string;
  size?: number;
}

export interface HeadFiles {
  /**
   * By path. null: the file is not at the head after all, and the change is left out (a working
   * tree that lost it since the diff); absent: unknown (the head listing was cut short), read as
   * listed.
   */
  files: ReadonlyMap<string, HeadFile | null>;
  incomplete: string[];
}

/** A merged file for dynamic checks: repo-relative path, and its blob id when the listing has it. */
export interface BaseFile {
  path: string;
  oid?: string;
}

/**
 * The base revision's files, for dynamic checks (the sandbox replay reads merged migrations).
 * Every revision source is one; PATH mode reads the history beside a lone file from disk
 * (pathChangeSet); NO_BASE reads nothing.
 */
export interface BaseFiles {
  /** The repository owner (the app's replay databases are granted per owner); null: local. */
  readonly owner: string | null;
  /** Bytes of base files in the order asked; throws when they cannot be read. */
  readBase(files: readonly BaseFile[]): Promise<Uint8Array[]>;
}

/** PATH mode: no base revision to read from. */
export const NO_BASE: BaseFiles = {
  owner: null,
  readBase: (files) => Promise.reject(new Error(`no base revision to read ${files[0]?.path} from`)),
};

/**
 * Dynamic checks (the sandbox replay) for one evaluation, reading merged files from its base:
 * one hook for the CLI (src/cli/replay.ts) and the app (src/github/replay.ts).
 */
export type DynamicChecksFactory = (base: BaseFiles) => DynamicCheck[];

export interface RevisionSource extends BaseFiles {
  /** The base (its tip is what "merged" means) and the head, as the ChangeSet names them. */
  readonly base: { ref: string; sha: string };
  readonly head: Revision;
  /**
   * True: the head's shape is read for every directory. False: only where the change touches the
   * directory's path, an ancestor's or a file inside; elsewhere the merged result keeps the base's
   * shape. A working tree reads every one: it can differ from any commit where no diff shows it.
   */
  readonly shapesEveryHead: boolean;
  /** Files changed from where the head left the base to the head (the builder keeps those below the directories). */
  listChanges(dirs: readonly string[]): Promise<ListedChanges>;
  /** A directory at the base tip: its shape and, when it is a plain directory, its entries. */
  listBase(dir: string): Promise<DirectoryListing>;
  headShape(dir: string): Promise<ShapeReading>;
  /** Kind, id and size at the head of changed files directly in a migration directory. */
  describeHead(files: readonly ChangedFile[]): Promise<HeadFiles>;
  /** Head contents of these files (files only, within the size limit), by path. */
  readHead(files: readonly ChangedFile[]): Promise<Map<string, Uint8Array>>;
}
