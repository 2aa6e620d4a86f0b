/**
 * The app's sandbox replay: merged migrations are read in bulk at the base commit (one GraphQL
 * request per directory, see base-files.ts) and only when no cached state covers them; base
 * states stay in a bounded in-memory cache shared by every pull request. Database servers are the
 * operator's alone (external/select.ts): a repository can only opt in to them.
 */
import type { DynamicChecksFactory } from "../changeset/source.js";
import { appDatabases, type AppDatabases } from "../replay/external/select.js";
import { createReplayCheck, type SnapshotCache } from "../replay/index.js";

/** `databases`: the operator's replay servers (appDatabasesFromEnv); none by default. */
export function appReplay(
  cache: SnapshotCache,
  databases: AppDatabases = { servers: {}, owners: null },
): DynamicChecksFactory {
  return (base) => {
    // The operator grants replay servers per owner; a base without one gets none.
    if (base.owner === null) throw new Error("the app replays only a repository's base");
    return [
      createReplayCheck({
        cache,
        readBase: (files) => base.readBase(files),
        databases: appDatabases(databases, base.owner),
      }),
    ];
  };
}
