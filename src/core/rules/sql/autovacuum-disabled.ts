import { displayName, sameObject, type ObjectName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import {
  PG,
  alterActions,
  sqlRule,
  type Analyzed,
  type Lines,
  type SqlRuleContext,
} from "./types.js";

type Setting = { name: string; value: string | null };

const meta = ruleMeta({
  id: "autovacuum-disabled",
  defaultSeverity: "warning",
  dialects: PG,
  category: "integrity",
  description:
    "ALTER TABLE … SET (autovacuum_enabled = false) or toast.autovacuum_enabled = false, and CREATE TABLE … WITH (…) of the same: autovacuum stops cleaning the table's dead rows and refreshing its statistics, so it bloats and query plans degrade; only the forced anti-wraparound vacuum still runs.",
  saferAlternative:
    "Keep autovacuum on and tune it for the table instead (autovacuum_vacuum_scale_factor, autovacuum_vacuum_cost_delay…); for a bulk load, turn it off and on again in the same migration.",
  suppressible: true,
});

/** What Postgres' parse_bool reads as false (any unambiguous prefix of false/no/off, or 0). */
const FALSE = /^'?(f|fa|fal|fals|false|n|no|of|off|0)'?$/i;

export const autovacuumDisabled = sqlRule({
  meta,
  check(ctx, report) {
    // The same switch, written at creation (WITH (…)) or by ALTER TABLE … SET (…).
    const found: Array<{ a: Analyzed; table: ObjectName; at: Lines; settings: Setting[] }> = [];
    for (const a of ctx.parsed) {
      const m = a.model;
      // Autovacuum never processes temporary tables: the option changes nothing there.
      if (m.kind === "create-table" && m.settings && !m.temporary)
        found.push({ a, table: m.table, at: ctx.at(a), settings: m.settings });
    }
    for (const { a, table, action } of alterActions(ctx))
      if (action.type === "other" && action.settings)
        found.push({ a, table, at: ctx.lines(action.span, a), settings: action.settings });
    for (const { a, table, at, settings } of found) {
      const off = settings.filter(
        (s) =>
          (s.name === "autovacuum_enabled" || s.name === "toast.autovacuum_enabled") &&
          s.value !== null &&
          FALSE.test(s.value.trim()),
      );
      if (off.length === 0) continue;
      if (
        enabledLater(
          ctx,
          a.index,
          table,
          off.map((s) => s.name),
        )
      )
        continue;
      const t = displayName(table);
      const toastOnly = off.every((s) => s.name === "toast.autovacuum_enabled");
      const created = a.model.kind === "create-table";
      // A new table holds no deployed rows yet, but the cost grows with the rows it will hold:
      // the same warning as for an existing table (else CREATE + ALTER would be a way round it).
      const fresh = created || ctx.isNew("table", table, a.index);
      report({
        ...at,
        message: `${created ? "WITH" : "SET"} (${off.map((s) => `${s.name} = ${s.value}`).join(", ")}) ${created ? "creates" : "turns autovacuum off for"} ${toastOnly ? `the TOAST table of ${t}` : t}${created ? " with autovacuum off" : ""}: its dead rows are never cleaned up by autovacuum and ${toastOnly ? "its large values bloat" : "its statistics are never refreshed, so the table bloats and query plans degrade"}; only the forced anti-wraparound vacuum still runs, at a time it chooses.${fresh ? " The table is new in this change, so nothing is at risk today, but every row it will hold is." : ""}`,
      });
    }
  },
});

/** A later statement of this file sets the same parameters back on, or RESETs them. */
function enabledLater(
  ctx: SqlRuleContext,
  index: number,
  table: ObjectName,
  names: string[],
): boolean {
  const back = new Set<string>();
  for (const { a, table: t, action } of alterActions(ctx)) {
    if (a.index <= index || action.type !== "other" || !sameObject(t, table)) continue;
    for (const s of action.settings ?? [])
      if (
        names.includes(s.name) &&
        (action.option === "RESET" || s.value === null || !FALSE.test(s.value.trim()))
      )
        back.add(s.name);
  }
  return names.every((n) => back.has(n));
}
