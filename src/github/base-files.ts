/**
 * Merged migrations for the sandbox replay, read in bulk: one GraphQL request per directory
 * returns the directory's entries at the base commit with each blob's text, so the cost of a cold
 * replay does not grow with the history. Nothing from it is trusted: every file must come back
 * under the name and blob id of the REST listing the change set was built from, and its text must
 * hash to that blob id. Files that do not (truncated, binary, listed differently, not UTF-8) are
 * read by blob sha instead, up to a small bound. The same directory's entries may also come
 * pre-read in the evaluation's gather (git-gather.ts, base-texts.ts): they then stand for this
 * request and go through exactly the same checks.
 */
import type { BaseFile } from "../replay/index.js";
import { mapLimit, type GitHubClient, type RepoRef } from "./client.js";
import { EvaluationError } from "./errors.js";
import { readBlob } from "./git.js";
import { gitObjectId } from "../changeset/object-id.js";

/** A tree's entries with their blobs' texts: what this query and the gather's pre-read ask. */
export const BASE_ENTRIES_FIELDS = `entries {
          name
          oid
          type
          object {
            ... on Blob {
              text
              isBinary
              isTruncated
              byteSize
            }
          }
        }`;

/** The exact shape test/support/fake-github.mjs answers. */
export const BASE_DIRECTORY_QUERY = `query MigrationWardenBaseDirectory($owner: String!, $name: String!, $expression: String!) {
  repository(owner: $owner, name: $name) {
    object(expression: $expression) {
      ... on Tree {
        ${BASE_ENTRIES_FIELDS}
      }
    }
  }
}`;

/** Files per evaluation read by blob sha when the bulk answer does not hold them intact. */
export const MAX_BLOB_FALLBACK = 10;
const BLOB_CONCURRENCY = 8;

export interface GraphqlEntry {
  name: string;
  oid: string;
  type: string;
  object: {
    text?: string | null;
    isBinary?: boolean | null;
    isTruncated?: boolean;
    byteSize?: number;
  } | null;
}

interface DirectoryAnswer {
  repository: { object: { entries?: GraphqlEntry[] | null } | null } | null;
}

function split(path: string): [dir: string, name: string] {
  const i = path.lastIndexOf("/");
  return i < 0 ? ["", path] : [path.slice(0, i), path.slice(i + 1)];
}

/** The bytes of the entry when it is exactly the blob asked for, else why not. */
function verify(entry: GraphqlEntry | undefined, oid: string): Uint8Array | string {
  if (!entry) return "missing from the GraphQL listing";
  if (entry.oid !== oid) return `listed as blob ${entry.oid} by GraphQL and ${oid} by REST`;
  const blob = entry.object;
  if (entry.type !== "blob" || !blob) return `a ${entry.type} for GraphQL, not a blob`;
  if (blob.isTruncated !== false) return "text truncated by GitHub";
  if (blob.isBinary !== false || typeof blob.text !== "string")
    return "no text (binary for GitHub)";
  const bytes = Buffer.from(blob.text, "utf8");
  if (gitObjectId("blob", bytes, oid) !== oid)
    return `text does not hash to the blob id (${bytes.length} bytes for ${blob.byteSize ?? "?"}; not UTF-8?)`;
  return bytes;
}

async function listDirectory(
  octokit: GitHubClient,
  repo: RepoRef,
  commitSha: string,
  dir: string,
): Promise<Map<string, GraphqlEntry>> {
  const expression = `${commitSha}:${dir}`;
  let answer: DirectoryAnswer;
  try {
    answer = await octokit.graphql<DirectoryAnswer>(BASE_DIRECTORY_QUERY, {
      owner: repo.owner,
      name: repo.repo,
      expression,
    });
  } catch (err) {
    throw new EvaluationError(
      `GitHub's GraphQL API did not list ${dir || "the repository root"} at ${commitSha}: ${graphqlMessage(err)}`,
    );
  }
  if (!answer?.repository)
    throw new EvaluationError(`GitHub's GraphQL API did not find ${repo.owner}/${repo.repo}`);
  return entriesByName(answer.repository.object?.entries);
}

/** A directory's answered entries by name (none when the answer has none). */
export function entriesByName(entries: readonly GraphqlEntry[] | null | undefined) {
  return new Map((entries ?? []).map((e) => [e.name, e]));
}

/** GraphqlResponseError's message is a header line over a list: name the errors themselves. */
function graphqlMessage(err: unknown): string {
  const errors = (err as { errors?: Array<{ message?: string }> }).errors;
  if (Array.isArray(errors) && errors.length > 0)
    return errors.map((e) => e.message ?? "unknown error").join("; ");
  return String((err as Error)?.message ?? err).split("\n")[0]!;
}

/**
 * Base file bytes in the order asked: one GraphQL request per directory, bounded fallback.
 * `preRead`: directories' entries at `commitSha` already answered (the gather's), by directory;
 * they spare that directory's request and are checked exactly as its answer would be.
 */
export async function readBaseFiles(
  octokit: GitHubClient,
  repo: RepoRef,
  commitSha: string,
  files: readonly BaseFile[],
  preRead?: ReadonlyMap<string, ReadonlyMap<string, GraphqlEntry>>,
): Promise<Uint8Array[]> {
  const noOid = files.find((f) => f.oid === undefined);
  if (noOid) throw new EvaluationError(`${noOid.path}: the base tree gave no blob id`);
  const byDir = new Map<string, number[]>();
  files.forEach((f, i) => {
    const [dir] = split(f.path);
    byDir.set(dir, [...(byDir.get(dir) ?? []), i]);
  });

  const out = new Array<Uint8Array>(files.length);
  const fallback: Array<{ i: number; why: string }> = [];
  for (const [dir, indexes] of byDir) {
    const entries = preRead?.get(dir) ?? (await listDirectory(octokit, repo, commitSha, dir));
    for (const i of indexes) {
      const f = files[i]!;
      const got = verify(entries.get(split(f.path)[1]), f.oid!);
      if (typeof got === "string") fallback.push({ i, why: got });
      else out[i] = got;
    }
  }
  if (fallback.length > MAX_BLOB_FALLBACK) {
    const first = fallback[0]!;
    throw new EvaluationError(
      `${fallback.length} of ${files.length} merged migrations did not come back intact from GitHub's GraphQL API (first: ${files[first.i]!.path}, ${first.why}); reading them one by one would take more than ${MAX_BLOB_FALLBACK} requests`,
    );
  }
  const blobs = await mapLimit(fallback, BLOB_CONCURRENCY, ({ i }) =>
    readBlob(octokit, repo, files[i]!.oid!, files[i]!.path),
  );
  fallback.forEach(({ i }, j) => (out[i] = blobs[j]!));
  return out;
}
