import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PG, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "enum-add-value-without-position",
  defaultSeverity: "notice",
  dialects: PG,
  category: "integrity",
  description:
    "ALTER TYPE … ADD VALUE without BEFORE or AFTER: the value goes to the end of the enum's sort order, so ORDER BY, <, > and min()/max() on the type rank it above every existing value, whether or not that is what it means.",
  saferAlternative:
    "State the position: ADD VALUE 'v' BEFORE 'x' or AFTER 'y' (AFTER the current last value when last is meant).",
  suppressible: true,
});

/**
 * A design notice, like the type's own CREATE: a type created in the same change is reported too
 * (the order is the same question there). Down files are left alone: they restore a state, and an
 * enum value cannot be removed anyway.
 */
export const enumAddValueWithoutPosition = sqlRule({
  meta,
  check(ctx, report) {
    if (ctx.direction === "down") return;
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "alter-enum" || m.action !== "add-value" || m.neighbor) continue;
      const type = displayName(m.name);
      report({
        ...ctx.at(a),
        message: `ALTER TYPE ${type} ADD VALUE '${m.value}' states no position, so Postgres puts '${m.value}' after every existing value: enum values compare in that order, not alphabetically, and ORDER BY, <, >, BETWEEN and min()/max() on ${type} rank it last.`,
        suggestion: `Say where it belongs: ADD VALUE '${m.value}' BEFORE '…' or AFTER '…' (AFTER the current last value when last is what it means, so a reader does not have to guess).`,
      });
    }
  },
});
