// Jest's globalSetup: runs in Jest's own process before it starts the workers, which inherit its
// environment. Plain ESM: Jest loads it without the transform.
import { accessSync, constants, statfsSync } from "node:fs";

/** Free space a temp directory on RAM needs to be used: the suite's files there peak far below. */
const ROOM = 2 * 2 ** 30;

/**
 * The test files' temporary directories (git repositories, caches, CLI work trees: everything made
 * under `os.tmpdir()`) on a RAM filesystem when there is one with room. On this project's 2-core
 * machine /tmp is ext4, where every new file and directory cost kernel time finding a free inode
 * past the ones the suite itself just deleted (`recently_deleted` in a CPU profile of the kernel):
 * about a sixth of `test/cli/lint-git.test.ts`'s CPU. MW_TEST_TMPDIR names another directory, or
 * turns this off when empty; a TMPDIR of the caller's own is kept.
 */
function testTmpdir() {
  const chosen = process.env.MW_TEST_TMPDIR;
  if (chosen !== undefined) return chosen || null;
  if (process.env.TMPDIR) return null;
  try {
    accessSync("/dev/shm", constants.W_OK);
    const s = statfsSync("/dev/shm");
    // Docker gives containers a 64 MB /dev/shm: too small, so /tmp stays.
    return s.bavail * s.bsize >= ROOM ? "/dev/shm" : null;
  } catch {
    return null;
  }
}

export default function globalSetup() {
  const dir = testTmpdir();
  if (dir) process.env.TMPDIR = dir;
}
