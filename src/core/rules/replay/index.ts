/** Rules whose findings the sandbox replay (src/replay/) observes; each module words its finding. */
import { downDoesNotRestoreSchema } from "./down-does-not-restore-schema.js";
import { lockAccessExclusive } from "./lock-access-exclusive.js";
import { replayDownFailed } from "./replay-down-failed.js";
import { replaySkipped } from "./replay-skipped.js";
import { replayUpFailed } from "./replay-up-failed.js";
import { upNotReapplicable } from "./up-not-reapplicable.js";

export const REPLAY_RULES = [
  replayUpFailed,
  replayDownFailed,
  downDoesNotRestoreSchema,
  upNotReapplicable,
  lockAccessExclusive,
  replaySkipped,
] as const;
