/** The GitHub client the adapter uses: Probot's installation-authenticated Octokit. */
import type { ProbotOctokit } from "probot";
import { EvaluationError } from "./errors.js";

export type GitHubClient = ProbotOctokit;

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface PullRequestTarget extends RepoRef {
  number: number;
}

export function describeTarget(t: PullRequestTarget): string {
  return `${t.owner}/${t.repo}#${t.number}`;
}

/** Run `fn` over `items` with at most `limit` calls in flight, keeping the input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** One request per key; a failed one is forgotten so that a later call can try again. */
export function cached<T>(
  cache: Map<string, Promise<T>>,
  key: string,
  load: () => Promise<T>,
): Promise<T> {
  let p = cache.get(key);
  if (!p) {
    p = load();
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

/**
 * Ids read per client: reading one signs an app JWT (an RSA signature), and one review asks
 * several times (the first read, the approval reader, every uncertain write). A client's
 * credentials never change; only a valid id is kept.
 */
const appIds = new WeakMap<GitHubClient, number>();

/**
 * This app's id, from the client's own credentials (no request: the app JWT is signed locally).
 * The approval gate trusts records only in check runs this app created.
 */
export async function ownAppId(octokit: GitHubClient): Promise<number> {
  const known = appIds.get(octokit);
  if (known !== undefined) return known;
  let appId: unknown;
  try {
    appId = ((await octokit.auth({ type: "app" })) as { appId?: unknown }).appId;
  } catch {
    appId = undefined;
  }
  if (typeof appId !== "number" || !Number.isSafeInteger(appId) || appId < 1) {
    // Token-only setups (GITHUB_TOKEN instead of APP_ID and a private key) have no app id.
    throw new EvaluationError(
      "could not determine this GitHub App's id from its credentials (set APP_ID and the private key)",
    );
  }
  appIds.set(octokit, appId);
  return appId;
}
