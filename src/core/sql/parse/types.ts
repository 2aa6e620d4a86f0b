import { utf8ByteToIndex } from "../positions.js";
import type { SplitStatement } from "../split.js";
import type { Span, StatementModel } from "../model.js";

/** One statement of a file after parsing: its location, its model, or why it could not be read. */
export interface ParsedStatement {
  split: SplitStatement;
  startLine: number;
  endLine: number;
  /** Null when the statement could not be parsed (see `error`). */
  model: StatementModel | null;
  error: ParseError | null;
  /** The statement contains Go template placeholders ({{ … }}), read as identifiers. */
  templated: boolean;
}

export interface ParseError {
  message: string;
  /** File offset the parser pointed at. */
  offset: number;
  /**
   * The analysis' own disagreement (the splitter and the parser see different statements), not
   * the parser rejecting the SQL: never reported as the database refusing it.
   */
  ours?: true;
  /**
   * Syntax the configured server version (`databaseVersion`) does not have yet: the server
   * certainly rejects it, whatever the reader's reach.
   */
  tooOld?: true;
}

export type ParseOutcome =
  | {
      ok: true;
      model: StatementModel;
      /**
       * The parser's own tree. Not kept in ParsedStatement: holding every statement's tree for
       * the whole analysis cost a 1 MB lint about a tenth of its time in garbage collection.
       */
      ast: unknown;
    }
  | {
      ok: false;
      message: string;
      /** Index into the statement text. */
      index: number;
      /** See ParseError.ours. */
      ours?: true;
      /** See ParseError.tooOld. */
      tooOld?: true;
    };

export interface StatementInput {
  /** Statement text as handed to the parser (templates masked, same length as the source). */
  text: string;
  /** File offset of text[0]. */
  base: number;
  /** Whole-statement span, for actions the parser cannot place. */
  span: Span;
}

/** Server version from `databaseVersion` ("16", "8.0.32", "10.11"); null when not configured. */
export interface ServerVersion {
  major: number;
  minor: number;
  patch: number;
}

export function parseServerVersion(v: string | undefined): ServerVersion | null {
  if (v === undefined) return null;
  const m = /^\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(v);
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2] ?? 0), patch: Number(m[3] ?? 0) };
}

export function versionAtLeast(v: ServerVersion, major: number, minor = 0, patch = 0): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}

/**
 * Converts parser byte offsets (UTF-8, relative to the statement) into file offsets. Statements
 * are mostly ASCII, where bytes and string indexes agree, so the scan is skipped for them.
 */
export class Locator {
  private readonly ascii: boolean;

  constructor(
    readonly text: string,
    readonly base: number,
  ) {
    // eslint-disable-next-line no-control-regex
    this.ascii = !/[^\x00-\x7f]/.test(text);
  }

  /** File offset of a byte offset into the statement. */
  at(byteOffset: number): number {
    return this.base + this.index(byteOffset);
  }

  /** String index into the statement of a byte offset. */
  index(byteOffset: number): number {
    const b = Math.max(0, byteOffset);
    if (this.ascii) return Math.min(b, this.text.length);
    return utf8ByteToIndex(this.text, b);
  }
}
