/**
 * Config fuzzing: whatever the base branch holds, loading either returns a valid Config or throws
 * a ConfigError with readable problems — never another exception, never a hang.
 */
import fc from "fast-check";
import { stringify } from "yaml";
import { ConfigError, parseConfig, validateConfig } from "../../src/config/load.js";

function outcome(run: () => unknown): "ok" | "config-error" {
  try {
    run();
    return "ok";
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    expect(err.problems.length).toBeGreaterThan(0);
    for (const p of err.problems) expect(typeof p).toBe("string");
    return "config-error";
  }
}

const keys = fc.constantFrom(
  "directories",
  "rules",
  "approval",
  "replay",
  "limits",
  "path",
  "dialect",
  "databaseVersion",
  "multiStatement",
  "required",
  "teams",
  "users",
  "count",
  "allowAuthor",
  "allowContributors",
  "enabled",
  "drop-table",
  "missing-down-migration",
  "__proto__",
  "constructor",
  "toString",
);
const leaf = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(
    "postgres",
    "mysql",
    "always",
    "risky",
    "error",
    "off",
    "migrations",
    "../x",
    "1e309",
  ),
  fc.bigInt().map((b) => b.toString()),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: "small" },
    leaf,
    fc.array(tie("node"), { maxLength: 4 }),
    fc.dictionary(keys, tie("node"), { maxKeys: 5 }),
  ),
})).node;

test("random objects: a Config or a ConfigError", () => {
  fc.assert(
    fc.property(fc.dictionary(keys, value, { maxKeys: 6 }), (obj) => {
      outcome(() => validateConfig(obj, { ref: "main" }));
    }),
    { numRuns: 2000 },
  );
});

test("random objects written as YAML: a Config or a ConfigError", () => {
  fc.assert(
    fc.property(fc.dictionary(keys, value, { maxKeys: 6 }), (obj) => {
      outcome(() => parseConfig(stringify(obj), { ref: "main" }));
    }),
    { numRuns: 1000 },
  );
});

test("random text: a Config or a ConfigError", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 400 }), (text) => {
      outcome(() => parseConfig(text, { ref: "main" }));
    }),
    { numRuns: 2000 },
  );
});

test("YAML-shaped noise (anchors, tags, flow collections): a Config or a ConfigError", () => {
  const token = fc.constantFrom(
    "directories:",
    "approval:",
    "  count: ",
    "- ",
    "&a ",
    "*a",
    "<<: *a",
    "!!binary ",
    "!!python/object ",
    "{",
    "}",
    "[",
    "]",
    "? ",
    ": ",
    "'",
    '"',
    "|",
    ">",
    "\n",
    "  ",
    "%YAML 1.2\n",
    "---\n",
    "...\n",
    "1",
    "true",
    "~",
  );
  fc.assert(
    fc.property(fc.array(token, { maxLength: 40 }), (parts) => {
      outcome(() => parseConfig(parts.join(""), { ref: "main" }));
    }),
    { numRuns: 3000 },
  );
});

test("huge values are rejected with a message, not accepted or crashed on", () => {
  const problems = (yaml: string) => {
    try {
      parseConfig(yaml, { ref: "main" });
      return [];
    } catch (err) {
      return (err as ConfigError).problems;
    }
  };
  expect(problems("approval:\n  count: 1e309\n")).toEqual([
    "approval.count: expected a positive integer",
  ]);
  expect(problems(`approval:\n  count: ${"9".repeat(400)}\n`)).toEqual([
    "approval.count: expected a positive integer",
  ]);
  expect(
    problems(
      `approval:\n  users: [${Array.from({ length: 300 }, (_, i) => `u${i}`).join(", ")}]\n`,
    )[0],
  ).toMatch(/^approval\.users: /);
  expect(
    problems(`directories:\n  - path: ${"a/".repeat(600)}x\n    dialect: postgres\n`)[0],
  ).toMatch(/^directories\.0\.path: /);
  expect(problems(`${"a:\n ".repeat(2000)}b: 1\n`).length).toBeGreaterThan(0);
});

test("a prototype-pollution attempt neither pollutes nor passes", () => {
  expect(outcome(() => parseConfig("__proto__:\n  polluted: true\n", { ref: "main" }))).toBe(
    "config-error",
  );
  expect(
    outcome(() => parseConfig("approval:\n  __proto__: { count: 99 }\n", { ref: "main" })),
  ).toBe("config-error");
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});
