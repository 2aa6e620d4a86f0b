import type { DirectoryConfig } from "../../src/config/types.js";
import { classifyName } from "../../src/core/migrations/filename.js";
import type { MigrationFile } from "../../src/core/migrations/directory.js";
import { loadSource, type SourceFile } from "../../src/core/source.js";
import { loadParsers, parseSource, type ParsedFile } from "../../src/core/sql/parse/index.js";
import type { Dialect } from "../../src/core/types.js";

export function sourceOf(
  text: string,
  dialect: Dialect = "postgres",
  opts: { databaseVersion?: string; name?: string } = {},
): SourceFile {
  const name = opts.name ?? "2_change.up.sql";
  const verdict = classifyName(name);
  const file: MigrationFile = {
    path: `migrations/${name}`,
    name,
    kind: "file",
    verdict,
    parsed: verdict.kind === "migration" || verdict.kind === "suspicious" ? verdict.parsed : null,
  };
  const dir: DirectoryConfig = { path: "migrations", dialect, multiStatement: false };
  if (opts.databaseVersion) dir.databaseVersion = opts.databaseVersion;
  return loadSource(file, dir, new TextEncoder().encode(text));
}

/** Parse SQL text as one migration file of `dialect`. */
export async function parse(
  text: string,
  dialect: Dialect = "postgres",
  opts: { databaseVersion?: string } = {},
): Promise<ParsedFile> {
  await loadParsers();
  return parseSource(sourceOf(text, dialect, opts));
}

/** The models of every statement (throws on a parse error, with its message). */
export async function models(text: string, dialect: Dialect = "postgres") {
  const r = await parse(text, dialect);
  return r.statements.map((s) => {
    if (!s.model) throw new Error(`parse error: ${s.error?.message} in ${s.split.text}`);
    return s.model;
  });
}
