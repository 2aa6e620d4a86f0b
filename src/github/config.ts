/**
 * The configuration of a pull request comes from its base branch tip, read as raw text by commit
 * sha and validated by the same strict parser the CLI uses (src/config/load.ts).
 *
 * Not `context.config` (it reads the default branch) and not `octokit.config.get`: that plugin
 * parses YAML itself without our alias and size limits, follows `_extends` into other
 * repositories and falls back to the organization's `.github` repository, so what a repository's
 * own file says would no longer decide its rules. Never the head: a pull request must not be able
 * to relax the checks it is judged by.
 */
import { ConfigError, describeSource, parseConfig } from "../config/load.js";
import { CONFIG_PATH, type Config } from "../config/types.js";
import type { GitHubClient, RepoRef } from "./client.js";
import type { BaseRevision } from "./git.js";

export async function loadBaseConfig(
  octokit: GitHubClient,
  repo: RepoRef,
  base: BaseRevision,
): Promise<Config> {
  const src = { path: CONFIG_PATH, ref: base.ref };
  const text = await readConfigText(octokit, repo, base.sha);
  if (text === NOT_A_FILE) {
    throw new ConfigError(describeSource(src), [
      "expected a YAML file, found a directory or submodule",
    ]);
  }
  return parseConfig(text, src);
}

const NOT_A_FILE = Symbol("not a file");

/** The file's text at a commit, or null when it does not exist there. */
async function readConfigText(
  octokit: GitHubClient,
  repo: RepoRef,
  sha: string,
): Promise<string | null | typeof NOT_A_FILE> {
  try {
    const res = await octokit.rest.repos.getContent({
      ...repo,
      path: CONFIG_PATH,
      ref: sha,
      mediaType: { format: "raw" },
    });
    const data: unknown = res.data;
    if (typeof data === "string") return data;
    if (data instanceof ArrayBuffer) return new TextDecoder().decode(data);
    // A directory (JSON listing) or a submodule where the file should be.
    return NOT_A_FILE;
  } catch (err) {
    if ((err as { status?: number }).status === 404) return null;
    throw err;
  }
}
