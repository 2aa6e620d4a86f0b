/**
 * The shape every optional part of the first query (src/github/pull-request-query.ts) shares, and
 * the one rule for GitHub's errors beside partial data: an error whose path lies inside a part's
 * own fields costs only that part (it is then read by REST as before, by whoever needs it).
 *
 * A part owns response keys of `pullRequest { … }` (its aliases), or of an object below it named
 * by its `under` path (first-read/base-root.ts: keys of the base tip's commit). An error is inside
 * a part when its path is exactly `repository` › `pullRequest` › its `under` › one of those keys ›
 * anything: a key that only starts like an alias (`headRunsX`) is not the alias. One error outside
 * every part, one without a path, no data, or a pull request GitHub nulled (the parent of a failed
 * non-null field): nothing is kept, the whole answer is unusable as before. A part's keys under
 * another object are removed rather than nulled: below the base tip a null can mean "no such
 * path" (`file(path:)`), which a failed read must never say.
 */

import type { PullRequestInfo } from "../pull-request.js";

/** The raw `pullRequest` object of the answer. */
export type RawPullRequest = Record<string, unknown>;

/** One optional part of the first query, giving a `V`. */
export interface FirstReadPart<V> {
  /** Its selections inside `pullRequest { … }`. */
  fragment: string;
  /** The response keys of `pullRequest` it owns (GitHub's error paths name them). */
  aliases: readonly string[];
  /** Variables it adds to the query (declared by the query), if any. */
  variables?: Record<string, unknown>;
  /**
   * Its value from the answer's pull request (`info`, already checked, is what it was read
   * for) when whole and plain; undefined (its aliases null, missing or odd): read by REST.
   */
  parse: (raw: RawPullRequest, info: PullRequestInfo) => V | undefined;
}

/**
 * GitHub's errors and the partial data beside them, when the error is a GraphQL answer with data
 * and at least one error; null for anything else (then nothing of the answer is kept).
 */
export function errorsBesideData(
  err: unknown,
): { data: object; errors: ReadonlyArray<{ path?: unknown } | null | undefined> } | null {
  const e = err as { name?: string; data?: unknown; errors?: unknown } | null;
  if (e?.name !== "GraphqlResponseError" || !e.data || typeof e.data !== "object") return null;
  if (!Array.isArray(e.errors) || e.errors.length === 0) return null;
  return { data: e.data, errors: e.errors as Array<{ path?: unknown } | null> };
}

type Data = { repository?: { pullRequest?: Record<string, unknown> | null } | null };

/**
 * The data of a GraphQL error answer when every error lies inside one of `parts`, with the
 * aliases of each part an error lies in set to null (a copy: the error is left as it was), so
 * those parts parse as not read; null when any error lies elsewhere.
 */
export function answerWithoutFailedParts<T>(
  err: unknown,
  parts: ReadonlyArray<PartKeys>,
): T | null {
  const answer = errorsBesideData(err);
  if (!answer) return null;
  const { errors } = answer;
  const failed = new Set<PartKeys>();
  for (const x of errors) {
    const path = x?.path;
    if (!Array.isArray(path) || path[0] !== "repository" || path[1] !== "pullRequest") return null;
    const part = parts.find((p) => {
      const under = p.under ?? [];
      const key = path[2 + under.length];
      return (
        under.every((seg, i) => path[2 + i] === seg) &&
        typeof key === "string" &&
        p.aliases.includes(key)
      );
    });
    if (!part) return null;
    failed.add(part);
  }
  const data = structuredClone(answer.data) as Data;
  const pr = data.repository?.pullRequest;
  if (!pr || typeof pr !== "object" || Array.isArray(pr)) return null;
  for (const part of failed) {
    if (!part.under?.length) {
      for (const alias of part.aliases) pr[alias] = null;
      continue;
    }
    let at: unknown = pr;
    for (const seg of part.under) at = isObject(at) ? at[seg] : undefined;
    // The object itself nulled (a failed non-null field inside): nothing of the part is left.
    if (isObject(at)) for (const alias of part.aliases) delete at[alias];
  }
  return data as T;
}

/** What the rule needs of a part: its keys, and where they are below `pullRequest`. */
export interface PartKeys {
  aliases: readonly string[];
  /** The path from `pullRequest` to the object holding the aliases; absent: `pullRequest`. */
  under?: readonly string[];
}

const isObject = (x: unknown): x is Record<string, unknown> =>
  !!x && typeof x === "object" && !Array.isArray(x);
