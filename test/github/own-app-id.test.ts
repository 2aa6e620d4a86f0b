/**
 * This app's id is read from a client's credentials once (each read signs an app JWT), per client:
 * a failed read is not remembered, a client without app credentials never gets another's id, and
 * an id that is not a positive integer is refused every time, never kept.
 */
import { expect, test } from "@jest/globals";
import { ownAppId, type GitHubClient } from "../../src/github/client.js";

function client(answers: Array<unknown | Error>): { octokit: GitHubClient; reads: () => number } {
  let reads = 0;
  const octokit = {
    auth: async () => {
      const a = answers[Math.min(reads++, answers.length - 1)];
      if (a instanceof Error) throw a;
      return a;
    },
  } as unknown as GitHubClient;
  return { octokit, reads: () => reads };
}

test("read once per client, then remembered", async () => {
  const c = client([{ type: "app", appId: 42 }]);
  expect(await ownAppId(c.octokit)).toBe(42);
  expect(await ownAppId(c.octokit)).toBe(42);
  expect(c.reads()).toBe(1);
});

test("a failed read is not remembered: the next call reads again", async () => {
  const c = client([new Error("key unreadable"), { type: "app", appId: 7 }]);
  await expect(ownAppId(c.octokit)).rejects.toThrow(/could not determine this GitHub App's id/);
  expect(await ownAppId(c.octokit)).toBe(7);
  expect(c.reads()).toBe(2);
});

test("an id that is not a positive integer is refused each time, never kept", async () => {
  for (const bad of [{ type: "token" }, { type: "app", appId: "42" }, { type: "app", appId: 0 }]) {
    const c = client([bad]);
    await expect(ownAppId(c.octokit)).rejects.toThrow(/could not determine/);
    await expect(ownAppId(c.octokit)).rejects.toThrow(/could not determine/);
    expect(c.reads()).toBe(2);
  }
});

test("one client's id never answers for another", async () => {
  const a = client([{ type: "app", appId: 1 }]);
  const b = client([{ type: "token" }]);
  expect(await ownAppId(a.octokit)).toBe(1);
  await expect(ownAppId(b.octokit)).rejects.toThrow(/could not determine/);
});
