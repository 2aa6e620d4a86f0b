/**
 * Other ways the server may read a file. How `'…\'…'` ends depends on a session setting that
 * migration-warden cannot see in full (a merged migration, `ALTER DATABASE … SET`, the server's
 * configuration may have changed it), and whether a MySQL `/*!80023 … *\/` comment runs depends on
 * the server's version. Every file is therefore also read the other way; where that reading
 * splits into different statements, those statements are analysed too and the difference is
 * reported (rules string-syntax-change and unanalyzable-statement).
 */
import type { SourceFile } from "../source.js";
import type { ExecCommentPolicy } from "./lexer.js";
import { parseServerVersion } from "./parse/types.js";
import { defaultSession, type Session, type UnsafeEncoding } from "./session.js";
import { splitStatements, type SplitStatement } from "./split.js";

export interface Reading {
  kind: "string-syntax" | "server-version";
  /** What this reading assumes, for messages: "standard_conforming_strings is off". */
  label: string;
  /** Its statements that the primary reading does not have (they end elsewhere). */
  statements: SplitStatement[];
  /** Statements both readings have, whose parser text differs here (strings read differently). */
  reparsed: SplitStatement[];
}

/** Which MySQL executable comments run on the configured server (primary reading). */
export function execCommentPolicy(databaseVersion: string | undefined): ExecCommentPolicy {
  const v = parseServerVersion(databaseVersion);
  if (!v) return () => true; // unknown server: read them as code (the other reading: as comments)
  const mariadb = v.major >= 10;
  const number = v.major * 10000 + v.minor * 100 + v.patch;
  return (kind, version) =>
    (kind === "mysql" || mariadb) && (version === null || number >= version);
}

/** Without a configured version: comments every supported server runs are code, the rest are not. */
const olderServer: ExecCommentPolicy = (kind, version) =>
  kind === "mysql" && (version === null || version <= 50700);

/** A version-dependent executable comment: `/*!` with a version above 5.7.0, or MariaDB's `/*M!`. */
const VERSIONED = /\/\*(M!|!(?:\d{5,6}))/;

export function otherReadings(
  source: SourceFile,
  /** An unsafe client encoding an earlier migration of the change set for its session. */
  encoding: UnsafeEncoding | null,
): Reading[] {
  const dir = source.directory;
  const dialect = dir.dialect;
  const text = source.text;
  const out: Reading[] = [];
  const base: Session = defaultSession(dialect);
  const policy = execCommentPolicy(dir.databaseVersion);
  const read = (kind: Reading["kind"], label: string, session: Session, execComment = policy) => {
    const alt = splitStatements(text, dialect, {
      multiStatement: dir.multiStatement,
      session,
      execComment,
    });
    const primary = new Map(source.split.statements.map((s) => [`${s.start}:${s.end}`, s]));
    const statements: SplitStatement[] = [];
    const reparsed: SplitStatement[] = [];
    for (const s of alt.statements) {
      const same = primary.get(`${s.start}:${s.end}`);
      if (!same) statements.push(s);
      else if ((same.parserText ?? same.text) !== (s.parserText ?? s.text)) reparsed.push(s);
    }
    if (statements.length > 0 || reparsed.length > 0)
      out.push({ kind, label, statements, reparsed });
  };

  if (dialect === "postgres" || dialect === "cockroachdb") {
    if (text.includes("\\"))
      read("string-syntax", "standard_conforming_strings is off", {
        ...base,
        backslashStrings: true,
      });
  } else if (dialect === "mysql") {
    if (text.includes("\\") || text.includes('"'))
      read("string-syntax", "sql_mode includes NO_BACKSLASH_ESCAPES or ANSI_QUOTES", {
        ...base,
        backslashStrings: false,
        ansiQuotes: true,
      });
    if (!parseServerVersion(dir.databaseVersion) && VERSIONED.test(text))
      read(
        "server-version",
        "the server skips version-specific /*!…*/ comments (set databaseVersion to decide)",
        base,
        olderServer,
      );
  }
  // eslint-disable-next-line no-control-regex
  if (encoding && /[^\x00-\x7f]/.test(text))
    read("string-syntax", `the client encoding is ${encoding.toUpperCase()}`, {
      ...base,
      encoding,
    });
  return out;
}
