/**
 * Runs the whole core analysis (parsers, SQL rules, suppression) on in-memory migration files,
 * the way the CLI and the app do, so rule tests exercise exactly what users get.
 */
import { defaultConfig } from "../../src/config/load.js";
import type { Config, DirectoryConfig } from "../../src/config/types.js";
import { analyze } from "../../src/core/analyze.js";
import type {
  ChangeSet,
  ChangedFile,
  Dialect,
  Finding,
  RuleLevel,
  TreeEntry,
} from "../../src/core/types.js";

export interface LintInput {
  /** Changed files: name (inside `dir`) → SQL. Added in git mode. */
  files: Record<string, string>;
  dialect?: Dialect;
  databaseVersion?: string;
  multiStatement?: boolean;
  /** "git" (default): the files are added by the change; "paths": linted alone. */
  mode?: "git" | "paths";
  /** Names already on the base branch (contents do not matter to the SQL rules). */
  base?: string[];
  /** Files the change modifies (already on the base): name → new SQL. */
  modified?: Record<string, string>;
  rules?: Record<string, RuleLevel>;
  dir?: string;
  /**
   * Merged up migrations' SQL by name (added to `base`): the adapter read the merged history, as
   * the CLI's git mode does, so rules see the merged schema. Other base up files read as empty.
   */
  merged?: Record<string, string>;
  /**
   * Merged up files with their SQL (on the base, untouched by the change): what the adapter gives
   * as ChangeSet.pairedUps for a down file the change adds or edits.
   */
  pairedUps?: Record<string, string>;
}

export async function lint(input: LintInput): Promise<Finding[]> {
  const dir = input.dir ?? "migrations";
  const directory: DirectoryConfig = {
    path: dir,
    dialect: input.dialect ?? "postgres",
    multiStatement: input.multiStatement ?? false,
  };
  if (input.databaseVersion !== undefined) directory.databaseVersion = input.databaseVersion;
  const config: Config = { ...defaultConfig(), directories: [directory], rules: input.rules ?? {} };
  const enc = new TextEncoder();
  const contents = new Map<string, Uint8Array>();
  const changes: ChangedFile[] = [];
  const join = (n: string) => (dir === "" ? n : `${dir}/${n}`);
  for (const [name, sql] of Object.entries(input.files)) {
    contents.set(join(name), enc.encode(sql));
    changes.push({ path: join(name), status: "added", oid: oidOf(name) });
  }
  const baseNames = [
    ...new Set([
      ...(input.base ?? []),
      ...Object.keys(input.merged ?? {}),
      ...Object.keys(input.modified ?? {}),
      ...Object.keys(input.pairedUps ?? {}),
    ]),
  ];
  for (const [name, sql] of Object.entries(input.modified ?? {})) {
    contents.set(join(name), enc.encode(sql));
    changes.push({ path: join(name), status: "modified", oid: oidOf(`${name}#new`) });
  }
  const mode = input.mode ?? "git";
  const baseTree: TreeEntry[] = baseNames.map((name) => ({ name, kind: "file", oid: oidOf(name) }));
  const changeSet: ChangeSet = {
    mode,
    base: mode === "git" ? { ref: "main", sha: "b".repeat(40) } : null,
    head: { ref: "WORKTREE" },
    baseTrees: new Map(mode === "git" ? [[dir, baseTree]] : []),
    changes,
    contents,
  };
  if (input.merged) {
    const merged = input.merged;
    changeSet.mergedUps = new Map(
      baseNames
        .filter((n) => n.endsWith(".up.sql"))
        .map((n) => [join(n), enc.encode(merged[n] ?? "")]),
    );
  }
  if (input.pairedUps)
    changeSet.pairedUps = new Map(
      Object.entries(input.pairedUps).map(([name, sql]) => [join(name), enc.encode(sql)]),
    );
  const { report } = await analyze(config, changeSet, {
    tool: { name: "migration-warden", version: "test" },
  });
  return report.findings;
}

function oidOf(s: string): string {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h.toString(16).padStart(40, "0");
}
