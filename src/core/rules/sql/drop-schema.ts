import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { dropContext, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "drop-schema",
  defaultSeverity: "error",
  dialects: ["postgres", "mysql", "cockroachdb"],
  category: "data-loss",
  description: "DROP SCHEMA deletes a whole schema (in MySQL: a database) with the data in it.",
  saferAlternative:
    "Drop the contained objects deliberately, one reviewed migration at a time, after a backup.",
  suppressible: true,
});

export const dropSchema = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "drop" || m.objectType !== "schema") continue;
      for (const name of m.names) {
        const { severity, note } = dropContext(ctx.lossOrigin("schema", name, a.index));
        const what =
          ctx.dialect === "mysql"
            ? "is DROP DATABASE in MySQL: it deletes every table in it"
            : m.cascade
              ? "with CASCADE deletes every table, view and function in it"
              : "deletes the schema (it fails while objects remain, unless CASCADE)";
        report({
          ...ctx.at(a),
          ...(severity ? { severity } : {}),
          message: `DROP SCHEMA ${displayName(name)} ${what}; no application should depend on a migration doing that.${note}`,
        });
      }
    }
  },
});
