/** Where the suite's temporary directories go (test/support/global-setup.mjs). */
import { expect, test } from "@jest/globals";
import { chooseTmpdir } from "./global-setup.mjs";

const GiB = 2 ** 30;
const roomy = () => 8 * GiB;

test("/dev/shm when it has room and nobody chose otherwise", () => {
  expect(chooseTmpdir({}, roomy)).toBe("/dev/shm");
});

test("too small (Docker's 64 MB), missing or not writable: TMPDIR is left alone", () => {
  expect(chooseTmpdir({}, () => 64 * 2 ** 20)).toBeNull();
  expect(chooseTmpdir({}, () => null)).toBeNull();
});

test("the caller's TMPDIR and MW_TEST_TMPDIR win; an empty MW_TEST_TMPDIR turns it off", () => {
  expect(chooseTmpdir({ TMPDIR: "/var/tmp" }, roomy)).toBeNull();
  expect(chooseTmpdir({ MW_TEST_TMPDIR: "/scratch", TMPDIR: "/var/tmp" }, roomy)).toBe("/scratch");
  expect(chooseTmpdir({ MW_TEST_TMPDIR: "" }, roomy)).toBeNull();
});
