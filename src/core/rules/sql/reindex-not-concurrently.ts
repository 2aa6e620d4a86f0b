import { displayName } from "../../sql/model.js";
import { versionAtLeast } from "../../sql/parse/index.js";
import { ruleMeta } from "../types.js";
import { PG, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "reindex-not-concurrently",
  defaultSeverity: "warning",
  dialects: PG,
  category: "locking",
  description:
    "REINDEX without CONCURRENTLY blocks writes to the table, and reads that use the index, until every index is rebuilt.",
  saferAlternative:
    "REINDEX … CONCURRENTLY (Postgres 12+), alone in its own migration file (it cannot run in a transaction).",
  suppressible: true,
});

export const reindexNotConcurrently = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "reindex" || m.concurrently) continue;
      // An index or table this change created holds nothing live yet.
      if (m.target === "index" && m.name && ctx.isNew("index", m.name, a.index)) continue;
      if (m.target === "table" && m.name && ctx.isNew("table", m.name, a.index)) continue;
      const what =
        m.target === "system"
          ? "REINDEX SYSTEM rebuilds the system catalogs' indexes"
          : `REINDEX ${m.target.toUpperCase()}${m.name ? ` ${displayName(m.name)}` : ""} rebuilds ${m.target === "index" ? "the index" : `every index of the ${m.target}`}`;
      const lock =
        m.target === "index"
          ? "holding a lock that blocks writes to its table and every query that would use the index"
          : "one table at a time, each locked against writes, and every query that would use an index being rebuilt blocks";
      const old = ctx.version !== null && !versionAtLeast(ctx.version, 12);
      report({
        ...ctx.at(a),
        message: `${what}, ${lock}, until it is done.`,
        ...(m.target === "system"
          ? {
              suggestion:
                "System catalogs cannot be reindexed concurrently: do this in a maintenance window, outside the migrations.",
            }
          : old
            ? {
                suggestion:
                  "Postgres before 12 has no REINDEX CONCURRENTLY: build a replacement with CREATE INDEX CONCURRENTLY, then DROP INDEX CONCURRENTLY the old one and rename the new one (each in its own migration).",
              }
            : {}),
      });
    }
  },
});
