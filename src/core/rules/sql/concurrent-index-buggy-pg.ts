import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PG, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "concurrent-index-buggy-pg",
  defaultSeverity: "warning",
  dialects: PG,
  category: "integrity",
  description:
    "CREATE INDEX CONCURRENTLY or REINDEX … CONCURRENTLY on Postgres 14.0–14.3 (the directory's databaseVersion): a bug fixed in 14.4 lets the build miss rows updated while it runs, leaving an index that silently returns wrong results.",
  saferAlternative:
    "Upgrade the server to 14.4 or later first (then check existing indexes with amcheck's bt_index_check(…, heapallindexed => true) and rebuild the ones it reports); until then build indexes without CONCURRENTLY in a maintenance window.",
  suppressible: true,
});

/**
 * Only when databaseVersion says 14 (absent or another version: silent). "14" alone does not say
 * which minor release runs, so it is a notice asking for the minor rather than a warning.
 */
export const concurrentIndexBuggyPg = sqlRule({
  meta,
  check(ctx, report) {
    const v = ctx.version;
    if (v === null || v.major !== 14 || v.minor > 3) return;
    const written = ctx.source.directory.databaseVersion?.trim() ?? "";
    const minorKnown = /^\d+\.\d+/.test(written);
    for (const a of ctx.parsed) {
      const m = a.model;
      let what: string;
      if (m.kind === "create-index" && m.concurrently) {
        // An empty table nobody writes yet: no update can race the build.
        if (ctx.isCertainlyNew("table", m.table, a.index)) continue;
        what = `CREATE INDEX CONCURRENTLY ${m.name ? `${displayName(m.name)} ` : ""}ON ${displayName(m.table)}`;
      } else if (m.kind === "reindex" && m.concurrently) {
        if (m.target === "table" && m.name && ctx.isCertainlyNew("table", m.name, a.index))
          continue;
        what = `REINDEX ${m.target.toUpperCase()} CONCURRENTLY${m.name ? ` ${displayName(m.name)}` : ""}`;
      } else continue;
      const bug =
        "Postgres 14.0 to 14.3 have a bug (fixed in 14.4) by which a concurrent index build can miss rows updated while it runs: the index ends up silently corrupt, and queries using it return wrong or missing rows without any error.";
      report({
        ...ctx.at(a),
        ...(minorKnown
          ? { message: `${what} on Postgres ${written} (databaseVersion): ${bug}` }
          : {
              severity: "notice",
              message: `${what}, and databaseVersion is "${written}", which does not say the minor release: ${bug} Set databaseVersion to the exact version (such as 14.11) to settle it.`,
            }),
        suggestion:
          "Upgrade the server to 14.4 or later before running this migration; afterwards check indexes built concurrently on 14.0–14.3 with amcheck (bt_index_check(index, heapallindexed => true)) and REINDEX the ones it reports.",
      });
    }
  },
});
