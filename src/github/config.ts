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
import { EvaluationError } from "./errors.js";
import type { BaseRevision, TreeReader } from "./git.js";
import type { KnownConfig } from "./pull-request.js";

export async function loadBaseConfig(
  octokit: GitHubClient,
  repo: RepoRef,
  base: BaseRevision,
  trees: TreeReader,
  /** The file as already read at `base.sha` (pull-request-query.ts); absent: read it here. */
  known?: KnownConfig,
): Promise<Config> {
  const src = { path: CONFIG_PATH, ref: base.ref };
  const text =
    known === undefined
      ? await readConfigText(octokit, repo, base.sha)
      : known === "absent"
        ? null
        : known.text;
  if (text === null) await confirmAbsent(trees, base);
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

/**
 * A 404 for the file means the defaults apply, and the defaults may check nothing the repository's
 * own file would have checked. So the commit's tree must agree that the file is not there; a
 * contents API that loses a file for a moment must not switch the rules off.
 */
async function confirmAbsent(trees: TreeReader, base: BaseRevision): Promise<void> {
  const slash = CONFIG_PATH.lastIndexOf("/");
  const [dir, name] = [CONFIG_PATH.slice(0, slash), CONFIG_PATH.slice(slash + 1)];
  const listing = await trees.listDirectory(base.treeSha, dir, `${base.ref} (${base.sha})`);
  const at = `${CONFIG_PATH} at ${base.ref} (${base.sha})`;
  if (listing.truncated) {
    throw new EvaluationError(
      `GitHub found no ${at}, and could not confirm it from the commit's tree: ${listing.truncated}`,
    );
  }
  if (listing.entries?.some((e) => e.name === name)) {
    throw new EvaluationError(
      `GitHub answered 404 for ${at}, but the commit's tree lists the file; re-run the check`,
    );
  }
}
