/**
 * test/support/in-thread.ts, the thread a test file's PGlite work runs in: what it cannot do is
 * as important as what it does, since a test that silently got `undefined` from it would pass.
 */
import { afterAll, expect, test } from "@jest/globals";
import { inThread } from "./in-thread.js";

const thread = inThread();
afterAll(() => thread.close());

const outside = "a variable of the test file";

test("values come back; arguments and results are copies, never shared with the test", async () => {
  const given = { list: [1, 2], bytes: new Uint8Array([1, 2, 3]) };
  const r = await thread.run(async ({ zlib }, args) => {
    args.list.push(3);
    args.bytes[0] = 9;
    return { list: args.list, bytes: args.bytes, zlib: typeof zlib.gzipSync };
  }, given);
  expect(r).toEqual({ list: [1, 2, 3], bytes: new Uint8Array([9, 2, 3]), zlib: "function" });
  expect(given).toEqual({ list: [1, 2], bytes: new Uint8Array([1, 2, 3]) });
});

test("the function sees only its arguments: a variable of the test file is an error, not undefined", async () => {
  await expect(thread.run(async () => outside.length, null)).rejects.toThrow(
    /outside is not defined/,
  );
});

test("a throw rejects with its message; the thread's globalThis is kept between calls", async () => {
  await expect(
    thread.run(async () => {
      throw new Error("refused in the thread");
    }, null),
  ).rejects.toThrow("refused in the thread");
  await thread.run(async () => {
    (globalThis as unknown as { kept: number }).kept = 41;
  }, null);
  expect(
    await thread.run(async () => (globalThis as unknown as { kept: number }).kept + 1, null),
  ).toBe(42);
});

test("a thread that ends fails the call it was running and every later one", async () => {
  const gone = inThread();
  await expect(
    gone.run(async () => {
      process.exit(3);
    }, null),
  ).rejects.toThrow(/exited \(3\)/);
  await expect(gone.run(async () => 1, null)).rejects.toThrow(/exited \(3\)/);
  await gone.close();
});
