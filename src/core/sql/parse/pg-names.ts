/**
 * Identifiers longer than Postgres keeps. The server truncates every identifier to
 * NAMEDATALEN - 1 = 63 bytes (whole UTF-8 characters) with only a NOTICE, and so does
 * libpg-query: the parse tree holds the truncated names. A created name is found too long by
 * matching the statement's tokens, truncated the same way, against the names the tree creates.
 */
import type { Node } from "libpg-query";
import { tokenize } from "../lexer.js";
import type { LongName } from "../model.js";
import type { StatementInput } from "./types.js";

export const PG_MAX_IDENTIFIER_BYTES = 63;

const encoder = new TextEncoder();

/**
 * Cheap test first: a name over 63 bytes is a run of 16+ name characters (4-byte characters at
 * most) that is 64+ characters long or has a non-ASCII character, or a quoted name of 16+
 * characters. Most statements have neither (a non-ASCII comment word is a short run).
 */
const NAME_RUN = /[A-Za-z0-9_$\u0080-\uffff]{16,}|"[^"]{16}/g;
// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;

function maybeLong(text: string): boolean {
  for (const m of text.matchAll(NAME_RUN)) {
    const run = m[0];
    if (run.startsWith('"') || run.length >= 64 || NON_ASCII.test(run)) return true;
  }
  return false;
}

export function pgLongNames(node: Node, input: StatementInput): LongName[] {
  if (!maybeLong(input.text)) return [];
  const created = createdNames(node);
  if (created.size === 0) return [];
  const out: LongName[] = [];
  for (const t of tokenize(input.text, "postgres")) {
    if (t.kind !== "word" && t.kind !== "quoted-ident") continue;
    const raw = input.text.slice(t.start, t.end);
    const written =
      t.kind === "word"
        ? raw.replace(/[A-Z]+/g, (m) => m.toLowerCase()) // Postgres folds ASCII letters only
        : raw.startsWith('"')
          ? raw.slice(1, -1).replace(/""/g, '"')
          : null; // U&"…" escapes: not decoded here
    if (written === null) continue;
    const bytes = encoder.encode(written).length;
    if (bytes <= PG_MAX_IDENTIFIER_BYTES) continue;
    const truncated = truncateIdentifier(written);
    if (!created.has(truncated)) continue;
    out.push({
      written,
      truncated,
      bytes,
      span: { start: input.base + t.start, end: input.base + t.end },
    });
  }
  return out;
}

/** The longest prefix of whole characters that fits in 63 UTF-8 bytes (pg_mbcliplen). */
export function truncateIdentifier(name: string): string {
  let bytes = 0;
  let end = 0;
  for (const ch of name) {
    const n = encoder.encode(ch).length;
    if (bytes + n > PG_MAX_IDENTIFIER_BYTES) break;
    bytes += n;
    end += ch.length;
  }
  return name.slice(0, end);
}

/** Names a statement's tree creates: relations, columns, constraints, indexes, routines, types… */
function createdNames(root: Node): Set<string> {
  const out = new Set<string>();
  const add = (s: string | undefined) => {
    if (s) out.add(s);
  };
  const last = (items: Node[] | undefined) => {
    const l = items?.[items.length - 1];
    if (l && "String" in l) add(l.String.sval);
  };
  const visit = (x: unknown): void => {
    if (Array.isArray(x)) {
      for (const v of x) visit(v);
      return;
    }
    if (x === null || typeof x !== "object") return;
    const o = x as Record<string, unknown>;
    for (const [k, v] of Object.entries(o)) {
      const n = v as Record<string, unknown> & { [key: string]: unknown };
      switch (k) {
        case "ColumnDef":
          add(n.colname as string | undefined);
          break;
        case "Constraint":
          add(n.conname as string | undefined);
          break;
        case "IndexStmt":
          add(n.idxname as string | undefined);
          break;
        case "RenameStmt":
          add(n.newname as string | undefined);
          break;
        case "CreateStmt":
          add((n.relation as { relname?: string } | undefined)?.relname);
          break;
        case "ViewStmt":
          add((n.view as { relname?: string } | undefined)?.relname);
          break;
        case "CreateSeqStmt":
          add((n.sequence as { relname?: string } | undefined)?.relname);
          break;
        case "CompositeTypeStmt":
          add((n.typevar as { relname?: string } | undefined)?.relname);
          break;
        case "IntoClause": {
          add((n.rel as { relname?: string } | undefined)?.relname);
          for (const c of (n.colNames as Node[] | undefined) ?? [])
            if ("String" in c) add(c.String.sval);
          break;
        }
        case "CreateFunctionStmt":
          last(n.funcname as Node[] | undefined);
          break;
        case "CreateEnumStmt":
          last(n.typeName as Node[] | undefined);
          break;
        case "CreateDomainStmt":
          last(n.domainname as Node[] | undefined);
          break;
        case "CreateStatsStmt":
        case "DefineStmt":
          last(n.defnames as Node[] | undefined);
          break;
        case "CreateSchemaStmt":
          add(n.schemaname as string | undefined);
          break;
        case "CreateTrigStmt":
        case "CreateEventTrigStmt":
          add(n.trigname as string | undefined);
          break;
        case "CreatePolicyStmt":
          add(n.policy_name as string | undefined);
          break;
        case "CreateRoleStmt":
          add(n.role as string | undefined);
          break;
        case "RuleStmt":
          add(n.rulename as string | undefined);
          break;
        case "CreatedbStmt":
          add(n.dbname as string | undefined);
          break;
      }
      visit(v);
    }
  };
  visit(root);
  return out;
}
