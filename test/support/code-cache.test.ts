/**
 * The worker's code cache (test/support/cpu-environment.mjs) may only change when code is
 * compiled, never what runs: a module is what its own source says even when another source of
 * the same identifier and length was compiled first (V8's own check of a cache entry compares
 * only the length), and a module that calls import() keeps working when compiled again.
 */
import { expect, test } from "@jest/globals";
import vm from "node:vm";

async function evaluate(source: string, identifier: string): Promise<Record<string, unknown>> {
  const context = vm.createContext({});
  const module = new vm.SourceTextModule(source, {
    context,
    identifier,
    importModuleDynamically: (async () => {
      const dep = new vm.SourceTextModule("export const dep = 42;", { context });
      await dep.link(() => {
        throw new Error("no imports");
      });
      await dep.evaluate();
      return dep;
    }) as never,
  });
  await module.link(() => {
    throw new Error("no imports");
  });
  await module.evaluate();
  return module.namespace as Record<string, unknown>;
}

test("the environment's wrapper is what the runtime constructs, and is still the class", () => {
  const m = new vm.SourceTextModule("export const a = 1;", { context: vm.createContext({}) });
  expect(m).toBeInstanceOf(vm.SourceTextModule);
  expect(typeof (m as unknown as { createCachedData?: unknown }).createCachedData).toBe("function");
});

test("same identifier, same length, other source: the module runs its own source", async () => {
  const id = `/virtual/code-cache-${process.pid}-same-length.js`;
  // A top-level constant: in the cached bytecode itself (without the environment's comparison of
  // sources, V8 accepts the first entry for the second text and this reads "aaaa").
  const first = "export const v = 'aaaa';";
  const second = "export const v = 'bbbb';";
  expect(second).toHaveLength(first.length);
  expect((await evaluate(first, id)).v).toBe("aaaa");
  expect((await evaluate(second, id)).v).toBe("bbbb");
  // And the first again, after the entry was replaced.
  expect((await evaluate(first, id)).v).toBe("aaaa");
});

test("a module that calls import() works every time it is compiled", async () => {
  const id = `/virtual/code-cache-${process.pid}-dynamic.js`;
  const source = "export async function load() { return (await import('dep')).dep; }";
  for (let i = 0; i < 3; i++) {
    const ns = await evaluate(source, id);
    await expect((ns.load as () => Promise<number>)()).resolves.toBe(42);
  }
});

test("the same source compiled again (from the cache) behaves the same", async () => {
  const id = `/virtual/code-cache-${process.pid}-again.js`;
  const source =
    "let calls = 0; export function next() { calls += 1; return calls; } export const first = next();";
  for (let i = 0; i < 3; i++) {
    const ns = await evaluate(source, id);
    // A fresh module instance each time: no state from an earlier compilation of the same text.
    expect(ns.first).toBe(1);
    expect((ns.next as () => number)()).toBe(2);
  }
});
