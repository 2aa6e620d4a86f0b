/**
 * The configuration schema (zod). The published JSON schema (schema/migration-warden.schema.json)
 * is generated from it by scripts/gen-config-schema.mjs, so editors and the validator agree.
 *
 * Built on first use (configSchema()), not when the module loads: building it (a schema per rule,
 * each described) is about 10 ms of a lint's start, and a base without a configuration file needs
 * only the defaults (defaultConfig, src/config/load.ts), which never build it.
 */
import { z } from "zod";
import { DIALECTS } from "../core/types.js";
import { ALL_RULES } from "../core/rules/registry.js";
import { RULE_CATEGORIES } from "../core/rules/types.js";
import { GITHUB_LOGIN } from "../core/approval/types.js";
import { parseDatabaseUrl } from "../replay/external/url.js";
import { defaultConfig } from "./defaults.js";

let built: ReturnType<typeof buildConfigSchema> | undefined;

/** The configuration schema, built once per process. */
export function configSchema(): ReturnType<typeof buildConfigSchema> {
  return (built ??= buildConfigSchema());
}

function buildConfigSchema() {
  const level = z.enum(["error", "warning", "notice", "off"], {
    error: 'expected one of "error", "warning", "notice", "off"',
  });

  const bool = (name: string) => z.boolean({ error: `expected true or false (${name})` });

  /**
   * A configured directory path. A leading `./` and trailing slashes are dropped (`./db/migrations/`
   * is `db/migrations`, `.` is the repository root); anything else that would not name exactly one
   * directory of the repository is refused rather than silently matching nothing: `.` and `..`
   * segments, empty segments, absolute paths and backslashes.
   */
  const directoryPath = z
    .string({ error: "expected a repository-relative directory path" })
    .max(1024, { error: "expected a path of at most 1024 characters" })
    .transform((p) =>
      p
        .trim()
        .replace(/^\.\/+/, "")
        .replace(/(.)\/+$/, "$1"),
    )
    .pipe(
      z
        .string()
        .refine((p) => !p.startsWith("/"), {
          error: "expected a repository-relative path, not an absolute one",
        })
        .refine((p) => !p.includes("\\"), { error: 'expected "/" as the path separator' })
        .refine((p) => p === "." || !p.split("/").includes(".."), {
          error: 'expected a path inside the repository without ".." segments',
        })
        .refine((p) => p === "." || !p.split("/").includes("."), {
          error:
            'expected a path without "." segments (write "db/migrations", not "db/./migrations")',
        })
        .refine((p) => !p.split("/").includes(""), {
          error:
            'expected a path without empty segments ("//" or an empty path; "." is the repository root)',
        })
        .transform((p) => (p === "." ? "" : p)),
    );

  const directory = z
    .object({
      path: directoryPath,
      dialect: z.enum(DIALECTS, {
        error: `expected one of ${DIALECTS.map((d) => `"${d}"`).join(", ")}`,
      }),
      databaseVersion: z
        .union([z.string(), z.number()], {
          error: 'expected a version string such as "16" or "8.0"',
        })
        .transform(String)
        .pipe(
          z.string().regex(/^\d{1,4}(\.\d{1,4}){0,2}$/, {
            error: 'expected a version such as "16" or "8.0" (quote it in YAML)',
          }),
        )
        .optional(),
      multiStatement: bool("multiStatement").default(false),
      // A version, compared as a number like golang-migrate's: beyond 2^53 YAML numbers lose digits.
      squashedBelow: z
        .union([z.string(), z.number()], {
          error: "expected a migration version such as 20240101120000",
        })
        .refine((v) => typeof v === "string" || Number.isSafeInteger(v), {
          error: "expected a version; quote versions longer than 15 digits in YAML",
        })
        .transform(String)
        .pipe(
          z.string().regex(/^\d{1,20}$/, {
            error: "expected a migration version (the digits before the first _ of a file name)",
          }),
        )
        .transform((v) => BigInt(v).toString())
        .optional(),
      // golang-migrate's x-migrations-table: the replay creates it before the first migration.
      migrationsTable: z
        .string({ error: "expected a table name such as schema_migrations" })
        .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, {
          error:
            "expected an unqualified table name of letters, digits and _ (golang-migrate's x-migrations-table, such as schema_migrations)",
        })
        .optional(),
    })
    .strict();

  const login = z.string().regex(GITHUB_LOGIN, { error: "expected a GitHub login" });
  const pinnedUser = z
    .object({
      login,
      id: z
        .number({ error: "expected the account id (a positive integer)" })
        .int({ error: "expected the account id (a positive integer)" })
        .min(1, { error: "expected the account id (a positive integer)" })
        .max(Number.MAX_SAFE_INTEGER, { error: "expected the account id (a positive integer)" }),
    })
    .strict();
  const teamSlug = z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, { error: "expected a team slug such as dba" });

  const approval = z
    .object({
      required: z
        .enum(["always", "risky", "never"], { error: 'expected one of "always", "risky", "never"' })
        .default("always"),
      teams: z.array(teamSlug, { error: "expected a list of team slugs" }).max(50).default([]),
      // A plain login, or one pinned to its account id (a login can be renamed and claimed).
      users: z
        .array(z.union([login, pinnedUser]), {
          error: "expected a list of GitHub logins (or { login, id } entries)",
        })
        .max(200)
        .default([]),
      count: z
        .number({ error: "expected a positive integer" })
        .int({ error: "expected a positive integer" })
        .min(1, { error: "expected a positive integer" })
        .max(20, { error: "expected at most 20 approvers" })
        .default(1),
      allowAuthor: bool("allowAuthor").default(false),
      allowContributors: bool("allowContributors").default(false),
    })
    .strict()
    .superRefine((a, ctx) => {
      // One login pinned to two accounts, or listed both plain and pinned: which is meant?
      const seen = new Map<string, number | null>();
      a.users.forEach((u, i) => {
        const [l, id] = typeof u === "string" ? [u, null] : [u.login, u.id];
        const key = l.toLowerCase();
        if (seen.has(key) && seen.get(key) !== id)
          ctx.addIssue({
            code: "custom",
            path: ["users", i],
            message: `${l} is listed twice with different accounts`,
          });
        seen.set(key, id);
      });
    })
    .transform((a) => {
      const userIds: Record<string, number> = {};
      for (const u of a.users) if (typeof u !== "string") userIds[u.login.toLowerCase()] = u.id;
      return {
        ...a,
        users: a.users.map((u) => (typeof u === "string" ? u : u.login)),
        ...(Object.keys(userIds).length > 0 ? { userIds } : {}),
      };
    });

  const positiveInt = (max: number) =>
    z
      .number({ error: "expected a positive integer" })
      .int({ error: "expected a positive integer" })
      .min(1, { error: "expected a positive integer" })
      .max(max, { error: `expected at most ${max}` });

  const replay = z
    .object({
      enabled: bool("enabled").default(true),
      databaseUrl: z
        .string({ error: 'expected "env" or a postgres:// or mysql:// URL' })
        .regex(/^(env|(postgres|postgresql|mysql):\/\/.*)$/, {
          error:
            'expected "env" (the URL the environment provides) or a postgres:// or mysql:// URL of a throwaway database',
        })
        .superRefine((v, ctx) => {
          // The regex above reports anything else.
          if (!/^(postgres|postgresql|mysql):\/\//.test(v)) return;
          try {
            parseDatabaseUrl(v);
          } catch (err) {
            ctx.addIssue({ code: "custom", message: (err as Error).message });
          }
        })
        .optional(),
      statementTimeoutMs: positiveInt(600_000).default(10_000),
      timeBudgetMs: positiveInt(3_600_000).default(60_000),
      // SQLite: functions the application registers on its connection (the sandbox stands them in).
      functions: z
        .array(
          z.string({ error: "expected a function name" }).regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, {
            error: "expected a function name of letters, digits and _",
          }),
          { error: "expected a list of function names" },
        )
        .max(100, { error: "expected at most 100 function names" })
        .default([]),
    })
    .strict();

  const drift = z
    .object({
      ignore: z
        .array(
          z
            .string({ error: "expected a glob of object names" })
            .min(1, { error: "expected a non-empty glob" })
            .max(500, { error: "expected a glob of at most 500 characters" }),
          { error: 'expected a list of globs of object names, such as ["audit.*"]' },
        )
        .max(1000, { error: "expected at most 1000 globs" })
        .default([])
        .describe(
          "Object names `migration-warden drift` leaves out: `*` matches within a name part, `**` across parts (docs/drift.md).",
        ),
      statementTimeoutMs: positiveInt(600_000)
        .default(30_000)
        .describe("Time limit of each catalog query on the live database."),
      migrationsAccount: z
        .string({ error: "expected an account as user@host" })
        .min(1, { error: "expected an account as user@host" })
        .max(400, { error: "expected an account of at most 400 characters" })
        .optional()
        .describe(
          "MySQL/MariaDB: the account the migrations run as on the live database (user@host, as CURRENT_USER() shows it), when drift connects as another: definers naming it read as the replay's own (docs/drift.md).",
        ),
    })
    .strict();

  const limits = z
    .object({
      maxFileBytes: positiveInt(64 * 1024 * 1024).default(1024 * 1024),
    })
    .strict();

  /**
   * A branch name pattern: `*` any run of characters but "/", `**` anything, `?` one character but
   * "/" (src/core/audit/branches.ts). Written as the branch is named, without `refs/heads/`.
   */
  const branchPattern = z
    .string({ error: 'expected a branch name or glob such as "main" or "release/*"' })
    .min(1, { error: "expected a non-empty branch name or glob" })
    .max(255, { error: "expected a branch pattern of at most 255 characters" })
    .refine((p) => !p.startsWith("refs/"), {
      error: 'expected the branch name without "refs/heads/" (write "main", not "refs/heads/main")',
    })
    .refine((p) => !/[\s~^:\\]|\.\.|@\{|^\/|\/$|\p{Cc}/u.test(p), {
      error:
        'expected a valid branch name or glob (no spaces, "~", "^", ":", "\\", "..", "@{", or a leading or trailing "/")',
    });

  const audit = z
    .object({
      branches: z
        .array(branchPattern, {
          error: 'expected a list of branch names or globs, such as ["main", "release/*"]',
        })
        .max(100, { error: "expected at most 100 branch patterns" })
        .optional()
        .describe(
          "Branches whose pushes are audited (migration-warden/audit): globs where `*` matches within a path segment and `**` across. Default: the repository's default branch. Read from the branch's state before the push.",
        ),
      issue: bool("issue")
        .default(false)
        .describe(
          "Open or update one issue per audited branch with the audit's findings (needs the optional issues: write permission).",
        ),
    })
    .strict();

  // Rule ids and category names (which set every rule of the category; a rule's own key wins).
  const rules = z
    .object(
      Object.fromEntries([
        ...ALL_RULES.map((m) => [
          m.id,
          level
            .optional()
            .describe(
              `${m.description} Default: ${m.optIn ? `off (${m.defaultSeverity} when enabled)` : m.defaultSeverity}.`,
            ),
        ]),
        ...RULE_CATEGORIES.map((c) => [
          c,
          level.optional().describe(
            `Category: the level of every ${c} rule (${ALL_RULES.filter((m) => m.category === c)
              .map((m) => m.id)
              .join(", ")}) that has no key of its own.`,
          ),
        ]),
      ]),
    )
    .strict()
    .transform((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));

  return z
    .object({
      directories: z
        .array(directory, { error: "expected a list of { path, dialect } entries" })
        .min(1, { error: "expected at least one directory" })
        .max(100, { error: "expected at most 100 directories" })
        .default(() => defaultConfig().directories)
        .superRefine((dirs, ctx) => {
          const seen = new Set<string>();
          dirs.forEach((d, i) => {
            if (seen.has(d.path)) {
              ctx.addIssue({
                code: "custom",
                path: [i, "path"],
                message: `duplicate directory "${d.path}"`,
              });
            }
            seen.add(d.path);
          });
        }),
      rules: rules.default(() => defaultConfig().rules),
      // prefault: the default goes through the transform (and shows in the JSON schema).
      approval: approval.prefault(() => defaultConfig().approval),
      replay: replay.default(() => defaultConfig().replay),
      drift: drift.default(() => defaultConfig().drift),
      limits: limits.default(() => defaultConfig().limits),
      audit: audit.default(() => defaultConfig().audit),
    })
    .strict();
}
