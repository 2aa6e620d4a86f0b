/**
 * SQL analysis of the change's migration files: parse per dialect, run the SQL rules.
 * Built out in issue #3 (parsers and risk rules); this entry point is what core/analyze.ts calls.
 */
import type { Config } from "../../config/types.js";
import type { DirectoryModel } from "../migrations/directory.js";
import type { SourceFile } from "../source.js";
import type { Finding } from "../types.js";

export interface SqlAnalysisInput {
  config: Config;
  model: DirectoryModel;
  /**
   * The change's migration-looking files in this directory, in golang-migrate order (version,
   * up before down), then files whose names golang-migrate ignores (`file.parsed === null`).
   */
  sources: SourceFile[];
}

export async function analyzeSql(_input: SqlAnalysisInput): Promise<Finding[]> {
  return [];
}
