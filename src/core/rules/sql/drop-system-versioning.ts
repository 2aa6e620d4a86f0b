import { displayName, sameObject } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { alterActions, dropContext, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "drop-system-versioning",
  defaultSeverity: "error",
  dialects: ["mysql"],
  category: "data-loss",
  description:
    "MariaDB ALTER TABLE … DROP SYSTEM VERSIONING on a system-versioned table: every historical row version is deleted with the versioning, and queries FOR SYSTEM_TIME stop working.",
  saferAlternative:
    "Archive the history first (INSERT INTO t_history SELECT … FROM t FOR SYSTEM_TIME ALL, or a dump), deploy the clients that no longer query FOR SYSTEM_TIME, then drop the versioning in a later migration.",
  suppressible: true,
});

export const dropSystemVersioning = sqlRule({
  meta,
  check(ctx, report) {
    for (const { a, table, action } of alterActions(ctx)) {
      if (action.type !== "other" || action.option !== "DROP SYSTEM VERSIONING") continue;
      const t = displayName(table);
      // Versioning this file turned on earlier has collected only this migration's history.
      const versionedHere = [...alterActions(ctx)].some(
        (x) =>
          x.a.index < a.index &&
          sameObject(x.table, table) &&
          x.action.type === "other" &&
          x.action.option === "ADD SYSTEM VERSIONING",
      );
      const { severity, note } = versionedHere
        ? {
            severity: "notice" as const,
            note: " Versioning was added earlier in this file, so only this migration's history is lost.",
          }
        : ctx.direction === "down"
          ? {
              severity: "notice" as const,
              note: " In a down migration this usually undoes its up migration's ADD SYSTEM VERSIONING; make sure losing the history collected since is acceptable.",
            }
          : dropContext(ctx.lossOrigin("table", table, a.index));
      report({
        ...ctx.lines(action.span, a),
        ...(severity ? { severity } : {}),
        message: `DROP SYSTEM VERSIONING deletes every historical row version of ${t} (MariaDB keeps no copy): the audit trail or point-in-time data it holds is gone for good, and queries of ${t} FOR SYSTEM_TIME start failing.${note}`,
      });
    }
  },
});
