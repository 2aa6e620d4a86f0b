/**
 * The test environment (test/support/cpu-environment.mjs) gives each file an ordinary global
 * object of its own context (a new one per file, as before): the globals Jest and Node give are
 * there, a property set on it is a plain property, and fake timers still replace the timers.
 */
import { afterEach, expect, jest, test } from "@jest/globals";

afterEach(() => {
  jest.useRealTimers();
});

test("an ordinary global of its own context, with Jest's and Node's globals on it", () => {
  expect(globalThis).toBe(global);
  expect(typeof Buffer.from).toBe("function");
  expect(typeof structuredClone).toBe("function");
  expect(typeof fetch).toBe("function");
  expect(new Uint8Array(Buffer.from("a"))).toEqual(new Uint8Array([0x61]));
  // A proxy-free global: defining and reading a property is plain.
  (globalThis as Record<string, unknown>).__left = 1;
  expect(Object.getOwnPropertyDescriptor(globalThis, "__left")?.value).toBe(1);
});

test("fake timers replace the context's timers", () => {
  jest.useFakeTimers();
  let fired = false;
  setTimeout(() => (fired = true), 60_000);
  jest.advanceTimersByTime(60_000);
  expect(fired).toBe(true);
});
