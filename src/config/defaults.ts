/**
 * The defaults of every configuration key, in one place: the zod schema gives them for absent keys
 * (schema.ts) and a lint whose base has no config file uses them without building the schema.
 */
import { DEFAULT_DIRECTORY_PATH, type Config } from "./types.js";

/**
 * The configuration used when the base revision has no config file, and the schema's default of
 * each key (test/config/load.test.ts compares them, value and key order). A fresh object on every
 * call: callers may change what they get.
 */
export function defaultConfig(): Config {
  return {
    directories: [{ path: DEFAULT_DIRECTORY_PATH, dialect: "postgres", multiStatement: false }],
    rules: {},
    approval: {
      required: "always",
      teams: [],
      users: [],
      count: 1,
      allowAuthor: false,
      allowContributors: false,
    },
    replay: { enabled: true, statementTimeoutMs: 10_000, timeBudgetMs: 60_000, functions: [] },
    drift: { ignore: [], statementTimeoutMs: 30_000 },
    limits: { maxFileBytes: 1024 * 1024 },
    audit: { issue: false },
  };
}
