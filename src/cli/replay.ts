/**
 * The CLI's sandbox replay: base files come from `git show <base>:<path>`, base states are cached
 * on disk (see defaultCacheDir) so the next run skips replaying the merged history.
 */
import { join } from "node:path";
import { createReplayCheck, defaultCacheDir, DiskCache, MemoryCache } from "../replay/index.js";
import type { DynamicCheckFactory, Io } from "./lint.js";

export function cliReplay(io: Pick<Io, "env">): DynamicCheckFactory {
  return ({ git, baseSha }) => {
    const dir = defaultCacheDir(io.env);
    return [
      createReplayCheck({
        cache: dir ? new DiskCache(join(dir, "replay")) : new MemoryCache(),
        readBase: async (path) => {
          if (!git || !baseSha) throw new Error(`no base revision to read ${path} from`);
          const bytes = await git.readAt(baseSha, path);
          if (!bytes) throw new Error(`${path} does not exist at ${baseSha}`);
          return bytes;
        },
      }),
    ];
  };
}
