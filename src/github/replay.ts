/**
 * The app's sandbox replay: merged migrations are read in bulk at the base commit (one GraphQL
 * request per directory, see base-files.ts) and only when no cached state covers them; base
 * states stay in a bounded in-memory cache shared by every pull request.
 */
import { createReplayCheck, type SnapshotCache } from "../replay/index.js";
import { readBaseFiles } from "./base-files.js";
import type { DynamicChecksFactory } from "./evaluate.js";

export function appReplay(cache: SnapshotCache): DynamicChecksFactory {
  return ({ octokit, repo, base }) => [
    createReplayCheck({
      cache,
      readBase: (files) => readBaseFiles(octokit, repo, base.sha, files),
    }),
  ];
}
