/**
 * Git objects of one evaluation read in bulk: one GraphQL request returns the root trees of the
 * commits, the trees along the migration directories' paths and the changed blobs' texts, where
 * REST needs one request per commit, per tree and per blob. Nothing from it is trusted: a tree is
 * kept only when its entries hash to its object id (so a listing GraphQL cut short, or named
 * differently, is never used), a blob only when its text hashes to its id. Whatever does not
 * verify, and whatever the answer lacks, is read by REST exactly as before (TreeReader).
 *
 * Only what the reader does not know yet is asked for (its evaluation's reads, and the process's
 * cache of verified objects, git-object-cache.ts): a commit whose root is known and the trees
 * down to each directory too are left out, a blob known by id, a file whose id the known trees
 * give and whose bytes are known. With nothing left, no request is sent (the approved reviews'
 * trees alone are not worth one: the approval reader asks for those it lacks). With `baseTexts`,
 * one directory's entries with their blobs' texts at the base ride along for the sandbox replay
 * (base-texts.ts): handed over unjudged, base-files.ts checks them as its own answer.
 */
import { gitObjectId } from "../changeset/object-id.js";
import {
  ancestorPaths,
  approvedTreesField,
  approvedTreesVariables,
  recordApprovedTrees,
  type ApprovedTreesPlan,
} from "./approved-trees.js";
import { BASE_ENTRIES_FIELDS, entriesByName, type GraphqlEntry } from "./base-files.js";
import type { GitHubClient, RepoRef } from "./client.js";
import type { RawTree, TreeReader } from "./git.js";

/** What to read: commits with the directories to walk below their root, and blobs by id. */
export interface GatherPlan {
  commits: ReadonlyArray<{ sha: string; dirs: readonly string[] }>;
  blobs: readonly string[];
  /** Blobs by path at a commit (their ids unknown yet: a base file the change edits). */
  files?: ReadonlyArray<{ sha: string; path: string }>;
  /** Also the trees of the commits the pull request's approvals were given on (approved-trees.ts). */
  approvals?: ApprovedTreesPlan;
  /**
   * Also one directory's entries with texts at a commit (`sha:dir`, as base-files.ts asks them);
   * `receive` gets them when the answer has them as a tree's entries.
   */
  baseTexts?: {
    expression: string;
    receive(entries: ReadonlyMap<string, GraphqlEntry>): void;
  };
}

/** Most aliases of one query (GitHub's limits are on nodes and time, not aliases: stay modest). */
export const MAX_GATHER_TREES = 60;
export const MAX_GATHER_BLOBS = 100;

export const TREE_FIELDS = "oid entries { name mode type oid size }";
const BLOB_FIELDS = "oid byteSize isBinary isTruncated text";

export interface GraphqlTreeEntry {
  name: string;
  mode: number;
  type: string;
  oid: string;
  size: number;
}

type GatherAnswer = {
  repository: Record<
    string,
    {
      oid?: string;
      tree?: { oid?: string } | null;
      entries?: GraphqlTreeEntry[] | null;
      text?: string | null;
      isTruncated?: boolean;
      isBinary?: boolean | null;
      byteSize?: number;
    } | null
  > | null;
};

type TextsAnswer = { entries?: GraphqlEntry[] | null } | null | undefined;

/**
 * The query for `c` commits, `t` tree expressions, `b` blobs by id and `f` blobs by expression
 * (variables c0…, t0…, b0…, f0…); with `approvals` (the number of directory ancestors), the
 * approved reviews' commits' trees too (approved-trees.ts).
 */
export function gatherQuery(
  c: number,
  t: number,
  b: number,
  f = 0,
  approvals?: number,
  baseTexts = false,
): string {
  const vars = ["$owner: String!", "$name: String!"];
  const fields: string[] = [];
  if (baseTexts) {
    vars.push("$texts: String!");
    fields.push(`texts: object(expression: $texts) { ... on Tree { ${BASE_ENTRIES_FIELDS} } }`);
  }
  if (approvals !== undefined) {
    const a = approvedTreesField(approvals);
    vars.push(...a.vars);
    fields.push(a.field);
  }
  for (let i = 0; i < c; i++) {
    vars.push(`$c${i}: GitObjectID!`);
    fields.push(`c${i}: object(oid: $c${i}) { ... on Commit { oid tree { oid } } }`);
  }
  for (let i = 0; i < t; i++) {
    vars.push(`$t${i}: String!`);
    fields.push(`t${i}: object(expression: $t${i}) { ... on Tree { ${TREE_FIELDS} } }`);
  }
  for (let i = 0; i < b; i++) {
    vars.push(`$b${i}: GitObjectID!`);
    fields.push(`b${i}: object(oid: $b${i}) { ... on Blob { ${BLOB_FIELDS} } }`);
  }
  for (let i = 0; i < f; i++) {
    vars.push(`$f${i}: String!`);
    fields.push(`f${i}: object(expression: $f${i}) { ... on Blob { ${BLOB_FIELDS} } }`);
  }
  return `query MigrationWardenGather(${vars.join(", ")}) {\n  repository(owner: $owner, name: $name) {\n    ${fields.join("\n    ")}\n  }\n}`;
}

/** Each prefix of a directory path, the root ("") first. */
function prefixes(dir: string): string[] {
  const out = [""];
  const segments = dir === "" ? [] : dir.split("/");
  for (let i = 1; i <= segments.length; i++) out.push(segments.slice(0, i).join("/"));
  return out;
}

/**
 * Reads the plan in one GraphQL request and records what verifies in `trees` (commit roots,
 * trees, blobs). Returns how many objects were recorded; a failed request records nothing, and
 * the readers fall back to REST (the gather only saves requests, it never decides anything).
 */
export async function gatherGitObjects(
  octokit: GitHubClient,
  repo: RepoRef,
  trees: TreeReader,
  plan: GatherPlan,
): Promise<number> {
  const commits = [
    ...new Set(plan.commits.filter((c) => !trees.knowsDirectories(c.sha, [])).map((c) => c.sha)),
  ];
  const expressions = [
    ...new Set(
      plan.commits.flatMap((c) =>
        c.dirs
          .flatMap(prefixes)
          .filter((p) => !trees.knowsPath(c.sha, p))
          .map((p) => `${c.sha}:${p}`),
      ),
    ),
  ].slice(0, MAX_GATHER_TREES);
  const blobs = [...new Set(plan.blobs)]
    .filter((b) => !trees.hasBlob(b))
    .slice(0, MAX_GATHER_BLOBS);
  const files = [
    ...new Set(
      (plan.files ?? [])
        .filter((f) => trees.knownBlobAt(f.sha, f.path) === undefined)
        .map((f) => `${f.sha}:${f.path}`),
    ),
  ].slice(0, MAX_GATHER_BLOBS - blobs.length);
  const texts = plan.baseTexts;
  if (commits.length + expressions.length + blobs.length + files.length === 0 && !texts) return 0;
  const variables: Record<string, string | number> = {
    owner: repo.owner,
    name: repo.repo,
    ...(plan.approvals ? approvedTreesVariables(plan.approvals) : {}),
    ...(texts ? { texts: texts.expression } : {}),
  };
  const ancestors = plan.approvals ? ancestorPaths(plan.approvals.dirs).length : undefined;
  commits.forEach((sha, i) => (variables[`c${i}`] = sha));
  expressions.forEach((e, i) => (variables[`t${i}`] = e));
  blobs.forEach((oid, i) => (variables[`b${i}`] = oid));
  files.forEach((e, i) => (variables[`f${i}`] = e));
  let answer: GatherAnswer;
  try {
    answer = await octokit.graphql<GatherAnswer>(
      gatherQuery(
        commits.length,
        expressions.length,
        blobs.length,
        files.length,
        ancestors,
        texts !== undefined,
      ),
      variables,
    );
  } catch {
    return 0;
  }
  const r = answer?.repository;
  if (!r) return 0;
  let recorded = ancestors === undefined ? 0 : recordApprovedTrees(r.approvals, ancestors, trees);
  commits.forEach((sha, i) => {
    const c = r[`c${i}`];
    const tree = c?.tree?.oid;
    if (c?.oid === sha && typeof tree === "string" && GIT_ID.test(tree)) {
      // Asked by its id and answered under it: the process's cache may keep the link.
      trees.knowCommitTree(sha, tree, true);
      recorded++;
    }
  });
  expressions.forEach((_, i) => {
    const t = r[`t${i}`];
    if (!t || typeof t.oid !== "string" || !Array.isArray(t.entries)) return;
    const raw = verifiedTree(t.oid, t.entries);
    if (raw) {
      trees.knowTree(t.oid, raw);
      recorded++;
    }
  });
  blobs.forEach((oid, i) => {
    const bytes = verifiedBlob(oid, r[`b${i}`]);
    if (bytes) {
      trees.knowBlob(oid, bytes);
      recorded++;
    }
  });
  // Kept under the id the text hashes to: whoever asks for a blob asks by the id its tree lists.
  files.forEach((_, i) => {
    const f = r[`f${i}`];
    const bytes = typeof f?.oid === "string" ? verifiedBlob(f.oid, f) : null;
    if (bytes) {
      trees.knowBlob(f!.oid!, bytes);
      recorded++;
    }
  });
  // Last: the receiver may look at the trees just recorded.
  const answered = r.texts as TextsAnswer;
  if (texts && Array.isArray(answered?.entries)) texts.receive(entriesByName(answered.entries));
  return recorded;
}

const GIT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The entries as a REST tree listing when they are exactly the tree `oid` (git's tree encoding,
 * hashed); null otherwise: an entry missing, added, renamed or with another mode or id.
 */
export function verifiedTree(oid: string, entries: readonly GraphqlTreeEntry[]): RawTree | null {
  if (!GIT_ID.test(oid)) return null;
  const rows: Array<{ key: Buffer; bytes: Buffer }> = [];
  for (const e of entries) {
    if (
      typeof e?.name !== "string" ||
      !Number.isSafeInteger(e.mode) ||
      e.mode <= 0 ||
      typeof e.oid !== "string" ||
      e.oid.length !== oid.length ||
      !GIT_ID.test(e.oid)
    )
      return null;
    const isTree = e.mode === 0o40000;
    rows.push({
      key: Buffer.from(isTree ? `${e.name}/` : e.name, "utf8"),
      bytes: Buffer.concat([
        Buffer.from(`${e.mode.toString(8)} ${e.name}\0`, "utf8"),
        Buffer.from(e.oid, "hex"),
      ]),
    });
  }
  rows.sort((a, b) => Buffer.compare(a.key, b.key));
  const body = Buffer.concat(rows.map((row) => row.bytes));
  if (gitObjectId("tree", body, oid) !== oid) return null;
  return {
    entries: entries.map((e) => ({
      path: e.name,
      mode: e.mode.toString(8).padStart(6, "0"),
      // From the hashed mode, never GraphQL's own word on the type.
      type: e.mode === 0o40000 ? "tree" : e.mode === 0o160000 ? "commit" : "blob",
      sha: e.oid,
      ...(e.mode !== 0o40000 && e.mode !== 0o160000 && Number.isSafeInteger(e.size)
        ? { size: e.size }
        : {}),
    })),
    truncated: false,
  };
}

/** The blob's bytes when its text is complete and hashes to `oid`; null otherwise. */
export function verifiedBlob(
  oid: string,
  blob:
    | { oid?: string; text?: string | null; isTruncated?: boolean; isBinary?: boolean | null }
    | null
    | undefined,
): Uint8Array | null {
  if (!blob || blob.oid !== oid || blob.isTruncated !== false || blob.isBinary === true)
    return null;
  if (typeof blob.text !== "string") return null;
  const bytes = Buffer.from(blob.text, "utf8");
  return gitObjectId("blob", bytes, oid) === oid ? bytes : null;
}
