/** A migration file of the change, decoded and split once, shared by every rule. */
import type { DirectoryConfig } from "../config/types.js";
import type { MigrationFile } from "./migrations/directory.js";
import { decodeSql } from "./sql/decode.js";
import { execCommentPolicy } from "./sql/readings.js";
import { splitStatements, type SplitResult } from "./sql/split.js";

export interface SourceFile {
  path: string;
  /** The directory entry (name verdict, parsed version/direction, base entry, change). */
  file: MigrationFile;
  directory: DirectoryConfig;
  text: string;
  split: SplitResult;
  invalidUtf8: boolean;
  binary: boolean;
}

export function loadSource(
  file: MigrationFile,
  directory: DirectoryConfig,
  bytes: Uint8Array,
): SourceFile {
  const decoded = decodeSql(bytes);
  return {
    path: file.path,
    file,
    directory,
    text: decoded.text,
    // Read as the database receives it: x-multi-statement pieces, and MySQL executable comments
    // as the configured server version runs them.
    split: splitStatements(decoded.text, directory.dialect, {
      multiStatement: directory.multiStatement,
      execComment: execCommentPolicy(directory.databaseVersion),
    }),
    invalidUtf8: decoded.invalidUtf8,
    binary: decoded.binary,
  };
}
