/** Where the suite's temporary directories go (test/support/global-setup.mjs). */
import { expect, test } from "@jest/globals";
import { chooseTmpdir } from "./global-setup.mjs";

const GiB = 2 ** 30;
const roomy = () => 8 * GiB;

test("nothing changes unless MW_TEST_TMPDIR asks (an empty one too)", () => {
  expect(chooseTmpdir({}, roomy)).toBeNull();
  expect(chooseTmpdir({ TMPDIR: "/var/tmp" }, roomy)).toBeNull();
  expect(chooseTmpdir({ MW_TEST_TMPDIR: "" }, roomy)).toBeNull();
});

test("/dev/shm when asked and it has room; too small (Docker's 64 MB), missing: left alone", () => {
  expect(chooseTmpdir({ MW_TEST_TMPDIR: "/dev/shm" }, roomy)).toBe("/dev/shm");
  expect(chooseTmpdir({ MW_TEST_TMPDIR: "/dev/shm" }, () => 64 * 2 ** 20)).toBeNull();
  expect(chooseTmpdir({ MW_TEST_TMPDIR: "/dev/shm" }, () => null)).toBeNull();
});

test("another directory named by MW_TEST_TMPDIR is used as given, over the caller's TMPDIR", () => {
  expect(chooseTmpdir({ MW_TEST_TMPDIR: "/scratch", TMPDIR: "/var/tmp" }, roomy)).toBe("/scratch");
});
