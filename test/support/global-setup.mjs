// Jest's globalSetup: runs in Jest's own process before it starts the workers, which inherit its
// environment. Plain ESM: Jest loads it without the transform.
import { accessSync, constants, statfsSync } from "node:fs";

/** Free space a temp directory on RAM needs to be used: the suite's files there peak far below. */
const ROOM = 2 * 2 ** 30;
const SHM = "/dev/shm";

/** Bytes free for this user in `dir`, or null when it is missing or not writable. */
function freeBytes(dir) {
  try {
    accessSync(dir, constants.W_OK);
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

/**
 * Where the test files' temporary directories go (git repositories, caches, CLI work trees:
 * everything made under `os.tmpdir()`), or null to leave TMPDIR alone. Opt-in: MW_TEST_TMPDIR
 * names the directory (`/dev/shm` when it has 2 GiB free; anything else as given), and nothing
 * changes without it. On this project's 2-core machine /tmp is ext4, where every new file and
 * directory cost kernel time finding a free inode past the ones the suite itself had just deleted
 * (`recently_deleted` in a kernel profile of `test/cli/lint-git.test.ts`); a RAM filesystem saved
 * 4–13% of the CPU of the file-heavy tests, inconsistently, and one comparison run had a failure
 * that was not captured, so it is not the default. Docker's 64 MB /dev/shm is too small: refused.
 */
export function chooseTmpdir(env, free = freeBytes) {
  const chosen = env.MW_TEST_TMPDIR;
  if (!chosen) return null;
  if (chosen !== SHM) return chosen;
  return (free(SHM) ?? 0) >= ROOM ? SHM : null;
}

export default function globalSetup() {
  const dir = chooseTmpdir(process.env);
  if (dir) process.env.TMPDIR = dir;
}
