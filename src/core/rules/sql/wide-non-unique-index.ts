import { displayName, type ObjectName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "wide-non-unique-index",
  defaultSeverity: "notice",
  dialects: ["postgres", "mysql", "sqlite", "cockroachdb"],
  category: "style",
  description:
    "A non-unique B-tree index with more than 3 key columns: lookups use its leading columns, so the later ones rarely narrow a search, while every write of any of them updates the wider index, which takes more space and memory.",
  saferAlternative:
    "Index the (up to 3) columns that narrow the results most, most selective first; put columns that are only read in INCLUDE (Postgres 11+) rather than in the key.",
  suppressible: true,
});

/** strong_migrations' add_index_columns: more than this many key columns. */
const MAX_KEY_PARTS = 3;

/**
 * A design notice: new tables are reported too (an index is cheapest to change before it holds
 * rows). UNIQUE indexes are left alone (every column is part of what they enforce), and so are
 * INCLUDE columns and non-B-tree Postgres indexes (GIN, GiST, BRIN search on any of their
 * columns). Down files are left alone: they restore an index the up dropped.
 */
export const wideNonUniqueIndex = sqlRule({
  meta,
  check(ctx, report) {
    if (ctx.direction === "down") return;
    const judge = (n: number, table: ObjectName, name: string | undefined) =>
      `The non-unique index ${name ? `${name} ` : ""}on ${displayName(table)} has ${n} key columns: a B-tree is searched by its leading columns, so columns past the first few that narrow the results rarely make a lookup faster, while every INSERT, and every UPDATE of any of the ${n} columns, writes the wider entry, and the index takes more disk and cache.`;
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind === "create-table") {
        for (const x of m.indexes ?? [])
          if (x.keyParts > MAX_KEY_PARTS)
            report({ ...ctx.lines(x.span, a), message: judge(x.keyParts, m.table, x.name) });
      } else if (m.kind === "create-index") {
        const n = m.keyParts ?? 0;
        if (m.unique || m.method || n <= MAX_KEY_PARTS) continue;
        report({ ...ctx.at(a), message: judge(n, m.table, m.name?.name) });
      } else if (m.kind === "alter-table") {
        for (const x of m.actions) {
          if (x.type !== "other" || (x.keyParts ?? 0) <= MAX_KEY_PARTS) continue;
          report({ ...ctx.lines(x.span, a), message: judge(x.keyParts!, m.table, undefined) });
        }
      }
    }
  },
});
