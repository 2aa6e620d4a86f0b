/**
 * Builds the merged schema of one migration directory from the merged up migrations' texts, in
 * golang-migrate order, and follows a file of the change statement by statement so a rule sees
 * the schema as it is just before the statement it judges.
 */
import type { DirectoryConfig } from "../../config/types.js";
import { decodeSql } from "../sql/decode.js";
import type { ParsedStatement } from "../sql/parse/index.js";
import { parseSplit } from "../sql/parse/index.js";
import { execCommentPolicy } from "../sql/readings.js";
import { splitStatements } from "../sql/split.js";
import { MergedSchema } from "./merged.js";

export interface MergedFile {
  path: string;
  bytes: Uint8Array;
}

/**
 * How the analysis gets the schema after a directory's merged history: built from the texts
 * (buildMergedSchema), or an adapter's cache of what that built (src/cli/schema-cache.ts).
 */
export type MergedSchemaBuilder = (
  directory: DirectoryConfig,
  files: readonly MergedFile[],
) => MergedSchema;

/** The schema after `files` (merged up migrations, already in golang-migrate order). */
export function buildMergedSchema(
  directory: DirectoryConfig,
  files: readonly MergedFile[],
): MergedSchema {
  const schema = new MergedSchema(directory.dialect);
  for (const f of files) {
    const text = decodeSql(f.bytes).text;
    const split = splitStatements(text, directory.dialect, {
      multiStatement: directory.multiStatement,
      execComment: execCommentPolicy(directory.databaseVersion),
    });
    for (const s of split.statements) applyStatement(schema, parseSplit(s, directory), f.path);
  }
  return schema;
}

/** Apply one parsed statement of `path` (one that did not parse forgets every table). */
export function applyStatement(schema: MergedSchema, s: ParsedStatement, path: string): void {
  if (!s.model || s.templated) schema.unreadable(path, s.startLine);
  else schema.apply(s.model, `line ${s.startLine} of ${path}`);
  if (s.model && !s.templated && schema.dialect === "postgres") schema.routines.observe(s.split.text);
}

/**
 * The schema before each statement of one file: statements are applied as the index asked for
 * moves forward (rules ask in order), restarting from the file's start when one asks backwards.
 */
export class SchemaCursor {
  private state: MergedSchema | undefined;
  private next = 0;
  private begin: MergedSchema | undefined;

  /**
   * `start`: the schema before the file, computed on first use (reading the merged history costs
   * a parse of every merged file: only a rule that asks pays it).
   */
  constructor(
    private readonly start: () => MergedSchema,
    private readonly statements: readonly ParsedStatement[],
    private readonly path: string,
  ) {}

  /** The schema just before top-level statement `index` (a nested one: before its statement). */
  at(index: number): MergedSchema {
    const i = Math.floor(index);
    this.begin ??= this.start();
    if (this.state === undefined || i < this.next) {
      this.state = this.begin.clone();
      this.next = 0;
    }
    for (; this.next < i && this.next < this.statements.length; this.next++)
      applyStatement(this.state, this.statements[this.next]!, this.path);
    return this.state;
  }

  /** The schema after the whole file. */
  end(): MergedSchema {
    return this.at(this.statements.length).clone();
  }
}

/** `f`'s result, computed once, on first call. */
export function once<T>(f: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = f();
      done = true;
    }
    return value;
  };
}
