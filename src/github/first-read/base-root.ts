/**
 * A part of the first query (pull-request-query.ts) under the base tip's commit: its root tree's
 * entries and, when the root holds the config file's directory as a tree, that directory's
 * entries. A repository without a config file must have the contents API's "no such file"
 * confirmed by the commit's trees before the defaults apply (config.ts confirmAbsent); without
 * this part that takes one or two REST tree reads on a process's first event for the repository.
 *
 * Nothing here is GitHub's word alone: a listing is used only when its entries hash to the tree
 * id (git-gather.ts verifiedTree, the check the gather and the git-object cache apply), the root
 * only under the id the same answer gives as the tip's tree, the directory only under the id the
 * verified root lists for it. What does not verify, or is missing, is read by REST as before;
 * evaluate.ts hands the trees to the TreeReader only when the tip they were read at is the base
 * the evaluation uses. A name that is not a tree in the root (missing, a symlink, a submodule, a
 * file) needs no second listing: the verified root says what it is, exactly as REST's would.
 *
 * GitHub's errors inside the part (its aliases under `baseRef › target`) cost only the part
 * (first-read/parts.ts). `entries` is a plain list, not a connection: no rate-limit cost beyond
 * the query's own, a few hundred bytes of answer per event.
 */
import { CONFIG_PATH } from "../../config/types.js";
import { TREE_FIELDS, verifiedTree, type GraphqlTreeEntry } from "../git-gather.js";
import type { RawTree } from "../git.js";

/** The config file's directory (one segment: the root's listing names it). */
const CONFIG_DIRECTORY = CONFIG_PATH.slice(0, CONFIG_PATH.lastIndexOf("/"));

/** A tree listing that verified against its id. */
export interface KnownTree {
  oid: string;
  tree: RawTree;
}

interface RawTreeAnswer {
  oid?: unknown;
  entries?: unknown;
}

/** The part as the error rule sees it (parts.ts): its keys under the base tip's commit. */
export const BASE_ROOT_PART = {
  under: ["baseRef", "target"] as const,
  aliases: ["rootTree", "configTree"] as const,
  /** Inside `baseRef.target { ... on Commit { … } }`. */
  fields: `
            rootTree: tree { ${TREE_FIELDS} }
            configTree: file(path: ${JSON.stringify(CONFIG_DIRECTORY)}) { object { ... on Tree { ${TREE_FIELDS} } } }`,
};

/**
 * The trees the answer's commit `target` shows that verify: the root (id `treeSha`, the tip's
 * tree as the same answer names it) and, when the root lists the config's directory as a tree,
 * that directory too if it verifies as well. Undefined when the root does not verify.
 */
export function baseRootOf(
  target: Record<string, unknown>,
  treeSha: string,
): KnownTree[] | undefined {
  const root = verified(target.rootTree, treeSha);
  if (!root) return undefined;
  const out = [{ oid: treeSha, tree: root }];
  const entry = root.entries.find((e) => e.path === CONFIG_DIRECTORY);
  // Absent, or a symlink, submodule or file: the root's own listing says all.
  if (!entry || entry.mode !== "040000") return out;
  const dir = verified((target.configTree as { object?: unknown } | null)?.object, entry.sha);
  if (dir) out.push({ oid: entry.sha, tree: dir });
  return out;
}

function verified(answer: unknown, oid: string): RawTree | null {
  const t = answer as RawTreeAnswer | null | undefined;
  if (!t || t.oid !== oid || !Array.isArray(t.entries)) return null;
  return verifiedTree(oid, t.entries as GraphqlTreeEntry[]);
}
