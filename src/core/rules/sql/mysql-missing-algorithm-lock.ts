import { displayName } from "../../sql/model.js";
import { ONLINE_DDL, defaultAlgorithm, mysqlServer, support } from "../../sql/mysql-online-ddl.js";
import { ruleMeta } from "../types.js";
import { operations } from "./mysql-table-copy.js";
import { sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "mysql-missing-algorithm-lock",
  defaultSeverity: "notice",
  dialects: ["mysql"],
  category: "locking",
  description:
    "ALTER TABLE on an existing table that runs online for the configured server but states no ALGORITHM= or LOCK=: if the server cannot run it that way after all (an older table format, a FULLTEXT index, another version than expected), MySQL silently falls back to a slower algorithm or a stronger lock instead of refusing.",
  saferAlternative:
    "State what you expect, e.g. `ALTER TABLE t ADD COLUMN c int, ALGORITHM=INSTANT` or `…, ALGORITHM=INPLACE, LOCK=NONE`: MySQL then refuses the statement rather than copy the table or block writes.",
  suppressible: true,
});

export const mysqlMissingAlgorithmLock = sqlRule({
  meta,
  check(ctx, report) {
    const server = mysqlServer(ctx.version, ctx.source.directory.databaseVersion);
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "alter-table" || m.algorithm !== undefined || m.lock !== undefined) continue;
      if (ctx.isNew("table", m.table, a.index)) continue;
      const ops = operations(ctx, a, m);
      // An action the online DDL table does not know may copy: no claim that it runs online.
      const known = new Set(ops.map((o) => o.action));
      if (ops.length === 0 || m.actions.some((x) => !known.has(x))) continue;
      // Anything that copies, rebuilds or blocks writes is mysql-table-copy's finding (a foreign
      // key, add-foreign-key-validated's; a type change is unknown): one finding per statement.
      const online = ops.every((o) => {
        if (o.op === "add-foreign-key" || o.op === "change-column-type") return false;
        const x = support(o.op, server);
        return x.instant || (x.inplace && x.dml && !x.rebuild);
      });
      if (!online) continue;
      const algorithms = [...new Set(ops.map((o) => defaultAlgorithm(support(o.op, server))))];
      const clause = algorithms.includes("INPLACE")
        ? "ALGORITHM=INPLACE, LOCK=NONE"
        : "ALGORITHM=INSTANT";
      const labels = [...new Set(ops.map((o) => ONLINE_DDL[o.op].label))].join(", ");
      report({
        ...ctx.at(a),
        message: `ALTER TABLE ${displayName(m.table)} (${labels}) states no ALGORITHM or LOCK: ${server.label}${server.assumed ? " (assumed: databaseVersion is not set)" : ""} runs it online, but if this table cannot (an older row format, a FULLTEXT index, another server version than the one configured), MySQL falls back to a table copy or a write-blocking lock without a word. With ${clause} it refuses the statement instead.`,
        suggestion: `Add \`, ${clause}\` to the statement.`,
      });
    }
  },
});
