/** `report approvals` against the fake GitHub: its repository, token and CLI invocation. */
import { privateKey } from "./app-key.js";
import { runCli, type CliResult } from "./cli.js";
import { FakeGitHub, type FakeRepo } from "./fake-github.mjs";

/** The range the report tests put their merges and pushes in. */
export const JANUARY_2025 = ["--since", "2025-01-01", "--until", "2025-01-31"];

/** A started fake GitHub accepting `token`, with the repository `acme/shop` the report reads. */
export async function reportGitHub(
  appId: number,
  token: string,
): Promise<{ fake: FakeGitHub; repo: FakeRepo }> {
  const fake = await new FakeGitHub({ appId, privateKey }).start();
  fake.tokens.add(token);
  return { fake, repo: fake.createRepo("acme", "shop") };
}

/** `migration-warden report approvals --repo acme/shop --format json <args>` as `token`. */
export function reportApprovals(
  fake: FakeGitHub,
  token: string,
  args: string[],
): Promise<CliResult> {
  return runCli(
    ["report", "approvals", "--repo", "acme/shop", "--format", "json", ...args],
    process.cwd(),
    { GITHUB_TOKEN: token, GITHUB_API_URL: fake.apiUrl },
  );
}
