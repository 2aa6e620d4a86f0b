/**
 * The trees of the commits a pull request's approvals were given on, read with the evaluation's
 * gather (git-gather.ts) instead of a second GraphQL request on the approval side: an approval
 * given on an earlier commit counts only when that commit's migration digest is the head's
 * (approval/reader.ts), and reading its trees once the reviews are known costs a request of its
 * own. The reviews' commits are not known when the change's objects are gathered, so the gather
 * asks GitHub for them: the approved reviews' commits, each with its root tree and the trees on
 * the way down to each migration directory (not the directory itself: it is usually the head's
 * or the base's, read by the gather already).
 *
 * A hint, never a decision: which reviews count is the approval reader's, from its own reading of
 * the reviews. Only trees whose entries hash to their id are recorded (the walk from a root to a
 * directory goes by those ids), so an answer that is cut short, reordered or lists other reviews
 * saves nothing and misleads nothing: whatever a digest still lacks is read as before.
 */
import type { TreeReader } from "./git.js";
import { TREE_FIELDS, verifiedTree, type GraphqlTreeEntry } from "./git-gather.js";

/** Approved reviews whose commits are read (a pull request rarely has more). */
export const MAX_HINTED_APPROVALS = 20;

/** The pull request and its migration directories. */
export interface ApprovedTreesPlan {
  number: number;
  dirs: readonly string[];
}

/** The directories' ancestors below the root ("db" for "db/migrations"), each once. */
export function ancestorPaths(dirs: readonly string[]): string[] {
  const out = new Set<string>();
  for (const dir of dirs) {
    const segments = dir === "" ? [] : dir.split("/");
    for (let i = 1; i < segments.length; i++) out.add(segments.slice(0, i).join("/"));
  }
  return [...out];
}

/** Variables ($pr, $p0…) and the field for the gather's query, `p` ancestor paths. */
export function approvedTreesField(p: number): { vars: string[]; field: string } {
  const vars = ["$pr: Int!"];
  const paths: string[] = [];
  for (let i = 0; i < p; i++) {
    vars.push(`$p${i}: String!`);
    paths.push(`p${i}: file(path: $p${i}) { object { ... on Tree { ${TREE_FIELDS} } } }`);
  }
  return {
    vars,
    field: `approvals: pullRequest(number: $pr) { reviews(first: ${MAX_HINTED_APPROVALS}, states: [APPROVED]) { nodes { commit { oid tree { ${TREE_FIELDS} } ${paths.join(" ")} } } } }`,
  };
}

export function approvedTreesVariables(plan: ApprovedTreesPlan): Record<string, string | number> {
  const vars: Record<string, string | number> = { pr: plan.number };
  ancestorPaths(plan.dirs).forEach((path, i) => (vars[`p${i}`] = path));
  return vars;
}

interface RawTree {
  oid?: unknown;
  entries?: unknown;
}

type Node = {
  commit?: ({ oid?: unknown; tree?: RawTree | null } & Record<string, unknown>) | null;
} | null;

const GIT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** Records what verifies of the `approvals` field's answer; returns how many objects. */
export function recordApprovedTrees(answer: unknown, paths: number, trees: TreeReader): number {
  const nodes = (answer as { reviews?: { nodes?: unknown } } | null | undefined)?.reviews?.nodes;
  if (!Array.isArray(nodes)) return 0;
  let recorded = 0;
  const know = (t: RawTree | null | undefined): boolean => {
    if (!t || typeof t.oid !== "string" || !Array.isArray(t.entries)) return false;
    const raw = verifiedTree(t.oid, t.entries as GraphqlTreeEntry[]);
    if (raw) {
      trees.knowTree(t.oid, raw);
      recorded++;
    }
    return raw !== null;
  };
  for (const node of nodes as Node[]) {
    const c = node?.commit;
    if (!c || typeof c.oid !== "string" || !GIT_ID.test(c.oid)) continue;
    // The commit's root only with its verified listing: a root without it saves nothing.
    if (!know(c.tree)) continue;
    // GitHub's word on the commit node it names, as the gather's own commit fields: kept by the
    // process's cache too (git-object-cache.ts), so a repeated event need not ask again.
    trees.knowCommitTree(c.oid, c.tree!.oid as string, true);
    for (let i = 0; i < paths; i++) {
      const entry = c[`p${i}`] as { object?: RawTree | null } | null | undefined;
      know(entry?.object);
    }
  }
  return recorded;
}
