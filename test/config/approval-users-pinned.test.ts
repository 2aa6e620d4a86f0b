/**
 * `approval.users` entries: a plain login (whoever holds it when the check runs), or
 * `{ login, id }` pinning the account GitHub's numeric id names (docs/security.md).
 */
import { ConfigError, parseConfig } from "../../src/config/load.js";

const src = { ref: "main" };

function problems(yaml: string): string[] {
  try {
    parseConfig(yaml, src);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error(`expected ${JSON.stringify(yaml)} to be rejected`);
}

test("plain and pinned entries: logins as written, pinned ids by lower-case login", () => {
  const c = parseConfig(
    "approval:\n  users:\n    - alice\n    - { login: Bob, id: 583231 }\n",
    src,
  );
  expect(c.approval.users).toEqual(["alice", "Bob"]);
  expect(c.approval.userIds).toEqual({ bob: 583231 });
});

test("plain logins only: no pinned ids", () => {
  expect(parseConfig("approval:\n  users: [alice]\n", src).approval).not.toHaveProperty("userIds");
});

test.each([
  ["approval:\n  users:\n    - { login: bob }\n", "approval.users.0"],
  ["approval:\n  users:\n    - { login: bob, id: 0 }\n", "approval.users.0"],
  ["approval:\n  users:\n    - { login: bob, id: '583231' }\n", "approval.users.0"],
  ["approval:\n  users:\n    - { login: bob, id: 1.5 }\n", "approval.users.0"],
  ["approval:\n  users:\n    - { login: bob, id: 1, name: Bob }\n", "approval.users.0"],
  ["approval:\n  users:\n    - { login: 'not a login!', id: 1 }\n", "approval.users.0"],
])("%j is rejected at its entry", (yaml, where) => {
  expect(problems(yaml).join("\n")).toContain(where);
});

test("one login pinned to two accounts, or both plain and pinned, is rejected", () => {
  expect(
    problems(
      "approval:\n  users:\n    - { login: bob, id: 1 }\n    - { login: BOB, id: 2 }\n",
    ).join("\n"),
  ).toContain("approval.users.1: BOB is listed twice with different accounts");
  expect(
    problems("approval:\n  users:\n    - bob\n    - { login: bob, id: 2 }\n").join("\n"),
  ).toContain("listed twice");
});
