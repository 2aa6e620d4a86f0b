import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PG, alterActions, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "replica-identity-change",
  defaultSeverity: "warning",
  dialects: PG,
  category: "integrity",
  description:
    "ALTER TABLE … REPLICA IDENTITY on an existing table changes what logical replication and change-data-capture consumers receive for updates and deletes: NOTHING makes them fail on a published table, FULL logs the whole old row, DEFAULT/USING INDEX change the key subscribers match rows by.",
  saferAlternative:
    "Check with whoever runs logical replication or CDC (publications, subscribers, Debezium and similar) that the new identity works for them, and change it when they are ready.",
  suppressible: true,
});

const EFFECT: Record<string, string> = {
  NOTHING:
    'if the table is in a publication that publishes updates or deletes, every UPDATE and DELETE on it fails from now on ("cannot update table … because it does not have a replica identity"), including the running application\'s',
  FULL: "every UPDATE and DELETE now writes the whole old row to the WAL (more WAL, slower replication and CDC), and subscribers match rows by all columns, which is slow on a subscriber table without a suitable index",
  DEFAULT:
    "updates and deletes are identified by the primary key again (nothing, if the table has none, which makes them fail on a published table), and CDC consumers see other key columns",
  "USING INDEX":
    "subscribers and CDC consumers now identify rows by that index's columns: a subscriber table without a matching unique index, or a consumer keyed on the old columns, stops applying changes correctly",
};

export const replicaIdentityChange = sqlRule({
  meta,
  check(ctx, report) {
    for (const { a, table, action } of alterActions(ctx)) {
      if (action.type !== "other" || action.option !== "REPLICA IDENTITY") continue;
      // A new table has no subscriber or consumer that depends on its identity yet.
      if (ctx.isNew("table", table, a.index)) continue;
      const value = action.value ?? "?";
      report({
        ...ctx.lines(action.span, a),
        message: `REPLICA IDENTITY ${value} on ${displayName(table)}: ${EFFECT[value] ?? "logical replication and CDC consumers identify its rows differently from now on"}.`,
      });
    }
  },
});
