/**
 * Parse and validate `.github/migration-warden.yml`. Pure: callers read the text from the base
 * revision (git or the GitHub API) and pass it in.
 */
import { isMap, isScalar, parseDocument, visit } from "yaml";
import type { z } from "zod";
import { configSchema } from "./schema.js";
import { defaultConfig } from "./defaults.js";
import { CONFIG_PATH, type Config } from "./types.js";

export { defaultConfig };

/** Config files are tiny; anything bigger is a mistake or an attack. */
export const MAX_CONFIG_BYTES = 64 * 1024;

export class ConfigError extends Error {
  constructor(
    /** Where the file was read from, e.g. ".github/migration-warden.yml@main". */
    readonly source: string,
    /** One line per problem: "approval.count: expected a positive integer". */
    readonly problems: string[],
  ) {
    super(`invalid configuration ${source}: ${problems.join("; ")}`);
    this.name = "ConfigError";
  }
}

export interface ConfigSource {
  path?: string;
  /** Base ref or sha the file was read from. */
  ref: string;
}

export function describeSource(src: ConfigSource): string {
  return `${src.path ?? CONFIG_PATH}@${src.ref}`;
}

/**
 * Validate config text. `null` (file absent) gives the defaults. Throws ConfigError naming the
 * file, the ref and each offending key path.
 */
export function parseConfig(text: string | null, src: ConfigSource): Config {
  const where = describeSource(src);
  if (text === null) return defaultConfig();
  if (Buffer.byteLength(text, "utf8") > MAX_CONFIG_BYTES) {
    throw new ConfigError(where, [`file is larger than ${MAX_CONFIG_BYTES} bytes`]);
  }
  const doc = parseDocument(text, {
    uniqueKeys: true,
    prettyErrors: true,
    strict: true,
  });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      where,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const first = e.message.split("\n")[0] ?? e.message;
        return pos ? `line ${pos.line}, column ${pos.col}: ${first}` : first;
      }),
    );
  }
  // Keys must be plain scalars: the YAML library would otherwise stringify `{a: 1}: x` with a warning.
  let complexKey: string | null = null;
  visit(doc, {
    Pair(_, pair) {
      const k = pair.key;
      if (k !== null && (!isScalar(k) || (typeof k.value === "object" && k.value !== null))) {
        const pos = doc.range
          ? lineOf(text, (pair.key as { range?: number[] }).range?.[0] ?? 0)
          : 1;
        complexKey = `line ${pos}: mapping keys must be plain names, not lists, mappings or tagged values`;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (complexKey !== null) throw new ConfigError(where, [complexKey]);
  let value: unknown;
  try {
    // Alias bombs: refuse documents that expand aliases more than a handful of times.
    value = doc.toJS({ maxAliasCount: 50 });
  } catch (err) {
    throw new ConfigError(where, [(err as Error).message]);
  }
  if (value === null || value === undefined) return defaultConfig();
  if (!isMap(doc.contents)) throw new ConfigError(where, [NOT_A_MAPPING]);
  return validateConfig(value, src);
}

const NOT_A_MAPPING =
  "expected a mapping of keys (directories, rules, approval, …) at the top level";

/** Validate an already-parsed configuration object (same rules as parseConfig). */
export function validateConfig(value: unknown, src: ConfigSource): Config {
  const where = describeSource(src);
  if (value === null || value === undefined) return defaultConfig();
  if (typeof value !== "object" || Array.isArray(value))
    throw new ConfigError(where, [NOT_A_MAPPING]);
  const result = configSchema().safeParse(value);
  if (!result.success) throw new ConfigError(where, formatIssues(result.error.issues));
  return result.data as Config;
}

function formatIssues(issues: z.core.$ZodIssue[]): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    const path = issue.path.map((p) => String(p));
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const at = [...path, key].join(".");
        out.push(
          `${at}: unknown key${path[0] === "rules" ? " (not a migration-warden rule id or category)" : ""}`,
        );
      }
      continue;
    }
    const at = path.length > 0 ? path.join(".") : "(top level)";
    out.push(`${at}: ${issue.message}`);
  }
  return out;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
