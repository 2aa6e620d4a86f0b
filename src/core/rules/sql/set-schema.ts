import { displayName, type ObjectName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PG, sqlRule, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "set-schema",
  defaultSeverity: "warning",
  dialects: PG,
  category: "compatibility",
  description:
    "ALTER VIEW|SEQUENCE|TYPE|DOMAIN|FUNCTION|PROCEDURE|EXTENSION … SET SCHEMA on an object that exists before the change: names qualified with the old schema, and unqualified names when the new schema is not on the search_path, stop finding it.",
  saferAlternative:
    "Ship the clients that use the new schema (or a search_path that includes it) first, then move the object in a later migration.",
  suppressible: true,
});

export const setSchema = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "other" || !m.movedObject) continue;
      const { objectType, name, schema } = m.movedObject;
      if (isNew(ctx, objectType, name, a.index)) continue;
      const what =
        objectType === "EXTENSION"
          ? `every function, type and operator of extension ${name.name} moves with it: `
          : "";
      report({
        ...ctx.at(a),
        message: `Moving ${objectType} ${displayName(name)} to schema ${schema}: ${what}the running application version's queries that qualify it with the old schema fail, and unqualified ones fail (or find another object of the name) unless ${schema} is on their search_path.`,
      });
    }
  },
});

/** Created earlier in the file or change: nothing deployed uses it yet. */
function isNew(ctx: SqlRuleContext, objectType: string, name: ObjectName, index: number): boolean {
  if (/^(FUNCTION|PROCEDURE|ROUTINE|AGGREGATE)$/.test(objectType))
    return ctx.routine(name, index) !== undefined;
  if (objectType === "FOREIGN TABLE") return ctx.origin("table", name, index) !== null;
  return ctx.origin("other", name, index) !== null;
}
