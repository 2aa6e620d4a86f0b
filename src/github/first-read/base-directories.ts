/**
 * A speculative part of the first query (pull-request-query.ts): the configured migration
 * directories as this process last saw them for the repository, read at the base tip as tree
 * entries (`file(path:) { type mode oid }`, every prefix of every directory). The config is only
 * known from the first answer, so the part asks for what the last config named, or, when nothing
 * is remembered (a process's first event for the repository), for the layouts golang-migrate's
 * own docs use: the config's default `migrations` and `db/migrations` (its Postgres tutorial's
 * `migrate create -dir db/migrations`). evaluate.ts uses it only when every directory this
 * event's config names was asked and shows plain, and the tip it was read at is the tip the
 * evaluation uses. It then stands for what `allPlainDirectories` reads (each directory a plain
 * directory on the base) and spares the gather of a change that touches no migration.
 *
 * Only a tree entry (type "tree", mode 040000) at every prefix counts: `file(path:)` never follows
 * a symlink (a path through one, or through a submodule, is null), and a directory's own entry
 * that is a symlink, submodule or file shows its mode. Asking every prefix keeps that true even if
 * GitHub ever resolved a symlink on the way: the ancestor's own entry would show it. Anything else
 * (a null, a blob, a commit, an odd field, an error inside the part) and that directory is read as
 * before. The config file's directory may also be absent from the root (a repository without a
 * config file): the gather reads it only to list what a change adds there, and a change that
 * adds anything there is gathered anyway.
 */
import { CONFIG_PATH } from "../../config/types.js";
import type { RepoRef } from "../client.js";
import type { PartKeys } from "./parts.js";

/**
 * The config file's directory: the change's listing is filtered by it too (changeset/build.ts),
 * so the gather is spared only when its shape on the base is known as well. Asked with the others.
 */
export const CONFIG_DIRECTORY = CONFIG_PATH.slice(0, CONFIG_PATH.lastIndexOf("/"));

/**
 * Asked when nothing is remembered: golang-migrate's documented layouts. A config naming another
 * directory gathers as before; each one costs a few fields of the first query, nothing more.
 */
export const SPECULATIVE_DIRECTORIES: readonly string[] = ["migrations", "db/migrations"];

/** Repositories remembered per process (the oldest is forgotten first). */
const MAX_REMEMBERED = 1000;
/** More prefixes than this and the part is not asked (the gather reads them as before). */
const MAX_PREFIXES = 40;
const TREE_MODE = 0o40000;

interface Remembered {
  repoId: number;
  paths: readonly string[];
}

const remembered = new Map<string, Remembered>();

const keyOf = (repo: RepoRef) => `${repo.owner}/${repo.repo}`.toLowerCase();

/** Records the directories of the config just parsed for this repository (by its id too). */
export function rememberDirectories(repo: RepoRef, repoId: number, paths: readonly string[]): void {
  const key = keyOf(repo);
  remembered.delete(key);
  remembered.set(key, { repoId, paths: [...paths] });
  while (remembered.size > MAX_REMEMBERED) remembered.delete(remembered.keys().next().value!);
}

/** Forgets every repository (tests). */
export function forgetDirectories(): void {
  remembered.clear();
}

/**
 * What the part asks: the paths and the prefixes read for them (one alias each); `repoId` the
 * repository they were remembered for, null when they are the speculative layouts (nothing was
 * remembered, so no other repository's memory can be confused with this one's).
 */
export interface DirectoriesAsked {
  repoId: number | null;
  paths: readonly string[];
  prefixes: readonly string[];
}

const prefixesOf = (p: string) =>
  p === "" ? [] : p.split("/").map((_, i, s) => s.slice(0, i + 1).join("/"));

/**
 * The part to ask for this repository (null: one nothing is remembered for), or undefined (too
 * many prefixes).
 */
export function directoriesToAsk(repo: RepoRef | null): DirectoriesAsked | undefined {
  const r = (repo && remembered.get(keyOf(repo))) ?? {
    repoId: null,
    paths: SPECULATIVE_DIRECTORIES,
  };
  const prefixes = [...new Set([...r.paths, CONFIG_DIRECTORY].flatMap(prefixesOf))];
  if (prefixes.length > MAX_PREFIXES) return undefined;
  return { repoId: r.repoId, paths: r.paths, prefixes };
}

/** Inside `baseRef.target { ... on Commit { … } }` of the first query, with its variables. */
export function directoriesFields(asked: DirectoriesAsked | undefined): {
  vars: string;
  fields: string;
  variables: Record<string, string>;
} {
  const prefixes = asked?.prefixes ?? [];
  return {
    vars: prefixes.map((_, i) => `, $dir${i}: String!`).join(""),
    fields: prefixes
      .map((_, i) => `\n            dir${i}: file(path: $dir${i}) { type mode oid }`)
      .join(""),
    variables: Object.fromEntries(prefixes.map((p, i) => [`dir${i}`, p])),
  };
}

/** What the part showed: the asked paths that are plain, and the config's directory. */
export interface PlainDirectories {
  /** The asked paths whose every prefix is a tree entry (the others: read as before). */
  paths: string[];
  /**
   * The config file's directory a tree entry ("tree") or, named at the root, no entry at all
   * ("absent": `file(path:)` of one segment is null only when the root has no such name).
   */
  configDirectory: "tree" | "absent";
  /** Each plain path's own tree id (the root's "" has none): what base-texts.ts keys by. */
  oids: Record<string, string>;
}

/**
 * The asked paths the answer shows plain at every prefix, when it was read for the repository
 * they were remembered for (any, for the speculative layouts) and shows the config's directory a
 * tree entry or absent; undefined otherwise (nothing of the part is used).
 */
export function plainDirectoriesOf(
  target: Record<string, unknown>,
  asked: DirectoriesAsked | undefined,
  repoId: number,
): PlainDirectories | undefined {
  if (!asked || (asked.repoId !== null && asked.repoId !== repoId)) return undefined;
  const treeAt = new Map(asked.prefixes.map((p, i) => [p, isTreeEntry(target[`dir${i}`])]));
  const own = asked.prefixes.indexOf(CONFIG_DIRECTORY);
  // Only an explicit null (not a field the answer lacks) is an absent name.
  const configDirectory = treeAt.get(CONFIG_DIRECTORY)
    ? "tree"
    : own >= 0 && !CONFIG_DIRECTORY.includes("/") && target[`dir${own}`] === null
      ? "absent"
      : undefined;
  if (!configDirectory) return undefined;
  const paths = asked.paths.filter((p) => prefixesOf(p).every((x) => treeAt.get(x) === true));
  const oids: Record<string, string> = {};
  for (const p of paths)
    if (p !== "") oids[p] = (target[`dir${asked.prefixes.indexOf(p)}`] as { oid: string }).oid;
  return { paths, configDirectory, oids };
}

function isTreeEntry(x: unknown): boolean {
  const e = x as { type?: unknown; mode?: unknown; oid?: unknown } | null | undefined;
  return (
    !!e &&
    e.type === "tree" &&
    e.mode === TREE_MODE &&
    typeof e.oid === "string" &&
    /^[0-9a-f]{40,64}$/.test(e.oid)
  );
}

/**
 * The part's keys for the first query's error rule (parts.ts): its aliases, below the base tip's
 * commit. An error inside them costs only the part (its directories are then read as before).
 */
export function directoriesPartKeys(asked: DirectoriesAsked | undefined): PartKeys {
  return {
    under: ["baseRef", "target"],
    aliases: Object.keys(directoriesFields(asked).variables),
  };
}
