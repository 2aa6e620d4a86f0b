import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "drop-database",
  defaultSeverity: "error",
  dialects: ["postgres", "mysql", "cockroachdb", "clickhouse"],
  category: "data-loss",
  description: "DROP DATABASE deletes an entire database.",
  saferAlternative:
    "Never drop a database from an application migration; do it by hand, after a backup, outside the migration history.",
  suppressible: true,
});

export const dropDatabase = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "drop" || m.objectType !== "database") continue;
      for (const name of m.names) {
        report({
          ...ctx.at(a),
          message: `DROP DATABASE ${displayName(name)} deletes the whole database and all its data; a migration that does this cannot be rolled back.`,
        });
      }
    }
  },
});
