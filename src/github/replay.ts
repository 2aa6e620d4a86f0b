/**
 * The app's sandbox replay: base migrations are read as blobs by sha (the tree listing already
 * has them), base states stay in a bounded in-memory cache shared by every pull request.
 */
import { createReplayCheck, type SnapshotCache } from "../replay/index.js";
import type { DynamicChecksFactory } from "./evaluate.js";
import { readBlob } from "./git.js";

export function appReplay(cache: SnapshotCache): DynamicChecksFactory {
  return ({ octokit, repo }) => [
    createReplayCheck({
      cache,
      readBase: (path, oid) => {
        if (!oid) throw new Error(`${path}: the base tree gave no blob id`);
        return readBlob(octokit, repo, oid, path);
      },
    }),
  ];
}
