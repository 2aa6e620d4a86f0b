/** The policy file at a commit: its blob id (to tell a change) and the configuration it gives. */
import { ConfigError } from "../../config/load.js";
import { CONFIG_PATH, type Config } from "../../config/types.js";
import type { GitHubClient, RepoRef } from "../client.js";
import { loadBaseConfig } from "../config.js";
import type { TreeReader } from "../git.js";

/** The configuration file's blob id at a commit; "" when there is none (the defaults apply). */
export async function configBlob(trees: TreeReader, commit: string): Promise<string> {
  const slash = CONFIG_PATH.lastIndexOf("/");
  const listing = await trees.listDirectory(
    await trees.commitTree(commit),
    CONFIG_PATH.slice(0, slash),
    `commit ${commit}`,
  );
  // A listing GitHub cut short cannot show the file is unchanged: count it as changed.
  if (listing.truncated) return `truncated:${commit}`;
  const name = CONFIG_PATH.slice(slash + 1);
  return listing.entries?.find((e) => e.name === name)?.oid ?? "";
}

/**
 * The configuration at a commit, read like a pull request's base config (strict parser, absence
 * confirmed by the tree); an invalid file is returned as its ConfigError, other failures throw.
 */
export async function configAt(
  octokit: GitHubClient,
  repo: RepoRef,
  trees: TreeReader,
  sha: string,
  ref: string,
): Promise<Config | ConfigError> {
  const treeSha = await trees.commitTree(sha);
  try {
    return await loadBaseConfig(octokit, repo, { ref, sha, treeSha }, trees);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
}
