import { displayName, sameObject } from "../../sql/model.js";
import { rebuiltLater } from "./drop-table.js";
import { ruleMeta } from "../types.js";
import { PG, alterActions, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "set-logged-unlogged",
  defaultSeverity: "warning",
  dialects: PG,
  category: "data-loss",
  description:
    "ALTER TABLE … SET UNLOGGED on an existing table: its rows are no longer written to the WAL, so the table is emptied by crash recovery and is empty on every physical replica (lost on failover); SET LOGGED writes the whole table to the WAL. Both rewrite the table under an ACCESS EXCLUSIVE lock.",
  saferAlternative:
    "Keep application tables logged. Load bulk data into a new unlogged table and switch it to LOGGED before anything relies on it, or use a separate table for data you can afford to lose.",
  suppressible: true,
});

export const setLoggedUnlogged = sqlRule({
  meta,
  check(ctx, report) {
    for (const { a, table, action } of alterActions(ctx)) {
      if (action.type !== "set-storage") continue;
      if (action.storage !== "logged" && action.storage !== "unlogged") continue;
      // A table the change created holds no deployed rows, and nobody else uses it yet.
      if (ctx.isCertainlyNew("table", table, a.index)) continue;
      const t = displayName(table);
      report({
        ...ctx.lines(action.span, a),
        message:
          action.storage === "unlogged"
            ? `SET UNLOGGED makes the existing table ${t} unlogged: from now on its rows are not written to the WAL, so a crash empties it on restart and every physical replica (and any server restored from a base backup) has it empty: a failover loses all its rows. Postgres also rewrites the table under an ACCESS EXCLUSIVE lock.`
            : `SET LOGGED rewrites the existing table ${t} into the WAL under an ACCESS EXCLUSIVE lock: no reads or writes until it finishes, and the whole table goes through the WAL and replication.`,
      });
    }
    // The rebuild that swaps an existing table for an UNLOGGED copy: SET UNLOGGED in other words.
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "drop" || m.objectType !== "table") continue;
      for (const name of m.names) {
        const r = rebuiltLater(ctx, name, a.index);
        const created =
          r &&
          ctx.parsed.findLast(
            (b) =>
              b.index < a.index &&
              b.model.kind === "create-table" &&
              sameObject(b.model.table, r.swap),
          );
        if (!r || created?.model.kind !== "create-table" || !created.model.unlogged) continue;
        // SET LOGGED before the swap: the usual bulk load, logged by the time it takes the name.
        const logged = ctx.parsed.some(
          (b) =>
            b.index > created.index &&
            b.index < a.index &&
            b.model.kind === "alter-table" &&
            sameObject(b.model.table, r.swap) &&
            b.model.actions.some((x) => x.type === "set-storage" && x.storage === "logged"),
        );
        if (logged) continue;
        if (ctx.isCertainlyNew("table", name, a.index)) continue;
        report({
          ...ctx.at(a),
          message: `DROP TABLE ${displayName(name)} swaps the existing table for ${r.from}, an UNLOGGED table renamed to ${displayName(name)} later in this file: from then on its rows are not written to the WAL, so a crash empties it and every physical replica has it empty (a failover loses all its rows), as SET UNLOGGED would.`,
        });
      }
    }
  },
});
